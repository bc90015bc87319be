"""Summaries of stored articles, made once per content, engine and options, then served from the cache.

The options are a ``SummaryOptions`` (newsbrief.options): the one request shape of the CLI, API, pages,
feeds and batch, whose ``key()`` is the cache key's options part.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine

from newsbrief.engines.llm import TRANSIENT_REASONS
from newsbrief.models import Article
from newsbrief.options import SummaryOptions
from newsbrief.pipeline import make_summary
from newsbrief.render import summary_to_dict
from newsbrief.services.editorial import pinned_summary_of
from newsbrief.storage import repo
from newsbrief.storage.repo import StoredArticle


def summary_for(
    *,
    conn: Connection,
    stored: StoredArticle,
    options: SummaryOptions,
    reading_wpm: int,
    editorial: bool = False,
) -> tuple[dict[str, Any], bool]:
    """The summary of a stored article, from the cache or made now and cached on ``conn`` (the caller's
    write transaction: the summary commits with what the caller writes). Returns (payload, cached).

    ``editorial``: serve the summary an editor pinned, when there is one (a request that named no
    engine: services/editorial.py)."""
    known = _known_summary(conn, stored, options, editorial=editorial)
    if known is not None:
        return known, True
    payload = _new_summary(stored, options, reading_wpm)
    if lasting(payload):
        _save_summary(conn, stored, options, payload)
    return payload, False


def summary_of_stored(
    *,
    database: Engine,
    conn: Connection,
    stored: StoredArticle,
    options: SummaryOptions,
    reading_wpm: int,
    editorial: bool = False,
) -> tuple[dict[str, Any], bool]:
    """As ``summary_for``, for readers: the cache is read on ``conn`` (a read transaction) and a new summary
    is saved in a short write transaction of its own, committed before this returns."""
    known = _known_summary(conn, stored, options, editorial=editorial)
    if known is not None:
        return known, True
    payload = _new_summary(stored, options, reading_wpm)
    if lasting(payload):
        with database.begin() as writer:
            _save_summary(writer, stored, options, payload)
    return payload, False


def _known_summary(
    conn: Connection, stored: StoredArticle, options: SummaryOptions, *, editorial: bool
) -> dict[str, Any] | None:
    """The summary to serve without making one: an editor's pin (when asked for), else the cached one."""
    pinned = pinned_summary_of(conn, stored, options) if editorial else None
    return pinned if pinned is not None else cached_summary(conn, stored, options)


def lasting(payload: dict[str, Any]) -> bool:
    """Whether a new summary may be cached: not an LLM engine's fallback for a passing server fault (down,
    slow, busy: the next request asks the model again)."""
    return payload.get("fallback_reason") not in TRANSIENT_REASONS


def cached_summary(conn: Connection, stored: StoredArticle, options: SummaryOptions) -> dict[str, Any] | None:
    return repo.get_cached_summary(
        conn=conn, content_hash=stored.article.content_hash, engine=options.engine, options=options.key()
    )


def _new_summary(stored: StoredArticle, options: SummaryOptions, reading_wpm: int) -> dict[str, Any]:
    payload = summarize_payload(stored.article, options, reading_wpm)
    payload["article_id"] = stored.id
    return payload


def _save_summary(
    conn: Connection, stored: StoredArticle, options: SummaryOptions, payload: dict[str, Any]
) -> None:
    repo.save_summary(
        conn=conn,
        article_id=stored.id,
        content_hash=stored.article.content_hash,
        engine=options.engine,
        options=options.key(),
        payload=payload,
    )


def summarize_payload(article: Article, options: SummaryOptions, reading_wpm: int) -> dict[str, Any]:
    """A summary made now, in its one JSON shape (render.summary_to_dict)."""
    return summary_to_dict(make_summary(article, options, reading_wpm=reading_wpm))
