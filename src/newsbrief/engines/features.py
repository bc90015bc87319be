"""Sentence features for the learned scorer: cheap, language-neutral, linear in article length.

Every feature is computed from the article alone (no corpus statistics), so any language works; terms are
stemmed content words of the article's language (the stop words and stemmers of text/tokens.py).

This is the hot path of newsbrief.v3 (most of its time per article), so each sentence is tokenized once and
the term statistics (article frequencies, spread, centrality, lead and title overlap) are numpy counts over
term ids rather than a Python loop per sentence.

Named people and places are not a feature of their own: counts of capitalised words and of the article's
most frequent names (newsbrief.v2 had both) added nothing on cross-validation, for key points or headlines,
and cost a fifth of this module's time; centrality and term spread already reward the protagonists' names.
Nor is a sentence's place in its paragraph: every training article is one paragraph (the datasets keep no
paragraph breaks), so v2's "first of its paragraph" was learned as "first of the article" and then lifted
the first sentence of every paragraph of a real page to the rank of a lead.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from itertools import accumulate, chain

import numpy as np
import numpy.typing as npt

from newsbrief.models import Document
from newsbrief.text.normalize import contains_any
from newsbrief.text.tokens import content_terms, stemmer_for, stop_word_set, words_of_chunks

FEATURE_NAMES = (
    "pos_0", "pos_1", "pos_2", "pos_3_5", "pos_6_10", "pos_rel",
    "centrality", "term_spread", "lead_overlap", "title",
    "words", "len_lt8", "len_gt50",
    "quote", "starts_quote", "question", "colon", "digits",
    "starts_stop_word",
)  # fmt: skip
FeatureMatrix = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_QUOTES = '"“”«»„'
_DIGIT = re.compile(r"\d")
_ASCII_DIGITS = "0123456789"
_OPENING_QUOTES = '"“«„'
_APOSTROPHE = re.compile("['’]")
# Words remembered per language with their stems' ids (a few MB at most; see _word_ids).
_STEM_CACHE_SIZE = 100_000
_TERM_CACHES: dict[str | None, tuple[dict[str, int], dict[str, int]]] = {}  # (word -> id, stem -> id)
_TERM_CACHE_LOCK = threading.Lock()
# Sentence length is capped here when used as a feature (longer is just "long").
_WORDS_CAP = 60


def sentence_features(document: Document) -> FeatureMatrix:
    """A (sentences x FEATURE_NAMES) matrix."""
    sentences = document.sentences
    count = len(sentences)
    if not count:
        return np.zeros((0, len(FEATURE_NAMES)))
    language = document.language
    texts = [sentence.text for sentence in sentences]
    # Lowercased words as text/tokens.py reads them (``words``: letters and digits, an apostrophe inside a
    # word kept), one list for the whole article and the number of words of each sentence. The whitespace
    # chunks are cut once for both the words and the length feature: lowercasing changes no character's
    # being whitespace (tests/test_fast_paths.py checks every code point), so the chunks of the lowered
    # text are as many as ``text.split()``'s.
    chunked = [text.lower().split() for text in texts]
    tokens = list(map(words_of_chunks, chunked))
    lengths = list(map(len, tokens))
    lowered = list(chain.from_iterable(tokens))
    stops = stop_word_set(language)
    terms = _term_ids(lowered, lengths, language)
    columns = np.zeros((count, len(FEATURE_NAMES)))
    columns[:, :6] = _position_columns(count)
    heading = " ".join(filter(None, (document.article.title, document.article.subtitle)))
    columns[:, 6:10] = _term_statistics(terms, count, set(content_terms(heading, language)))
    word_counts = np.fromiter(map(len, chunked), dtype=np.float64, count=count)
    columns[:, 10] = np.minimum(word_counts, _WORDS_CAP) / _WORDS_CAP
    columns[:, 11] = word_counts < 8
    columns[:, 12] = word_counts >= 50
    # quote, starts_quote, question, colon, digits: one pass over the sentences, one array (np.fromiter of
    # the flat values, which numpy converts with less work than a list of tuples).
    flags = chain.from_iterable(
        (
            contains_any(text, _QUOTES),
            text[:1] in _OPENING_QUOTES,
            text.endswith("?"),
            ":" in text,
            _has_digit(text),
        )
        for text in texts
    )
    columns[:, 13:18] = np.fromiter(flags, dtype=np.float64, count=5 * count).reshape(count, 5)
    starts = accumulate(lengths, initial=0)
    columns[:, 18] = np.fromiter(
        (
            length > 0 and _before_apostrophe(lowered[start]) in stops
            for start, length in zip(starts, lengths, strict=False)  # starts has one more item
        ),
        dtype=np.float64,
        count=count,
    )
    return columns


def _before_apostrophe(word: str) -> str:
    """``_APOSTROPHE.split(word, 1)[0]`` ("don't" -> "don"), the expression run only on the rare word that
    holds an apostrophe."""
    return _APOSTROPHE.split(word, 1)[0] if contains_any(word, "'’") else word


def _has_digit(text: str) -> bool:
    """``re.search(r"\\d", text)``: ASCII digits by substring search, other decimal digits (Arabic-Indic,
    Devanagari ...) by the expression, only when the text is not ASCII."""
    return contains_any(text, _ASCII_DIGITS) or (not text.isascii() and _DIGIT.search(text) is not None)


@lru_cache(maxsize=256)
def _position_columns(count: int) -> FeatureMatrix:
    """pos_0 ... pos_rel for an article of ``count`` sentences (the same for every article of that size)."""
    index = np.arange(count)
    block = np.zeros((count, 6))
    block[:, 0] = index == 0
    block[:, 1] = index == 1
    block[:, 2] = index == 2
    block[:, 3] = (index >= 3) & (index <= 5)
    block[:, 4] = (index >= 6) & (index <= 10)
    block[:, 5] = index / max(1, count - 1)
    block.flags.writeable = False  # shared between calls
    return block


class _Terms:
    """The article's terms as ids 0 .. size-1 (``stems``: the global id of each, ascending, in the numbering
    ``stem_ids`` holds), one entry per occurrence: its sentence and its term."""

    def __init__(self, stem_ids: dict[str, int], stems: IntArray, sentence: IntArray, term: IntArray) -> None:
        self.stem_ids = stem_ids
        self.stems = stems
        self.size = len(stems)
        self.sentence = sentence  # sentence of each occurrence
        self.term = term  # term id of each occurrence

    def ids_of(self, terms: set[str]) -> IntArray:
        """The article's ids of those of the stems it has."""
        wanted = np.array([self.stem_ids[term] for term in terms if term in self.stem_ids], dtype=np.int64)
        found = np.searchsorted(self.stems, wanted)
        inside = found < self.size
        found, wanted = found[inside], wanted[inside]
        present: IntArray = found[self.stems.take(found) == wanted]
        return present


