"""Feeds hardened (issue 12): one entry's failure is that entry's error, hostile JSON Feeds and XML in any
encoding are refused as bad feeds, a huge feed is capped, and entries get the story link and plain titles.

Real servers on 127.0.0.1 (tests/site.py) and real databases (SQLite, and PostgreSQL when
NEWSBRIEF_TEST_PG_URL is set)."""

from __future__ import annotations

import codecs
import io
import logging
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from newsbrief.config import Settings
from newsbrief.errors import BadFeed
from newsbrief.extract.feed import (
    KEPT_PER_CAP,
    cut_entries,
    entry_key,
    entry_spans,
    newest_entries,
    parse_feed,
    parse_opml,
)
from newsbrief.models import FeedEntry, Validators
from newsbrief.net.fetch import FetchedPage
from newsbrief.services.feeds import poll_due, poll_feed
from newsbrief.services.ingest import Ingestor, UrlIngest
from newsbrief.storage import feed_repo
from newsbrief.storage.database import open_database, upgrade
from newsbrief.storage.feed_repo import StoredFeed
from newsbrief.storage.schema import feed_entries
from newsbrief.web import create_app
from tests import hostile
from tests.site import Site, running_site
from tests.test_feeds import BILLION_LAUGHS, RSS_TYPE, rss, story

JSON_FEED_TYPE = "application/feed+json"
XXE = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0">'
    "<channel><title>&x;</title><item><title>&x;</title><link>http://c.example/a</link></item></channel></rss>"
)


