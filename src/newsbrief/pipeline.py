"""The pipeline every interface calls: Article -> Document -> scores -> selection -> Summary."""

from __future__ import annotations

import dataclasses
import time

from newsbrief.engines import get_engine
from newsbrief.errors import NoSentences
from newsbrief.models import Article, Document, Length, Style, Summary, SummarySentence
from newsbrief.options import BUILT_IN_DEFAULTS, DEFAULT_READING_WPM, SummaryDefaults, SummaryOptions
from newsbrief.selection import budget_for, expected_sentences, select_sentences
from newsbrief.text.language import detect_language
from newsbrief.text.segment import has_words, segment_article
from newsbrief.text.trim import dateline_length


def with_language(article: Article) -> Article:
    """The article with its language detected when it has none."""
    if article.language is not None:
        return article
    return dataclasses.replace(article, language=detect_language(article.text))


def readable(article: Article) -> Article:
    """The one door every article passes before it is stored or summarized: it must have words (else
    NoSentences), and gets its language detected when it has none."""
    if not has_words(article.text):
        raise NoSentences("the article has no sentences to summarize (no words found)")
    return with_language(article)


def prepare(article: Article) -> Document:
    """Detect the language when unknown and split the article into sentences.

    Raises:
        NoSentences: the article has no words at all.
    """
    article = readable(article)
    return Document(article=article, sentences=segment_article(article))


def make_summary(
    article: Article, options: SummaryOptions, *, reading_wpm: int = DEFAULT_READING_WPM
) -> Summary:
    """Summarize one article: the pipeline every interface calls.

    Args:
        article: the extracted article.
        options: engine, length budget and style (``SummaryOptions.parse`` checks what users give).
        reading_wpm: the reading speed behind a ``seconds`` budget.

    Returns:
        The Summary, with each sentence's paragraph and span in ``article.text``.
    """
    scorer = get_engine(options.engine)
    started = time.perf_counter()
    document = prepare(article)
    budget = budget_for(
        options.length, options.style, sentence_count=len(document.sentences), reading_wpm=reading_wpm
    )
    scores = scorer.score(document, options.style, sentences=expected_sentences(budget, document))
    chosen = select_sentences(document, scores, budget, remove_redundancy=scorer.info.remove_redundancy)
    elapsed_ms = (time.perf_counter() - started) * 1000
    return Summary(
        sentences=tuple(
            _summary_sentence(
                document, i, scores.scores[i], scores.features_of(i), trim=scorer.info.trim_datelines
            )
            for i in chosen
        ),
        style=options.style,
        engine=scorer.info.key,
        engine_version=scorer.info.version,
        options=options.as_dict(),
        content_hash=article.content_hash,
        language=document.language,
        elapsed_ms=elapsed_ms,
        title=article.title,
    )


def summarize_article(
    article: Article,
    *,
    engine: str | None = None,
    length: Length | None = None,
    style: Style = Style.BULLETS,
    defaults: SummaryDefaults = BUILT_IN_DEFAULTS,
) -> Summary:
    """``make_summary`` with the options as keywords; what is not given comes from ``defaults`` (the
    built-in ones unless given: the environment is read only at the edges, e.g. ``newsbrief.summarize``)."""
    options = SummaryOptions(
        engine=engine or defaults.engine,
        length=length or Length.sentences(defaults.sentences),
        style=style,
    )
    return make_summary(article, options, reading_wpm=defaults.reading_wpm)


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
