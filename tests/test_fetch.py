"""The guarded fetch against real HTTP servers on 127.0.0.1 (allowlisted) serving hostile answers."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsbrief.errors import FetchFailed
from newsbrief.models import Validators
from newsbrief.net.fetch import (
    DENIED_NETWORKS,
    DNS_LOOKUP_SLOTS,
    FetchPolicy,
    fetch,
    fetch_html,
    is_allowed,
    is_public,
    refusal_reason,
    resolve_checked,
)
from tests.conftest import HungResolver
from tests.site import running_site

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
            "/to-slow-dns": lambda: self._send(302, b"", Location="http://slow-dns.example/story"),
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


# The DNS lookup counts against the fetch's deadline ------------------------------------------------------


@pytest.mark.parametrize(
    "path", [pytest.param("", id="the-url"), pytest.param("/to-slow-dns", id="a-redirect-target")]
)
def test_a_lookup_that_does_not_answer_fails_the_fetch_within_its_deadline(
    server: str, hung_dns: HungResolver, path: str
) -> None:
    url = server + path if path else "http://slow-dns.example/story"
    policy = FetchPolicy(allow=frozenset({"127.0.0.1"}), deadline_seconds=1)
    started = time.monotonic()
    with pytest.raises(FetchFailed) as failure:
        fetch_html(url, policy)
    assert failure.value.reason == "dns_timeout"
    assert "cannot resolve slow-dns.example within the fetch's 1 s" in failure.value.message
    assert "93.184.216.34" not in failure.value.message  # what the name resolves to stays unsaid
    # The lookup hangs for a minute; the fetch gives up at its 1 s deadline (slack for a loaded machine).
    assert time.monotonic() - started < 10
    assert hung_dns.calls == 1


def test_lookups_that_do_not_answer_hold_a_few_threads_at_most(hung_dns: HungResolver) -> None:
    policy = FetchPolicy(deadline_seconds=0.05)
    for _ in range(DNS_LOOKUP_SLOTS + 3):  # the last ones find every slot taken by a hung lookup
        with pytest.raises(FetchFailed) as failure:
            resolve_checked("slow-dns.example", 443, policy)
        assert failure.value.reason == "dns_timeout"
    assert "earlier lookups are still waiting for the resolver" in failure.value.message
    assert hung_dns.calls == DNS_LOOKUP_SLOTS
    hung = [thread for thread in threading.enumerate() if thread.name == "newsbrief-dns"]
    assert len(hung) == DNS_LOOKUP_SLOTS
    # Address literals need no lookup, so no slot: they are still checked (and refused) at once.
    with pytest.raises(FetchFailed) as failure:
        resolve_checked("10.0.0.1", 80, policy)
    assert failure.value.reason == "blocked_address"
    hung_dns.release.set()
    for thread in hung:
        thread.join(10)
    answered = resolve_checked("news.example", 443, policy, lookup=lambda host, port: ["93.184.216.34"])
    assert str(answered) == "93.184.216.34"


def test_an_injected_lookup_is_checked_like_the_system_one() -> None:
    policy = FetchPolicy(deadline_seconds=1)
    with pytest.raises(FetchFailed) as failure:  # one private address among public ones is enough
        resolve_checked("mixed.example", 80, policy, lookup=lambda host, port: ["93.184.216.34", "10.0.0.7"])
    assert failure.value.reason == "blocked_address"
    assert "10.0.0.7" not in failure.value.message
    scoped = resolve_checked("v6.example", 80, policy, lookup=lambda host, port: ["2606:4700::1%eth0"])
    assert str(scoped) == "2606:4700::1"

    def no_such_name(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(FetchFailed) as failure:
        resolve_checked("gone.example", 80, policy, lookup=no_such_name)
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


# Issue 12, item 15: the deny table, address by address ----------------------------------------------------

REFUSED_ADDRESSES = [
    # IPv4 special-purpose blocks
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "100.100.100.200",  # a cloud metadata service, inside 100.64.0.0/10
    "100.127.255.254",
    "127.0.0.1",
    "127.255.255.254",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.254",
    "192.0.0.8",
    "192.0.2.1",
    "192.88.99.1",
    "192.168.1.1",
    "198.18.0.1",
    "198.51.100.1",
    "203.0.113.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    # IPv6 special-purpose blocks
    "::",
    "::1",
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "::ffff:0:7f00:1",  # IPv4-translated
    "100::1",
    "2001:db8::1",
    "2001:2::1",
    "2001:10::1",
    "3fff::1",
    "5f00::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fec0::1",  # site-local (deprecated): ipaddress's flags miss it
    "feff::1",
    "ff02::1",
    # IPv4 carried inside IPv6, unwrapped and checked
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:100.100.100.200",
    "::ffff:169.254.169.254",
    "2002:7f00:1::",  # 6to4 around 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 around 169.254.169.254
    "2002:6464:64c8::1",  # 6to4 around 100.100.100.200
    "2002:c0a8:101::1",  # 6to4 around 192.168.1.1
    "64:ff9b::7f00:1",  # NAT64 around 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
    "64:ff9b::100.100.100.200",
    "64:ff9b:1::808:808",  # local-use NAT64 (RFC 8215)
    "2001:0:808:808::80ff:fffe",  # Teredo: client 127.0.0.1 (stored inverted)
    "2001:0:a9fe:a9fe::f7f7:f7f7",  # Teredo: server 169.254.169.254
    "2001:0:808:808::f7f7:f7f7",  # Teredo with public ends: still a tunnel
]
PUBLIC_ADDRESSES = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "100.63.255.255",  # just below 100.64.0.0/10
    "100.128.0.1",  # just above it
    "2606:4700:4700::1111",
    "2a00:1450:4001:81c::200e",
    "::ffff:8.8.8.8",  # IPv4-mapped: the connection goes to 8.8.8.8
    "64:ff9b::808:808",  # NAT64 to 8.8.8.8 (how IPv6-only hosts reach IPv4 sites)
    "2002:808:808::1",  # 6to4 around 8.8.8.8
]


@pytest.mark.parametrize("text", REFUSED_ADDRESSES)
def test_non_public_addresses_are_refused_with_a_reason(text: str) -> None:
    address = ipaddress.ip_address(text)
    assert not is_public(address)
    literal = f"[{text}]" if ":" in text else text
    with pytest.raises(FetchFailed) as failure:  # refused before any connection is tried
        fetch_html(f"http://{literal}/", FetchPolicy(deadline_seconds=2))
    assert failure.value.reason == "blocked_address"
    assert refusal_reason(address)


@pytest.mark.parametrize("text", PUBLIC_ADDRESSES)
def test_public_addresses_pass(text: str) -> None:
    assert is_public(ipaddress.ip_address(text))
    assert refusal_reason(ipaddress.ip_address(text)) is None


def test_every_deny_table_entry_says_why() -> None:
    assert len(DENIED_NETWORKS) >= 25
    for network, why in DENIED_NETWORKS:
        assert why.strip(), network
        assert not is_public(network.network_address), network


# Item 16: allowlist entries with a port -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "host", "port", "address", "allowed"),
    [
        ("127.0.0.1", "127.0.0.1", 8080, "127.0.0.1", True),
        ("127.0.0.1:8080", "127.0.0.1", 8080, "127.0.0.1", True),
        ("127.0.0.1:8080", "127.0.0.1", 8081, "127.0.0.1", False),
        ("127.0.0.1:8080", "intranet.local", 8080, "127.0.0.1", True),
        ("intranet.local:8443", "intranet.local", 8443, "10.1.2.3", True),
        ("intranet.local:8443", "INTRANET.local.", 8443, "10.1.2.3", True),
        ("intranet.local:8443", "intranet.local", 443, "10.1.2.3", False),
        ("intranet.local", "intranet.local", 443, "10.1.2.3", True),
        ("intranet.local", "other.local", 443, "10.1.2.3", False),
        ("10.0.0.0/8", "intranet.local", 443, "10.1.2.3", True),
        ("10.0.0.0/8:443", "intranet.local", 443, "10.1.2.3", True),
        ("10.0.0.0/8:443", "intranet.local", 80, "10.1.2.3", False),
        ("::1", "localhost", 80, "::1", True),
        ("[::1]:8080", "localhost", 8080, "::1", True),
        ("[::1]:8080", "localhost", 80, "::1", False),
        ("[fd00::/8]:443", "intranet.local", 443, "fd12::1", True),
        ("intranet.local:99999", "intranet.local", 99999, "10.1.2.3", False),  # no such port
        ("intranet.local:http", "intranet.local", 80, "10.1.2.3", False),  # not a port number
    ],
)
def test_allow_entries_with_and_without_a_port(
    entry: str, host: str, port: int, address: str, allowed: bool
) -> None:
    assert is_allowed(frozenset({entry}), host, port, ipaddress.ip_address(address)) is allowed


def test_a_host_port_entry_opens_that_port_only(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    exact = FetchPolicy(allow=frozenset({f"127.0.0.1:{port}"}), deadline_seconds=3)
    assert b"Bridge opens" in fetch_html(server + "/article", exact).body
    other = FetchPolicy(allow=frozenset({f"127.0.0.1:{port + 1}"}), deadline_seconds=3)
    with pytest.raises(FetchFailed) as failure:
        fetch_html(server + "/article", other)
    assert failure.value.reason == "blocked_address"
    assert str(failure.value).count("127.0.0.1") == 1  # the host as given, never what it resolved to


def test_a_refusal_names_the_host_but_not_its_addresses() -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch_html("http://localhost/", FetchPolicy(deadline_seconds=2))
    assert failure.value.reason == "blocked_address"
    assert "localhost refused: not a public address" in str(failure.value)
    assert "127.0.0.1" not in str(failure.value) and "::1" not in str(failure.value)


# Items 3 and 4: malformed redirects and corrupt compressed bodies --------------------------------------


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http:\\\\host/", "bad_redirect"),
        ("/a\\b", "bad_redirect"),
        ("http://host:99999/", "bad_redirect"),
        ("http://host:0/", "bad_redirect"),
        ("http://[::1/", "bad_redirect"),
        ("http://host:abc/", "bad_redirect"),
        ("http://ho\x7fst/", "bad_redirect"),
        ("http:///path", "bad_redirect"),
        ("", "bad_redirect"),
        ("ftp://host/file", "bad_scheme"),
        ("/article?q=a\\b", None),  # a backslash in the query is only data
        ("  /article  ", None),  # surrounding blanks are not part of the value
    ],
)
def test_malformed_redirects_fail_with_a_reason(location: str, reason: str | None) -> None:
    with running_site() as site:
        site.add("/article", ARTICLE)
        site.add("/article?q=a\\b", ARTICLE)
        url = site.add("/moved", b"", status=302, headers={"Location": location})
        if reason is None:
            assert b"Bridge opens" in fetch_html(url, ALLOW_LOOPBACK).body
            return
        with pytest.raises(FetchFailed) as failure:
            fetch_html(url, ALLOW_LOOPBACK)
    assert failure.value.reason == reason


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999/",
        "http://127.0.0.1:0/",
        "http://[::1/",
        "http://127.0.0.1/a\x00b",
        "http:///x",
    ],
)
def test_malformed_urls_fail_with_a_reason(url: str) -> None:
    with pytest.raises(FetchFailed) as failure:
        fetch_html(url, ALLOW_LOOPBACK)
    assert failure.value.reason == "bad_url"


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", ARTICLE),
        ("x-gzip", ARTICLE),
        ("deflate", ARTICLE),
        ("gzip", gzip.compress(ARTICLE)[:60]),  # cut short
        ("deflate", b"x\x9c" + b"\xff" * 100),  # garbled after a valid header
        ("br", ARTICLE),  # not decoded here, so never asked for
    ],
)
def test_a_body_that_does_not_decode_is_bad_encoding(encoding: str, body: bytes) -> None:
    with running_site() as site:
        url = site.add("/story", body, headers={"Content-Encoding": encoding})
        with pytest.raises(FetchFailed) as failure:
            fetch_html(url, ALLOW_LOOPBACK)
        assert failure.value.reason == "bad_encoding"
        assert site.requests_to("/story")[0].headers["accept-encoding"] == "gzip, deflate"


def test_an_empty_compressed_answer_is_not_an_encoding_error() -> None:
    def not_modified(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(304)  # no body, but the headers of the (gzipped) page it stands for
        handler.send_header("ETag", '"v1"')
        handler.send_header("Content-Encoding", "gzip")
        handler.end_headers()

    with running_site() as site:
        url = site.add("/story", handler=not_modified)
        page = fetch(url, ALLOW_LOOPBACK, validators=Validators(etag='"v1"'))
    assert page.not_modified and page.body == b""
