"""The guarded fetch against real HTTP servers on 127.0.0.1 (allowlisted) serving hostile answers."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsbrief.net.fetch import FetchFailed, FetchPolicy, fetch_html, is_public

ARTICLE = (
    b"<html><head><title>Bridge opens</title></head><body><article><h1>Bridge opens</h1>"
    b"<p>The new bridge over the river opened on Monday after two years of work, the council said.</p>"
    b"<p>About 14,000 vehicles a day are expected to cross it, easing traffic in the old town.</p>"
    b"</article></body></html>"
)
BOMB = gzip.compress(b"\0" * 200_000_000)  # ~200 KB on the wire, 200 MB inflated


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(
        self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        routes = {
            "/article": lambda: self._send(200, ARTICLE),
            "/redirect": lambda: self._send(302, b"", Location="/article"),
            "/to-private": lambda: self._send(302, b"", Location="http://10.0.0.1/secret"),
            "/to-metadata": lambda: self._send(302, b"", Location="http://169.254.169.254/latest/meta-data/"),
            "/loop": lambda: self._send(302, b"", Location="/loop"),
            "/missing": lambda: self._send(404, b"not here"),
            "/broken": lambda: self._send(500, b"oops"),
            "/pdf": lambda: self._send(200, b"%PDF-1.4 ...", "application/pdf"),
            "/empty": lambda: self._send(200, b""),
            "/bomb": lambda: self._send(200, BOMB, Content_Encoding="gzip"),
            "/gzipped": lambda: self._send(200, gzip.compress(ARTICLE), Content_Encoding="gzip"),
        }
        if self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no length: the size is only known by reading
            for _ in range(200):
                self.wfile.write(b"<p>" + b"x" * 100_000 + b"</p>")
            return
        if self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(60):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.25)
            return
        routes.get(self.path, lambda: self._send(404, b""))()


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the fetcher hangs up on huge, dripping and bomb answers on purpose: a broken pipe is expected


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


ALLOW_LOOPBACK = FetchPolicy(allow=frozenset({"127.0.0.1"}), max_bytes=2_000_000, deadline_seconds=3)


def test_fetches_an_allowlisted_page_and_follows_redirects(server: str) -> None:
    page = fetch_html(server + "/redirect", ALLOW_LOOPBACK)
    assert page.url.endswith("/article") and b"Bridge opens" in page.body


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        pytest.param("/to-private", "blocked_address", id="redirect-to-private"),
        pytest.param("/to-metadata", "blocked_address", id="redirect-to-link-local"),
        pytest.param("/loop", "too_many_redirects", id="redirect-loop"),
        pytest.param("/missing", "http_error", id="404"),
        pytest.param("/broken", "http_error", id="500"),
        pytest.param("/pdf", "not_html", id="pdf"),
        pytest.param("/empty", "empty_page", id="empty-200"),
        pytest.param("/huge", "too_large", id="huge-body"),
        pytest.param("/bomb", "too_large", id="gzip-bomb"),
        pytest.param("/drip", "timeout", id="slow-drip"),
    ],
)
def test_hostile_answers_fail_with_a_reason(server: str, path: str, reason: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchFailed) as failure:
        fetch_html(server + path, ALLOW_LOOPBACK)
    assert failure.value.reason == reason
    assert time.monotonic() - started < ALLOW_LOOPBACK.deadline_seconds + 2  # the deadline is total


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://2130706433/",  # 127.0.0.1 spelled as one decimal number
        "http://0177.0.0.1/",  # octal
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
    ],
)
def test_private_targets_are_refused_by_default(url: str) -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch_html(url, FetchPolicy(deadline_seconds=2))
    assert failure.value.reason in ("blocked_address", "dns_failure")


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a", "file:///etc/passwd", "javascript:alert(1)", "gopher://x/"]
)
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch_html(url, FetchPolicy())
    assert failure.value.reason == "bad_scheme"


def test_dns_failure() -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch_html("http://no-such-host.invalid/", FetchPolicy(deadline_seconds=2))
    assert failure.value.reason == "dns_failure"


def test_public_address_classification() -> None:
    import ipaddress

    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert not is_public(ipaddress.ip_address("::ffff:10.0.0.1"))
    assert not is_public(ipaddress.ip_address("fd00::1"))
    assert not is_public(ipaddress.ip_address("fe80::1"))


def test_gzip_bomb_costs_no_more_than_the_limit(server: str) -> None:
    import tracemalloc

    tracemalloc.start()
    with pytest.raises(FetchFailed):
        fetch_html(server + "/bomb", ALLOW_LOOPBACK)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < ALLOW_LOOPBACK.max_bytes * 2 + 1_000_000, (
        f"peak {peak:,} bytes for a {ALLOW_LOOPBACK.max_bytes:,} limit"
    )


def test_gzip_page_is_inflated(server: str) -> None:
    page = fetch_html(server + "/gzipped", ALLOW_LOOPBACK)
    assert b"Bridge opens" in page.body
