"""Word tokens for scoring: lowercased, stop words dropped, stemmed per language (Snowball via PyStemmer)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain, filterfalse

import Stemmer
import stop_words

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
# Punctuation that only ever sits at the edges of a word ("said,", "(CNN)", "“Yes”"). None of these is a
# letter or digit, so a chunk that is alphanumeric once they are stripped is exactly one _WORD match.
_EDGE_PUNCTUATION = "\"'“”‘’«»„()[]{},.;:!?-—–…*/"

# ISO 639-1 code -> Snowball algorithm name (the stemmers PyStemmer ships).
_SNOWBALL = {
    "en": "english", "ru": "russian", "fr": "french", "de": "german", "es": "spanish", "it": "italian",
    "pt": "portuguese", "nl": "dutch", "sv": "swedish", "da": "danish", "no": "norwegian", "fi": "finnish",
    "hu": "hungarian", "ro": "romanian", "tr": "turkish", "ca": "catalan", "el": "greek", "ar": "arabic",
    "id": "indonesian", "cs": "czech", "pl": "polish", "uk": "ukrainian",
}  # fmt: skip


def split_words(text: str) -> list[str]:
    r"""``_WORD.findall(text)``, about twice as fast: the same words in the same order, case kept.

    No word holds whitespace, so the text is cut at whitespace first (in C); most chunks are a word with
    punctuation at its edges, told apart by ``str.isalnum`` (the very test behind ``[^\W_]``), and only
    the rest ("well-known", "U.S.", "dog's") goes through the regular expression.
    """
    return words_of_chunks(text.split())


def words_of_chunks(chunks: list[str]) -> list[str]:
    """``split_words`` of a text already cut at whitespace (``text.split()``), for a caller that counts
    the chunks too."""
    found: list[str] = []
    add, extend, find = found.append, found.extend, _WORD.findall
    for chunk in chunks:
        if chunk.isalnum():
            add(chunk)
            continue
        core = chunk.strip(_EDGE_PUNCTUATION)
        if core.isalnum():
            add(core)
        else:
            extend(find(chunk))
    return found


def words(text: str) -> list[str]:
    """The words of a text, lowercased (letters and digits; apostrophes inside a word kept)."""
    return split_words(text.lower())


@lru_cache(maxsize=64)
def stop_word_set(language: str | None) -> frozenset[str]:
    """Stop words of a language (the ``stop-words`` lists), empty when the language has none."""
    try:
        return frozenset(word.lower() for word in stop_words.get_stop_words(language or "en"))
    except stop_words.StopWordError:
        return frozenset()


@lru_cache(maxsize=64)
def stemmer_for(language: str | None) -> Callable[[Sequence[str]], list[str]]:
    """A function stemming a list of words; identity for languages without a Snowball stemmer."""
    algorithm = _SNOWBALL.get(language or "en")
    if algorithm is None or algorithm not in Stemmer.algorithms():
        return list
    stemmer = Stemmer.Stemmer(algorithm)
    stemmer.maxCacheSize = 50_000
    stem_words: Callable[[Sequence[str]], list[str]] = stemmer.stemWords
    return stem_words


def content_terms(text: str, language: str | None) -> list[str]:
    """Stemmed words of a text without stop words: the terms scoring compares."""
    stops = stop_word_set(language)
    return stemmer_for(language)([word for word in words(text) if word not in stops])


def content_terms_many(texts: Sequence[str], language: str | None) -> list[list[str]]:
    """``content_terms`` of many texts, stemming each distinct word once (stemming dominates the cost)."""
    is_stop = stop_word_set(language).__contains__
    kept = [list(filterfalse(is_stop, words(text))) for text in texts]
    distinct = list(set(chain.from_iterable(kept)))
    stem_of = dict(zip(distinct, stemmer_for(language)(distinct), strict=True))
    stem = stem_of.__getitem__
    return [list(map(stem, text_words)) for text_words in kept]
