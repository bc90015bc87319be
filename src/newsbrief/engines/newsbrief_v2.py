"""``newsbrief.v2``: gradient-boosted trees over sentence features (engines/features.py).

The model comes from ``scripts/train_newsbrief_v2.py``, fit on ../shared/data/train only (CNN validation
highlights for key points; XSum and XL-Sum one-liners for headlines). ``newsbrief_v2_model.json`` beside this
module is the whole model: a few hundred small trees as arrays, no download, no ML library at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from newsbrief.engines import register_engine
from newsbrief.engines.base import EngineInfo, SentenceScores
from newsbrief.engines.features import FEATURE_NAMES, sentence_features
from newsbrief.engines.trees import TreeEnsemble
from newsbrief.models import Document, Style

NEWSBRIEF_V2_INFO = EngineInfo(
    name="newsbrief",
    version="v2",
    description="Learned: boosted trees over position, centrality, title, names, quotes, numbers, length.",
)

_TITLE = FEATURE_NAMES.index("title")


@dataclass(frozen=True)
class _Model:
    ensembles: dict[str, TreeEnsemble]
    title_prior: float


@lru_cache(maxsize=1)
def load_model() -> _Model:
    """The trained ensembles per style and the title prior."""
    text = (
        resources.files("newsbrief.engines").joinpath("newsbrief_v2_model.json").read_text(encoding="utf-8")
    )
    data = json.loads(text)
    if tuple(data["features"]) != FEATURE_NAMES:
        raise RuntimeError(
            "newsbrief_v2_model.json does not match engines/features.py; re-run the training script"
        )
    return _Model(
        ensembles={style: TreeEnsemble.from_dict(trees) for style, trees in data["styles"].items()},
        title_prior=float(data["title_prior"]),
    )


class NewsbriefV2Engine:
    """Predicted ROUGE of each sentence as a key point (or as the headline), plus the title prior."""

    info = NEWSBRIEF_V2_INFO

    def score(self, document: Document, style: Style = Style.BULLETS) -> SentenceScores:
        model = load_model()
        matrix = sentence_features(document)
        ensemble = model.ensembles["headline" if style is Style.HEADLINE else "bullets"]
        scores = ensemble.predict(matrix) + model.title_prior * matrix[:, _TITLE]
        return SentenceScores(scores=tuple(scores.tolist()), feature_names=FEATURE_NAMES, feature_rows=matrix)


@register_engine(NEWSBRIEF_V2_INFO)
def make_newsbrief_v2_engine() -> NewsbriefV2Engine:
    return NewsbriefV2Engine()
