"""Word tokens for scoring: lowercased, stop words dropped, stemmed per language (Snowball via PyStemmer)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import Stemmer
import stop_words

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)

# ISO 639-1 code -> Snowball algorithm name (the stemmers PyStemmer ships).
_SNOWBALL = {
    "en": "english", "ru": "russian", "fr": "french", "de": "german", "es": "spanish", "it": "italian",
    "pt": "portuguese", "nl": "dutch", "sv": "swedish", "da": "danish", "no": "norwegian", "fi": "finnish",
    "hu": "hungarian", "ro": "romanian", "tr": "turkish", "ca": "catalan", "el": "greek", "ar": "arabic",
    "id": "indonesian", "cs": "czech", "pl": "polish", "uk": "ukrainian",
}  # fmt: skip


def words(text: str) -> list[str]:
    """The words of a text, lowercased (letters and digits; apostrophes inside a word kept)."""
    return _WORD.findall(text.lower())


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
    stops = stop_word_set(language)
    kept = [[word for word in words(text) if word not in stops] for text in texts]
    distinct = list({word for text_words in kept for word in text_words})
    stem_of = dict(zip(distinct, stemmer_for(language)(distinct), strict=True))
    return [[stem_of[word] for word in text_words] for text_words in kept]
