"""Learn newsbrief.v2's model on ../shared/data/train (never on summ/) and write it beside the engine.

    .venv/bin/pip install --group train        # scikit-learn, for training only
    NEWSBRIEF_DATA=../shared/data .venv/bin/python scripts/train_newsbrief_v2.py

Target: each sentence's ROUGE (mean of ROUGE-1 and ROUGE-2 F1 against its best-matching reference line:
a key point maps to one sentence, and the whole reference would reward long sentences for recall alone).
Model: gradient-boosted regression trees over engines/features.py, one ensemble for key points (CNN
validation highlights) and one for headlines (XSum and XL-Sum one-liners), exported as plain arrays.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from rouge_score import rouge_scorer
from sklearn.ensemble import GradientBoostingRegressor

from newsbrief.engines.features import FEATURE_NAMES, sentence_features
from newsbrief.engines.trees import TreeEnsemble
from newsbrief.eval.runner import read_eval_rows
from newsbrief.pipeline import prepare

OUT = Path(__file__).resolve().parents[1] / "src" / "newsbrief" / "engines" / "newsbrief_v2_model.json"
# Chosen on a 700/299 split of cnndm-val (train/), not on the evaluation sets. 200 trees of depth 4 score
# higher on the CNN dev set (32.32 against 31.73 ROUGE-1) but put a restatement before the lead on short
# articles (tests/test_multilingual.py), so the smaller model stays.
TREES, DEPTH, LEARNING_RATE, SUBSAMPLE = 100, 3, 0.05, 0.8
# The training sets have no titles, so the trees cannot learn what covering the title is worth. Edmundson's
# title method says it matters; this prior adds up to one typical gap between a chosen and a skipped sentence.
TITLE_PRIOR = 0.1


def sentence_target(scorer: rouge_scorer.RougeScorer, reference: str, sentence: str) -> float:
    best = 0.0
    for line in (line for line in reference.split("\n") if line.strip()):
        score = scorer.score(line, sentence)
        best = max(best, (score["rouge1"].fmeasure + score["rouge2"].fmeasure) / 2)
    return best


def training_matrix(files: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    matrices: list[np.ndarray] = []
    targets: list[float] = []
    for path in files:
        for row in read_eval_rows(path):
            document = prepare(row.article)
            matrices.append(sentence_features(document))
            targets.extend(sentence_target(scorer, row.reference, s.text) for s in document.sentences)
    return np.vstack(matrices), np.asarray(targets)


def export(model: GradientBoostingRegressor, base: float) -> dict[str, Any]:
    trees = [estimator[0].tree_ for estimator in model.estimators_]
    nodes = max(tree.node_count for tree in trees)
    arrays: dict[str, list[list[float]]] = {
        key: [] for key in ("feature", "threshold", "left", "right", "value")
    }
    for tree in trees:
        own = np.arange(nodes)
        leaf = np.ones(nodes, dtype=bool)
        leaf[: tree.node_count] = tree.children_left == -1
        pad = nodes - tree.node_count
        arrays["feature"].append(np.where(leaf, -1, np.pad(tree.feature, (0, pad))).tolist())
        arrays["threshold"].append(np.pad(tree.threshold, (0, pad)).tolist())
        arrays["left"].append(np.where(leaf, own, np.pad(tree.children_left, (0, pad))).tolist())
        arrays["right"].append(np.where(leaf, own, np.pad(tree.children_right, (0, pad))).tolist())
        arrays["value"].append(np.pad(tree.value[:, 0, 0], (0, pad)).tolist())
    return {**arrays, "base": base, "learning_rate": LEARNING_RATE, "depth": DEPTH}


def main() -> None:
    train = Path(os.environ.get("NEWSBRIEF_DATA", "../shared/data")) / "train"
    styles: dict[str, Any] = {}
    for style, files in {
        "bullets": [train / "cnndm-val.jsonl"],
        "headline": [train / "xsum-extra.jsonl", train / "xlsum-en.jsonl"],
    }.items():
        features, targets = training_matrix(files)
        model = GradientBoostingRegressor(
            n_estimators=TREES,
            max_depth=DEPTH,
            learning_rate=LEARNING_RATE,
            subsample=SUBSAMPLE,
            random_state=0,
        ).fit(features, targets)
        styles[style] = export(model, float(np.mean(targets)))
        ours = TreeEnsemble.from_dict(styles[style]).predict(features)
        assert np.allclose(ours, model.predict(features), atol=1e-4), (
            "exported trees disagree with scikit-learn"
        )
        print(style, len(targets), "sentences")
    model_file = {"features": list(FEATURE_NAMES), "title_prior": TITLE_PRIOR, "styles": styles}
    OUT.write_text(json.dumps(model_file, separators=(",", ":")) + "\n")
    print("wrote", OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
