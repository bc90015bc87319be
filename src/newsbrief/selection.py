"""The one sentence selector every engine shares: length budget, redundancy, article order."""

from __future__ import annotations

import math
from dataclasses import dataclass

from newsbrief.engines.base import SentenceScores
from newsbrief.models import Document, Length, LengthUnit, Style
from newsbrief.text.segment import has_words
from newsbrief.text.tokens import content_terms

# A candidate sharing more than this share of its terms with a chosen sentence says the same thing again.
REDUNDANCY_OVERLAP = 0.6
# A candidate is compared with at most this many chosen sentences (the best-scored ones), which keeps
# selection linear in article length for huge budgets (20% of a 100,000-word document).
REDUNDANCY_COMPARISONS = 100


@dataclass(frozen=True, slots=True)
class Budget:
    """How much to select: at most ``sentences`` sentences and, when set, at most ``words`` words."""

    sentences: int
    words: int | None = None


def budget_for(length: Length, style: Style, *, sentence_count: int, reading_wpm: int) -> Budget:
    """Translate a length request into a sentence cap and an optional word cap."""
    cap = 1 if style is Style.HEADLINE else sentence_count
    if length.unit is LengthUnit.SENTENCES:
        return Budget(sentences=min(cap, int(length.value)))
    if length.unit is LengthUnit.RATIO:
        # "20%" of a short article still means at least one sentence.
        return Budget(sentences=min(cap, max(1, math.ceil(length.value * sentence_count))))
    if length.unit is LengthUnit.WORDS:
        return Budget(sentences=cap, words=int(length.value))
    return Budget(sentences=cap, words=max(1, round(length.value * reading_wpm / 60)))


def expected_sentences(budget: Budget, document: Document) -> int:
    """About how many sentences a budget will take from this document (a word budget at its average
    sentence length); engines may score differently for a few key points than for a long extract."""
    if budget.words is None or not document.sentences:
        return budget.sentences
    average = max(1.0, document.article.word_count / len(document.sentences))
    return max(1, min(budget.sentences, round(budget.words / average)))


def select_sentences(
    document: Document, scores: SentenceScores, budget: Budget, *, remove_redundancy: bool = True
) -> list[int]:
    """Indices of the chosen sentences in article order: best scores first, within the budget.

    The first pick always fits (a word budget smaller than every sentence still yields one sentence);
    later picks are skipped when they would break the word budget or repeat a chosen sentence.
    """
    sentences = document.sentences
    ranking = sorted(range(len(sentences)), key=lambda index: (-scores.scores[index], index))
    chosen: list[int] = []
    chosen_terms: list[set[str]] = []
    words_used = 0
    for index in ranking:
        if len(chosen) >= budget.sentences:
            break
        sentence = sentences[index]
        if not has_words(sentence.text):
            continue
        if chosen and budget.words is not None and words_used + sentence.word_count > budget.words:
            continue
        terms = set(content_terms(sentence.text, document.language)) if remove_redundancy else set()
        if remove_redundancy and any(
            _overlap(terms, other) > REDUNDANCY_OVERLAP for other in chosen_terms[:REDUNDANCY_COMPARISONS]
        ):
            continue
        chosen.append(index)
        chosen_terms.append(terms)
        words_used += sentence.word_count
    return sorted(chosen)


def _overlap(terms: set[str], other: set[str]) -> float:
    if not terms or not other:
        return 0.0
    return len(terms & other) / min(len(terms), len(other))
