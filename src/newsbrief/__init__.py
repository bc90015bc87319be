"""newsbrief: faithful, fast summaries of news articles.

>>> from newsbrief import summarize
>>> summary = summarize("The council approved the budget on Monday. It takes effect in May.", sentences=1)
>>> [sentence.text for sentence in summary.sentences]
['The council approved the budget on Monday.']
"""

from __future__ import annotations

from newsbrief._version import __version__
from newsbrief.check import Check, CheckedSentence, UnsupportedPart, check
from newsbrief.config import Settings
from newsbrief.engines import available_engines, get_engine, register_engine
from newsbrief.errors import (
    BadLength,
    EngineUnavailable,
    ExtractionFailed,
    InputTooLarge,
    InvalidInput,
    NewsbriefError,
    NoSentences,
    UnknownEngine,
)
from newsbrief.models import Article, Length, Style, Summary, SummarySentence
from newsbrief.pipeline import summarize_article
from newsbrief.sources import article_from_text


def summarize(
    source: str | Article,
    *,
    sentences: int | None = None,
    length: Length | None = None,
    style: Style | str = Style.BULLETS,
    engine: str | None = None,
    settings: Settings | None = None,
) -> Summary:
    """Summarize an article, or a text (plain, a page dump, or HTML).

    Args:
        source: an Article, or text to extract one from.
        sentences: shorthand for ``length=Length.sentences(n)``.
        length: any budget (sentences, words, ratio, reading seconds).
        style: "bullets", "paragraph" or "headline".
        engine: engine name; default the configured one.
        settings: configuration; default from the environment.
    """
    article = source if isinstance(source, Article) else article_from_text(source)
    budget = Length.sentences(sentences) if sentences is not None else length
    return summarize_article(article, engine=engine, length=budget, style=Style(style), settings=settings)


__all__ = [
    "Article",
    "BadLength",
    "Check",
    "CheckedSentence",
    "EngineUnavailable",
    "ExtractionFailed",
    "InputTooLarge",
    "InvalidInput",
    "Length",
    "NewsbriefError",
    "NoSentences",
    "Settings",
    "Style",
    "Summary",
    "SummarySentence",
    "UnknownEngine",
    "UnsupportedPart",
    "__version__",
    "article_from_text",
    "available_engines",
    "check",
    "get_engine",
    "register_engine",
    "summarize",
    "summarize_article",
]
