"""Reads and writes of feeds and their entries (the rest of the store is in repo.py)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from newsbrief.models import FeedEntry, Validators
from newsbrief.storage.schema import feed_entries, feeds

# Entries that failed this many times are left failed (a broken link does not get fetched forever).
MAX_ENTRY_ATTEMPTS = 3
# Back-off of a failing feed: the poll interval doubles per failure in a row, up to this cap.
MAX_BACKOFF = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class StoredFeed:
    id: int
    url: str
    title: str | None
    site_url: str | None
    validators: Validators
    created_at: datetime
    last_polled_at: datetime | None
    last_success_at: datetime | None
    next_poll_at: datetime
    error_reason: str | None
    error_message: str | None
    failures: int
    entries: int = 0
    pending: int = 0
    done: int = 0
    failed: int = 0  # entries given up after MAX_ENTRY_ATTEMPTS failures (their reason and message are kept)
    skipped: int = 0  # entries that are no article (a paywall...) or have no link


@dataclass(frozen=True, slots=True)
class PendingEntry:
    id: int
    feed_id: int
    url: str | None
    title: str | None
    attempts: int


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes for timezone-aware columns; they were written in UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _to_feed(row: Any, counts: dict[str, int] | None = None) -> StoredFeed:
    counts = counts or {}
    next_poll = _aware(row.next_poll_at)
    created = _aware(row.created_at)
    assert next_poll is not None
    assert created is not None
    return StoredFeed(
        id=row.id,
        url=row.url,
        title=row.title,
        site_url=row.site_url,
        validators=Validators(etag=row.etag, last_modified=row.last_modified),
        created_at=created,
        last_polled_at=_aware(row.last_polled_at),
        last_success_at=_aware(row.last_success_at),
        next_poll_at=next_poll,
        error_reason=row.error_reason,
        error_message=row.error_message,
        failures=row.failures,
        entries=sum(counts.values()),
        pending=counts.get("pending", 0),
        done=counts.get("done", 0),
        failed=counts.get("failed", 0),
        skipped=counts.get("skipped", 0),
    )


def add_feed(*, conn: Connection, url: str, title: str | None = None) -> tuple[StoredFeed, bool]:
    """Subscribe to ``url`` (due for a poll at once); an existing subscription is returned as it is."""
    existing = get_feed_by_url(conn=conn, url=url)
    if existing is not None:
        return existing, False
    try:
        with conn.begin_nested():
            conn.execute(
                insert(feeds).values(url=url, title=title, created_at=_now(), next_poll_at=_now(), failures=0)
            )
    except IntegrityError:
        pass
    stored = get_feed_by_url(conn=conn, url=url)
    assert stored is not None
    return stored, True


def get_feed_by_url(*, conn: Connection, url: str) -> StoredFeed | None:
    row = conn.execute(select(feeds).where(feeds.c.url == url)).first()
    return None if row is None else _to_feed(row)


def get_feed(*, conn: Connection, feed_id: int) -> StoredFeed | None:
    row = conn.execute(select(feeds).where(feeds.c.id == feed_id)).first()
    return None if row is None else _to_feed(row, _entry_counts(conn, [feed_id]).get(feed_id))


def _entry_counts(conn: Connection, feed_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    rows = conn.execute(
        select(feed_entries.c.feed_id, feed_entries.c.status, func.count())
        .where(feed_entries.c.feed_id.in_(list(feed_ids)))
        .group_by(feed_entries.c.feed_id, feed_entries.c.status)
    )
    for feed_id, status, count in rows:
        counts.setdefault(feed_id, {})[status] = int(count)
    return counts


def list_feeds(*, conn: Connection) -> list[StoredFeed]:
    rows = conn.execute(select(feeds).order_by(feeds.c.id)).all()
    counts = _entry_counts(conn, [row.id for row in rows])
    return [_to_feed(row, counts.get(row.id)) for row in rows]


def remove_feed(*, conn: Connection, feed_id: int) -> bool:
    """Unsubscribe; the articles the feed brought stay."""
    conn.execute(delete(feed_entries).where(feed_entries.c.feed_id == feed_id))
    return conn.execute(delete(feeds).where(feeds.c.id == feed_id)).rowcount > 0


def due_feeds(*, conn: Connection, now: datetime | None = None) -> list[StoredFeed]:
    """Feeds whose next poll time has come, or that still have entries waiting to be fetched."""
    waiting = select(feed_entries.c.feed_id).where(feed_entries.c.status == "pending")
    rows = conn.execute(
        select(feeds)
        .where(or_(feeds.c.next_poll_at <= (now or _now()), feeds.c.id.in_(waiting)))
        .order_by(feeds.c.next_poll_at)
    ).all()
    return [_to_feed(row) for row in rows]


def this_poller() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def _holder_is_gone(holder: str | None) -> bool:
    """True when a claim's holder is a process of this host that no longer runs (killed mid-poll)."""
    if not holder:
        return False
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim_feed(*, conn: Connection, feed_id: int, lease: timedelta) -> bool:
    """Claim a feed for one poll (an atomic update); False when another live poller holds it. A claim
    lapses after ``lease`` (refreshed as the poll goes on) or at once when its holder on this host died."""
    now = _now()
    holder = conn.execute(select(feeds.c.claimed_by).where(feeds.c.id == feed_id)).scalar()
    free = or_(
        feeds.c.claimed_until.is_(None), feeds.c.claimed_until < now, feeds.c.claimed_by == this_poller()
    )
    if _holder_is_gone(holder):
        free = or_(free, feeds.c.claimed_by == holder)
    claimed = conn.execute(
        update(feeds)
        .where(feeds.c.id == feed_id, free)
        .values(claimed_until=now + lease, claimed_by=this_poller())
    )
    return bool(claimed.rowcount)


