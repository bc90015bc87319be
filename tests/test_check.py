"""The summary checker (issue 16): library, CLI, API, and the properties the benchmark relies on."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import newsbrief
from newsbrief.check import Check, check, check_pair_line
from newsbrief.config import Settings
from newsbrief.errors import BinaryInput, EmptyInput, InvalidInput, NoSentences
from newsbrief.web import create_app
from tests.conftest import CliResult

Run = Callable[..., CliResult]

ARTICLE = (
    "The city council approved a $2.5 million budget for the new library on Monday. "
    "Mayor Jane Smith said the vote was not unanimous.\n\n"
    "Construction will begin in May 2025 and take five years. "
    '"We are proud of this library," Smith said.\n\n'
    "The old library, built in 1962, will close. Its books will move to a school in the east of the city. "
    "Critics said the money should have gone to road repairs."
)


def reasons(result: Check) -> list[str]:
    return [part.reason for sentence in result.sentences for part in sentence.unsupported]


def parts(result: Check) -> dict[str, str]:
    return {part.text: part.reason for sentence in result.sentences for part in sentence.unsupported}


# -- the library --------------------------------------------------------------------------------------------


def test_a_faithful_summary_is_supported_and_points_at_its_sources() -> None:
    result = check(ARTICLE, "The council approved a budget for the new library. The old library will close.")
    assert result.supported and result.score >= 0.9
    assert [s.text for s in result.sentences] == [
        "The council approved a budget for the new library.",
        "The old library will close.",
    ]
    first, second = result.sentences
    assert [ARTICLE[start:end] for start, end in first.spans] == [
        "The city council approved a $2.5 million budget for the new library on Monday."
    ]
    assert [ARTICLE[start:end] for start, end in second.spans] == [
        "The old library, built in 1962, will close."
    ]
    assert not reasons(result)


@pytest.mark.parametrize(
    "summary",
    [
        pytest.param("The council approved a 2.5m budget for the library.", id="2.5m for $2.5 million"),
        pytest.param("The council approved $2.5 million for the library.", id="same figure"),
        pytest.param("Construction will take 5 years.", id="5 for five"),
        pytest.param("The old library was built in 1962.", id="a year"),
    ],
)
def test_numbers_in_another_form_are_supported(summary: str) -> None:
    result = check(ARTICLE, summary)
    assert not {"number", "date"} & set(reasons(result)), parts(result)
    assert result.supported


@pytest.mark.parametrize(
    ("summary", "text", "reason"),
    [
        pytest.param("The council approved a $3 million budget for the library.", "3", "number", id="amount"),
        pytest.param("Construction will take seven years.", "seven", "number", id="number word"),
        pytest.param("The old library was built in 1965.", "1965", "date", id="year"),
        pytest.param("The council approved the budget on Tuesday.", "Tuesday", "date", id="weekday"),
        pytest.param("The council and Governor Bob Jones approved the budget.", "Jones", "name", id="name"),
        pytest.param("Mayor Jane Smith said the vote was unanimous.", "unanimous", "negation", id="lost not"),
        pytest.param("The old library will not close.", "not close", "negation", id="added not"),
        pytest.param(
            'Smith said: "We are ashamed of this building."',
            '"We are ashamed of this building."',
            "quote",
            id="quote",
        ),
    ],
)
def test_each_kind_of_unsupported_fact_is_named(summary: str, text: str, reason: str) -> None:
    result = check(ARTICLE, summary)
    assert parts(result).get(text) == reason, parts(result)
    assert not result.supported
    part = next(p for s in result.sentences for p in s.unsupported if p.text == text)
    assert summary[part.start : part.end] == text  # spans index the summary


def test_words_from_far_apart_sentences_are_a_relation_error() -> None:
    # Every word is in the article, but the school, the road repairs and the mayor never meet there.
    summary = "Mayor Smith said school books should move to road repairs in the east."
    result = check(ARTICLE, summary)
    assert "relation" in reasons(result)
    assert result.score < check(ARTICLE, "Its books will move to a school in the east of the city.").score


def test_invented_facts_score_below_faithful_ones() -> None:
    faithful = check(ARTICLE, "Construction will begin in May 2025.")
    invented = check(ARTICLE, "Construction of the stadium will begin in June 2026 after a court ruling.")
    assert faithful.score > 0.9 > 0.5 > invented.score
    assert {"June": "date", "2026": "date"}.items() <= parts(invented).items()


def test_tokenised_lowercased_model_output_is_read_like_normal_text() -> None:
    # FRANK's summaries: lowercased, PTB brackets, "n't" split off, "#" for "£".
    article = (
        "Police said the man (pictured) did not resist. He was fined £100,000 by the court in London. "
        "The fine will be paid in two instalments."
    )
    summary = "the man -lrb- pictured -rrb- did n't resist. he was fined # 100,000 by the court in london."
    result = check(article, summary)
    assert result.supported and result.score > 0.9, parts(result)
    assert not reasons(result)
    wrong = check(article, "he was fined # 200,000 by the court in paris.")
    assert parts(wrong) == {"200,000": "number", "paris": "word"}


def test_sentences_glued_without_a_space_are_split() -> None:
    article = "The bridge opened in 2019.It cost 40 million dollars.Engineers praised the design."
    result = check(article, "It cost 40 million dollars.")
    assert [article[start:end] for start, end in result.sentences[0].spans] == ["It cost 40 million dollars."]


def test_summary_sentences_are_taken_as_given() -> None:
    result = check(ARTICLE, ["The old library will close", "Construction will take five years"])
    assert [s.text for s in result.sentences] == [
        "The old library will close",
        "Construction will take five years",
    ]
    assert result.sentences[1].start == len("The old library will close") + 1
    assert result.supported


@pytest.mark.parametrize(
    ("article", "summary", "error"),
    [
        pytest.param("", "A summary.", EmptyInput, id="empty article"),
        pytest.param(ARTICLE, "   ", EmptyInput, id="blank summary"),
        pytest.param(ARTICLE, [], EmptyInput, id="no summary sentences"),
        pytest.param("Text\x00with NUL.", "Text.", BinaryInput, id="NUL"),
        pytest.param(ARTICLE, "A lone \ud800 surrogate.", BinaryInput, id="lone surrogate"),
        pytest.param("... !!! ...", "A summary.", NoSentences, id="article without words"),
        pytest.param(ARTICLE, "... --- ...", NoSentences, id="summary without words"),
    ],
)
def test_bad_input_is_a_user_error(article: str, summary: str | list[str], error: type[Exception]) -> None:
    with pytest.raises(error):
        check(article, summary)


def test_a_language_must_be_a_code() -> None:
    with pytest.raises(InvalidInput):
        check(ARTICLE, "The old library will close.", language="../../etc")
    assert check(ARTICLE, "The old library will close.", language="en").language == "en"


def test_other_languages_are_checked_with_their_own_stemmer() -> None:
    article = "Le conseil municipal a approuvé le budget lundi. La bibliothèque fermera en 2026."
    assert check(article, "Le conseil a approuvé le budget.").supported
    assert "2027" in parts(check(article, "La bibliothèque fermera en 2027."))


def test_public_api_exports_the_checker() -> None:
    assert newsbrief.check is check
    assert {"Check", "CheckedSentence", "UnsupportedPart", "check"} <= set(newsbrief.__all__)


def test_pair_lines_report_their_own_errors() -> None:
    good = check_pair_line(
        json.dumps({"id": "a", "article": ARTICLE, "summary": "The old library will close."}), number=1
    )
    assert good["id"] == "a" and good["supported"] is True
    assert check_pair_line("{oops", number=2)["error"] == {
        "code": "invalid_input",
        "message": "line 2: not valid JSON (Expecting property name enclosed in double quotes)",
    }
    missing = check_pair_line(json.dumps({"id": 9, "article": ARTICLE}), number=3)
    assert missing["id"] == 9 and missing["error"]["code"] == "invalid_input"  # type: ignore[index]
    empty = check_pair_line(json.dumps({"id": "e", "article": ARTICLE, "summary": ""}), number=4)
    assert empty["error"]["code"] == "empty_input"  # type: ignore[index]


# -- our own summaries are supported (the property the LLM gate will rely on) --------------------------------


def dev_articles(data_dir: Path, count: int) -> Iterator[str]:
    with (data_dir / "summ" / "cnndm-dev.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    for row in random.Random(16).sample(rows, count):
        yield str(row["article"])


@pytest.mark.data
@pytest.mark.parametrize("engine", ["newsbrief.v3", "lead.v1"])
def test_our_extractive_summaries_score_as_supported(data_dir: Path, engine: str) -> None:
    for article in dev_articles(data_dir, 40):
        summary = newsbrief.summarize(article, sentences=3, engine=engine)
        result = check(article, [sentence.text for sentence in summary.sentences])
        assert result.score >= 0.9 and result.supported, (summary.text, parts(result))


@pytest.mark.data
def test_frank_validation_figures_hold(data_dir: Path) -> None:
    """The pinned floor of docs/benchmarks.md: partial correlation with human factuality on frank-valid."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from eval_frank import figures, load

    rows = load(data_dir / "faithfulness" / "frank-valid.jsonl")
    table = figures(rows, [check(str(row["article"]), str(row["summary"])).score for row in rows])
    ours = table.pop("newsbrief.check")
    assert ours["all"][0] >= 0.30 and ours["all"][1] >= 0.30
    for half in ("cnndm", "xsum"):
        for measure in (0, 1):
            assert ours[half][measure] > max(baseline[half][measure] for baseline in table.values()), half