@pytest.fixture
def site() -> Iterator[Site]:
    with running_site() as running:
        yield running


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, fetch_allow="127.0.0.1", fetch_delay=0, fetch_timeout=5)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = open_database(settings.database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def subscribe(engine: Engine, url: str) -> StoredFeed:
    with engine.begin() as connection:
        feed, _ = feed_repo.add_feed(conn=connection, url=url)
    return feed


def entry_rows(engine: Engine) -> dict[str, tuple[str, str | None, str | None]]:
    """Each entry's (status, reason, message), by its URL."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(feed_entries.c.url, feed_entries.c.status, feed_entries.c.reason, feed_entries.c.message)
        ).all()
    return {row.url: (row.status, row.reason, row.message) for row in rows}


def current(engine: Engine, feed: StoredFeed) -> StoredFeed:
    with engine.connect() as connection:
        found = feed_repo.get_feed(conn=connection, feed_id=feed.id)
    assert found is not None
    return found


def bad_redirect(handler: BaseHTTPRequestHandler) -> None:
    """A site answering with a malformed redirect, as the tester found one (httpx cannot parse it)."""
    handler.send_response(302)
    handler.send_header("Location", "http:\\\\host/")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


# Item 3: one entry never wedges the feed -------------------------------------------------------------------


def test_an_entry_with_a_malformed_redirect_fails_alone_and_the_others_are_stored(
    site: Site, settings: Settings, engine: Engine
) -> None:
    good = [f"/good-{n}" for n in range(5)]
    for n, path in enumerate(good):
        story(site, path, f"Harbour story {n}")
    site.add("/broken", handler=bad_redirect)
    feed = subscribe(engine, site.add("/feed.xml", rss(site, ["/broken", *good]), content_type=RSS_TYPE))
    ingestor = Ingestor(settings.model_copy(update={"parse_in_worker": False}))
    try:
        report = poll_feed(engine, ingestor, feed, force=True)
        assert (report.stored, report.failed, report.error) == (5, 1, None)
        assert report.problems and report.problems[0].startswith(f"{site.base}/broken: ")
        status, reason, message = entry_rows(engine)[f"{site.base}/broken"]
        assert status == "pending"  # retried on the next polls, then given up
        assert reason and message
        for _ in range(2):
            assert poll_feed(engine, ingestor, current(engine, feed), force=True).error is None
    finally:
        ingestor.close()
    assert entry_rows(engine)[f"{site.base}/broken"][0] == "failed"
    listed = current(engine, feed)
    assert (listed.done, listed.failed, listed.pending, listed.error_reason) == (5, 1, 0, None)


class BrokenIngestor(Ingestor):
    """An Ingestor with a bug for some URLs: what no real site can trigger on purpose, a programming error
    in our own code, is the one thing stood in for here."""

    broken: frozenset[str] = frozenset()

    def store_url(self, database: Engine, url: str, **options: object) -> UrlIngest:  # type: ignore[override]
        if url in self.broken:
            raise RuntimeError("a bug in newsbrief")
        return super().store_url(database, url, **options)  # type: ignore[arg-type]

    def fetch_document(self, url: str, *, validators: Validators | None = None, accept: str) -> FetchedPage:
        if url in self.broken:
            raise RecursionError("a bug in newsbrief")
        return super().fetch_document(url, validators=validators, accept=accept)


def test_an_unexpected_error_of_one_entry_is_logged_and_recorded_as_internal(
    site: Site, settings: Settings, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    story(site, "/a", "The new pier")
    story(site, "/b", "The lighthouse repairs")
    feed = subscribe(engine, site.add("/feed.xml", rss(site, ["/a", "/b"]), content_type=RSS_TYPE))
    ingestor = BrokenIngestor(settings.model_copy(update={"parse_in_worker": False}))
    ingestor.broken = frozenset({f"{site.base}/a"})
    try:
        with caplog.at_level(logging.ERROR, logger="newsbrief.services.feeds"):
            report = poll_feed(engine, ingestor, feed, force=True)
    finally:
        ingestor.close()
    assert (report.stored, report.failed, report.error) == (1, 1, None)
    status, reason, message = entry_rows(engine)[f"{site.base}/a"]
    assert (status, reason) == ("pending", "internal")
    assert message and "RuntimeError" in message
    assert entry_rows(engine)[f"{site.base}/b"][0] == "done"
    assert "a bug in newsbrief" in caplog.text  # the traceback is in the log, for whoever fixes the bug


def test_an_unexpected_error_of_one_feed_does_not_stop_the_others(
    site: Site, settings: Settings, engine: Engine
) -> None:
    story(site, "/a", "The new pier")
    broken = subscribe(engine, site.add("/one.xml", rss(site, ["/a"]), content_type=RSS_TYPE))
    healthy = subscribe(engine, site.add("/two.xml", rss(site, ["/a"]), content_type=RSS_TYPE))
    ingestor = BrokenIngestor(settings.model_copy(update={"parse_in_worker": False}))
    ingestor.broken = frozenset({broken.url})
    try:
        reports = poll_due(engine, ingestor)
    finally:
        ingestor.close()
    assert [report.url for report in reports] == [broken.url, healthy.url]
    assert reports[0].error and "RecursionError" in reports[0].error
    assert reports[1].error is None
    assert current(engine, broken).error_reason == "internal"
    assert current(engine, healthy).done == 1


# Item 5: hostile JSON Feeds are bad feeds -------------------------------------------------------------------


def json_feed(items: str) -> bytes:
    return (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [' + items + "]}"
    ).encode()


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (b"[" * 100_000, "nested too deeply"),
        (json_feed('{"id": ' + "[" * 100_000 + "]" * 100_000 + ', "url": "http://c.example/a"}'), "nested"),
        (json_feed('{"id": ' + "7" * 5_000 + ', "url": "http://c.example/a"}'), "digits"),
        (json_feed('{"id": "a", "url": "http://c.example/a", "n": ' + "7" * 200 + "}"), "digits"),
    ],
    ids=["deep-array", "deep-id", "5000-digit-id", "200-digit-number"],
)
def test_a_hostile_json_feed_is_a_bad_feed_with_a_clear_message(document: bytes, words: str) -> None:
    with pytest.raises(BadFeed) as raised:
        parse_feed(document, url="http://c.example/feed", content_type=JSON_FEED_TYPE)
    assert raised.value.reason == "not_a_feed"
    assert words in raised.value.message


def test_json_feed_items_the_store_cannot_hold_do_not_fail_the_poll(
    site: Site, settings: Settings, engine: Engine
) -> None:
    items = ",".join(
        [
            '{"id": "\\ud800", "url": "http://c.example/surrogate"}',  # no UTF-8 for its key
            '{"id": "nul", "url": "http://c.example/a\\u0000b", "title": "Pier\\u0000 news \\udc00"}',
            '{"id": "long", "url": "http://c.example/' + "a" * 3000 + '"}',  # over the URL column
            '{"id": "ipv6", "url": "http://[broken/"}',
            '{"id": "int", "url": "http://c.example/int", "title": "Int"}',
        ]
    )
    feed = subscribe(engine, site.add("/feed.json", json_feed(items), content_type=JSON_FEED_TYPE))
    ingestor = Ingestor(settings.model_copy(update={"parse_in_worker": False}))
    try:
        report = poll_feed(engine, ingestor, feed, force=True, should_stop=lambda: True)
    finally:
        ingestor.close()
    assert (report.error, report.new_entries) == (None, 5)
    with engine.connect() as connection:
        rows = connection.execute(select(feed_entries.c.url, feed_entries.c.title)).all()
    assert sorted((row.url or "", row.title or "") for row in rows) == [
        ("", ""),
        ("", ""),
        ("", "Pier news"),
        ("http://c.example/int", "Int"),
        ("http://c.example/surrogate", ""),
    ]


def test_a_deeply_nested_json_feed_is_a_422_from_the_api(site: Site, tmp_path: Path) -> None:
    url = site.add("/feed.json", b"[" * 100_000, content_type=JSON_FEED_TYPE)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
        fetch_allow="127.0.0.1",
        fetch_delay=0,
        feed_scheduler=False,
        api_keys="k",
    )
    with TestClient(create_app(settings)) as client:
        answer = client.post("/api/v1/feeds", json={"url": url}, headers={"Authorization": "Bearer k"})
    assert answer.status_code == 422, answer.text  # as every feed the API cannot subscribe to
    assert answer.json()["error"]["code"] == "bad_feed"
    assert "nested too deeply" in answer.json()["error"]["message"]


# Item 11: a poll takes at most feed_max_entries entries, the newest ---------------------------------------


def dated_rss(site: Site, days: list[int]) -> str:
    items = "".join(
        f"<item><title>Day {day}</title><link>{site.base}/day-{day}</link>"
        f"<pubDate>{day:02d} Nov 2026 10:00:00 GMT</pubDate></item>"
        for day in days
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>{items}</channel></rss>'


def test_a_poll_takes_only_the_newest_entries_and_says_how_many_it_left_out(
    site: Site, settings: Settings, engine: Engine
) -> None:
    days = [3, 12, 7, 1, 28, 19, 5, 22, 9, 14, 2, 25]  # not in date order: the cap goes by date
    feed = subscribe(engine, site.add("/feed.xml", dated_rss(site, days), content_type=RSS_TYPE))
    ingestor = Ingestor(settings.model_copy(update={"feed_max_entries": 5, "parse_in_worker": False}))
    try:  # should_stop: only the document is polled here, no entry is fetched
        report = poll_feed(engine, ingestor, feed, force=True, should_stop=lambda: True)
    finally:
        ingestor.close()
    assert report.new_entries == 5
    assert report.left_out == 7
    assert any("12 entries" in problem and "7 left out" in problem for problem in report.problems)
    assert sorted(entry_rows(engine)) == sorted(f"{site.base}/day-{day}" for day in (28, 25, 22, 19, 14))


def test_the_newest_entries_are_kept_in_the_feed_order_undated_ones_last() -> None:
    def entry(name: str, day: int | None) -> FeedEntry:
        from datetime import UTC, datetime

        published = None if day is None else datetime(2026, 11, day, tzinfo=UTC)
        return FeedEntry(key=entry_key(name), url=f"http://c.example/{name}", title=name, published=published)

    entries = (entry("a", 3), entry("b", None), entry("c", 9), entry("d", 1), entry("e", 5))
    assert [kept.title for kept in newest_entries(entries, 3)] == ["a", "c", "e"]
    assert [kept.title for kept in newest_entries(entries, 4)] == ["a", "c", "d", "e"]
    assert newest_entries(entries, 10) == entries
    assert Settings().feed_max_entries == 200


# A long feed is cut to its first and last entries before feedparser reads it ------------------------------


def numbered(template: str, count: int) -> str:
    return "".join(template.format(n=n) for n in range(count))


LONG_FEEDS = {
    "rss-2.0": lambda count: (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://c.example/</link>'
        + numbered("<item><title>S{n}</title><link>http://c.example/{n}</link></item>\n", count)
        + "</channel></rss>"
    ),
    "atom-prefixed": lambda count: (
        '<?xml version="1.0"?><atom:feed xmlns:atom="http://www.w3.org/2005/Atom"><atom:title>T</atom:title>'
        + numbered(
            '<atom:entry><atom:id>urn:{n}</atom:id><atom:title>S{n}</atom:title><atom:link href="http://c.example/{n}"/></atom:entry>',
            count,
        )
        + "</atom:feed>"
    ),
    "rss-1.0-rdf-prefixed": lambda count: (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rss="http://purl.org/rss/1.0/"><rss:channel rdf:about="http://c.example/"><rss:title>T</rss:title>'
        "<rss:link>http://c.example/</rss:link><rss:items><rdf:Seq>"
        + numbered('<rdf:li resource="http://c.example/{n}"/>', count)
        + "</rdf:Seq></rss:items></rss:channel>"
        + numbered(
            '<rss:item rdf:about="http://c.example/{n}"><rss:title>S{n}</rss:title><rss:link>http://c.example/{n}</rss:link></rss:item>',
            count,
        )
        + "</rdf:RDF>"
    ),
    "json-feed": lambda count: (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": ['
        + ",".join(f'{{"id": "{n}", "url": "http://c.example/{n}", "title": "S{n}"}}' for n in range(count))
        + "]}"
    ),
}


@pytest.mark.parametrize("build", LONG_FEEDS.values(), ids=LONG_FEEDS.keys())
def test_a_long_feed_is_read_as_its_first_and_last_entries(build: Callable[[int], str]) -> None:
    assert KEPT_PER_CAP == 5  # a poll that takes 1 entry reads the first 5 and the last 5
    parsed = parse_feed(build(50).encode(), url="http://c.example/feed", max_entries=1)
    assert parsed.title == "T"  # what is not an entry (before, between or after them) is kept
    assert [entry.title for entry in parsed.entries] == [f"S{n}" for n in (*range(5), *range(45, 50))]
    assert (parsed.unread, parsed.listed) == (40, 50)
    whole = parse_feed(build(50).encode(), url="http://c.example/feed")
    assert (len(whole.entries), whole.unread) == (50, 0)


@pytest.mark.parametrize("build", LONG_FEEDS.values(), ids=LONG_FEEDS.keys())
@pytest.mark.parametrize("count", [0, 1, 9, 10])
def test_a_feed_within_ten_times_the_cap_reaches_the_parser_unchanged(
    build: Callable[[int], str], count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import feedparser

    seen: list[bytes] = []
    parse = feedparser.parse

    def recording(stream: io.BytesIO, **options: Any) -> Any:
        seen.append(stream.getvalue())
        return parse(stream, **options)

    monkeypatch.setattr(feedparser, "parse", recording)
    document = build(count)
    if count:
        parsed = parse_feed(document.encode(), url="http://c.example/feed", max_entries=1)
        assert (len(parsed.entries), parsed.unread) == (count, 0)
    assert cut_entries(document, 5) == (document, 0)
    assert seen in ([], [document.encode()])  # the very bytes (JSON Feeds never reach feedparser)


ENTRY_SCANS = [
    pytest.param("<rss><channel><items/><item>a</item><itemx/></channel></rss>", 1, id="other-names"),
    pytest.param("<feed><entry/><entry a='x>y' b=\"/>\"/><Entry>c</Entry></feed>", 3, id="empty-attrs-case"),
    pytest.param("<rss><item><entry><item>x</item></entry></item><item>b</item></rss>", 2, id="nested"),
    pytest.param("<rss><!-- <item> --><item>a</item><!-- </item> --></rss>", 1, id="comments"),
    pytest.param("<rss><item><d><![CDATA[<item></item></item>]]></d></item></rss>", 1, id="cdata"),
    pytest.param(
        "<?xml version='1.0'?><?pi <item>?><rss><item>a</item></rss>", 1, id="processing-instruction"
    ),
    pytest.param("<rss><item>a</item><!-- <item>", None, id="unterminated-comment"),
    pytest.param("<rss><item><d><![CDATA[ </item>", None, id="unterminated-cdata"),
    pytest.param("<rss><item>a</item><item>b", None, id="unclosed-entry"),
    pytest.param("<rss><item>a</entry></rss>", None, id="mismatched-end"),
    pytest.param("<rss><item>a</item></item></rss>", None, id="stray-end"),
    # Tags that never close: each is given up at the next "<" (a regex that read on to the next ">" for each
    # of them, here the end of the document, took ~1 min on this: quadratic).
    pytest.param("<rss>" + "<item a " * 20_000 + "<item>a</item></rss>", 1, id="unclosed-tags"),
]


@pytest.mark.parametrize(("text", "count"), ENTRY_SCANS)
def test_the_entry_scan_finds_entries_and_only_entries(text: str, count: int | None) -> None:
    spans = entry_spans(text)
    assert (None if spans is None else len(spans)) == count
    for start, end in spans or ():
        assert text[start:end].startswith("<") and text[start:end].endswith(">")


def test_a_long_malformed_feed_is_parsed_whole_as_before() -> None:
    """The scan gives up on what it cannot read safely: feedparser (its lenient parser) reads it all."""
    document = LONG_FEEDS["rss-2.0"](30).replace("</channel>", "<!-- never closed </channel>")
    parsed = parse_feed(document.encode(), url="http://c.example/feed", max_entries=1)
    assert (len(parsed.entries), parsed.unread) == (30, 0)


def test_a_50k_entry_feed_is_capped_within_a_small_parse_budget(
    site: Site, settings: Settings, engine: Engine
) -> None:
    """tests/hostile.py's 50,000-entry feed, polled by parse workers that get 5 s of CPU (feedparser took
    ~9 s to read it all): the poll takes the cap and counts the rest, with no budget error."""
    document = hostile.rss(site.base, [f"{site.base}/missing/{n}" for n in range(50_000)])
    feed = subscribe(engine, site.add("/long.xml", document, content_type=RSS_TYPE))
    budget = {"feed_max_entries": 20, "parse_in_worker": True, "parse_cpu_seconds": 5}
    ingestor = Ingestor(settings.model_copy(update=budget))
    try:  # should_stop: only the document is polled here, no entry is fetched
        report = poll_feed(engine, ingestor, feed, force=True, should_stop=lambda: True)
    finally:
        ingestor.close()
    assert report.error is None, report.error
    assert (report.new_entries, report.left_out) == (20, 49_980)
    assert any("50,000 entries" in problem for problem in report.problems), report.problems
    assert len(entry_rows(engine)) == 20


# Item 12: entity declarations refused in every encoding -----------------------------------------------------

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16le": lambda text: text.encode("utf-16-le"),
    "utf-16be": lambda text: text.encode("utf-16-be"),
    "utf-16le-bom": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16be-bom": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "utf-32le": lambda text: text.encode("utf-32-le"),
    "utf-32be": lambda text: text.encode("utf-32-be"),
    "utf-32le-bom": lambda text: codecs.BOM_UTF32_LE + text.encode("utf-32-le"),
    "utf-32be-bom": lambda text: codecs.BOM_UTF32_BE + text.encode("utf-32-be"),
    # the declaration in ASCII, the rest in UTF-7 (where "<" is "+ADw-"): a decoder that trusts the
    # declaration reads entity declarations that no byte search finds
    "utf-7": lambda text: (
        b'<?xml version="1.0" encoding="utf-7"?>'
        + text.removeprefix('<?xml version="1.0"?>').encode("utf-7").replace(b"<", b"+ADw-")
    ),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("document", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entity_declarations_are_refused_in_every_encoding(encoding: str, document: str) -> None:
    encoded = ENCODINGS[encoding](document)
    with pytest.raises(BadFeed) as raised:
        parse_feed(encoded, url="http://c.example/feed")
    assert raised.value.reason == "entity_declarations"
    with pytest.raises(BadFeed) as raised:
        parse_opml(encoded)
    assert raised.value.reason == "entity_declarations"


def test_an_internal_doctype_subset_is_refused_but_an_external_doctype_is_not() -> None:
    subset = '<?xml version="1.0"?><!DOCTYPE rss [<!ATTLIST rss version CDATA "2.0">]><rss/>'
    with pytest.raises(BadFeed) as raised:
        parse_feed(subset.encode("utf-16"), url="http://c.example/feed")
    assert raised.value.reason == "entity_declarations"
    netscape = (
        '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><title>T</title>'
        "<item><title>A</title><link>http://c.example/a</link></item></channel></rss>"
    )
    assert [entry.url for entry in parse_feed(netscape.encode(), url="http://c.example/f").entries] == [
        "http://c.example/a"
    ]


@pytest.mark.parametrize("encoding", [name for name in ENCODINGS if name != "utf-7"])
def test_a_plain_feed_reads_the_same_in_every_encoding(encoding: str) -> None:
    document = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Caf\u00e9 \u6e2f</title><item>'
        "<title>Ni\u00f1o \u6e2f</title><link>http://c.example/a</link></item></channel></rss>"
    )
    parsed = parse_feed(ENCODINGS[encoding](document), url="http://c.example/feed")
    assert parsed.title == "Caf\u00e9 \u6e2f"
    assert [(entry.url, entry.title) for entry in parsed.entries] == [
        ("http://c.example/a", "Ni\u00f1o \u6e2f")
    ]


def test_a_feed_that_is_a_local_file_path_is_not_read_from_disk(tmp_path: Path) -> None:
    # feedparser opens a string or bytes that names an existing file: a server answering with a path
    # would make us read (or, with /dev/zero, hang on) our own files.
    local = tmp_path / "local.xml"
    local.write_text(
        '<rss version="2.0"><channel><title>Local</title><item><link>http://c.example/x</link></item>'
        "</channel></rss>"
    )
    with pytest.raises(BadFeed) as raised:
        parse_feed(str(local).encode(), url="http://c.example/feed")
    assert raised.value.reason == "not_a_feed"


# Item 20: the story link, plain titles, Content-Location ---------------------------------------------------


def test_an_entry_is_the_story_page_never_its_enclosure() -> None:
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Pod</title>'
        '<entry><id>http://c.example/ep1.mp3</id><title>Episode 1</title><link rel="enclosure" '
        'type="audio/mpeg" href="http://c.example/ep1.mp3"/><link rel="related" type="text/html" '
        'href="http://c.example/ep1"/></entry>'
        '<entry><id>urn:ep2</id><title>Episode 2</title><link rel="enclosure" type="audio/mpeg" '
        'href="http://c.example/ep2.mp3"/><link href="http://c.example/ep2"/></entry>'
        "</feed>"
    )
    assert [entry.url for entry in parse_feed(atom.encode(), url="http://c.example/feed").entries] == [
        "http://c.example/ep1",
        "http://c.example/ep2",
    ]
    podcast = (
        '<rss version="2.0"><channel><title>Pod</title><item><title>Episode 3</title>'
        '<enclosure url="http://c.example/ep3.mp3" type="audio/mpeg" length="1"/>'
        "<guid>http://c.example/ep3.mp3</guid></item></channel></rss>"
    )
    [entry] = parse_feed(podcast.encode(), url="http://c.example/feed").entries
    assert entry.url is None  # acknowledged as an entry without a page (skipped), never fetched


def test_titles_are_stored_as_plain_text() -> None:
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        '<title type="html">Harbour &lt;b onmouseover="x()"&gt;Courier&lt;/b&gt;</title><entry><id>urn:a</id>'
        '<title type="html">&lt;script&gt;alert(1)&lt;/script&gt;The  new &lt;iframe src="http://e.example/"&gt;'
        '&lt;/iframe&gt;pier &amp;amp; port\n &lt;img src=x onerror="alert(2)"&gt;</title>'
        '<link href="http://c.example/a"/></entry></feed>'
    )
    parsed = parse_feed(atom.encode(), url="http://c.example/feed")
    assert parsed.title == "Harbour Courier"
    assert parsed.entries[0].title == "The new pier & port"
    rss_title = '<rss version="2.0"><channel><title>T</title><item><title><![CDATA[<a href="javascript:x()">Pier</a> &eacute;]]></title><link>http://c.example/a</link></item></channel></rss>'
    assert parse_feed(rss_title.encode(), url="http://c.example/feed").entries[0].title == "Pier \u00e9"
    json_title = json_feed('{"id": "a", "url": "http://c.example/a", "title": "<i>Pier</i> &amp;  port"}')
    assert parse_feed(json_title, url="http://c.example/feed").entries[0].title == "Pier & port"


def test_relative_entry_links_resolve_against_the_content_location() -> None:
    document = (
        '<rss version="2.0"><channel><title>T</title><link>./</link><item><title>A</title><link>story-a</link>'
        "</item></channel></rss>"
    )
    parsed = parse_feed(
        document.encode(), url="http://c.example/feed.php?id=1", content_location="/blog/rss.xml"
    )
    assert [entry.url for entry in parsed.entries] == ["http://c.example/blog/story-a"]
    assert parsed.site_url == "http://c.example/blog/"
    json_document = json_feed('{"id": "a", "url": "story-a"}')
    [entry] = parse_feed(
        json_document, url="http://c.example/x", content_location="http://c.example/j/"
    ).entries
    assert entry.url == "http://c.example/j/story-a"
    plain = parse_feed(document.encode(), url="http://c.example/feed.php?id=1").entries
    assert [entry.url for entry in plain] == ["http://c.example/story-a"]


def test_an_unusable_content_location_is_ignored() -> None:
    document = '<rss version="2.0"><channel><title>T</title><item><link>a</link></item></channel></rss>'
    for location in ("javascript:alert(1)", "file:///etc/", "http://[broken"):
        [entry] = parse_feed(document.encode(), url="http://c.example/f/", content_location=location).entries
        assert entry.url == "http://c.example/f/a"


def test_a_polled_feed_resolves_relative_links_against_its_content_location(
    site: Site, settings: Settings, engine: Engine
) -> None:
    # The feed is served at /feed.php but says it lives at /news/rss.xml: "story-1" is /news/story-1.
    document = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Courier</title>'
        "<item><title>Story</title><link>story-1</link><guid>s1</guid></item></channel></rss>"
    )
    story(site, "/news/story-1", "Harbour lights")
    url = site.add(
        "/feed.php", document, content_type=RSS_TYPE, headers={"Content-Location": "/news/rss.xml"}
    )
    ingestor = Ingestor(settings)
    try:
        report = poll_feed(engine, ingestor, subscribe(engine, url), force=True)
    finally:
        ingestor.close()
    assert report.stored == 1, report.problems
    assert site.base + "/news/story-1" in entry_rows(engine)
