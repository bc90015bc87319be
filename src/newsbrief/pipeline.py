"""The pipeline every interface calls: Article -> Document -> scores -> selection -> Summary."""

from __future__ import annotations

import dataclasses
import time

from newsbrief.config import Settings, current_settings
from newsbrief.engines import get_engine
from newsbrief.engines.base import SummarizerEngine
from newsbrief.errors import NoSentences
from newsbrief.models import Article, Document, Length, Style, Summary, SummarySentence
from newsbrief.selection import budget_for, expected_sentences, select_sentences
from newsbrief.text.language import detect_language
from newsbrief.text.segment import has_words, segment_article
from newsbrief.text.trim import dateline_length


def with_language(article: Article) -> Article:
    """The article with its language detected when it has none."""
    if article.language is not None:
        return article
    return dataclasses.replace(article, language=detect_language(article.text))


def prepare(article: Article) -> Document:
    """Detect the language when unknown and split the article into sentences.

    Raises:
        NoSentences: the article has no words at all.
    """
    if not has_words(article.text):
        raise NoSentences("the text has no sentences (no words found)")
    article = with_language(article)
    return Document(article=article, sentences=segment_article(article))


def summarize_article(
    article: Article,
    *,
    engine: str | SummarizerEngine | None = None,
    length: Length | None = None,
    style: Style = Style.BULLETS,
    settings: Settings | None = None,
) -> Summary:
    """Summarize one article.

    Args:
        article: the extracted article.
        engine: an engine name (``"lead.v1"``), an engine object, or None for the configured default.
        length: the budget; None means the configured number of sentences.
        style: bullets, paragraph or headline (one sentence).
        settings: the configuration; None reads it from the environment.

    Returns:
        The Summary, with each sentence's paragraph and span in ``article.text``.
    """
    settings = settings or current_settings()
    scorer = _resolve_engine(engine, settings)
    length = length or Length.sentences(settings.default_sentences)
    started = time.perf_counter()
    document = prepare(article)
    budget = budget_for(
        length, style, sentence_count=len(document.sentences), reading_wpm=settings.reading_wpm
    )
    scores = scorer.score(document, style, sentences=expected_sentences(budget, document))
    chosen = select_sentences(document, scores, budget, remove_redundancy=scorer.info.remove_redundancy)
    elapsed_ms = (time.perf_counter() - started) * 1000
    return Summary(
        sentences=tuple(
            _summary_sentence(
                document, i, scores.scores[i], scores.features_of(i), trim=scorer.info.trim_datelines
            )
            for i in chosen
        ),
        style=style,
        engine=scorer.info.key,
        engine_version=scorer.info.version,
        options={"length": {"unit": length.unit.value, "value": length.value}, "style": style.value},
        content_hash=article.content_hash,
        language=document.language,
        elapsed_ms=elapsed_ms,
        title=article.title,
    )


def _resolve_engine(engine: str | SummarizerEngine | None, settings: Settings) -> SummarizerEngine:
    if engine is None:
        return get_engine(settings.default_engine)
    if isinstance(engine, str):
        return get_engine(engine)
    return engine


def _summary_sentence(
    document: Document, index: int, score: float, features: dict[str, float], *, trim: bool
) -> SummarySentence:
    sentence = document.sentences[index]
    skip = dateline_length(sentence.text) if trim else 0
    return SummarySentence(
        text=sentence.text[skip:],
        index=sentence.index,
        paragraph=sentence.paragraph,
        start=sentence.start + skip,
        end=sentence.end,
        score=round(score, 6),
        features={name: round(value, 6) for name, value in features.items()},
    )
