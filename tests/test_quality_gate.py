"""Quality gate: ROUGE floors on a fixed subset of the dev sets, so a regression fails CI.

Floors live in tests/data/eval_baseline.json with the subset's SHA-256 (the gate refuses to compare against
a different corpus). Raise a floor when an engine improves; lowering one needs a note in the commit.
"""

import hashlib
import json
from pathlib import Path

import pytest

from newsbrief.eval.runner import evaluate, read_eval_rows
from newsbrief.models import Length, Style
from newsbrief.options import SummaryOptions
from tests.conftest import TEST_DATA

BASELINE = json.loads((TEST_DATA / "eval_baseline.json").read_text())
# Run-to-run noise is zero (deterministic engines); this only absorbs float formatting.
EPSILON = 0.01


def _subset_sha(path: Path, limit: int) -> str:
    with path.open("rb") as handle:
        lines = [next(handle) for _ in range(limit)]
    return hashlib.sha256(b"".join(lines)).hexdigest()


@pytest.mark.data
@pytest.mark.parametrize(
    "gate", BASELINE["gates"], ids=[f"{g['dataset']}-{g['engine']}" for g in BASELINE["gates"]]
)
def test_rouge_floors(data_dir: Path, gate: dict[str, object]) -> None:
    path = data_dir / str(gate["dataset"])
    limit = int(str(gate["limit"]))
    assert _subset_sha(path, limit) == gate["subset_sha256"], (
        "the evaluation subset changed; re-pin the floors"
    )
    result = evaluate(
        read_eval_rows(path, limit=limit),
        SummaryOptions(
            engine=str(gate["engine"]),
            length=Length.sentences(int(str(gate["sentences"]))),
            style=Style(str(gate["style"])),
        ),
    )
    floors = gate["floors"]
    assert isinstance(floors, dict)
    for metric, floor in floors.items():
        assert getattr(result, metric) >= floor - EPSILON, (
            f"{metric} {getattr(result, metric):.2f} < floor {floor}"
        )


@pytest.mark.data
def test_lead3_reproduces_the_published_baseline(data_dir: Path) -> None:
    """Lead-3 on the whole CNN dev set within 0.3 of BASELINES.md (30.59 / 12.13 / 27.26): scorer and splitter."""
    result = evaluate(
        read_eval_rows(data_dir / "summ" / "cnndm-dev.jsonl"),
        SummaryOptions(engine="lead.v1", length=Length.sentences(3)),
    )
    assert result.articles == 284
    assert abs(result.rouge1 - 30.59) <= 0.3
    assert abs(result.rouge2 - 12.13) <= 0.3
    assert abs(result.rougeLsum - 27.26) <= 0.3
