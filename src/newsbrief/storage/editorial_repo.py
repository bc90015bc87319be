"""Pinned summaries and their edit history: small keyword-only functions over an explicit connection.

Points go in and come out as JSON-ready dicts (the service, ``services/editorial.py``, gives them their
meaning); every change writes its history row in the caller's transaction, so a pin and its record commit
together or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from newsbrief.storage.schema import pinned_summaries, summary_edits

# The history's actions: the first pin of an article, a pin that replaces another one, and a clear.
PIN, EDIT, CLEAR = "pin", "edit", "clear"


@dataclass(frozen=True, slots=True)
class StoredPin:
    """An article's pinned summary: its points, and who pinned it when."""

    article_id: int
    points: list[dict[str, Any]]
    pinned_by: str
    pinned_by_key: int | None
    pinned_at: datetime


@dataclass(frozen=True, slots=True)
class StoredEdit:
    """One row of an article's edit history (``points`` is None for a clear)."""

    id: int
    article_id: int
    action: str
    points: list[dict[str, Any]] | None
    editor: str
    editor_key: int | None
    created_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    # SQLite keeps no offset: what we wrote was UTC, so it is read back as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _points(text: str | None) -> list[dict[str, Any]] | None:
    return None if text is None else list(json.loads(text))


def get_pin(*, conn: Connection, article_id: int) -> StoredPin | None:
    row = conn.execute(select(pinned_summaries).where(pinned_summaries.c.article_id == article_id)).first()
    if row is None:
        return None
    return StoredPin(
        article_id=row.article_id,
        points=_points(row.points) or [],
        pinned_by=row.pinned_by,
        pinned_by_key=row.pinned_by_key,
        pinned_at=_utc(row.pinned_at),
    )


def save_pin(
    *, conn: Connection, article_id: int, points: list[dict[str, Any]], editor: str, editor_key: int | None
) -> StoredPin:
    """Pin ``points`` as article ``article_id``'s summary (replacing any pin) and record it in the history."""
    encoded, when = json.dumps(points, ensure_ascii=False), _now()
    values = {"points": encoded, "pinned_by": editor, "pinned_by_key": editor_key, "pinned_at": when}
    action = EDIT
    if not _update_pin(conn, article_id, values):
        try:
            with conn.begin_nested():
                conn.execute(insert(pinned_summaries).values(article_id=article_id, **values))
            action = PIN
        except IntegrityError:  # a concurrent editor pinned it first: this pin replaces theirs
            if not _update_pin(conn, article_id, values):
                raise
    _record(conn, article_id, action, encoded, editor, editor_key, when)
    pinned = get_pin(conn=conn, article_id=article_id)
    assert pinned is not None
    return pinned


def _update_pin(conn: Connection, article_id: int, values: dict[str, Any]) -> bool:
    statement = update(pinned_summaries).where(pinned_summaries.c.article_id == article_id).values(**values)
    return conn.execute(statement).rowcount > 0


def clear_pin(*, conn: Connection, article_id: int, editor: str, editor_key: int | None) -> bool:
    """Unpin article ``article_id``'s summary and record it; False (and no record) when none was pinned."""
    removed = conn.execute(delete(pinned_summaries).where(pinned_summaries.c.article_id == article_id))
    if removed.rowcount == 0:
        return False
    _record(conn, article_id, CLEAR, None, editor, editor_key, _now())
    return True


def _record(
    conn: Connection,
    article_id: int,
    action: str,
    points: str | None,
    editor: str,
    editor_key: int | None,
    when: datetime,
) -> None:
    conn.execute(
        insert(summary_edits).values(
            article_id=article_id,
            action=action,
            points=points,
            editor=editor,
            editor_key=editor_key,
            created_at=when,
        )
    )


def list_edits(*, conn: Connection, article_id: int, limit: int, offset: int = 0) -> list[StoredEdit]:
    """Article ``article_id``'s history, newest first."""
    rows = conn.execute(
        select(summary_edits)
        .where(summary_edits.c.article_id == article_id)
        .order_by(summary_edits.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        StoredEdit(
            id=row.id,
            article_id=row.article_id,
            action=row.action,
            points=_points(row.points),
            editor=row.editor,
            editor_key=row.editor_key,
            created_at=_utc(row.created_at),
        )
        for row in rows
    ]
