"""What an engine is: it scores the sentences of a document; the shared selector does the rest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

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
    # Whether shown sentences lose a leading wire dateline ("LONDON (Reuters) - "). Lead-N keeps them.
    trim_datelines: bool = True
    # Whether summaries compress sentences and apply the key-point unit rules (no dangling pronoun, no
    # chrome line) unless asked otherwise. Lead-N is a baseline: its sentences are shown as they are.
    compress: bool = True

    @property
    def key(self) -> str:
        return f"{self.name}.{self.version}"


@dataclass(frozen=True, slots=True)
class SentenceScores:
    """One score per sentence (higher is better) and the feature values behind each score.

    ``feature_rows[i]`` holds sentence i's values in ``feature_names`` order; the evidence dict is built only
    for the few sentences a summary shows.
    """

    scores: tuple[float, ...]
    feature_names: tuple[str, ...] = ()
    feature_rows: Sequence[Sequence[float]] | npt.NDArray[np.float64] = field(default=())

    def features_of(self, index: int) -> dict[str, float]:
        """The non-zero features of one sentence (a zero one-hot bucket says nothing)."""
        if not self.feature_names:
            return {}
        row = self.feature_rows[index]
        return {name: float(value) for name, value in zip(self.feature_names, row, strict=True) if value}


class SummarizerEngine(Protocol):
    """A summarization engine: a pure function from a document to sentence scores.

    ``style`` tells what the scores are for: a headline wants the one sentence that says it all, key points
    the sentences that cover the story together; ``sentences`` about how many the caller will take (None:
    unknown). An engine may ignore both.
    """

    info: EngineInfo

    def score(
        self, document: Document, style: Style = Style.BULLETS, *, sentences: int | None = None
    ) -> SentenceScores: ...
