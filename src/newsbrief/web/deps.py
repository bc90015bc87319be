"""Request dependencies: settings, a database connection per request, the key, session and role checks."""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Header, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection

from newsbrief.config import Settings
from newsbrief.services.ingest import Ingestor
from newsbrief.storage import repo
from newsbrief.storage.database import reading
from newsbrief.web import security


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_connection(request: Request) -> Iterator[Connection]:
    """One read transaction per request, for the key checks and the handler's reads. Handlers write in
    write transactions of their own (``database.begin()``), committed before their response is made."""
    with reading(request.app.state.service.database) as connection:
        yield connection


async def get_ingestor(request: Request) -> Ingestor:
    ingestor: Ingestor = request.app.state.service.ingestor
    return ingestor


SettingsDep = Annotated[Settings, Depends(get_settings)]
IngestorDep = Annotated[Ingestor, Depends(get_ingestor)]
# Ids are 32-bit integers in both databases: a larger number is a 422, never a database overflow.
ArticleId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The article's id.")]
FeedId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The feed's id.")]
# scope="function": the transaction ends when the handler returns, not after the response has been sent.
ConnectionDep = Annotated[Connection, Depends(get_connection, scope="function")]


@dataclass(frozen=True, slots=True)
class Caller:
    """Whom a valid key or login session belongs to."""

    key_id: int | None  # None: a key of NEWSBRIEF_API_KEYS (an admin)
    role: str

    def may_change(self, ownership: repo.Ownership) -> bool:
        """Admins may delete anything; a writer only what it stored itself."""
        return self.role == "admin" or (
            ownership.created_by is not None and ownership.created_by == self.key_id
        )


_NEEDS_KEY = "a valid API key is needed: Authorization: Bearer KEY"


def caller_for_key(settings: Settings, connection: Connection, key: str) -> Caller | None:
    """The caller ``key`` stands for, or None for an unknown or revoked key (checked on every request,
    so a revoked key stops working at once)."""
    if not key:
        return None
    # Compared as bytes: compare_digest refuses (TypeError) a str that is not ASCII, and keys are typed.
    if any(hmac.compare_digest(key.encode(), allowed.encode()) for allowed in settings.api_key_list()):
        return Caller(key_id=None, role="admin")
    found = repo.find_api_key(conn=connection, key=key)
    return None if found is None else Caller(key_id=found.id, role=found.role)


def _bearer_caller(settings: Settings, connection: Connection, authorization: str | None) -> Caller | None:
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    return caller_for_key(settings, connection, authorization[7:].strip())


def session_subject(secret: str, caller: Caller, key: str) -> str:
    return (
        security.env_key_subject(secret, key)
        if caller.key_id is None
        else security.db_key_subject(caller.key_id)
    )


def session_caller(request: Request, connection: Connection) -> Caller | None:
    """The caller of the request's login session, while its key is valid."""
    secret: str = request.app.state.secret
    subject = security.read_session(secret, request.cookies.get(security.SESSION_COOKIE), int(time.time()))
    if subject is None:
        return None
    if subject.startswith("k:") and subject[2:].isascii() and subject[2:].isdigit():
        found = repo.get_active_api_key(conn=connection, key_id=int(subject[2:]))
        return None if found is None else Caller(key_id=found.id, role=found.role)
    settings: Settings = request.app.state.settings
    if any(
        hmac.compare_digest(subject, security.env_key_subject(secret, key)) for key in settings.api_key_list()
    ):
        return Caller(key_id=None, role="admin")
    return None


def _reader(request: Request, connection: Connection, authorization: str | None) -> Caller | None:
    return _bearer_caller(request.app.state.settings, connection, authorization) or session_caller(
        request, connection
    )


def require_write_key(
    settings: SettingsDep, connection: ConnectionDep, authorization: Annotated[str | None, Header()] = None
) -> Caller:
    """Writes need a key in the Authorization header; a login cookie is not enough, so no other site can
    make a reader's browser write (no CSRF through the API)."""
    caller = _bearer_caller(settings, connection, authorization)
    if caller is None:
        raise HTTPException(401, _NEEDS_KEY, {"WWW-Authenticate": "Bearer"})
    return caller


WriterDep = Annotated[Caller, Depends(require_write_key)]


def require_read_access(
    request: Request,
    settings: SettingsDep,
    connection: ConnectionDep,
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """On a private deployment, API reads need a key or a login session (the pages' own script)."""
    if settings.read_requires_key and _reader(request, connection, authorization) is None:
        raise HTTPException(401, _NEEDS_KEY, {"WWW-Authenticate": "Bearer"})


def may_see_counts(
    request: Request,
    settings: SettingsDep,
    connection: ConnectionDep,
    authorization: Annotated[str | None, Header()] = None,
) -> bool:
    """Whether the request may see counts (/metrics, the article count of /healthz)."""
    return settings.public_metrics or _reader(request, connection, authorization) is not None


async def require_page_access(request: Request) -> None:
    """On a private deployment every page needs a login: pages are sent to /login, other requests get 401.

    Async, and the database is read only on a private deployment: public pages pay nothing for it."""
    settings: Settings = request.app.state.settings
    if not settings.read_requires_key:
        return
    if await run_in_threadpool(_page_caller, request) is not None:
        return
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, "log in first", {"Location": "/login?" + urlencode({"next": target})})
    raise HTTPException(401, "log in first: /login", {"WWW-Authenticate": "Bearer"})


def _page_caller(request: Request) -> Caller | None:
    with reading(request.app.state.service.database) as connection:
        return _reader(request, connection, request.headers.get("authorization"))