# -- the command line -----------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    article, summary = tmp_path / "article.txt", tmp_path / "summary.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    summary.write_text("The old library will close. It was built in 1965.", encoding="utf-8")
    return article, summary


def test_cli_text_and_json(run_cli: Run, files: tuple[Path, Path]) -> None:
    article, summary = files
    text = run_cli("check", str(article), str(summary))
    assert text.code == 0, text.err
    assert text.out.startswith("score ") and "NOT supported" in text.out
    assert "unsupported date: 1965" in text.out and "The old library, built in 1962, will close." in text.out
    as_json = run_cli("check", str(article), str(summary), "--format", "json")
    payload = json.loads(as_json.out)
    assert [s["supported"] for s in payload["sentences"]] == [True, False]
    start, end = payload["sentences"][0]["spans"][0]
    assert ARTICLE[start:end] == "The old library, built in 1962, will close."


def test_cli_reads_one_side_from_stdin(
    run_cli: Run, files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    article, _ = files
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"The old library will close.")))
    result = run_cli("check", str(article), "-", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["supported"] is True


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param(["check", "ARTICLE"], 2, id="one file"),
        pytest.param(["check", "-", "-"], 2, id="both stdin"),
        pytest.param(["check", "ARTICLE", "SUMMARY", "--pairs", "ARTICLE"], 2, id="files and pairs"),
        pytest.param(["check", "ARTICLE", "missing.txt"], 1, id="missing file"),
        pytest.param(["check", "ARTICLE", "EMPTY"], 1, id="empty file"),
        pytest.param(["check", "ARTICLE", "BINARY"], 1, id="binary file"),
    ],
)
def test_cli_errors(
    run_cli: Run, files: tuple[Path, Path], tmp_path: Path, args: list[str], code: int
) -> None:
    article, summary = files
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.bin").write_bytes(b"\x00\x01\x02" * 100)
    names = {"ARTICLE": str(article), "SUMMARY": str(summary), "EMPTY": str(tmp_path / "empty.txt"),
             "BINARY": str(tmp_path / "binary.bin"), "missing.txt": str(tmp_path / "missing.txt")}  # fmt: skip
    result = run_cli(*[names.get(arg, arg) for arg in args])
    assert result.code == code
    if code == 1:
        assert result.err.startswith("error: ") and result.err.count("\n") == 1
        assert "Traceback" not in result.err


