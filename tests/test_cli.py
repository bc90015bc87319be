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


def test_summarize_url_fetches_judges_and_stores_nothing(
    run_cli: Run, loopback_cli_env: str, tmp_path: Path
) -> None:
    """A URL given to `summarize` goes through ingest's guarded, polite fetch (robots.txt first), and the
    summary spans index the fetched article; no database is created or written."""
    from tests.site import PARAGRAPHS, article_page, running_site

    with running_site() as site:
        url = site.add("/news/terminal", article_page())
        result = run_cli("summarize", url, "--format", "json", "-n", "2")
        fetched = [seen.path for seen in site.seen]
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["title"] == "Harbour approves ferry terminal"
    assert len(data["sentences"]) == 2
    article_text = "\n\n".join(PARAGRAPHS)  # the page's body, without its navigation, byline and footer
    for sentence in data["sentences"]:
        assert sentence["spans"]
        for start, end in sentence["spans"]:
            assert article_text[start:end] and article_text[start:end] in sentence["text"]
    assert fetched == ["/robots.txt", "/news/terminal"]
    assert not (tmp_path / "cli.db").exists()  # loopback_cli_env's database: summarize stores nothing


@pytest.mark.parametrize(
    ("route", "allow", "expected"),
    [
        pytest.param("/paywall", "127.0.0.1", "not an article (paywall)", id="paywall"),
        pytest.param("/missing", "127.0.0.1", "answered 404 [http_error]", id="http-404"),
        pytest.param("/news/terminal", "", "[blocked_address]", id="loopback-not-allowed"),
    ],
)
def test_summarize_url_failures_are_one_line_and_exit_1(
    run_cli: Run,
    loopback_cli_env: str,
    monkeypatch: pytest.MonkeyPatch,
    route: str,
    allow: str,
    expected: str,
) -> None:
    from tests.site import PAYWALL, article_page, running_site

    monkeypatch.setenv("NEWSBRIEF_FETCH_ALLOW", allow)
    with running_site() as site:
        site.add("/paywall", PAYWALL)
        site.add("/news/terminal", article_page())
        result = run_cli("summarize", site.base + route)
    assert result.code == 1 and result.out == ""
    assert result.err.startswith(f"error: {site.base}{route}: ") and result.err.count("\n") == 1, result.err
    assert expected in result.err and "Traceback" not in result.err


