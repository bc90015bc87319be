"""Fetching a page safely (the only outbound path): checked addresses, redirects, size and a total deadline.

- Only http and https. The host is resolved once and every address is checked: loopback, private,
  link-local, multicast, reserved and unspecified addresses (IPv4 and IPv6, IPv4-mapped forms included, and
  decimal or octal spellings, which resolve to the same numbers) are refused unless allowlisted.
- The connection goes to the very address that was checked (the URL is rewritten to it; the Host header and
  TLS SNI/certificate checks keep the name), so a DNS server cannot answer differently the second time.
- Redirects are followed by hand, each hop checked the same way, up to a limit.
- The body is streamed and counted after decompression, so neither a huge body nor a compression bomb is
  held past the limit; a total deadline bounds the whole fetch, however slowly the server drips.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from newsbrief._version import __version__
from newsbrief.errors import NewsbriefError

USER_AGENT = f"newsbrief/{__version__} (+https://github.com/newsbrief; summaries on request)"
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchFailed(NewsbriefError):
    """A URL that could not be fetched; ``reason`` says why (blocked_address, timeout, too_large, ...)."""

    code = "fetch_failed"
    status = 422

    def __init__(self, reason: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message, reason=reason)
        self.http_status = status  # what the server answered, when it answered with an error


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits of one fetch; ``allow`` lists hosts, addresses or networks permitted despite being private."""

    allow: frozenset[str] = field(default_factory=frozenset)
    max_bytes: int = 10_000_000
    deadline_seconds: float = 15.0
    max_redirects: int = 5
    user_agent: str = USER_AGENT


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server said about a page's version, sent back on re-fetch (conditional GET)."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    validators: Validators = Validators()

    @property
    def not_modified(self) -> bool:
        """The server answered 304: the copy we have is current (``body`` is empty)."""
        return self.status == 304


def is_public(address: Address) -> bool:
    """True for addresses on the public internet."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _allowed(host: str, address: Address, allow: Iterable[str]) -> bool:
    for entry in allow:
        if entry.lower() == host.lower():
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def resolve_checked(host: str, port: int, policy: FetchPolicy) -> Address:
    """The first address of ``host``, after checking that every address it resolves to may be fetched."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchFailed("dns_failure", f"cannot resolve {host}: {error}") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise FetchFailed("dns_failure", f"{host} has no address")
    for address in addresses:
        if not is_public(address) and not _allowed(host, address, policy.allow):
            raise FetchFailed(
                "blocked_address", f"{host} resolves to {address}, which is not a public address"
            )
    return addresses[0]


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
    current = url
    with httpx.Client(follow_redirects=False, verify=True, trust_env=False) as client:
        for _ in range(policy.max_redirects + 1):
            response_or_location = _fetch_once(client, current, policy, deadline, validators, accept)
            if isinstance(response_or_location, FetchedPage):
                return response_or_location
            current = response_or_location
    raise FetchFailed("too_many_redirects", f"more than {policy.max_redirects} redirects")


def _fetch_once(
    client: httpx.Client,
    url: str,
    policy: FetchPolicy,
    deadline: float,
    validators: Validators | None,
    accept: str,
) -> FetchedPage | str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchFailed("bad_scheme", f"only http and https URLs can be fetched, not {url[:80]!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_checked(parts.hostname, port, policy)
    literal = f"[{address}]" if address.version == 6 else str(address)
    pinned = urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed("timeout", f"no answer within {policy.deadline_seconds:g} s")
    headers = {
        "Host": parts.netloc.rsplit("@", 1)[-1],
        "User-Agent": policy.user_agent,
        "Accept": accept,
    }
    if validators is not None and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators is not None and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    try:
        with client.stream(
            "GET",
            pinned,
            headers=headers,
            timeout=httpx.Timeout(min(remaining, 10.0)),
            extensions={"sni_hostname": parts.hostname},
        ) as response:
            if response.has_redirect_location:
                location = response.headers.get("location", "")
                return str(urljoin(url, location))
            body = _read_limited(response, policy, deadline)
    except httpx.TimeoutException:
        raise FetchFailed("timeout", f"no answer within {policy.deadline_seconds:g} s") from None
    except httpx.ConnectError as error:
        reason = (
            "tls_failure"
            if "SSL" in str(error) or "certificate" in str(error).lower()
            else "connection_failed"
        )
        raise FetchFailed(reason, f"cannot connect to {parts.hostname}: {error}") from None
    except httpx.HTTPError as error:
        raise FetchFailed("connection_failed", f"fetching {parts.hostname} failed: {error}") from None
    if response.status_code >= 400:
        raise FetchFailed(
            "http_error", f"the server answered {response.status_code}", status=response.status_code
        )
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return FetchedPage(
        url=url,
        status=response.status_code,
        content_type=content_type,
        charset=response.charset_encoding,
        body=body,
        validators=Validators(
            etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified")
        ),
    )


def _read_limited(response: httpx.Response, policy: FetchPolicy, deadline: float) -> bytes:
    """The body, decompressed by us in bounded steps: zlib never inflates more than the room that is left."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchFailed("too_large", f"the page is over the {policy.max_bytes:,}-byte limit")
    decoder = _decoder(response.headers.get("content-encoding", "identity").strip().lower())
    body = bytearray()
    for raw in response.iter_raw():  # whatever has arrived: the deadline is checked after every read
        pending = raw
        while pending:
            room = policy.max_bytes - len(body) + 1
            if decoder is None:
                piece, pending = pending[:room], pending[room:]
            else:
                piece = decoder.decompress(pending, room)
                pending = decoder.unconsumed_tail
            body += piece
            if len(body) > policy.max_bytes:
                raise FetchFailed("too_large", f"the page is over the {policy.max_bytes:,}-byte limit")
            if not piece:
                break
        if time.monotonic() > deadline:
            raise FetchFailed("timeout", f"the page did not arrive within {policy.deadline_seconds:g} s")
    return bytes(body)


def _decoder(encoding: str) -> zlib._Decompress | None:
    if encoding in ("identity", ""):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise FetchFailed("bad_encoding", f"unsupported content encoding {encoding!r}")


HTML_TYPES = ("text/html", "application/xhtml+xml", "")


def fetch_html(url: str, policy: FetchPolicy, *, validators: Validators | None = None) -> FetchedPage:
    """``fetch`` that also refuses what is not a web page (PDF, images, binary)."""
    page = fetch(url, policy, validators=validators)
    if page.not_modified:
        return page
    if page.content_type not in HTML_TYPES:
        raise FetchFailed("not_html", f"the URL is {page.content_type}, not a web page")
    if not page.body.strip():
        raise FetchFailed("empty_page", "the server sent an empty page")
    return page
