"""The checker on FRANK (issue 16): partial correlation with human factuality, against FRANK's baselines.

    .venv/bin/python scripts/eval_frank.py [../shared/data/faithfulness/frank-valid.jsonl] [--format json]

FRANK's protocol (../shared/data/faithfulness/BASELINES.md): subtract each summarizing model's mean from the
metric's scores and from the human scores, then take Pearson's and Spearman's correlation of the residuals,
over all rows and over the CNN/DM and XSum halves. The baselines are the scores FRANK shipped in each row,
computed here on the same rows, so every figure in the table comes from one run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from newsbrief.check import check

DEFAULT = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "faithfulness" / "frank-valid.jsonl"
)
HALVES = ("all", "cnndm", "xsum")


def residuals(values: Sequence[float], groups: Sequence[str]) -> np.ndarray:
    """Each value minus its group's mean (the group is the summarizing model)."""
    array = np.asarray(values, dtype=float)
    labels = np.asarray(groups)
    out = array.copy()
    for group in set(groups):
        mask = labels == group
        out[mask] -= array[mask].mean()
    return out


def ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean of their ranks), as Spearman's correlation needs."""
    order = np.argsort(values, kind="mergesort")
    ranked = np.empty(len(values))
    ranked[order] = np.arange(len(values), dtype=float)
    for value in np.unique(values):
        tied = values == value
        if tied.sum() > 1:
            ranked[tied] = ranked[tied].mean()
    return ranked


def partial_correlations(
    metric: Sequence[float], human: Sequence[float], models: Sequence[str]
) -> tuple[float, float]:
    """Pearson and Spearman correlation of the per-model residuals (FRANK's partial correlation)."""
    x, y = residuals(metric, models), residuals(human, models)
    pearson = float(np.corrcoef(x, y)[0, 1])
    spearman = float(np.corrcoef(ranks(x), ranks(y))[0, 1])
    return pearson, spearman


def load(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def figures(rows: list[dict[str, object]], scores: list[float]) -> dict[str, dict[str, tuple[float, float]]]:
    """``{metric: {half: (pearson, spearman)}}`` for the checker and every baseline present in all rows."""
    metrics: dict[str, list[float | None]] = {"newsbrief.check": list(scores)}
    for name in rows[0]["baselines"]:  # type: ignore[attr-defined]
        metrics[name] = [row["baselines"].get(name) for row in rows]  # type: ignore[attr-defined]
    table: dict[str, dict[str, tuple[float, float]]] = {}
    for name, values in metrics.items():
        table[name] = {}
        for half in HALVES:
            keep = [
                i
                for i, row in enumerate(rows)
                if values[i] is not None and (half == "all" or row["dataset"] == half)
            ]
            table[name][half] = partial_correlations(
                [values[i] for i in keep],  # type: ignore[misc]
                [float(rows[i]["factuality"]) for i in keep],  # type: ignore[arg-type]
                [str(rows[i]["model"]) for i in keep],
            )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    options = parser.parse_args(argv)
    rows = load(options.dataset)
    started = time.perf_counter()
    scores = [check(str(row["article"]), str(row["summary"])).score for row in rows]
    seconds = time.perf_counter() - started
    table = figures(rows, scores)
    if options.format == "json":
        print(json.dumps({"pairs": len(rows), "pairs_per_second": len(rows) / seconds, "figures": table}))
        return 0
    print(f"{options.dataset.name}: {len(rows)} pairs, {len(rows) / seconds:.0f} pairs/s (checker only)")
    print("| metric | all: Pearson | all: Spearman | CNN/DM: Pearson | CNN/DM: Spearman "
          "| XSum: Pearson | XSum: Spearman |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for name, halves in table.items():
        cells = " | ".join(f"{halves[h][0]:.3f} | {halves[h][1]:.3f}" for h in HALVES)
        print(f"| {name} | {cells} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
