import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from newsbrief._version import __version__
from tests.conftest import CliResult

Run = Callable[..., CliResult]

STORY = (
    "Harbour Works Start\n\n"
    "Work on the new harbour wall started on Monday, the port authority said. "
    "The wall will protect the old town from winter storms.\n\n"
    "The project costs 12 million euros and should be finished in two years. "
    "Fishermen said they welcomed the plan."
)


def test_seed_page_summary_names_the_people_and_no_chrome(run_cli: Run, seed_page: Path) -> None:
    # What a reader needs from any good summary of the page (issue 14): the Russian deputy ministers and
    # Niger's defence minister named, none of the site's chrome. Which sentences carry them is the engine's call.
    result = run_cli("summarize", str(seed_page))
    assert result.code == 0, result.err
    bullets = result.out.strip().split("\n")
    assert len(bullets) == 3 and all(line.startswith("• ") for line in bullets)
    assert "Yevkurov" in result.out and "Fomin" in result.out
    assert "Salifu Modi" in result.out
    for chrome in ("No time to read", "Get a summary", "Previous Article", "Next Article", "Iberia", "Davos"):
        assert chrome not in result.out


def test_json_output_carries_spans_into_the_article_text(run_cli: Run, tmp_path: Path) -> None:
    source = tmp_path / "story.txt"
    source.write_text(STORY, encoding="utf-8")
    result = run_cli("summarize", str(source), "--format", "json", "--sentences", "2")
    data = json.loads(result.out)
    assert data["engine"] == "newsbrief.v3" and data["title"] == "Harbour Works Start"
    body = STORY.split("\n\n", 1)[1]
    for sentence in data["sentences"]:
        assert body[sentence["start"] : sentence["end"]] == sentence["text"]
        assert sentence["features"]


@pytest.mark.parametrize(
    ("args", "check"),
    [
        pytest.param(
            ("--style", "paragraph"), lambda out: "•" not in out and out.count("\n") == 1, id="paragraph"
        ),
        pytest.param(("--style", "headline"), lambda out: out.count("\n") == 1, id="headline"),
        pytest.param(
            ("--format", "markdown"), lambda out: out.startswith("## Harbour Works Start\n\n- "), id="md"
        ),
        pytest.param(("--words", "12"), lambda out: out.count("•") == 1, id="words"),
        pytest.param(("--seconds", "60", "-e", "lead.v1"), lambda out: out.count("•") == 4, id="seconds"),
        pytest.param(("--ratio", "0.25"), lambda out: out.count("•") == 1, id="ratio"),
    ],
)
def test_summarize_options(
    run_cli: Run, tmp_path: Path, args: tuple[str, ...], check: Callable[[str], bool]
) -> None:
    source = tmp_path / "story.txt"
    source.write_text(STORY, encoding="utf-8")
    result = run_cli("summarize", str(source), *args)
    assert result.code == 0, result.err
    assert check(result.out), result.out


def test_stdin_is_read_with_dash(run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(STORY.encode("cp1252"))))
    result = run_cli("summarize", "-", "-n", "1")
    assert result.code == 0, result.err
    assert result.out.startswith("• Work on the new harbour wall")


def test_html_input(run_cli: Run, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY.split("\n\n")[1:])
    page.write_text(
        "<!doctype html><html><head><title>Harbour Works Start</title></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        f"<article><h1>Harbour Works Start</h1>{paragraphs}</article><footer>Contact us</footer></body></html>"
    )
    result = run_cli("summarize", str(page), "--format", "json", "-n", "2")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["title"] == "Harbour Works Start"
    assert "Home" not in data["text"] and "Contact" not in data["text"]


def test_jsonl_input_gives_one_summary_per_record(run_cli: Run, tmp_path: Path) -> None:
    records = tmp_path / "articles.jsonl"
    records.write_text(
        json.dumps({"id": "a1", "title": "Harbour", "text": STORY.split("\n\n", 1)[1]})
        + "\n\n"
        + json.dumps({"id": "a2", "article": "The mayor resigned on Friday. A vote follows in May."})
        + "\n"
    )
    result = run_cli("summarize", str(records), "--format", "json", "-n", "1")
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.strip().split("\n")]
    assert [line["id"] for line in lines] == ["a1", "a2"]


