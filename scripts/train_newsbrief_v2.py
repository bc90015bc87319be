"""Learn newsbrief.v2's feature weights on ../shared/data/train (never on summ/), and write the weights file.

    NEWSBRIEF_DATA=../shared/data .venv/bin/python scripts/train_newsbrief_v2.py

Target: each sentence's ROUGE (mean of ROUGE-1 and ROUGE-2 F1 against its best-matching reference line),
fit by ridge regression; one weight set for key points (CNN highlights), one for headlines (XSum, XL-Sum).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer

from newsbrief.engines.features import FEATURE_NAMES, sentence_features
from newsbrief.eval.runner import read_eval_rows
from newsbrief.pipeline import prepare

RIDGE = 1.0
OUT = Path(__file__).resolve().parents[1] / "src" / "newsbrief" / "engines" / "newsbrief_v2_weights.json"


def sentence_target(scorer: rouge_scorer.RougeScorer, reference: str, sentence: str) -> float:
    """Mean ROUGE-1/2 F1 of a sentence against the reference line it matches best.

    Key points map one highlight to one sentence; scoring against the whole reference would reward long
    sentences for recall alone.
    """
    best = 0.0
    for line in (line for line in reference.split("\n") if line.strip()):
        score = scorer.score(line, sentence)
        best = max(best, (score["rouge1"].fmeasure + score["rouge2"].fmeasure) / 2)
    return best


def training_matrix(files: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    rows: list[list[float]] = []
    targets: list[float] = []
    for path in files:
        for row in read_eval_rows(path):
            document = prepare(row.article)
            for sentence, features in zip(document.sentences, sentence_features(document), strict=True):
                rows.append(features)
                targets.append(sentence_target(scorer, row.reference, sentence.text))
    return np.asarray(rows), np.asarray(targets)


def fit(features: np.ndarray, targets: np.ndarray) -> list[float]:
    penalty = RIDGE * np.eye(features.shape[1])
    penalty[0, 0] = 0.0  # no shrinkage on the bias
    weights = np.linalg.solve(features.T @ features + penalty, features.T @ targets)
    return [round(float(w), 6) for w in weights]


def main() -> None:
    train = Path(os.environ.get("NEWSBRIEF_DATA", "../shared/data")) / "train"
    weights = {}
    for style, files in {
        "bullets": [train / "cnndm-val.jsonl"],
        "headline": [train / "xsum-extra.jsonl", train / "xlsum-en.jsonl"],
    }.items():
        features, targets = training_matrix(files)
        weights[style] = dict(zip(FEATURE_NAMES, fit(features, targets), strict=True))
        print(style, len(targets), "sentences")
    OUT.write_text(json.dumps({"features": list(FEATURE_NAMES), "weights": weights}, indent=2) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
