"""Learning curve of newsbrief.v3's key-point model: trained on 250, 500 and all 999 CNN training articles.

    .venv/bin/pip install --group train        # scikit-learn, for training only
    NEWSBRIEF_DATA=../shared/data .venv/bin/python scripts/learning_curve_v3.py [--sizes N ...] [--seeds 3]

For each size, the key-point trees are fit exactly as scripts/train_newsbrief_v3.py fits them (same features,
targets, trees and priors) on a random subset of train/cnndm-val.jsonl (one subset per seed; all 999 have
one), and the resulting engine summarizes the CNN dev set (summ/cnndm-dev.jsonl, 3 key points) through the
pipeline with compression off and on; the table prints the mean ROUGE-1 / 2 / Lsum over seeds (the dev
set only reports: nothing is chosen on it). The headline trees are the shipped ones (not used here).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer
from sklearn.ensemble import GradientBoostingRegressor

from newsbrief.engines import newsbrief_v3
from newsbrief.engines.trees import TreeEnsemble
from newsbrief.eval.rouge import make_scorer, score_summary
from newsbrief.eval.runner import EvalRow, read_eval_rows
from newsbrief.models import Length
from newsbrief.pipeline import prepare, summarize_article

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_newsbrief_v3 import STYLES, SUBSAMPLE, export, line_targets


def fit_bullets(rows: list[EvalRow]) -> TreeEnsemble:
    """The key-point ensemble fit on ``rows`` with the shipped settings."""
    setup = STYLES["bullets"]
    tokenize = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)._tokenizer.tokenize
    matrices, targets = [], []
    for row in rows:
        document = prepare(row.article)
        matrices.append(newsbrief_v3.sentence_features(document))
        lines = [tokenize(line) for line in row.reference.split("\n") if line.strip()]
        targets.extend(line_targets([tokenize(s.text) for s in document.sentences], lines))
    model = GradientBoostingRegressor(
        n_estimators=setup.trees,
        max_depth=setup.depth,
        learning_rate=setup.learning_rate,
        subsample=SUBSAMPLE,
        min_samples_leaf=setup.min_samples_leaf,
        random_state=0,
    ).fit(np.vstack(matrices), np.asarray(targets))
    return TreeEnsemble.from_dict(export(model, setup))


def dev_scores(rows: list[EvalRow], compress: bool) -> tuple[float, float, float]:
    scorer = make_scorer("en")
    totals = np.zeros(3)
    for row in rows:
        summary = summarize_article(
            row.article, engine="newsbrief.v3", length=Length.sentences(3), compress=compress
        )
        scores = score_summary(scorer, row.reference, "\n".join(s.text for s in summary.sentences))
        totals += (scores.rouge1, scores.rouge2, scores.rougeLsum)
    mean = totals / len(rows)
    return (float(mean[0]), float(mean[1]), float(mean[2]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[250, 500, 999])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    data = Path(os.environ.get("NEWSBRIEF_DATA", "../shared/data"))
    train = read_eval_rows(data / "train" / "cnndm-val.jsonl")
    dev = read_eval_rows(data / "summ" / "cnndm-dev.jsonl")
    shipped = newsbrief_v3.load_model()
    print("| training articles | seeds | CNN dev, compression off | CNN dev, compression on (default) |")
    print("|---|---|---|---|")
    for size in args.sizes:
        seeds = range(args.seeds) if size < len(train) else range(1)
        results: dict[bool, list[tuple[float, float, float]]] = {False: [], True: []}
        for seed in seeds:
            subset = random.Random(seed).sample(train, size) if size < len(train) else train
            ensemble = fit_bullets(subset)
            model = dataclasses.replace(shipped, ensembles={**shipped.ensembles, "bullets": ensemble})
            # The engine reads its model through load_model(): point it at this one for the run.
            newsbrief_v3.load_model = lambda model=model: model  # type: ignore[assignment]
            for compress in (False, True):
                results[compress].append(dev_scores(dev, compress))
            newsbrief_v3.load_model = lambda: shipped  # type: ignore[assignment]
        cells = []
        for compress in (False, True):
            mean = np.mean(results[compress], axis=0)
            cells.append(" / ".join(f"{value:.2f}" for value in mean))
        print(f"| {size} | {len(seeds)} | {cells[0]} | {cells[1]} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
