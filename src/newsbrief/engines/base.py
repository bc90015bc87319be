"""What an engine is: it scores the sentences of a document; the shared selector does the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from newsbrief.models import Document, Style


@dataclass(frozen=True, slots=True)
class EngineInfo:
    """Name, version and needs of an engine. ``key`` (``"lead.v1"``) is what users and caches see."""

    name: str
    version: str
    description: str
    needs_extra: str | None = None
    # Whether the selector may skip a sentence that repeats one already chosen. Lead-N must not.
    remove_redundancy: bool = True

    @property
    def key(self) -> str:
        return f"{self.name}.{self.version}"


@dataclass(frozen=True, slots=True)
class SentenceScores:
    """One score per sentence (higher is better) and, per sentence, the features that made it."""

    scores: tuple[float, ...]
    features: tuple[dict[str, float], ...] = field(default=())

    def features_of(self, index: int) -> dict[str, float]:
        return self.features[index] if self.features else {}


class SummarizerEngine(Protocol):
    """A summarization engine: a pure function from a document to sentence scores.

    ``style`` tells what the scores are for: a headline wants the one sentence that says it all, key points
    the sentences that cover the story together; an engine may ignore it.
    """

    info: EngineInfo

    def score(self, document: Document, style: Style = Style.BULLETS) -> SentenceScores: ...
