import json
from collections.abc import Callable
from pathlib import Path

import pytest

from newsbrief.errors import BadDataset
from newsbrief.eval.rouge import UnicodeTokenizer, make_scorer, score_summary
from newsbrief.eval.runner import read_eval_rows
from tests.conftest import CliResult

Run = Callable[..., CliResult]


def test_unicode_tokenizer_keeps_accented_words_whole() -> None:
    assert UnicodeTokenizer().tokenize("Le projet présenté à Genève") == [
        "le",
        "projet",
        "présenté",
        "à",
        "genève",
    ]


def test_french_scoring_counts_accented_words() -> None:
    scores = score_summary(make_scorer("fr"), "Le député présenté.", "Le député présenté.")
    assert scores.rouge1 == pytest.approx(100)
    partial = score_summary(make_scorer("fr"), "Le député présenté.", "Le sénateur présenté.")
    assert partial.rouge1 == pytest.approx(100 * 2 / 3)


def _dataset(tmp_path: Path) -> Path:
    rows = [
        {
            "id": "t1",
            "article": "The bridge will close on Monday for repairs. Traffic will use the ferry. Shops expect fewer visitors.",
            "reference": "The bridge closes on Monday for repairs.\nTraffic will use the ferry.",
        },
        {
            "id": "t2",
            "article": "A new library opened in the town centre. It has ten thousand books. Entry is free for children.",
            "reference": "A new library opened in the town centre.",
        },
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    return path


def test_eval_json_has_the_promised_fields(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("eval", str(_dataset(tmp_path)), "--engine", "lead.v1", "-n", "2", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert {"rouge1", "rouge2", "rougeLsum", "articles", "articles_per_second", "engine"} <= set(data)
    assert data["articles"] == 2 and data["engine"] == "lead.v1"
    # Lead-2 on row 1 matches the reference's second line exactly and the first closely.
    assert 70 < data["rouge1"] < 100


def test_eval_limit(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("eval", str(_dataset(tmp_path)), "--limit", "1", "--format", "json")
    assert json.loads(result.out)["articles"] == 1


def test_dataset_without_reference_is_a_clear_error(tmp_path: Path, run_cli: Run) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"article": "Text only."}\n')
    with pytest.raises(BadDataset):
        read_eval_rows(path)
    result = run_cli("eval", str(path))
    assert result.code == 1 and "reference" in result.err
