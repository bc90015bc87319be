"""``newsbrief.v3``: gradient-boosted trees over sentence features (engines/features.py).

The model comes from ``scripts/train_newsbrief_v3.py``, fit on ../shared/data/train only (CNN validation
highlights for key points; XSum and XL-Sum one-liners for headlines). ``newsbrief_v3_model.json`` beside this
module is the whole model: 75 trees of depth 4 per style as arrays, no download, no ML library at run time.

What changed from v2 (which this version replaces): sentences split right after a glued wire credit
("(CNN)Gen. Dempsey"), no name-count or paragraph-start features, deeper trees with larger leaves, and
position and length priors for key points, faded for longer summaries (see the training script for the
measurements behind each).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from newsbrief.engines import register_engine
from newsbrief.engines.base import EngineInfo, SentenceScores
from newsbrief.engines.features import FEATURE_NAMES, sentence_features
from newsbrief.engines.trees import TreeEnsemble
from newsbrief.models import Document, Style

NEWSBRIEF_V3_INFO = EngineInfo(
    name="newsbrief",
    version="v3",
    description="Learned: boosted trees over position, centrality, title, quotes, numbers, length.",
)

_TITLE = FEATURE_NAMES.index("title")
# The parts of a sentence's score, in the evidence beside the features: score = their sum.
SCORE_TERMS = ("score_trees", "score_title_prior", "score_position_prior", "score_length_prior")
_WORDS = FEATURE_NAMES.index("words")


@dataclass(frozen=True)
class _Model:
    ensembles: dict[str, TreeEnsemble]
    title_prior: float
    # Per style: subtracted times log(1 + sentence index). The per-line training target undervalues the
    # lead (references restate it in other words); the prior corrects that bias.
    position_priors: dict[str, float]
    # Per style: subtracted times the "words" feature (length, capped at 60 words, over 60). Key points
    # are short; of two sentences predicted to cover as much, the shorter one makes the better bullet.
    length_priors: dict[str, float]
    # The summary size (sentences) the position and length priors were fit for.
    prior_sentences: int


@lru_cache(maxsize=1)
def load_model() -> _Model:
    """The trained ensembles per style and the priors added to their predictions."""
    text = (
        resources.files("newsbrief.engines").joinpath("newsbrief_v3_model.json").read_text(encoding="utf-8")
    )
    data = json.loads(text)
    if tuple(data["features"]) != FEATURE_NAMES:
        raise RuntimeError(
            "newsbrief_v3_model.json does not match engines/features.py; re-run the training script"
        )
    return _Model(
        ensembles={style: TreeEnsemble.from_dict(trees) for style, trees in data["styles"].items()},
        title_prior=float(data["title_prior"]),
        position_priors={style: float(prior) for style, prior in data["position_priors"].items()},
        length_priors={style: float(prior) for style, prior in data["length_priors"].items()},
        prior_sentences=int(data["prior_sentences"]),
    )


class NewsbriefV3Engine:
    """Predicted ROUGE of each sentence as a key point (or as the headline), plus the title, position and
    length priors."""

    info = NEWSBRIEF_V3_INFO

    def score(
        self, document: Document, style: Style = Style.BULLETS, *, sentences: int | None = None
    ) -> SentenceScores:
        model = load_model()
        matrix = sentence_features(document)
        style_name = "headline" if style is Style.HEADLINE else "bullets"
        position = _log_positions(matrix.shape[0])
        # The priors were fit for summaries of up to prior_sentences sentences; a longer summary is an
        # abridgement rather than key points, so they fade in proportion (8 sentences: 3/8 of each).
        fade = 1.0 if sentences is None else min(1.0, model.prior_sentences / max(1, sentences))
        # One (sentences x terms) array filled column by column (np.column_stack and np.hstack are Python
        # wrappers whose overhead is a visible share for the ~30 sentences of a news article).
        terms = np.empty((matrix.shape[0], len(SCORE_TERMS)))
        terms[:, 0] = model.ensembles[style_name].predict(matrix)
        terms[:, 1] = model.title_prior * matrix[:, _TITLE]
        terms[:, 2] = -fade * model.position_priors[style_name] * position
        terms[:, 3] = -fade * model.length_priors[style_name] * matrix[:, _WORDS]
        scores = terms.sum(axis=1)
        # The evidence shows the features and the terms that add up to the score, so a reviewer sees how much
        # the trees and each prior weighed.
        return SentenceScores(
            scores=tuple(scores.tolist()),
            feature_names=FEATURE_NAMES + SCORE_TERMS,
            feature_rows=np.concatenate((matrix, terms), axis=1),
        )


@lru_cache(maxsize=256)
def _log_positions(count: int) -> npt.NDArray[np.float64]:
    """log(1 + sentence index) for an article of ``count`` sentences (shared between calls: read-only)."""
    position = np.log1p(np.arange(count, dtype=np.float64))
    position.flags.writeable = False
    return position


@register_engine(NEWSBRIEF_V3_INFO)
def make_newsbrief_v3_engine() -> NewsbriefV3Engine:
    return NewsbriefV3Engine()
