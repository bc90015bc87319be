"""``newsbrief.v1``: the default extractive engine for news.

Each sentence gets a few interpretable features, combined linearly:
- ``position``: news puts the key facts first (inverted pyramid), so early sentences weigh more;
- ``centrality``: cosine between the sentence's terms and the whole article's term frequencies, which
  is linear in article length (a centroid, not an all-pairs similarity matrix);
- ``title``: share of the title's terms the sentence covers;
- ``length``: too-short fragments ("He said.") and run-on sentences are worth less as key points.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import chain

from newsbrief.engines import register_engine
from newsbrief.engines.base import EngineInfo, SentenceScores
from newsbrief.models import Document, Style
from newsbrief.text.tokens import content_terms, content_terms_many

NEWSBRIEF_V1_INFO = EngineInfo(
    name="newsbrief",
    version="v1",
    description="Default: position, centrality, title coverage and length (news-tuned, linear time).",
)

# Feature weights; the position prior dominates because news leads carry the story.
WEIGHTS = {"position": 1.0, "centrality": 0.8, "title": 0.4, "length": 0.3}
# Sentences shorter or longer than this range (in words) are weaker key points.
IDEAL_MIN_WORDS, IDEAL_MAX_WORDS = 8, 45


class NewsbriefV1Engine:
    """Linear feature scorer over the sentences of one article."""

    info = NEWSBRIEF_V1_INFO

    def score(
        self, document: Document, style: Style = Style.BULLETS, *, sentences: int | None = None
    ) -> SentenceScores:
        language = document.language
        # One stemming of each distinct word of the article (the stemmer is the cost, not the lookup).
        sentence_terms = content_terms_many([sentence.text for sentence in document.sentences], language)
        document_counts: Counter[str] = Counter(chain.from_iterable(sentence_terms))
        document_norm = math.sqrt(sum(count * count for count in document_counts.values())) or 1.0
        title_terms = set(content_terms(document.article.title or "", language))
        features = tuple(
            {
                "position": _position(index),
                "centrality": _centrality(terms, document_counts, document_norm),
                "title": _title_coverage(terms, title_terms),
                "length": _length_fit(sentence.word_count),
            }
            for index, (sentence, terms) in enumerate(zip(document.sentences, sentence_terms, strict=True))
        )
        scores = tuple(sum(WEIGHTS[name] * value for name, value in row.items()) for row in features)
        return SentenceScores(
            scores=scores,
            feature_names=tuple(WEIGHTS),
            feature_rows=tuple(tuple(row.values()) for row in features),
        )


def _position(index: int) -> float:
    return 1.0 / math.sqrt(1.0 + index)


def _centrality(terms: list[str], document_counts: Counter[str], document_norm: float) -> float:
    if not terms:
        return 0.0
    counts = Counter(terms)
    dot = sum(count * document_counts[term] for term, count in counts.items())
    norm = math.sqrt(sum(count * count for count in counts.values()))
    return dot / (norm * document_norm)


def _title_coverage(terms: list[str], title_terms: set[str]) -> float:
    if not title_terms:
        return 0.0
    return len(title_terms.intersection(terms)) / len(title_terms)


def _length_fit(word_count: int) -> float:
    if word_count < IDEAL_MIN_WORDS:
        return word_count / IDEAL_MIN_WORDS - 1.0
    if word_count > IDEAL_MAX_WORDS:
        return -min(1.0, (word_count - IDEAL_MAX_WORDS) / IDEAL_MAX_WORDS)
    return 0.0


@register_engine(NEWSBRIEF_V1_INFO)
def make_newsbrief_v1_engine() -> NewsbriefV1Engine:
    return NewsbriefV1Engine()
