"""Fetching a page safely (the only outbound path): checked addresses, redirects, size and a total deadline.

- Only http and https, parsed by the same parser that sends the request (httpx), so the host we check is the
  host we connect to; a URL or a redirect's Location that it cannot parse, or that browsers read differently
  (a backslash before the query, control characters), fails as ``bad_url`` / ``bad_redirect``.
- The host is resolved once and every address is checked against ``DENIED_NETWORKS`` (network -> why):
  loopback, private, CGNAT, link-local, site-local, documentation, multicast, reserved... IPv4 carried in
  IPv6 (IPv4-mapped, NAT64, 6to4, Teredo) is unwrapped and checked too; decimal or octal spellings resolve
  to the same numbers. Allowlist entries (hosts, addresses, networks, each optionally ``:port``) lift it.
- A refusal names the host as given, never what it resolved to: internal DNS stays internal.
- The lookup counts against the fetch's deadline too: it runs on a thread of its own (a bounded number of
  them) and a fetch stops waiting for it when the deadline passes (``dns_timeout``).
- The connection goes to the very address that was checked (the URL is rewritten to it; the Host header and
  TLS SNI/certificate checks keep the name), so a DNS server cannot answer differently the second time.
- Redirects are followed by hand, each hop checked the same way, up to a limit. The request goes straight
  to the transport, so nothing but this module ever parses a Location.
- The body is streamed and counted after decompression, so neither a huge body nor a compression bomb is
  held past the limit; a body that does not decompress is ``bad_encoding``; a total deadline bounds the
  whole fetch, however slowly the server drips.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from newsbrief._version import __version__
from newsbrief.errors import FetchFailed
from newsbrief.models import Validators

LOGGER = logging.getLogger(__name__)
USER_AGENT = f"newsbrief/{__version__} (+https://github.com/newsbrief; summaries on request)"
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# What _read_limited decodes in bounded steps (zlib); br and zstd would need decoders we lack: not asked for.
ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits of one fetch; ``allow`` lists hosts, addresses or networks (CIDR), each optionally with a
    ``:port`` (``[v6]:port`` for IPv6), permitted despite being private (see ``is_allowed``)."""

    allow: frozenset[str] = field(default_factory=frozenset)
    max_bytes: int = 10_000_000
    deadline_seconds: float = 15.0
    max_redirects: int = 5
    user_agent: str = USER_AGENT


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    validators: Validators = field(default_factory=Validators)
    # The response's Content-Location: the base URL for relative links in the document, when given.
    content_location: str | None = None

    @property
    def not_modified(self) -> bool:
        """The server answered 304: the copy we have is current (``body`` is empty)."""
        return self.status == 304


