"""The service's web security, as small pure functions plus one ASGI middleware.

- links: only http(s) URLs become ``href``s (``http_url``);
- form posts: a browser says where a post comes from (Sec-Fetch-Site, Origin, Referer); a cross-site one
  is refused unless it carries proof (the bookmarklet's per-deployment token);
- login sessions: a signed cookie naming the key it was opened with, so revoking the key ends it;
- cross-origin API calls: reads (GET, HEAD and the widget's read-only POSTs) for NEWSBRIEF_CORS_ORIGINS,
  writes only for NEWSBRIEF_CORS_WRITE_ORIGINS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsbrief.config import Settings
from newsbrief.storage import repo

SESSION_COOKIE = "newsbrief_session"
SESSION_SECONDS = 14 * 24 * 3600
# Where cross-origin calls are answered at all: the JSON API and the probe the widget's hosts may check.
CORS_PATHS = ("/api/", "/healthz")
READ_METHODS = frozenset({"GET", "HEAD"})
# POSTs that store nothing: the widget summarizes its page's own HTML (and a summary may be checked).
READ_POSTS = frozenset({"/api/v1/summarize", "/api/v1/check"})
ALLOWED_HEADERS = "Authorization, Content-Type, If-None-Match"


def http_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None: only these may become links.

    Parsed as a browser would (leading spaces, tabs and newlines dropped), so ``" JavaScript:..."`` or
    ``"java\\tscript:..."`` are refused as well as ``javascript:...`` and ``data:...``."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit(parts)


def safe_next(path: str | None) -> str:
    """Where to go after logging in: a path on this site only (never ``//host`` or ``https://host``)."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return "/"
    return path


def is_same_origin(headers: Mapping[str, str], host: str) -> bool | None:
    """Whether a browser says the request comes from this site: True, False, or None when nothing says
    (a client that is not a browser, e.g. curl: it cannot be forged into posting by another site)."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site:
        return fetch_site in ("same-origin", "none")  # none: typed or bookmarked by the user
    for name in ("origin", "referer"):
        value = headers.get(name)
        if value:
            return value != "null" and urlsplit(value).netloc.lower() == host.lower()
    return None


def _mac(secret: str, purpose: str, message: str) -> str:
    # The purpose is part of what is signed: a bookmarklet token can never pass for a session, or back.
    digest = hmac.new(secret.encode(), f"{purpose}\0{message}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def bookmarklet_token(secret: str) -> str:
    """The proof a bookmarklet post carries: the same for the whole deployment, unguessable without the
    secret, and only shown on /bookmarklet (behind the login on a private deployment)."""
    return _mac(secret, "bookmarklet", "v1")


def token_is_valid(secret: str, token: str | None) -> bool:
    # Bytes: compare_digest raises TypeError on a str that is not ASCII, and the token comes from a form.
    return bool(token) and hmac.compare_digest(str(token).encode(), bookmarklet_token(secret).encode())


def env_key_subject(secret: str, key: str) -> str:
    """How a session names a key of NEWSBRIEF_API_KEYS: a keyed hash, never the key."""
    return "e:" + _mac(secret, "environment key", key)[:32]


def db_key_subject(key_id: int) -> str:
    return f"k:{key_id}"


def sign_session(secret: str, subject: str, issued: int) -> str:
    """The cookie value: ``subject`` and its issue time, signed (the cookie holds no key)."""
    body = f"{subject}|{issued}"
    encoded = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
    return f"{encoded}.{_mac(secret, 'session', body)}"


def read_session(secret: str, value: str | None, now: int) -> str | None:
    """The subject of a session cookie when its signature holds and it is not expired, else None."""
    if not value or "." not in value:
        return None
    encoded, signature = value.rsplit(".", 1)
    try:
        body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(signature.encode(), _mac(secret, "session", body).encode()):
        return None
    subject, _, issued = body.rpartition("|")
    if not issued.isdigit() or not 0 <= now - int(issued) <= SESSION_SECONDS:
        return None
    return subject


def deployment_secret(settings: Settings, database: Engine) -> str:
    """NEWSBRIEF_SECRET_KEY, or the random one this deployment keeps in its database."""
    if settings.secret_key:
        return settings.secret_key
    with database.begin() as connection:
        return repo.deployment_secret(conn=connection, name="signing")


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """Which origins may call which methods of the API from a browser."""

    read_origins: frozenset[str]
    write_origins: frozenset[str]

    @classmethod
    def of(cls, settings: Settings) -> CorsPolicy:
        return cls(frozenset(settings.cors_origin_list()), frozenset(settings.cors_write_origin_list()))

    def methods_for(self, origin: str, path: str) -> tuple[str, ...]:
        """The methods ``origin`` may use on ``path``; empty when it may not call it at all."""
        if _listed(origin, self.write_origins):
            return ("GET", "HEAD", "POST", "DELETE")
        if _listed(origin, self.read_origins):
            return ("GET", "HEAD", "POST") if path in READ_POSTS else ("GET", "HEAD")
        return ()

    def allow_origin(self, origin: str) -> str:
        """The Access-Control-Allow-Origin value: ``*`` when only a wildcard lets the origin in."""
        listed = self.read_origins | self.write_origins
        return origin if origin in listed else "*"


def _listed(origin: str, origins: Iterable[str]) -> bool:
    return any(allowed in ("*", origin) for allowed in origins)


class CrossOrigin:
    """CORS for the API with separate read and write origins, and no cross-origin write without one.

    A preflight is answered here. A write from an origin that may not write is refused with 403 even
    when no preflight came first (a simple form post, or a client ignoring CORS): CORS headers alone only
    stop a browser from reading the answer, after the write happened. Same-origin requests pass."""

    def __init__(self, app: ASGIApp, *, policy: CorsPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        origin = headers.get("origin") if headers is not None else None
        path: str = scope.get("path", "")
        if (
            headers is None
            or not origin
            or not path.startswith(CORS_PATHS)
            or urlsplit(origin).netloc.lower() == headers.get("host", "").lower()
        ):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        methods = self.policy.methods_for(origin, path)
        requested = headers.get("access-control-request-method")
        if method == "OPTIONS" and requested:
            await self._preflight(origin, requested.upper(), methods)(scope, receive, send)
            return
        if method not in methods and method not in READ_METHODS and method != "OPTIONS":
            message = f"{origin} may not {method} here from a browser (see NEWSBRIEF_CORS_WRITE_ORIGINS)"
            await _forbidden(message)(scope, receive, send)
            return
        if not methods:
            await self.app(scope, receive, send)
            return
        allow = self.policy.allow_origin(origin)

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers["Access-Control-Allow-Origin"] = allow
                response_headers["Access-Control-Expose-Headers"] = "ETag"
                response_headers.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, with_cors)

    def _preflight(self, origin: str, requested: str, methods: tuple[str, ...]) -> Response:
        if requested not in methods:
            return _forbidden(f"{origin} may not {requested} here from a browser")
        return Response(
            headers={
                "Access-Control-Allow-Origin": self.policy.allow_origin(origin),
                "Access-Control-Allow-Methods": ", ".join(methods),
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": "600",
                "Vary": "Origin",
            },
        )


def _forbidden(message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": "forbidden", "message": message}}, status_code=403)