def renew_claim(*, conn: Connection, feed_id: int, lease: timedelta) -> None:
    conn.execute(
        update(feeds)
        .where(feeds.c.id == feed_id, feeds.c.claimed_by == this_poller())
        .values(claimed_until=_now() + lease)
    )


def release_feed(*, conn: Connection, feed_id: int) -> None:
    conn.execute(
        update(feeds)
        .where(feeds.c.id == feed_id, feeds.c.claimed_by == this_poller())
        .values(claimed_until=None, claimed_by=None)
    )


def acknowledge_entries(*, conn: Connection, feed_id: int, entries: Iterable[FeedEntry]) -> int:
    """Record the entries not seen before as pending; returns how many were new. Idempotent."""
    entries = list(entries)
    if not entries:
        return 0
    keys = [entry.key for entry in entries]
    known = set(
        conn.execute(
            select(feed_entries.c.entry_key).where(
                feed_entries.c.feed_id == feed_id, feed_entries.c.entry_key.in_(keys)
            )
        ).scalars()
    )
    added = 0
    for entry in entries:
        if entry.key in known:
            continue
        known.add(entry.key)
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(feed_entries).values(
                        feed_id=feed_id,
                        entry_key=entry.key,
                        url=entry.url,
                        title=entry.title,
                        published=entry.published,
                        status="pending" if entry.url else "skipped",
                        reason=None if entry.url else "no_link",
                        attempts=0,
                        created_at=_now(),
                        updated_at=_now(),
                    )
                )
            added += 1
        except IntegrityError:  # another poller acknowledged it first
            continue
    return added


def pending_entries(*, conn: Connection, feed_id: int, limit: int = 200) -> list[PendingEntry]:
    rows = conn.execute(
        select(feed_entries)
        .where(feed_entries.c.feed_id == feed_id, feed_entries.c.status == "pending")
        .order_by(feed_entries.c.id)
        .limit(limit)
    ).all()
    return [PendingEntry(row.id, row.feed_id, row.url, row.title, row.attempts) for row in rows]


def finish_entry(
    *,
    conn: Connection,
    entry_id: int,
    status: str,
    article_id: int | None = None,
    reason: str | None = None,
    message: str | None = None,
) -> None:
    conn.execute(
        update(feed_entries)
        .where(feed_entries.c.id == entry_id)
        .values(
            status=status,
            article_id=article_id,
            reason=reason,
            message=message,
            attempts=feed_entries.c.attempts + 1,
            updated_at=_now(),
        )
    )


def entry_failed(*, conn: Connection, entry: PendingEntry, reason: str, message: str) -> None:
    """A failed attempt: the entry stays pending for the next poll until it has failed too often."""
    final = entry.attempts + 1 >= MAX_ENTRY_ATTEMPTS
    finish_entry(
        conn=conn, entry_id=entry.id, status="failed" if final else "pending", reason=reason, message=message
    )


def feed_polled(
    *,
    conn: Connection,
    feed_id: int,
    interval: timedelta,
    title: str | None = None,
    site_url: str | None = None,
    validators: Validators | None = None,
) -> None:
    """A successful poll: clear the error, remember the validators, schedule the next poll."""
    values: dict[str, Any] = {
        "last_polled_at": _now(),
        "last_success_at": _now(),
        "next_poll_at": _now() + interval,
        "error_reason": None,
        "error_message": None,
        "failures": 0,
    }
    if title:
        values["title"] = title
    if site_url:
        values["site_url"] = site_url
    if validators is not None:
        values["etag"] = validators.etag
        values["last_modified"] = validators.last_modified
    conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))


def backoff(interval: timedelta, failures: int) -> timedelta:
    """The wait after ``failures`` failed polls in a row: the interval, doubled per failure, capped."""
    doubled: timedelta = interval * (2 ** min(failures, 16))
    return min(doubled, MAX_BACKOFF)


def feed_failed(
    *, conn: Connection, feed: StoredFeed, interval: timedelta, reason: str, message: str
) -> None:
    """A failed poll: keep the error and back off."""
    failures = feed.failures + 1
    conn.execute(
        update(feeds)
        .where(feeds.c.id == feed.id)
        .values(
            last_polled_at=_now(),
            next_poll_at=_now() + backoff(interval, failures),
            error_reason=reason,
            error_message=message[:2000],
            failures=failures,
        )
    )