def test_engines_and_version(run_cli: Run) -> None:
    listing = run_cli("engines")
    assert listing.code == 0 and "lead.v1" in listing.out and "newsbrief.v1" in listing.out
    version = run_cli("--version")
    assert version.code == 0 and __version__ in version.out


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


BAD_INPUTS: list[tuple[str, Callable[[Path], str], str]] = [
    ("empty-file", lambda d: _write(d, "empty.txt", b""), "empty"),
    ("binary-file", lambda d: _write(d, "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50), "binary"),
    ("directory", lambda d: str(d), "directory"),
    ("missing-path", lambda d: str(d / "nope.txt"), "no such file"),
    ("no-sentences", lambda d: _write(d, "dots.txt", b"... --- 123 456 !!!\n\n***"), "no sentences"),
    (
        "invalid-utf8",
        lambda d: _write(d, "bad.txt", "Встреча министров обороны прошла в Москве.".encode()[:-12] + b"\xd0"),
        "UTF-8",
    ),
    (
        "bad-jsonl",
        lambda d: _write(d, "x.jsonl", b'{"text": "A fine sentence here."}\n{not json\n'),
        "line 2",
    ),
    ("jsonl-without-text", lambda d: _write(d, "y.jsonl", b'{"title": "No body"}\n'), "no text field"),
]


@pytest.mark.parametrize(("make_source", "message"), [pytest.param(m, s, id=i) for i, m, s in BAD_INPUTS])
def test_bad_input_gives_one_line_and_exit_1(
    run_cli: Run, tmp_path: Path, make_source: Callable[[Path], str], message: str
) -> None:
    result = run_cli("summarize", make_source(tmp_path))
    assert result.code == 1
    assert result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith("error: ")
    assert message in result.err
    assert "Traceback" not in result.err


def test_50_mb_file_is_refused_without_reading_it_all(run_cli: Run, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.write(b"The council met again today and nothing changed. " * 1_100_000)
    assert big.stat().st_size >= 50_000_000
    result = run_cli("summarize", str(big))
    assert result.code == 1
    assert result.err.startswith("error: ") and "limit" in result.err and result.err.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("summarize", "x.txt", "--sentences", "2", "--words", "10"), id="two-lengths"),
        pytest.param(("summarize", "x.txt", "--style", "poem"), id="bad-style"),
        pytest.param(("summarize", "x.txt", "--sentences", "0"), id="zero-sentences"),
        pytest.param(("summarize", "x.txt", "--ratio", "1.5"), id="ratio-over-1"),
        pytest.param(("summarize",), id="missing-source"),
        pytest.param(("frobnicate",), id="unknown-command"),
    ],
)
def test_usage_errors_exit_2(run_cli: Run, args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert result.code == 2
    assert "Traceback" not in result.err


def test_unknown_engine_is_a_user_error(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("summarize", _write(tmp_path, "s.txt", STORY.encode()), "--engine", "magic.v9")
    assert result.code == 1 and "no engine named 'magic.v9'" in result.err


def test_console_script_runs_as_a_real_process(tmp_path: Path) -> None:
    """The installed entry point, end to end in a subprocess: output, stderr and exit codes."""
    source = _write(tmp_path, "s.txt", STORY.encode("utf-8"))
    script = Path(sys.executable).with_name("newsbrief")
    ok = subprocess.run(
        [str(script), "summarize", source, "-n", "1"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0 and ok.stdout.startswith("• ")
    bad = subprocess.run(
        [str(script), "summarize", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_ingest_files_and_urls(run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from tests.test_fetch import Handler, QuietServer

    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", f"sqlite:///{tmp_path / 'ingest.db'}")
    monkeypatch.setenv("NEWSBRIEF_FETCH_ALLOW", "127.0.0.1")
    story = _write(tmp_path, "story.txt", STORY.encode())
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        result = run_cli(
            "ingest", story, story, base + "/article", base + "/pdf", str(tmp_path / "missing.txt")
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.code == 1
    lines = result.out.strip().split("\n")
    assert lines[0].endswith("new\tHarbour Works Start") and lines[1].endswith(
        "already stored\tHarbour Works Start"
    )
    assert lines[2].endswith("new\tBridge opens")
    errors = result.err.strip().split("\n")
    assert len(errors) == 2 and "not_html" in errors[0] and "no such file" in errors[1]
