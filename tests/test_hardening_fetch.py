"""Issue 12 (items 3, 4, 15, 16) through the real service and CLI: malformed redirects and URLs, corrupt
compressed bodies, non-global addresses, host:port allowlist entries and refusals that keep internal
addresses to themselves. Real servers on 127.0.0.1; SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from newsbrief.config import Settings
from newsbrief.web import create_app
from tests.conftest import CliResult, HungResolver
from tests.site import Site, article_page, running_site

KEY = "test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Courier</title>'
    b"<link>https://courier.example/</link><item><title>Ferry terminal</title>"
    b"<link>https://courier.example/ferry</link></item></channel></rss>"
)


@pytest.fixture
def site() -> Iterator[Site]:
    with running_site() as running:
        yield running


def make_client(database_url: str, **overrides: Any) -> TestClient:
    values: dict[str, Any] = {
        "database_url": database_url,
        "api_keys": KEY,
        "fetch_allow": "127.0.0.1",
        "fetch_timeout": 3,
        "fetch_delay": 0,
        "feed_scheduler": False,
    }
    values.update(overrides)
    return TestClient(create_app(Settings(**values)))


def fetch_error(client: TestClient, url: str, *, endpoint: str = "/api/v1/articles") -> dict[str, Any]:
    """The JSON error of a refused URL (a 4xx, never a 500), after checking that nothing was stored."""
    answer = client.post(endpoint, json={"url": url}, headers=AUTH)
    assert 400 <= answer.status_code < 500, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert error["code"] == "fetch_failed"
    assert client.get("/api/v1/articles").json()["count"] == 0
    return error


# Item 3: a malformed Location (or URL) is a bad_redirect (bad_url), not a 500 ---------------------------

MALFORMED_LOCATIONS = [
    pytest.param("http:\\\\host/", id="backslashes"),
    pytest.param("http:\\host/", id="one-backslash"),
    pytest.param("/\\evil.example/", id="backslash-path"),
    pytest.param("http://courier.example:99999/", id="port-out-of-range"),
    pytest.param("http://courier.example:0/", id="port-zero"),
    pytest.param("http://[::1/", id="unclosed-bracket"),
    pytest.param("http://courier.example:abc/", id="port-not-a-number"),
    pytest.param("http://cour\x7fier.example/", id="control-character"),
    pytest.param("http:///no-host", id="no-host"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("location", MALFORMED_LOCATIONS)
def test_a_malformed_redirect_is_a_4xx_with_a_reason(site: Site, database_url: str, location: str) -> None:
    url = site.add("/moved", b"", status=302, headers={"Location": location})
    with make_client(database_url) as client:
        error = fetch_error(client, url)
    assert error["reason"] == "bad_redirect", error


def test_a_malformed_redirect_fails_one_cli_ingest_cleanly(
    site: Site, loopback_cli_env: str, run_cli: Callable[..., CliResult]
) -> None:
    url = site.add("/moved", b"", status=302, headers={"Location": "http:\\\\host/"})
    result = run_cli("ingest", url)
    assert result.code == 1
    assert "[bad_redirect]" in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err.lower()


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://127.0.0.1:99999/story", id="port-out-of-range"),
        pytest.param("http:\\\\127.0.0.1/story", id="backslashes"),
    ],
)
def test_a_malformed_url_is_a_4xx_with_a_reason(database_url: str, url: str) -> None:
    with make_client(database_url, respect_robots=False) as client:
        error = fetch_error(client, url)
    assert error["reason"] in ("bad_url", "bad_scheme"), error


@pytest.mark.parametrize("url", ["http://[::1/feed", "http://[::1]x/feed", "http://127.0.0.1:99999/feed"])
def test_a_malformed_feed_url_is_a_4xx_with_a_reason(database_url: str, url: str) -> None:
    with make_client(database_url) as client:  # robots.txt first: its URL is made from the feed's
        error = fetch_error(client, url, endpoint="/api/v1/feeds")
    assert error["reason"] == "bad_url", error


# Item 4: a body that does not decode as its Content-Encoding is a bad_encoding, not a 500 ----------------

NOT_COMPRESSED = article_page().encode()
CORRUPT_BODIES = [
    pytest.param("gzip", NOT_COMPRESSED, id="gzip-plain-body"),
    pytest.param("x-gzip", NOT_COMPRESSED, id="x-gzip-plain-body"),
    pytest.param("deflate", NOT_COMPRESSED, id="deflate-plain-body"),
    pytest.param("gzip", gzip.compress(NOT_COMPRESSED)[:200], id="gzip-cut-short"),
    pytest.param("gzip", gzip.compress(NOT_COMPRESSED)[:40] + b"\xff" * 400, id="gzip-garbled"),
    pytest.param("deflate", zlib.compress(NOT_COMPRESSED)[:100], id="deflate-cut-short"),
]


@pytest.mark.parametrize(("encoding", "body"), CORRUPT_BODIES)
def test_a_corrupt_compressed_article_is_a_4xx(
    site: Site, database_url: str, encoding: str, body: bytes
) -> None:
    url = site.add("/story", body, headers={"Content-Encoding": encoding})
    with make_client(database_url) as client:
        error = fetch_error(client, url)
    assert error["reason"] == "bad_encoding", error


@pytest.mark.parametrize(("encoding", "body"), CORRUPT_BODIES[:3])
def test_a_corrupt_compressed_feed_is_a_4xx(
    site: Site, database_url: str, encoding: str, body: bytes
) -> None:
    url = site.add(
        "/feed.xml", body, content_type="application/rss+xml", headers={"Content-Encoding": encoding}
    )
    with make_client(database_url) as client:
        error = fetch_error(client, url, endpoint="/api/v1/feeds")
        assert client.get("/api/v1/feeds").json()["feeds"] == []
    assert error["reason"] == "bad_encoding", error


def test_compressed_articles_and_feeds_still_arrive(site: Site, database_url: str) -> None:
    story = site.add("/story", gzip.compress(NOT_COMPRESSED), headers={"Content-Encoding": "gzip"})
    feed = site.add(
        "/feed.xml",
        zlib.compress(FEED),
        content_type="application/rss+xml",
        headers={"Content-Encoding": "deflate"},
    )
    with make_client(database_url) as client:
        assert client.post("/api/v1/articles", json={"url": story}, headers=AUTH).status_code == 201
        assert client.post("/api/v1/feeds", json={"url": feed}, headers=AUTH).status_code == 201


# Item 15: non-global addresses that ipaddress's flags miss are refused, directly and after a redirect -----

HIDDEN_TARGETS = [
    pytest.param("http://100.100.100.200/latest/meta-data/", id="cgnat-metadata"),
    pytest.param("http://100.64.0.1/", id="cgnat"),
    pytest.param("http://[::ffff:100.100.100.200]/", id="mapped-cgnat"),
    pytest.param("http://[2002:7f00:1::]/", id="6to4-loopback"),
    pytest.param("http://[2002:a9fe:a9fe::1]/latest/meta-data/", id="6to4-metadata"),
    pytest.param("http://[fec0::1]/", id="site-local"),
    pytest.param("http://[64:ff9b::7f00:1]/", id="nat64-loopback"),
    pytest.param("http://[2001:0:808:808::80ff:fffe]/", id="teredo-loopback"),
]


@pytest.mark.parametrize("target", HIDDEN_TARGETS)
def test_hidden_internal_targets_are_refused(site: Site, database_url: str, target: str) -> None:
    hop = site.add("/hop", b"", status=302, headers={"Location": target})
    with make_client(database_url, respect_robots=False) as client:
        for url in (target, hop):
            error = fetch_error(client, url)
            assert error["reason"] == "blocked_address", (url, error)
            assert "not a public address" in error["message"]


# Item 16: host:port allowlist entries, and refusals that do not say what a name resolves to --------------


def test_a_host_port_entry_allows_that_port_only(site: Site, database_url: str) -> None:
    port = site.base.rsplit(":", 1)[1]
    story = site.add("/story", article_page())
    with make_client(database_url, fetch_allow=f"127.0.0.1:{port}") as client:
        created = client.post("/api/v1/articles", json={"url": story}, headers=AUTH)
        assert created.status_code == 201, created.text
        other_port = site.add("/elsewhere", b"", status=302, headers={"Location": "http://127.0.0.1:1/"})
        error = _error_after(client, other_port)
        assert error["reason"] == "blocked_address"
    with make_client(database_url, fetch_allow="127.0.0.1:1, intranet.local:8443") as client:
        error = _error_after(client, site.add("/another", article_page("Another story")))
        assert error["reason"] == "blocked_address"


def _error_after(client: TestClient, url: str) -> dict[str, Any]:
    answer = client.post("/api/v1/articles", json={"url": url}, headers=AUTH)
    assert answer.status_code == 422, answer.text
    error: dict[str, Any] = answer.json()["error"]
    return error


def test_a_refusal_does_not_say_what_a_name_resolves_to(site: Site, database_url: str) -> None:
    port = site.base.rsplit(":", 1)[1]
    with make_client(database_url, fetch_allow="") as client:
        error = fetch_error(client, f"http://localhost:{port}/story")
    assert error["reason"] == "blocked_address"
    assert "refused: not a public address" in error["message"]
    assert "127.0.0.1" not in error["message"] and "::1" not in error["message"]


def test_cli_refusal_does_not_say_what_a_name_resolves_to(
    loopback_cli_env: str, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBRIEF_FETCH_ALLOW", "")
    result = run_cli("ingest", "http://localhost:9/story")
    assert result.code == 1
    assert "[blocked_address]" in result.err and "not a public address" in result.err
    assert "127.0.0.1" not in result.err and "::1" not in result.err


@pytest.mark.parametrize("url", ["http://[::1/", "https://news.example:99999/story"])
def test_a_url_that_does_not_parse_is_a_4xx_on_every_path(database_url: str, url: str) -> None:
    settings = Settings(database_url=database_url, api_keys="key", respect_robots=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for path in ("/api/v1/articles", "/api/v1/feeds"):
            response = client.post(path, json={"url": url}, headers={"Authorization": "Bearer key"})
            assert 400 <= response.status_code < 500, (path, response.text)
        response = client.get("/api/v1/summary", params={"url": url})
        assert response.status_code == 404


# A resolver that does not answer fails the fetch within its deadline (dns_timeout), on every surface -------

SLOW_DNS_STORY = "http://slow-dns.example/story"


@pytest.mark.parametrize("endpoint", ["/api/v1/articles", "/api/v1/feeds"])
def test_a_hung_dns_lookup_is_a_4xx_within_the_fetch_deadline(
    database_url: str, hung_dns: HungResolver, endpoint: str
) -> None:
    with make_client(database_url, fetch_timeout=1) as client:
        started = time.monotonic()
        error = fetch_error(client, SLOW_DNS_STORY, endpoint=endpoint)
        elapsed = time.monotonic() - started
    assert error["reason"] == "dns_timeout", error
    assert "cannot resolve slow-dns.example within the fetch's 1 s" in error["message"]
    assert elapsed < 10  # the lookup hangs for a minute: the request answers at the 1 s deadline
    assert hung_dns.calls == 1  # robots.txt's fetch hit it; the page's fetch was not tried after


def test_a_hung_dns_lookup_fails_one_cli_ingest_with_one_line(
    loopback_cli_env: str,
    run_cli: Callable[..., CliResult],
    hung_dns: HungResolver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSBRIEF_FETCH_TIMEOUT", "1")
    started = time.monotonic()
    result = run_cli("ingest", SLOW_DNS_STORY)
    assert time.monotonic() - started < 10
    assert result.code == 1
    [line] = result.err.splitlines()
    assert line.startswith(f"error: {SLOW_DNS_STORY}: ") and line.endswith("[dns_timeout]"), line
    assert "Traceback" not in result.err and "internal error" not in result.err.lower()
