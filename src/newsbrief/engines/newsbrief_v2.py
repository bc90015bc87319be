"""``newsbrief.v2``: a learned linear scorer over sentence features (engines/features.py).

The weights come from ``scripts/train_newsbrief_v2.py``, fit on ../shared/data/train only (CNN validation
highlights for key points; XSum and XL-Sum one-liners for headlines). The JSON beside this module is the
whole model: a few dozen numbers, no download.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from newsbrief.engines import register_engine
from newsbrief.engines.base import EngineInfo, SentenceScores
from newsbrief.engines.features import FEATURE_NAMES, sentence_features
from newsbrief.models import Document, Style

NEWSBRIEF_V2_INFO = EngineInfo(
    name="newsbrief",
    version="v2",
    description="Default: learned weights over position, centrality, title, length, quotes, names, numbers.",
)
# Features shown as evidence (the constant bias and zero one-hot buckets say nothing).
_SHOWN = frozenset(FEATURE_NAMES) - {"bias"}


@lru_cache(maxsize=1)
def load_weights() -> dict[str, list[float]]:
    """Weights per style, in FEATURE_NAMES order."""
    data = json.loads(resources.files("newsbrief.engines").joinpath("newsbrief_v2_weights.json").read_text())
    if tuple(data["features"]) != FEATURE_NAMES:
        raise RuntimeError(
            "newsbrief_v2_weights.json does not match the feature list; re-run the training script"
        )
    return {style: [table[name] for name in FEATURE_NAMES] for style, table in data["weights"].items()}


class NewsbriefV2Engine:
    """Dot product of each sentence's features with the style's learned weights."""

    info = NEWSBRIEF_V2_INFO

    def score(self, document: Document, style: Style = Style.BULLETS) -> SentenceScores:
        weights = load_weights()["headline" if style is Style.HEADLINE else "bullets"]
        rows = sentence_features(document)
        scores = tuple(sum(w * x for w, x in zip(weights, row, strict=True)) for row in rows)
        evidence = tuple(
            {
                name: round(w * x, 6)
                for name, w, x in zip(FEATURE_NAMES, weights, row, strict=True)
                if name in _SHOWN and x
            }
            for row in rows
        )
        return SentenceScores(scores=scores, features=evidence)


@register_engine(NEWSBRIEF_V2_INFO)
def make_newsbrief_v2_engine() -> NewsbriefV2Engine:
    return NewsbriefV2Engine()