# Destinations that are not the public internet, network -> why: the IANA IPv4 and IPv6 special-purpose
# address registries (RFC 6890 and later) and the deprecated blocks some networks still route. Explicit
# rather than ipaddress's is_private & co, which miss some (100.64.0.0/10, fec0::/10) and change between
# Python versions; their is_global stays as a backstop for whatever this table misses.
DENIED_NETWORKS: tuple[tuple[Network, str], ...] = tuple(
    (ipaddress.ip_network(network), why)
    for network, why in (
        ("0.0.0.0/8", "'this network' (0.0.0.0 reaches the local host)"),
        ("10.0.0.0/8", "private network (RFC 1918)"),
        ("100.64.0.0/10", "shared address space, carrier-grade NAT (cloud metadata at 100.100.100.200)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local (cloud metadata at 169.254.169.254)"),
        ("172.16.0.0/12", "private network (RFC 1918)"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation (TEST-NET-1)"),
        ("192.88.99.0/24", "6to4 relay anycast (deprecated)"),
        ("192.168.0.0/16", "private network (RFC 1918)"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation (TEST-NET-2)"),
        ("203.0.113.0/24", "documentation (TEST-NET-3)"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved, and the 255.255.255.255 broadcast"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "IPv4-compatible (deprecated)"),
        ("::/8", "reserved by the IETF (IPv4-translated ::ffff:0:0:0/96 included)"),
        ("64:ff9b:1::/48", "local-use NAT64 (RFC 8215): translated inside a network"),
        ("100::/64", "discard-only"),
        ("2001::/32", "Teredo tunnel"),
        ("2001:2::/48", "benchmarking"),
        ("2001:10::/28", "ORCHID (deprecated)"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation (RFC 9637)"),
        ("5f00::/16", "SRv6 segment identifiers (RFC 9602)"),
        ("fc00::/7", "unique local (private)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local (deprecated, still routed inside some networks)"),
        ("ff00::/8", "multicast"),
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV6_UNICAST = ipaddress.ip_network("2000::/3")


def _carried_ipv4(address: ipaddress.IPv6Address) -> tuple[str, tuple[ipaddress.IPv4Address, ...]] | None:
    """The IPv4 addresses an IPv6 address carries (and how), or None: each reaches an IPv4 host."""
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", (address.ipv4_mapped,)
    if address in _NAT64:
        return "NAT64", (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF),)
    if address.sixtofour is not None:
        return "6to4", (address.sixtofour,)
    if address.teredo is not None:
        return "Teredo", address.teredo  # (server, client), the client already un-inverted
    return None


def refusal_reason(address: Address) -> str | None:
    """Why ``address`` is not on the public internet, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = _carried_ipv4(address)
        if carried is not None:
            kind, inner = carried
            for ipv4 in inner:
                why = refusal_reason(ipv4)
                if why is not None:
                    return f"{kind} address carrying {why}"
            if kind in ("IPv4-mapped", "NAT64"):
                return None  # the packets go to the carried address itself, which is public
    for network, why in DENIED_NETWORKS:
        if address in network:
            return why
    if isinstance(address, ipaddress.IPv6Address) and address not in _IPV6_UNICAST:
        return "outside IPv6 global unicast (2000::/3)"
    if not address.is_global:
        return "not globally reachable"
    return None


def is_public(address: Address) -> bool:
    """True for addresses on the public internet."""
    return refusal_reason(address) is None


@dataclass(frozen=True, slots=True)
class AllowEntry:
    """One allowlist entry: a host name or a network, and the one port it opens (None: any port)."""

    host: str | None
    network: Network | None
    port: int | None

    def matches(self, host: str, port: int, address: Address) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.host is not None:
            return self.host == _host_key(host)
        return self.network is not None and address in self.network


def _host_key(host: str) -> str:
    return host.lower().rstrip(".")


def _valid_port(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 65536 else None


def _network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def parse_allow_entry(entry: str) -> AllowEntry | None:
    """``host``, ``address``, ``network/len``, or any of them with ``:port`` (IPv6 in brackets:
    ``[::1]:8080``, ``[fd00::/8]:443``); None for an entry that is none of these (it allows nothing)."""
    text = entry.strip()
    if not text:
        return None
    whole = _network(text)
    if whole is not None:  # "::1" is an address, not host "::" port 1
        return AllowEntry(None, whole, None)
    port: int | None = None
    if text.startswith("["):
        inside, _, rest = text[1:].partition("]")
        if rest:
            port = _valid_port(rest[1:]) if rest.startswith(":") else None
            if port is None:
                return None
        network = _network(inside)
        return None if network is None else AllowEntry(None, network, port)
    head, colon, tail = text.rpartition(":")
    if colon:
        port = _valid_port(tail)
        if port is None or ":" in head or not head:
            return None
        text = head
    network = _network(text)
    if network is not None:
        return AllowEntry(None, network, port)
    return AllowEntry(_host_key(text), None, port)


def is_allowed(allow: Iterable[str], host: str, port: int, address: Address) -> bool:
    """Whether an allowlist entry lets ``host`` (resolved to ``address``) be fetched on ``port``."""
    for text in allow:
        entry = parse_allow_entry(text)
        if entry is not None and entry.matches(host, port, address):
            return True
    return False


def _is_address(host: str) -> bool:
    """An address literal: nothing to look up (nor to wait for, even when every lookup slot is taken)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# A lookup: host and port -> the addresses they resolve to (as getaddrinfo gives them, zone ids and all).
Lookup = Callable[[str, int], list[str]]


def system_lookup(host: str, port: int) -> list[str]:
    """The addresses of ``host`` from the system resolver (getaddrinfo); the hook tests replace."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


# getaddrinfo cannot be cancelled: it blocks in C until the resolver answers or gives up by its own timeouts
# (resolv.conf's default, 5 s x 2 attempts per server), so a lookup whose fetch stopped waiting for it still
# holds its thread until then. Those threads are bounded by these slots: a fetch that finds all of them busy
# waits for one only until its own deadline, then fails (dns_timeout), so a resolver that hangs costs at most
# this many stray threads, never one per fetch, and no fetch queues past its deadline. 8 is well above the
# lookups a healthy resolver has in flight at once (each takes milliseconds). The threads are daemons: a
# stuck lookup must not hold up the exit of a CLI command that has already reported the failure (an
# executor's threads are joined at exit).
DNS_LOOKUP_SLOTS = 8
_LOOKUP_SLOTS = threading.BoundedSemaphore(DNS_LOOKUP_SLOTS)


def _free_all_lookup_slots() -> None:
    # A forked child has none of its parent's lookup threads, which would never give their slots back.
    global _LOOKUP_SLOTS
    _LOOKUP_SLOTS = threading.BoundedSemaphore(DNS_LOOKUP_SLOTS)


os.register_at_fork(after_in_child=_free_all_lookup_slots)


@dataclass(slots=True)
class _Answer:
    """What a lookup thread hands back: the addresses, or the error it raised."""

    done: threading.Event = field(default_factory=threading.Event)
    addresses: list[str] = field(default_factory=list)
    error: BaseException | None = None


def _run_lookup(lookup: Lookup, host: str, port: int, answer: _Answer) -> None:
    try:
        answer.addresses = lookup(host, port)
    except BaseException as error:  # handed to the waiting fetch, which decides what it means
        answer.error = error
    finally:
        _LOOKUP_SLOTS.release()
        answer.done.set()


def _lookup_within(lookup: Lookup, host: str, port: int, deadline: float, budget: float) -> list[str]:
    """``lookup(host, port)``, given up at ``deadline`` (FetchFailed ``dns_timeout``; the lookup's thread
    is left to finish on its own); ``budget`` is the fetch's whole deadline, for the message."""
    if _is_address(host):
        return [host]
    if not _LOOKUP_SLOTS.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
        raise FetchFailed(
            f"cannot resolve {host} within the fetch's {budget:g} s: {DNS_LOOKUP_SLOTS} earlier lookups are "
            "still waiting for the resolver",
            reason="dns_timeout",
        )
    answer = _Answer()
    try:
        thread = threading.Thread(
            target=_run_lookup, args=(lookup, host, port, answer), name="newsbrief-dns", daemon=True
        )
        thread.start()
    except BaseException:  # no thread (the process is out of them): the slot was never used
        _LOOKUP_SLOTS.release()
        raise
    if not answer.done.wait(max(deadline - time.monotonic(), 0.0)):
        raise FetchFailed(f"cannot resolve {host} within the fetch's {budget:g} s", reason="dns_timeout")
    if answer.error is not None:
        raise answer.error
    return answer.addresses


def resolve_checked(
    host: str,
    port: int,
    policy: FetchPolicy,
    *,
    deadline: float | None = None,
    lookup: Lookup | None = None,
) -> Address:
    """The first address of ``host``, after checking that every address it resolves to may be fetched.

    The lookup is given up at ``deadline`` (``time.monotonic()``; default: the policy's whole deadline from
    now) with FetchFailed ``dns_timeout``. ``lookup`` defaults to ``system_lookup``, read at call time.
    A refusal does not say which address was refused: what internal names resolve to is nobody's business
    (it is logged for the operator)."""
    if deadline is None:
        deadline = time.monotonic() + policy.deadline_seconds
    try:
        found = _lookup_within(lookup or system_lookup, host, port, deadline, policy.deadline_seconds)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchFailed(f"cannot resolve {host}: {error}", reason="dns_failure") from None
    addresses = [ipaddress.ip_address(address.split("%")[0]) for address in found]
    if not addresses:
        raise FetchFailed(f"{host} has no address", reason="dns_failure")
    for address in addresses:
        why = refusal_reason(address)
        if why is not None and not is_allowed(policy.allow, host, port, address):
            LOGGER.info("refused %s port %d: it resolves to %s (%s)", host, port, address, why)
            raise FetchFailed(f"{host} refused: not a public address", reason="blocked_address")
    return addresses[0]


@dataclass(frozen=True, slots=True)
class _Target:
    """A URL as httpx reads it (the reading the request is sent with), checked; ``url`` as given."""

    url: str
    parsed: httpx.URL
    host: str  # ASCII (IDNA) name or address literal, without brackets
    port: int

    def host_header(self) -> str:
        literal = f"[{self.host}]" if ":" in self.host else self.host
        return literal if self.parsed.port is None else f"{literal}:{self.parsed.port}"

    def pinned(self, address: Address) -> httpx.URL:
        """The same request aimed at ``address`` (no user info, no fragment: neither is sent)."""
        return httpx.URL(
            scheme=self.parsed.scheme, host=str(address), port=self.port, raw_path=self.parsed.raw_path
        )


_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _checked_text(text: str, reason: str, what: str) -> str:
    """``text`` without surrounding blanks; refused when it is empty or browsers would read it otherwise
    than httpx (RFC 3986): a backslash before the query (a browser takes it for a slash), a control
    character, or slashes that do not introduce a host (``http:/x``, ``http:///x``, ``///x``: a browser
    skips them and takes ``x`` for the host, httpx keeps the current host)."""
    text = text.strip()
    before_query = text.split("?", 1)[0].split("#", 1)[0]
    scheme = _SCHEME.match(text)
    rest = text[scheme.end() :] if scheme else text
    if scheme is None:  # relative: "//host/..." or a path, but no empty host
        slashes_without_host = rest.startswith("//") and rest[2:3] in ("", "/", "?", "#")
    elif scheme.group().lower() in ("http:", "https:"):  # absolute: "//" and a host, nothing else
        slashes_without_host = not rest.startswith("//") or rest[2:3] in ("", "/", "?", "#")
    else:  # another scheme: refused as such (bad_scheme) once parsed
        slashes_without_host = False
    if (
        not text
        or "\\" in before_query
        or any(ord(char) < 0x20 or char == "\x7f" for char in text)
        or slashes_without_host
    ):
        raise FetchFailed(f"{what} is malformed: {text[:80]!r}", reason=reason)
    return text


_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)


def _parse_url(text: str, base: httpx.URL | None) -> httpx.URL:
    """``text`` as httpx reads it (joined to ``base`` when given).

    httpx refuses the legacy IPv4 spellings with leading zeros (``0177.0.0.1``) that browsers and
    getaddrinfo read as octal; those are respelled as the dotted quad they mean and checked as such."""
    try:
        return httpx.URL(text) if base is None else base.join(text)
    except httpx.InvalidURL:
        respelled = _dotted_quad_spelling(text)
        if respelled is None:
            raise
        return httpx.URL(respelled) if base is None else base.join(respelled)


def _dotted_quad_spelling(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if not host or not _NUMERIC_HOST.fullmatch(host):
        return None
    try:
        quad = str(ipaddress.IPv4Address(socket.inet_aton(host)))
    except OSError:
        return None
    userinfo, at, host_port = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{userinfo}{at}{quad}{host_port[len(host) :]}"))


def _target(url: str, base: httpx.URL | None, reason: str, what: str) -> _Target:
    """``url`` (relative to ``base`` when given) read and checked; FetchFailed(``reason``) when malformed."""
    text = _checked_text(url, reason, what)
    try:
        parsed = _parse_url(text, base)
        host = parsed.raw_host.decode("ascii")
        scheme = parsed.scheme
        explicit_port = parsed.port
    except (httpx.InvalidURL, UnicodeError, ValueError, TypeError) as error:
        raise FetchFailed(f"{what} is malformed ({error}): {text[:80]!r}", reason=reason) from None
    full = text if base is None else str(parsed)
    if scheme not in ("http", "https"):
        raise FetchFailed(f"only http and https URLs can be fetched, not {full[:80]!r}", reason="bad_scheme")
    port = explicit_port if explicit_port is not None else (443 if scheme == "https" else 80)
    if not host or not 0 < port < 65536:
        raise FetchFailed(f"{what} is malformed (no host, or no such port): {full[:80]!r}", reason=reason)
    return _Target(url=full, parsed=parsed, host=host, port=port)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` as the fetch reads it; FetchFailed (``bad_url``, ``bad_scheme``)
    for a URL the fetch would refuse to read, so callers can check a URL before anything else uses it."""
    target = _target(url, None, "bad_url", "the URL")
    return f"{target.parsed.scheme}://{target.host_header()}"


def fetch(
    url: str,
    policy: FetchPolicy,
    *,
    validators: Validators | None = None,
    accept: str = "text/html,*/*;q=0.5",
) -> FetchedPage:
    """GET ``url`` within ``policy``; raises FetchFailed with a reason code on any refusal or failure.

    With ``validators`` (from an earlier fetch of the same URL) the request is conditional and a server
    whose page has not changed answers 304: the result then has ``not_modified`` set and no body.
    """
    deadline = time.monotonic() + policy.deadline_seconds
    target = _target(url, None, "bad_url", "the URL")
    # The transport, not a Client: a Client parses every Location itself (even when not following it)
    # and raises its own errors on malformed ones; here only _target reads them, as it reads URLs.
    with httpx.HTTPTransport(verify=True, trust_env=False, retries=0) as transport:
        for _ in range(policy.max_redirects + 1):
            page_or_location = _fetch_once(transport, target, policy, deadline, validators, accept)
            if isinstance(page_or_location, FetchedPage):
                return page_or_location
            target = _target(page_or_location, target.parsed, "bad_redirect", "the redirect target")
    raise FetchFailed(f"more than {policy.max_redirects} redirects", reason="too_many_redirects")


def _fetch_once(
    transport: httpx.HTTPTransport,
    target: _Target,
    policy: FetchPolicy,
    deadline: float,
    validators: Validators | None,
    accept: str,
) -> FetchedPage | str:
    """The page at ``target``, or the Location it redirects to (unparsed)."""
    address = resolve_checked(target.host, target.port, policy, deadline=deadline)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed(f"no answer within {policy.deadline_seconds:g} s", reason="timeout")
    headers = {
        "Host": target.host_header(),
        "User-Agent": policy.user_agent,
        "Accept": accept,
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if validators is not None and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators is not None and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    try:
        request = httpx.Request(
            "GET",
            target.pinned(address),
            headers=headers,
            extensions={
                "sni_hostname": target.host,
                "timeout": httpx.Timeout(min(remaining, 10.0)).as_dict(),
            },
        )
        response = transport.handle_request(request)
        try:
            if response.has_redirect_location:
                return str(response.headers.get("location", ""))
            body = _read_limited(response, policy, deadline)
        finally:
            response.close()
    except httpx.TimeoutException:
        raise FetchFailed(f"no answer within {policy.deadline_seconds:g} s", reason="timeout") from None
    except httpx.ConnectError as error:
        reason = (
            "tls_failure"
            if "SSL" in str(error) or "certificate" in str(error).lower()
            else "connection_failed"
        )
        raise FetchFailed(f"cannot connect to {target.host}: {error}", reason=reason) from None
    except httpx.HTTPError as error:
        raise FetchFailed(f"fetching {target.host} failed: {error}", reason="connection_failed") from None
    except httpx.InvalidURL as error:  # not expected: the URL was parsed and checked by _target
        raise FetchFailed(f"the URL is malformed ({error}): {target.url[:80]!r}", reason="bad_url") from None
    if response.status_code >= 400:
        raise FetchFailed(
            f"the server answered {response.status_code}",
            reason="http_error",
            http_status=response.status_code,
        )
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return FetchedPage(
        url=target.url,
        status=response.status_code,
        content_type=content_type,
        charset=response.charset_encoding,
        body=body,
        validators=Validators(
            etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified")
        ),
        content_location=response.headers.get("content-location"),
    )


def _read_limited(response: httpx.Response, policy: FetchPolicy, deadline: float) -> bytes:
    """The body, decompressed by us in bounded steps: zlib never inflates more than the room that is left."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchFailed(f"the page is over the {policy.max_bytes:,}-byte limit", reason="too_large")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    decoder = _decoder(encoding)
    body = bytearray()
    received = False
    for raw in response.iter_raw():  # whatever has arrived: the deadline is checked after every read
        received = received or bool(raw)
        pending = raw
        while pending:
            room = policy.max_bytes - len(body) + 1
            if decoder is None:
                piece, pending = pending[:room], pending[room:]
            else:
                piece = _inflate(decoder, encoding, pending, room)
                pending = decoder.unconsumed_tail
            body += piece
            if len(body) > policy.max_bytes:
                raise FetchFailed(f"the page is over the {policy.max_bytes:,}-byte limit", reason="too_large")
            if not piece:
                break
        if time.monotonic() > deadline:
            raise FetchFailed(
                f"the page did not arrive within {policy.deadline_seconds:g} s", reason="timeout"
            )
    if decoder is not None and received and not decoder.eof:
        # A cut stream inflates without error, to part of the page: storing that would store half an article.
        raise FetchFailed(f"the {encoding} body ends before its compressed data does", reason="bad_encoding")
    return bytes(body)


def _inflate(decoder: zlib._Decompress, encoding: str, data: bytes, room: int) -> bytes:
    try:
        return decoder.decompress(data, room)
    except zlib.error:
        raise FetchFailed(f"the body is not valid {encoding} data", reason="bad_encoding") from None


def _decoder(encoding: str) -> zlib._Decompress | None:
    if encoding in ("identity", ""):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise FetchFailed(f"unsupported content encoding {encoding!r}", reason="bad_encoding")


HTML_TYPES = ("text/html", "application/xhtml+xml", "")


def fetch_html(url: str, policy: FetchPolicy, *, validators: Validators | None = None) -> FetchedPage:
    """``fetch`` that also refuses what is not a web page (PDF, images, binary)."""
    page = fetch(url, policy, validators=validators)
    if page.not_modified:
        return page
    if page.content_type not in HTML_TYPES:
        raise FetchFailed(f"the URL is {page.content_type}, not a web page", reason="not_html")
    if not page.body.strip():
        raise FetchFailed("the server sent an empty page", reason="empty_page")
    return page
