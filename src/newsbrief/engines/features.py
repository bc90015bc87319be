"""Sentence features for learned scorers: cheap, language-neutral where possible, linear in article length."""

from __future__ import annotations

import math
import re
from collections import Counter

from newsbrief.models import Document
from newsbrief.text.tokens import content_terms, stop_word_set, words

FEATURE_NAMES = (
    "bias",
    "pos_0", "pos_1", "pos_2", "pos_3_5", "pos_6_10", "pos_rel",
    "centrality", "title",
    "len_lt8", "len_8_15", "len_15_25", "len_25_35", "len_35_50", "len_gt50",
    "quote", "question", "digits", "capitalized", "starts_stop_word", "paragraph_first",
)  # fmt: skip

_QUOTES = re.compile('["“”«»„]')
_CAPITALIZED = re.compile(r"(?<=\s)[^\W\d_][^\W_]*", re.UNICODE)


def sentence_features(document: Document) -> list[list[float]]:
    """One row of FEATURE_NAMES values per sentence."""
    language = document.language
    terms = [content_terms(sentence.text, language) for sentence in document.sentences]
    totals: Counter[str] = Counter()
    for sentence_terms in terms:
        totals.update(sentence_terms)
    norm = math.sqrt(sum(count * count for count in totals.values())) or 1.0
    title_terms = set(content_terms(document.article.title or "", language))
    stops = stop_word_set(language)
    count = len(document.sentences)
    rows: list[list[float]] = []
    previous_paragraph = -1
    for index, sentence in enumerate(document.sentences):
        text = sentence.text
        word_count = sentence.word_count
        first_words = words(text[:40])
        capitals = _CAPITALIZED.findall(text)
        rows.append(
            [
                1.0,
                float(index == 0),
                float(index == 1),
                float(index == 2),
                float(3 <= index <= 5),
                float(6 <= index <= 10),
                index / max(1, count - 1),
                _cosine(terms[index], totals, norm),
                len(title_terms.intersection(terms[index])) / len(title_terms) if title_terms else 0.0,
                float(word_count < 8),
                float(8 <= word_count < 15),
                float(15 <= word_count < 25),
                float(25 <= word_count < 35),
                float(35 <= word_count < 50),
                float(word_count >= 50),
                float(_QUOTES.search(text) is not None),
                float(text.rstrip().endswith("?")),
                float(any(character.isdigit() for character in text)),
                min(1.0, sum(1 for word in capitals if word[0].isupper()) / max(1, word_count) * 3),
                float(bool(first_words) and first_words[0] in stops),
                float(sentence.paragraph != previous_paragraph),
            ]
        )
        previous_paragraph = sentence.paragraph
    return rows


def _cosine(terms: list[str], totals: Counter[str], norm: float) -> float:
    if not terms:
        return 0.0
    counts = Counter(terms)
    dot = sum(value * totals[term] for term, value in counts.items())
    return dot / (math.sqrt(sum(value * value for value in counts.values())) * norm)
