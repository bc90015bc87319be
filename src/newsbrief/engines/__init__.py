"""The registry of summarization engines, by versioned name (``"lead.v1"``).

Built-in engines register themselves like plugins do; third-party ones through the ``newsbrief.engines``
entry-point group (the entry point loads a module that calls ``register_engine``).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from newsbrief.engines.base import EngineInfo, SentenceScores, SummarizerEngine
from newsbrief.errors import EngineUnavailable, UnknownEngine

if TYPE_CHECKING:
    from newsbrief.models import Document, Summary
    from newsbrief.options import SummaryOptions

LOGGER = logging.getLogger(__name__)

EngineFactory = Callable[[], SummarizerEngine]


@runtime_checkable
class WritingEngine(Protocol):
    """An engine that writes its own summary (``llm.v1``) instead of scoring the article's sentences.

    ``extractive`` makes the summary of the same article with other options (the fallback engine's): a
    writer whose text does not pass its checks returns that, saying why (``Summary.fallback_reason``).
    """

    info: EngineInfo

    def write(
        self,
        document: Document,
        options: SummaryOptions,
        *,
        reading_wpm: int,
        extractive: Callable[[SummaryOptions], Summary],
    ) -> Summary: ...


# Modules whose import registers the engines shipped with newsbrief.
BUILTIN_ENGINE_MODULES = (
    "newsbrief.engines.lead",
    "newsbrief.engines.newsbrief_v1",
    "newsbrief.engines.newsbrief_v3",
)


@dataclass(frozen=True, slots=True)
class _Registration:
    info: EngineInfo
    factory: EngineFactory
    available: Callable[[], bool]
    # What is missing when ``available`` says no (default: the engine's extra).
    needs: Callable[[], str] | None = None


_ENGINES: dict[str, _Registration] = {}
_loaded = False
_LOADING = threading.Lock()


def register_engine(
    info: EngineInfo,
    *,
    available: Callable[[], bool] = lambda: True,
    needs: Callable[[], str] | None = None,
) -> Callable[[EngineFactory], EngineFactory]:
    """Decorator registering an engine factory under ``info.key``.

    ``available`` says whether the engine can run here (its extra installed, and for an engine that talks to
    a server, the server configured); ``needs`` what is missing when it cannot (default: its extra).
    """

    def decorate(factory: EngineFactory) -> EngineFactory:
        _ENGINES[info.key] = _Registration(info, factory, available, needs)
        return factory

    return decorate


def _load_engines() -> None:
    """Import the built-in engines and the plugins once; threads (web workers) wait for the first loader."""
    global _loaded
    if _loaded:
        return
    with _LOADING:
        if _loaded:
            return
        for module in BUILTIN_ENGINE_MODULES:
            importlib.import_module(module)
        for entry_point in entry_points(group="newsbrief.engines"):
            try:
                entry_point.load()
            except Exception as error:  # a broken plugin must not take the built-in engines down
                LOGGER.warning("engine plugin %s failed to load: %s", entry_point.name, error)
        _loaded = True  # only now: a concurrent caller must never see a half-filled registry


def available_engines() -> list[EngineInfo]:
    """Every registered engine, sorted by key (installed or not)."""
    _load_engines()
    return [_ENGINES[key].info for key in sorted(_ENGINES)]


def is_installed(key: str) -> bool:
    """Whether an engine can run here: its optional dependencies importable (and its server configured)."""
    _load_engines()
    return key in _ENGINES and _ENGINES[key].available()


def missing_for(key: str) -> str:
    """What engine ``key`` needs to run here, e.g. "pip install 'newsbrief[llm]'" (empty: nothing)."""
    _load_engines()
    registration = _ENGINES[_resolve(key)]
    if registration.available():
        return ""
    if registration.needs is not None:
        return registration.needs()
    return f"pip install 'newsbrief[{registration.info.needs_extra}]'"


def get_engine(name: str) -> SummarizerEngine:
    """The engine registered under ``name``; a bare name (``"lead"``) means its newest version.

    Raises:
        UnknownEngine: nothing registered under that name.
        EngineUnavailable: registered, but its extra is not installed.
    """
    _load_engines()
    key = _resolve(name)
    registration = _ENGINES[key]
    if not registration.available():
        if registration.needs is not None:
            raise EngineUnavailable(f"engine {key} needs {registration.needs()}")
        extra = registration.info.needs_extra
        raise EngineUnavailable(f"engine {key} needs optional dependencies: pip install 'newsbrief[{extra}]'")
    return registration.factory()


def _resolve(name: str) -> str:
    if name in _ENGINES:
        return name
    versions = sorted(
        (key for key, registration in _ENGINES.items() if registration.info.name == name),
        key=lambda key: _version_number(_ENGINES[key].info.version),
    )
    if not versions:
        known = sorted(_ENGINES)
        raise UnknownEngine(
            f"no engine named {name!r}; available: {', '.join(known)}", name=name, available=known
        )
    return versions[-1]


def _version_number(version: str) -> int:
    digits = version.lstrip("v")
    return int(digits) if digits.isdigit() else 0


__all__ = [
    "EngineInfo",
    "SentenceScores",
    "SummarizerEngine",
    "WritingEngine",
    "available_engines",
    "get_engine",
    "is_installed",
    "missing_for",
    "register_engine",
]