def test_a_bad_setting_is_one_line_naming_the_variable(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBRIEF_MAX_INPUT_BYTES", "ten megabytes")
    result = run_cli("summarize", _write(tmp_path, "s.txt", STORY.encode()))
    assert result.code == 1 and result.out == ""
    assert result.err.startswith("error: NEWSBRIEF_MAX_INPUT_BYTES: ") and result.err.count("\n") == 1


WARM_STORIES = (
    STORY,
    "Tram Line Reopens\n\nThe tram line to the university reopened on Friday after four months of repairs. "
    "The city said trams will run every six minutes at peak hours.\n\nThe repairs cost 9 million euros. "
    "Students said the buses that replaced the trams were always full.",
    "Library Extends Hours\n\nThe central library will open until ten in the evening from next month, the "
    "council decided on Wednesday. The longer hours follow a petition signed by 4,000 residents.\n\n"
    "Two new librarians will be hired. The reading rooms will also open on Sunday mornings.",
)


def test_summaries_warm_fills_the_cache_the_api_serves(
    run_cli: Run, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pre-generation (issue 15): after `summaries warm`, with the service running, every article's
    summary row is in the cache before any request, and the API serves that row (cached, not recomputed).
    A second run makes nothing; other options are other rows."""
    from fastapi.testclient import TestClient

    from newsbrief.config import Settings
    from newsbrief.services import Service
    from newsbrief.services.summaries import cached_summary
    from newsbrief.sources import article_from_text
    from newsbrief.storage.database import reading
    from newsbrief.web import create_app

    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", database_url)
    monkeypatch.setenv("NEWSBRIEF_FEED_SCHEDULER", "false")
    with Service(Settings()) as service, TestClient(create_app(service=service)) as client:
        stored = [row for row, _ in service.store_articles([article_from_text(s) for s in WARM_STORIES])]
        default = service.summary_options()
        with reading(service.database) as conn:
            assert [cached_summary(conn, row, default) for row in stored] == [None, None, None]

        first = run_cli("summaries", "warm")
        assert first.code == 0, first.err
        assert first.out.startswith("3 articles: 3 summaries made, 0 already cached, 0 failed (")
        with reading(service.database) as conn:
            rows = [cached_summary(conn, row, default) for row in stored]
        for row, cached in zip(stored, rows, strict=True):
            assert cached is not None and cached["article_id"] == row.id
            served = client.get(f"/api/v1/articles/{row.id}/summary")
            assert served.status_code == 200, served.text
            body = served.json()
            assert body["cached"] is True
            # The very row warm made: a summary made now would carry its own timing.
            assert body["elapsed_ms"] == cached["elapsed_ms"] and body["sentences"] == cached["sentences"]

        again = run_cli("summaries", "warm", "--quiet")
        assert again.code == 0 and again.out.startswith("3 articles: 0 summaries made, 3 already cached")
        assert again.err == ""

        longer = run_cli("summaries", "warm", "--sentences", "5", "--style", "paragraph")
        assert longer.out.startswith("3 articles: 3 summaries made"), longer.out
        served = client.get(f"/api/v1/articles/{stored[0].id}/summary?sentences=5&style=paragraph")
        assert served.json()["cached"] is True


def test_summaries_warm_resumes_a_stopped_run(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run stopped after two articles (Ctrl-C) leaves their summaries cached; the same command again makes
    only the third, and --after starts past an id."""
    from newsbrief.config import Settings
    from newsbrief.services import Service
    from newsbrief.services.warm import WarmReport, warm_summaries
    from newsbrief.sources import article_from_text

    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", f"sqlite:///{tmp_path / 'warm.db'}")
    settings = Settings()

    def stop_after_two(report: WarmReport) -> None:
        if report.done == 2:
            raise KeyboardInterrupt

    with Service(settings) as service:
        stored = [row for row, _ in service.store_articles([article_from_text(s) for s in WARM_STORIES])]
        with pytest.raises(KeyboardInterrupt):
            warm_summaries(
                service.database,
                service.summary_options(),
                reading_wpm=settings.reading_wpm,
                progress=stop_after_two,
            )
    resumed = run_cli("summaries", "warm")
    assert resumed.code == 0, resumed.err
    assert resumed.out.startswith("3 articles: 1 summaries made, 2 already cached, 0 failed")
    past = run_cli("summaries", "warm", "-n", "2", "--after", str(stored[1].id))
    assert past.out.startswith("1 articles: 1 summaries made, 0 already cached")


@pytest.mark.parametrize(
    ("args", "command"),
    [
        pytest.param((), "newsbrief serve", id="serve"),
        pytest.param(("--run-command", "make run"), "make run", id="make-run"),
    ],
)
def test_serve_on_a_busy_port_says_what_to_type(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], command: str
) -> None:
    """A port another process listens on (a real socket held here): one line naming a free port, exit 1,
    before anything else is printed, migrated or loaded."""
    import re
    import socket

    database = tmp_path / "serve.db"
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", f"sqlite:///{database}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("NEWSBRIEF_PORT", str(port))
        result = run_cli("serve", "--samples", *args)
        assert result.code == 1 and result.out == ""
        found = re.fullmatch(rf"error: port {port} is busy: NEWSBRIEF_PORT=(\d+) {command}\n", result.err)
        assert found is not None, result.err
        suggested = int(found.group(1))
        assert suggested != port
        with socket.socket() as probe:  # the suggested port is one a server can listen on
            probe.bind(("127.0.0.1", suggested))
    assert not database.exists()


@pytest.mark.parametrize(
    ("missing", "args", "extra"),
    [
        pytest.param("rouge_score", ["eval", "rows.jsonl"], "eval", id="eval"),
        pytest.param("uvicorn", ["serve"], "web", id="serve"),
        pytest.param("httpx", ["summarize", "https://example.com/story"], "web", id="summarize-url"),
    ],
)
def test_a_missing_extra_is_named_with_its_install_command(
    tmp_path: Path, missing: str, args: list[str], extra: str
) -> None:
    """`make run` installs the web extra only: a command needing another one says which, in one line. The
    package is made unimportable in a fresh interpreter (None in sys.modules), as if never installed."""
    code = f"import sys; sys.modules[{missing!r}] = None; from newsbrief.cli import main; main({args!r})"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert result.returncode == 1 and result.stdout == "" and "Traceback" not in result.stderr
    # The last line: an engine plugin that needs the same package may log its own warning before it.
    assert result.stderr.splitlines()[-1] == (
        f"error: this command needs the '{extra}' extra ({missing} is not installed): "
        f"pip install 'newsbrief[{extra}]'"
    )


def test_summaries_warm_names_an_article_it_cannot_summarize_and_goes_on(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsbrief.config import Settings
    from newsbrief.models import Article
    from newsbrief.services import Service

    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", f"sqlite:///{tmp_path / 'warm.db'}")
    with Service(Settings()) as service:
        [(wordless, _), _] = service.store_articles(
            [
                Article(paragraphs=("... --- *** 123 456",), language="en"),
                Article(paragraphs=(STORY.split("\n\n", 1)[1],), language="en"),
            ]
        )
    result = run_cli("summaries", "warm", "--quiet")
    assert result.code == 1
    assert result.out.startswith("2 articles: 1 summaries made, 0 already cached, 1 failed")
    assert (
        result.err
        == f"warning: article {wordless.id}: the article has no sentences to summarize (no words found)\n"
    )


def test_every_extra_the_cli_names_is_in_pyproject() -> None:
    import tomllib

    from newsbrief.cli import _EXTRA_OF_MODULE
    from tests.conftest import ROOT

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    assert set(_EXTRA_OF_MODULE.values()) <= set(extras)
    assert {"web", "pg", "dask", "eval"} <= set(extras["all"][0].split("[")[1].rstrip("]").split(","))