def _term_ids(lowered: list[str], lengths: list[int], language: str | None) -> _Terms:
    """Number the article's stems: the words' global stem ids (stop words -1), renumbered 0 .. size-1.

    Only the numbering differs from numbering the article's stems afresh; every statistic built on it
    (_term_statistics) is a sum of whole numbers, exact in any order."""
    word_ids, stem_ids = _word_ids(lowered, language)
    ids = np.fromiter(map(word_ids.__getitem__, lowered), dtype=np.int64, count=len(lowered))
    sentence = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    kept = ids >= 0
    stems, term = np.unique(ids[kept], return_inverse=True)
    return _Terms(stem_ids, stems, sentence[kept], term.astype(np.int64, copy=False))


def _word_ids(lowered: list[str], language: str | None) -> tuple[dict[str, int], dict[str, int]]:
    """Each word's stem as a global id (-1 for a stop word) and the stems' ids, remembered per language:
    Snowball costs about 1 us a word, and looking a word's stem id up once saves renumbering the article's
    stems as strings. The returned dictionaries hold every word of ``lowered``.

    Threads may summarize at once (the service's feed thread beside its requests): ids are handed out under a
    lock, so two new stems never share one, and a full cache is replaced by fresh dictionaries rather than
    cleared, so a thread still reading the old ones sees them whole."""
    distinct = set(lowered)
    caches = _TERM_CACHES.get(language)
    if caches is not None and not distinct.difference(caches[0]):
        return caches
    with _TERM_CACHE_LOCK:
        word_ids, stem_ids = caches = _TERM_CACHES.setdefault(language, ({}, {}))
        missing = distinct.difference(word_ids)
        if len(word_ids) + len(missing) > _STEM_CACHE_SIZE:
            # A crude bound (news vocabularies mostly fit).
            word_ids, stem_ids = caches = _TERM_CACHES[language] = ({}, {})
            missing = distinct
        stops = stop_word_set(language)
        content = [word for word in missing if word not in stops]
        word_ids.update(dict.fromkeys(missing.intersection(stops), -1))
        for word, stem in zip(content, stemmer_for(language)(content), strict=True):
            word_ids[word] = stem_ids.setdefault(stem, len(stem_ids))
    return caches


def _term_statistics(terms: _Terms, count: int, title_terms: set[str]) -> FeatureMatrix:
    """Centrality, term spread, lead overlap and title coverage of every sentence (4 columns).

    Gathers by index are ``take`` calls: the same values as ``array[indices]``, with less overhead."""
    size = terms.size
    out = np.zeros((count, 4))
    out[0, 2] = 1.0  # the lead overlaps itself fully
    if not size:
        return out
    frequency = np.bincount(terms.term, minlength=size).astype(np.float64)
    # One row per (sentence, distinct term) and how often the term occurs in that sentence.
    pairs, repeats = np.unique(terms.sentence * size + terms.term, return_counts=True)
    pair_sentence, pair_term = pairs // size, pairs % size
    distinct = np.bincount(pair_sentence, minlength=count).astype(np.float64)
    has_terms = distinct > 0
    safe = np.where(has_terms, distinct, 1.0)
    # Cosine between a sentence's term counts and the article's.
    dot = np.bincount(pair_sentence, weights=repeats * frequency.take(pair_term), minlength=count)
    squares = np.bincount(pair_sentence, weights=repeats.astype(np.float64) ** 2, minlength=count)
    norm = float(np.sqrt(frequency @ frequency))
    out[:, 0] = np.where(has_terms, dot / (np.sqrt(np.where(has_terms, squares, 1.0)) * norm), 0.0)
    # Share of the article's sentences that use each of the sentence's terms, averaged.
    spread = np.bincount(pair_term, minlength=size).astype(np.float64)
    out[:, 1] = np.bincount(pair_sentence, weights=spread.take(pair_term), minlength=count) / (safe * count)
    lead = np.zeros(size)
    lead[pair_term[pair_sentence == 0]] = 1.0
    overlap = np.bincount(pair_sentence, weights=lead.take(pair_term), minlength=count) / safe
    out[1:, 2] = overlap[1:]
    if title_terms:
        title = np.zeros(size)
        title[terms.ids_of(title_terms)] = 1.0
        covered = np.bincount(pair_sentence, weights=title.take(pair_term), minlength=count)
        out[:, 3] = covered / len(title_terms)
    return out
