"""Feeds against real servers on 127.0.0.1: every format, polling once, junk skipped with its reason,
failures backed off, OPML in and out, a billion-laughs feed refused, a SIGKILL mid-poll losing nothing,
and the service's scheduler polling by itself."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from newsbrief.config import Settings
from newsbrief.errors import BadFeed
from newsbrief.extract.feed import parse_feed, parse_opml
from newsbrief.storage import feed_repo
from newsbrief.storage.database import open_database, upgrade
from newsbrief.storage.schema import articles, feed_entries, feeds, summaries
from newsbrief.web import create_app
from tests.conftest import CliResult
from tests.site import PAYWALL, Site, article_page, running_site

RSS_TYPE = "application/rss+xml"
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    + ']><rss version="2.0"><channel><title>&lol9;</title><item><title>x</title><link>http://x/</link></item>'
    "</channel></rss>"
)


def rss(site: Site, paths: list[str], title: str = "Harbour Courier") -> str:
    items = "".join(
        f"<item><title>Story {path}</title><link>{site.base}{path}</link><guid>{path}</guid>"
        "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item>"
        for path in paths
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{site.base}/</link><description>News</description>{items}</channel></rss>"
    )


def story(site: Site, path: str, title: str, **options: object) -> None:
    paragraphs = (
        f"{title} was the talk of the harbour on Tuesday, when the council published its plans for the year.",
        "The council said the works would start in the spring and last about eighteen months in all.",
        f"Residents were invited to a meeting about {title.lower()} at the town hall next Thursday evening.",
    )
    site.add(path, article_page(title, paragraphs), **options)  # type: ignore[arg-type]


@pytest.fixture
def site() -> Iterator[Site]:
    with running_site() as running:
        yield running


@pytest.fixture
def cli_env(loopback_cli_env: str) -> str:
    return loopback_cli_env


def table_count(database_url: str, table: object, *conditions: object) -> int:
    engine = open_database(database_url)
    try:
        with engine.connect() as connection:
            statement = select(func.count()).select_from(table)  # type: ignore[arg-type]
            for condition in conditions:
                statement = statement.where(condition)  # type: ignore[arg-type]
            return int(connection.execute(statement).scalar_one())
    finally:
        engine.dispose()


def feeds_json(run_cli: Callable[..., CliResult]) -> list[dict[str, object]]:
    listed = run_cli("feeds", "list", "--format", "json")
    assert listed.code == 0, listed.err
    return list(json.loads(listed.out))


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0"?><rss version="0.91"><channel><title>T</title><link>http://c.example/</link>'
        "<item><title>A</title><link>http://c.example/a</link></item></channel></rss>",
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="http://c.example/"><title>T</title>'
        '<link>http://c.example/</link></channel><item rdf:about="http://c.example/a"><title>A</title>'
        "<link>http://c.example/a</link></item></rdf:RDF>",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>A</title>'
        '<link>/a</link><guid isPermaLink="false">a-1</guid></item></channel></rss>',
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        '<entry><id>urn:a</id><title>A</title><link href="http://c.example/a"/>'
        "<updated>2026-11-24T10:00:00Z</updated></entry></feed>",
        '{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": '
        '[{"id": "a", "url": "http://c.example/a", "title": "A", "date_published": "2026-11-24T10:00:00Z"}]}',
    ],
    ids=["rss-0.91", "rss-1.0", "rss-2.0", "atom", "json-feed"],
)
def test_every_feed_format_gives_its_entries(document: str) -> None:
    parsed = parse_feed(document.encode(), url="http://c.example/feed")
    assert parsed.title == "T"
    assert [entry.url for entry in parsed.entries] == ["http://c.example/a"]
    assert parsed.entries[0].title == "A"


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (BILLION_LAUGHS, "entity_declarations"),
        (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>',
            "entity_declarations",
        ),
        ("<html><body><p>Just a page</p></body></html>", "not_a_feed"),
        ('{"version": "1", "items": []}', "not_a_feed"),
        ("{not json", "not_a_feed"),
    ],
)
def test_hostile_and_wrong_documents_are_refused(document: str, reason: str) -> None:
    with pytest.raises(BadFeed) as raised:
        parse_feed(document.encode(), url="http://c.example/feed")
    assert raised.value.reason == reason


def test_feeds_add_polls_once_and_skips_junk_with_its_reason(
    site: Site, cli_env: str, run_cli: Callable[..., CliResult]
) -> None:
    story(site, "/a", "The new pier")
    story(site, "/b", "The lighthouse repairs")
    site.add("/paid", PAYWALL)
    feed_url = site.add("/feed.xml", rss(site, ["/a", "/b", "/paid"]), content_type=RSS_TYPE)
    added = run_cli("feeds", "add", feed_url)
    assert added.code == 0, added.err
    assert "\tsubscribed\tHarbour Courier\t3 entries" in added.out
    assert "3 new, 2 stored, 1 skipped, 0 failed" in added.out
    assert "not an article (paywall)" in added.err
    assert table_count(cli_env, articles) == 2
    assert table_count(cli_env, summaries) == 2  # summarized once, on arrival
    skipped = table_count(
        cli_env, feed_entries, feed_entries.c.status == "skipped", feed_entries.c.reason == "paywall"
    )
    assert skipped == 1
    again = run_cli("feeds", "poll")
    assert again.code == 0
    assert "0 new, 0 stored" in again.out
    assert table_count(cli_env, articles) == 2
    assert len(site.requests_to("/a")) == 1  # polling is idempotent: a done entry is never fetched again
    [listed] = feeds_json(run_cli)
    assert listed["entries"] == 3
    assert listed["stored"] == 2
    assert listed["error_reason"] is None
    readable = run_cli("feeds", "list")
    assert "Harbour Courier" in readable.out
    assert "ok" in readable.out


def test_a_feed_with_an_etag_is_polled_conditionally(
    site: Site, cli_env: str, run_cli: Callable[..., CliResult]
) -> None:
    story(site, "/a", "The new pier")
    feed_url = site.add("/feed.xml", rss(site, ["/a"]), content_type=RSS_TYPE, headers={"ETag": '"f1"'})
    assert run_cli("feeds", "add", feed_url).code == 0
    polled = run_cli("feeds", "poll")
    assert "not modified" in polled.out
    assert site.requests_to("/feed.xml")[-1].headers["if-none-match"] == '"f1"'


def test_a_failing_feed_keeps_its_error_and_backs_off_then_recovers(
    site: Site, cli_env: str, run_cli: Callable[..., CliResult]
) -> None:
    story(site, "/a", "The new pier")
    feed_url = site.add("/feed.xml", rss(site, ["/a"]), content_type=RSS_TYPE)
    assert run_cli("feeds", "add", feed_url, "--no-poll").code == 0
    site.add("/feed.xml", "down for maintenance", status=500, content_type="text/plain")
    before = datetime.now(UTC)
    first = run_cli("feeds", "poll")
    assert first.code == 1
    assert "[http_error]" in first.err
    [failing] = feeds_json(run_cli)
    assert failing["error_reason"] == "http_error"
    assert failing["failures"] == 1
    wait = datetime.fromisoformat(str(failing["next_poll_at"])) - before
    assert timedelta(minutes=59) <= wait <= timedelta(minutes=61)  # 30 minutes, doubled once
    run_cli("feeds", "poll")
    [failing] = feeds_json(run_cli)
    assert failing["failures"] == 2
    assert "error (http_error, 2 in a row)" in run_cli("feeds", "list").out
    site.add("/feed.xml", BILLION_LAUGHS, content_type=RSS_TYPE)
    run_cli("feeds", "poll")
    [failing] = feeds_json(run_cli)
    assert failing["error_reason"] == "entity_declarations"
    site.add("/feed.xml", rss(site, ["/a"]), content_type=RSS_TYPE)
    recovered = run_cli("feeds", "poll")
    assert recovered.code == 0
    [healthy] = feeds_json(run_cli)
    assert healthy["error_reason"] is None
    assert healthy["failures"] == 0
    assert healthy["stored"] == 1


def test_an_entry_that_fails_is_retried_then_given_up(
    site: Site, cli_env: str, run_cli: Callable[..., CliResult]
) -> None:
    feed_url = site.add("/feed.xml", rss(site, ["/gone"]), content_type=RSS_TYPE)
    run_cli("feeds", "add", feed_url)
    for _ in range(2):
        run_cli("feeds", "poll")
    assert (
        table_count(cli_env, feed_entries, feed_entries.c.status == "failed", feed_entries.c.attempts == 3)
        == 1
    )
    run_cli("feeds", "poll")
    assert len(site.requests_to("/gone")) == 3


def test_adding_something_that_is_not_a_feed_subscribes_nothing(
    site: Site, cli_env: str, run_cli: Callable[..., CliResult]
) -> None:
    bomb = site.add("/bomb.xml", BILLION_LAUGHS, content_type=RSS_TYPE)
    page = site.add("/page", article_page())
    result = run_cli("feeds", "add", bomb, page, "ftp://c.example/feed", f"{site.base}/missing")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 4
    assert "[entity_declarations]" in lines[0]
    assert "[not_a_feed]" in lines[1]
    assert "http://" in lines[2]
    assert "[http_error]" in lines[3]
    assert feeds_json(run_cli) == []


def test_opml_export_import_round_trip_and_remove(
    site: Site,
    cli_env: str,
    run_cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    story(site, "/a", "The new pier")
    first = site.add("/one.xml", rss(site, ["/a"], "One & Co"), content_type=RSS_TYPE)
    second = site.add("/two.xml", rss(site, ["/a"], "Two"), content_type=RSS_TYPE)
    assert run_cli("feeds", "add", "--no-poll", first, second).code == 0
    exported = tmp_path / "feeds.opml"
    assert run_cli("feeds", "export", "-o", str(exported)).code == 0
    assert [(feed.url, feed.title) for feed in parse_opml(exported.read_bytes())] == [
        (first, "One & Co"),
        (second, "Two"),
    ]
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    imported = run_cli("feeds", "import", str(exported))
    assert imported.out.strip() == "2 feeds added, 0 already subscribed"
    assert run_cli("feeds", "import", str(exported)).out.strip() == "0 feeds added, 2 already subscribed"
    removed = run_cli("feeds", "remove", first)
    assert removed.code == 0
    assert [feed["url"] for feed in feeds_json(run_cli)] == [second]
    assert run_cli("feeds", "remove", "99").code == 1
    hostile = tmp_path / "hostile.opml"
    hostile.write_text(BILLION_LAUGHS.replace("rss", "opml"), encoding="utf-8")
    refused = run_cli("feeds", "import", str(hostile))
    assert refused.code == 1
    assert "entity_declarations" in refused.err


def test_a_poll_killed_midway_loses_nothing_and_the_next_one_finishes(site: Site, tmp_path: Path) -> None:
    paths = [f"/slow-{n}" for n in range(8)]
    for n, path in enumerate(paths):
        story(site, path, f"Harbour story {n}", delay=0.4)
    feed_url = site.add("/feed.xml", rss(site, paths), content_type=RSS_TYPE)
    database_url = f"sqlite:///{tmp_path / 'kill.db'}"
    env = {
        **os.environ,
        "NEWSBRIEF_DATABASE_URL": database_url,
        "NEWSBRIEF_FETCH_ALLOW": "127.0.0.1",
        "NEWSBRIEF_FETCH_DELAY": "0",
    }
    engine = open_database(database_url)
    upgrade(engine)
    with engine.begin() as connection:
        feed_repo.add_feed(conn=connection, url=feed_url)
    engine.dispose()
    command = [sys.executable, "-m", "newsbrief", "feeds", "poll"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while table_count(database_url, feed_entries, feed_entries.c.status == "done") < 2:
        assert time.monotonic() < deadline, "the poll did not get going"
        assert process.poll() is None, "the poll ended before it was killed"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = table_count(database_url, feed_entries, feed_entries.c.status == "done")
    assert done < 8
    assert table_count(database_url, feed_entries) == 8  # every entry was acknowledged before any fetch
    assert table_count(database_url, articles) == done  # no article without its entry marked, none half
    assert table_count(database_url, summaries) == done
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 0, finished.stderr
    assert table_count(database_url, feed_entries, feed_entries.c.status == "done") == 8
    assert table_count(database_url, articles) == 8
    assert table_count(database_url, summaries) == 8


def test_the_service_polls_due_feeds_by_itself(site: Site, tmp_path: Path) -> None:
    story(site, "/a", "The new pier")
    story(site, "/b", "The lighthouse repairs")
    feed_url = site.add("/feed.xml", rss(site, ["/a", "/b"]), content_type=RSS_TYPE)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'service.db'}",
        fetch_allow="127.0.0.1",
        fetch_delay=0,
        feed_check_seconds=0.2,
        api_keys="k",
    )
    with TestClient(create_app(settings)) as client:
        added = client.post("/api/v1/feeds", json={"url": feed_url}, headers={"Authorization": "Bearer k"})
        assert added.status_code == 201, added.text
        deadline = time.monotonic() + 30
        while client.get("/api/v1/articles").json()["count"] < 2:
            assert time.monotonic() < deadline, "the scheduler did not poll the feed"
            time.sleep(0.1)
        [feed] = client.get("/api/v1/feeds").json()["feeds"]
        assert feed["stored"] == 2
        page = client.get("/feeds")
        assert page.status_code == 200
        assert "Harbour Courier" in page.text
        refused = client.post(
            "/api/v1/feeds", json={"url": f"{site.base}/missing"}, headers={"Authorization": "Bearer k"}
        )
        assert refused.status_code == 422
        assert refused.json()["error"]["reason"] == "http_error"
        assert (
            client.delete(f"/api/v1/feeds/{feed['id']}", headers={"Authorization": "Bearer k"}).status_code
            == 204
        )
        assert client.get("/api/v1/feeds").json()["feeds"] == []


def test_a_failing_feed_shows_its_error_on_the_feeds_page(site: Site, tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'page.db'}"
    settings = Settings(
        database_url=database_url, fetch_allow="127.0.0.1", fetch_delay=0, feed_check_seconds=0.2
    )
    site.add("/feed.xml", "oops", status=503, content_type="text/plain")
    engine = open_database(database_url)
    upgrade(engine)
    with engine.begin() as connection:
        feed_repo.add_feed(conn=connection, url=f"{site.base}/feed.xml", title="Broken feed")
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 30
        while not client.get("/api/v1/feeds").json()["feeds"][0]["error_reason"]:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        page = client.get("/feeds")
        assert "Failing" in page.text
        assert "http_error" in page.text
        assert "backing off" in page.text


def test_a_feed_another_live_process_is_polling_is_left_to_it(
    site: Site, cli_env: str, run_cli: Callable[..., CliResult]
) -> None:
    story(site, "/a", "The new pier")
    feed_url = site.add("/feed.xml", rss(site, ["/a"]), content_type=RSS_TYPE)
    assert run_cli("feeds", "add", "--no-poll", feed_url).code == 0
    engine = open_database(cli_env)
    with engine.begin() as connection:
        connection.execute(
            feeds.update().values(
                claimed_by="another-host:1", claimed_until=datetime.now(UTC) + timedelta(minutes=5)
            )
        )
    polled = run_cli("feeds", "poll")
    assert polled.code == 0
    assert "being polled by another process" in polled.out
    assert not site.requests_to("/feed.xml")[1:]  # only the check when it was added
    with engine.begin() as connection:  # the other poller's lease lapsed
        connection.execute(feeds.update().values(claimed_until=datetime.now(UTC) - timedelta(seconds=1)))
    engine.dispose()
    assert "1 new, 1 stored" in run_cli("feeds", "poll").out
