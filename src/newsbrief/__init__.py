"""newsbrief: faithful, fast summaries of news articles.

>>> from newsbrief import summarize
>>> summary = summarize("The council approved the budget on Monday. It takes effect in May.", sentences=1)
>>> [sentence.text for sentence in summary.sentences]
['The council approved the budget on Monday.']

The public names load on first use (PEP 562): ``import newsbrief`` (and so every ``newsbrief`` command,
``--version`` and ``--help`` included) loads no numpy, pydantic, sentence splitter or parser until a name
that needs them is used. ``tests/test_startup.py`` checks it.
"""

from __future__ import annotations

# Underscored: the package's public names are exactly __all__ (tests/test_public_api.py).
import importlib as _importlib
import sys as _sys
import types as _types
import typing as _typing

from newsbrief._version import __version__

if _typing.TYPE_CHECKING:
    from newsbrief.check import Check, CheckedSentence, UnsupportedPart, check
    from newsbrief.config import Settings
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
    from newsbrief.pipeline import summarize_article
    from newsbrief.sources import article_from_text

# Each public name and the module that defines it, imported when the name is first used.
_ERRORS = (
    "BadDataset",
    "BadFeed",
    "BadLength",
    "BatchIncomplete",
    "BinaryInput",
    "BudgetExceeded",
    "EmptyInput",
    "EngineUnavailable",
    "ExtractionFailed",
    "FetchFailed",
    "Forbidden",
    "InputTooLarge",
    "InvalidInput",
    "NewsbriefError",
    "NoSentences",
    "NotAnArticle",
    "NotFound",
    "SourceNotFound",
    "UndecodableInput",
    "UnknownEngine",
)
_LAZY: dict[str, str] = {
    **dict.fromkeys(_ERRORS, "newsbrief.errors"),
    **dict.fromkeys(("Check", "CheckedSentence", "UnsupportedPart", "check"), "newsbrief.check"),
    "Settings": "newsbrief.config",
    **dict.fromkeys(("available_engines", "get_engine", "register_engine"), "newsbrief.engines"),
    **dict.fromkeys(("Article", "Length", "Style", "Summary", "SummarySentence"), "newsbrief.models"),
    "SummaryOptions": "newsbrief.options",
    "summarize_article": "newsbrief.pipeline",
    "article_from_text": "newsbrief.sources",
}


def summarize(
    source: str | Article,
    *,
    sentences: int | None = None,
    length: Length | None = None,
    style: Style | str = "bullets",
    engine: str | None = None,
    compress: bool | str | None = None,
    settings: Settings | None = None,
) -> Summary:
    """Summarize an article, or a text (plain, a page dump, or HTML).

    Args:
        source: an Article, or text to extract one from.
        sentences: shorthand for ``length=Length.sentences(n)``.
        length: any budget (sentences, words, ratio, reading seconds).
        style: "bullets", "paragraph" or "headline".
        engine: engine name; default the configured one.
        compress: True/"on" or False/"off" to force sentence compression; None/"auto" for the default (on
            for bullets and headline, off for paragraph).
        settings: configuration; default from the environment.
    """
    from newsbrief.config import current_settings
    from newsbrief.models import Article, Length
    from newsbrief.options import SummaryOptions, parse_compress, parse_style, resolve_engine_name
    from newsbrief.pipeline import make_summary
    from newsbrief.sources import article_from_text

    settings = settings or current_settings()  # the library's edge: the one place it reads the environment
    article = source if isinstance(source, Article) else article_from_text(source)
    budget = Length.sentences(sentences) if sentences is not None else length
    options = SummaryOptions(
        engine=resolve_engine_name(engine or settings.default_engine),
        length=budget or Length.sentences(settings.default_sentences),
        style=parse_style(style),
        compress=parse_compress(compress),
    )
    return make_summary(article, options, reading_wpm=settings.reading_wpm)


def __getattr__(name: str) -> _typing.Any:
    """A public name, imported from its module on first use and kept here after."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'newsbrief' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


class _Package(_types.ModuleType):
    """The package module. Importing a submodule binds its name on the package (``newsbrief.check`` the
    module), which would hide the public function of the same name: the function stays the public name."""

    def __setattr__(self, name: str, value: _typing.Any) -> None:
        if isinstance(value, _types.ModuleType) and _LAZY.get(name) == f"{__name__}.{name}":
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package

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
