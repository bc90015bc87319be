"""Request dependencies: settings, a database connection per request, the API-key checks."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Request
from sqlalchemy import Connection

from newsbrief.config import Settings
from newsbrief.ingest import Ingestor
from newsbrief.storage import repo


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_connection(request: Request) -> Iterator[Connection]:
    """One transaction per request: committed when the handler returns, rolled back when it raises."""
    with request.app.state.engine.begin() as connection:
        yield connection


async def get_ingestor(request: Request) -> Ingestor:
    ingestor: Ingestor = request.app.state.ingestor
    return ingestor


SettingsDep = Annotated[Settings, Depends(get_settings)]
IngestorDep = Annotated[Ingestor, Depends(get_ingestor)]
# Ids are 32-bit integers in both databases: a larger number is a 422, never a database overflow.
ArticleId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The article's id.")]
FeedId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The feed's id.")]
ConnectionDep = Annotated[Connection, Depends(get_connection)]


def _key_is_valid(settings: Settings, connection: Connection, authorization: str | None) -> bool:
    if not authorization or not authorization.lower().startswith("bearer "):
        return False
    key = authorization[7:].strip()
    if any(hmac.compare_digest(key, allowed) for allowed in settings.api_key_list()):
        return True
    return repo.api_key_exists(conn=connection, key=key)


def require_write_key(
    settings: SettingsDep, connection: ConnectionDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    if not _key_is_valid(settings, connection, authorization):
        raise HTTPException(
            401, "a valid API key is needed: Authorization: Bearer KEY", {"WWW-Authenticate": "Bearer"}
        )


def require_read_access(
    settings: SettingsDep, connection: ConnectionDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    if settings.read_requires_key and not _key_is_valid(settings, connection, authorization):
        raise HTTPException(
            401, "a valid API key is needed: Authorization: Bearer KEY", {"WWW-Authenticate": "Bearer"}
        )