def test_cli_input_over_the_size_limit(
    run_cli: Run, files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    article, summary = files
    monkeypatch.setenv("NEWSBRIEF_MAX_INPUT_BYTES", "100")
    result = run_cli("check", str(article), str(summary))
    assert result.code == 1 and "NEWSBRIEF_MAX_INPUT_BYTES" in result.err


def test_cli_pairs_go_on_after_a_bad_line(run_cli: Run, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    lines = [
        json.dumps({"id": "good", "article": ARTICLE, "summary": "The old library will close."}),
        "{not json",
        json.dumps({"id": "empty", "article": ARTICLE, "summary": ""}),
        json.dumps({"id": "bad", "article": ARTICLE, "summary": "The old library will close in 1990."}),
        "",
    ]
    pairs.write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("check", "--pairs", str(pairs), "--format", "json")
    out = [json.loads(line) for line in result.out.splitlines()]
    assert [row["id"] for row in out] == ["good", None, "empty", "bad"]
    assert out[0]["supported"] is True and out[3]["supported"] is False
    assert out[1]["line"] == 2 and out[2]["error"]["code"] == "empty_input"
    assert result.code == 1 and result.err.count("\n") == 1 and "2 line(s)" in result.err


# -- the API -------------------------------------------------------------------------------------------------


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, max_request_bytes=200_000)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_api_check(client: TestClient) -> None:
    response = client.post(
        "/api/v1/check",
        json={"article": ARTICLE, "summary": "The old library will close. It opened in 1965."},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["supported"] is False and 0 <= body["score"] < 0.6
    first, second = body["sentences"]
    assert [ARTICLE[start:end] for start, end in first["spans"]] == [
        "The old library, built in 1962, will close."
    ]
    assert {"text": "1965", "start": 41, "end": 45, "reason": "date"} in second["unsupported"]
    given = client.post(
        "/api/v1/check", json={"article": ARTICLE, "summary_sentences": ["The old library will close."]}
    )
    assert given.status_code == 200 and given.json()["supported"] is True


def test_api_check_needs_read_access(database_url: str) -> None:
    settings = Settings(database_url=database_url, api_keys="k-123", read_requires_key=True)
    with TestClient(create_app(settings)) as client:
        body = {"article": ARTICLE, "summary": "The old library will close."}
        assert client.post("/api/v1/check", json=body).status_code == 401
        allowed = client.post("/api/v1/check", json=body, headers={"Authorization": "Bearer k-123"})
        assert allowed.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        pytest.param({"article": "", "summary": "A summary."}, 422, "empty_input", id="empty article"),
        pytest.param({"article": ARTICLE, "summary": ""}, 422, "empty_input", id="empty summary"),
        pytest.param({"article": ARTICLE}, 422, "invalid_input", id="no summary"),
        pytest.param(
            {"article": ARTICLE, "summary": "a", "summary_sentences": ["a"]},
            422,
            "invalid_input",
            id="both summaries",
        ),
        pytest.param({"article": ARTICLE, "summary_sentences": []}, 422, "empty_input", id="no sentences"),
        pytest.param({"article": "NUL \x00 here.", "summary": "NUL here."}, 422, "binary_input", id="NUL"),
        pytest.param(
            {"article": ARTICLE, "summary": "x", "language": "../../x"},
            422,
            "invalid_input",
            id="bad language",
        ),
        pytest.param({"article": 5, "summary": "x"}, 422, "validation_error", id="not text"),
    ],
)
def test_api_check_bad_input(client: TestClient, body: dict[str, object], status: int, code: str) -> None:
    response = client.post("/api/v1/check", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_api_check_lone_surrogates_and_huge_bodies(client: TestClient) -> None:
    # A lone surrogate is valid JSON ("\ud800" escaped) but no valid Unicode text: a 4xx, never a 500.
    raw = b'{"article": "The library will close \\ud800 soon.", "summary": "The library will close."}'
    response = client.post("/api/v1/check", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "binary_input"
    huge = json.dumps({"article": ARTICLE * 1000, "summary": "The old library will close."}).encode()
    response = client.post("/api/v1/check", content=huge, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
