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
from newsbrief.config import current_settings as _current_settings
from newsbrief.engines import available_engines, get_engine, register_engine
from newsbrief.errors import (
    BadDataset,
    BadFeed,
    BadLength,
    BatchIncomplete,
    BinaryInput,
    BudgetExceeded,
    EmptyInput,
    EngineUnavailable,
    ExtractionFailed,
    FetchFailed,
    Forbidden,
    InputTooLarge,
    InvalidInput,
    NewsbriefError,
    NoSentences,
    NotAnArticle,
    NotFound,
    SourceNotFound,
    UndecodableInput,
    UnknownEngine,
)
from newsbrief.models import Article, Length, Style, Summary, SummarySentence
from newsbrief.options import SummaryOptions
from newsbrief.options import parse_style as _parse_style
from newsbrief.options import resolve_engine_name as _resolve_engine_name
from newsbrief.pipeline import make_summary as _make_summary
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
    settings = settings or _current_settings()  # the library's edge: the one place it reads the environment
    article = source if isinstance(source, Article) else article_from_text(source)
    budget = Length.sentences(sentences) if sentences is not None else length
    options = SummaryOptions(
        engine=_resolve_engine_name(engine or settings.default_engine),
        length=budget or Length.sentences(settings.default_sentences),
        style=_parse_style(style),
    )
    return _make_summary(article, options, reading_wpm=settings.reading_wpm)


__all__ = [
    "Article",
    "BadDataset",
    "BadFeed",
    "BadLength",
    "BatchIncomplete",
    "BinaryInput",
    "BudgetExceeded",
    "Check",
    "CheckedSentence",
    "EmptyInput",
    "EngineUnavailable",
    "ExtractionFailed",
    "FetchFailed",
    "Forbidden",
    "InputTooLarge",
    "InvalidInput",
    "Length",
    "NewsbriefError",
    "NoSentences",
    "NotAnArticle",
    "NotFound",
    "Settings",
    "SourceNotFound",
    "Style",
    "Summary",
    "SummaryOptions",
    "SummarySentence",
    "UndecodableInput",
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
