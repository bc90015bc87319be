"""Sentence features for the learned scorer: cheap, language-neutral, linear in article length.

Every feature is computed from the article alone (no corpus statistics), so any language works; terms are
stemmed content words of the article's language (text/tokens.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import numpy.typing as npt

from newsbrief.models import Document
from newsbrief.text.tokens import content_terms, content_terms_many, stop_word_set

FEATURE_NAMES = (
    "pos_0", "pos_1", "pos_2", "pos_3_5", "pos_6_10", "pos_rel",
    "centrality", "term_spread", "lead_overlap", "title",
    "words", "len_lt8", "len_gt50",
    "quote", "starts_quote", "question", "colon", "digits",
    "names", "top_names", "starts_stop_word", "paragraph_first",
)  # fmt: skip
FeatureMatrix = npt.NDArray[np.float64]

_QUOTES = re.compile('["“”«»„]')
_DIGIT = re.compile(r"\d")
_FIRST_WORD = re.compile(r"[^\W_]+")
_OPENING_QUOTES = '"“«„'
# Capitalised words after the first one: names of people, places and organisations in most scripts.
_CAPITALIZED = re.compile(r"\b[^\W\d_a-zа-яё][^\W_]*")
# Languages that capitalise every noun, where a capital letter does not mark a name.
_NOUNS_CAPITALISED = frozenset({"de", "lb"})
# The most frequent names of an article are its protagonists.
_TOP_NAMES = 5
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
    terms = content_terms_many(texts, language)
    term_sets = [set(sentence_terms) for sentence_terms in terms]
    frequencies = Counter(term for sentence_terms in terms for term in sentence_terms)
    spread = Counter(term for unique in term_sets for term in unique)
    norm = math.sqrt(sum(value * value for value in frequencies.values())) or 1.0
    heading = " ".join(filter(None, (document.article.title, document.article.subtitle)))
    title_terms = set(content_terms(heading, language))
    names = [_names(text) for text in texts] if language not in _NOUNS_CAPITALISED else [set() for _ in texts]
    name_counts: Counter[str] = Counter(name for sentence_names in names for name in sentence_names)
    # Ties broken by the name itself: iteration order of sets varies between processes (hash seeds).
    ranked = sorted(name_counts.items(), key=lambda item: (-item[1], item[0]))[:_TOP_NAMES]
    top_names = {name for name, seen in ranked if seen > 1}
    stops = stop_word_set(language)
    lead = term_sets[0]
    last = max(1, count - 1)
    rows: list[tuple[float, ...]] = []
    previous_paragraph = -1
    for index, sentence in enumerate(sentences):
        text = texts[index]
        unique = term_sets[index]
        word_count = sentence.word_count
        first_word = _FIRST_WORD.search(text)
        rows.append(
            (
                index == 0,
                index == 1,
                index == 2,
                3 <= index <= 5,
                6 <= index <= 10,
                index / last,
                _cosine(terms[index], unique, frequencies, norm),
                sum(spread[term] for term in unique) / (len(unique) * count) if unique else 0.0,
                len(unique & lead) / len(unique) if unique and index else float(index == 0),
                len(title_terms & unique) / len(title_terms) if title_terms else 0.0,
                min(word_count, _WORDS_CAP) / _WORDS_CAP,
                word_count < 8,
                word_count >= 50,
                _QUOTES.search(text) is not None,
                text[:1] in _OPENING_QUOTES,
                text.endswith("?"),
                ":" in text,
                _DIGIT.search(text) is not None,
                min(1.0, len(names[index]) / 5),
                len(names[index] & top_names) / len(top_names) if top_names else 0.0,
                first_word is not None and first_word.group(0).lower() in stops,
                sentence.paragraph != previous_paragraph,
            )
        )
        previous_paragraph = sentence.paragraph
    return np.array(rows, dtype=np.float64)


def _names(text: str) -> set[str]:
    """Capitalised words of a sentence except its first word."""
    found = _CAPITALIZED.findall(text)
    if found and text.startswith(found[0]):
        found = found[1:]
    return {word for word in found if word[0].isupper()}


def _cosine(terms: list[str], unique: set[str], totals: Counter[str], norm: float) -> float:
    """Cosine between a sentence's term counts and the article's, without building a vector per sentence."""
    if not terms:
        return 0.0
    dot = sum(totals[term] for term in terms)  # each occurrence contributes the article's count once
    squares = (
        len(terms) if len(unique) == len(terms) else sum(count * count for count in Counter(terms).values())
    )
    return dot / (math.sqrt(squares) * norm)
