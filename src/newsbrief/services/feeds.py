"""Feed polling (the I/O edge): fetch a feed (conditional GET), acknowledge its new entries, then fetch,
judge, store and summarize each entry once; the service's scheduler runs it for due feeds.

No loss: new entries are stored as *pending* in one transaction before any of them is fetched, and each
entry's article, summary and status are written in one transaction after. A process killed anywhere
leaves entries pending, never half-done, and the next poll picks them up. Polls are idempotent: entries
are keyed by their id (or link), articles by canonical URL and content.

No wedge: whatever goes wrong with one entry (a NewsbriefError, or a bug: logged, recorded as ``internal``) is
that entry's error, retried a few polls then given up; whatever goes wrong with one feed is that feed's error.
A poll takes at most ``feed_max_entries`` entries of a feed, the newest, and says how many it left out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from newsbrief.errors import NewsbriefError, NotAnArticle
from newsbrief.extract.feed import ParsedFeed, newest_entries
from newsbrief.options import SummaryOptions
from newsbrief.services.ingest import Ingestor
from newsbrief.services.summaries import summary_for
from newsbrief.storage import feed_repo
from newsbrief.storage.feed_repo import PendingEntry, StoredFeed
from newsbrief.storage.repo import StoredArticle

LOGGER = logging.getLogger(__name__)
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5"
)
# How long a poller holds a feed without news from it (renewed after every entry). A poller killed mid-poll
# leaves its claim: it lapses after this, or at once for the next poller on the same host.
CLAIM_LEASE = timedelta(minutes=5)
# How often the service's scheduler looks for due feeds.
SCHEDULER_TICK_SECONDS = 30.0
# The reason recorded for what no NewsbriefError explains (a bug: its traceback is in the log).
INTERNAL = "internal"


@dataclass
class PollReport:
    """What one poll of one feed did."""

    feed_id: int
    url: str
    new_entries: int = 0
    stored: int = 0
    skipped: int = 0
    failed: int = 0
    left_out: int = 0  # entries past feed_max_entries (the oldest), not taken by this poll
    not_modified: bool = False
    busy: bool = False
    error: str | None = None
    problems: list[str] = field(default_factory=list)


def fetch_feed(ingestor: Ingestor, url: str) -> ParsedFeed:
    """Fetch and parse a feed now (to check a URL before subscribing to it)."""
    return ingestor.parse_feed(ingestor.fetch_document(url, accept=FEED_ACCEPT))


def poll_feed(
    database: Engine,
    ingestor: Ingestor,
    feed: StoredFeed,
    *,
    force: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
) -> PollReport:
    """Poll one feed: its document when due (or ``force``), then its pending entries (until
    ``should_stop`` says so: what is left stays pending)."""
    settings = ingestor.settings
    interval = timedelta(minutes=settings.feed_poll_minutes)
    report = PollReport(feed_id=feed.id, url=feed.url)
    with database.begin() as connection:
        claimed = feed_repo.claim_feed(conn=connection, feed_id=feed.id, lease=CLAIM_LEASE)
    if not claimed:
        report.busy = True  # another process is polling it now: nothing to do here
        return report
    try:
        if force or feed.next_poll_at <= datetime.now(UTC):
            _poll_document(database, ingestor, feed, interval, report)
        with database.connect() as connection:
            pending = feed_repo.pending_entries(conn=connection, feed_id=feed.id)
        options = SummaryOptions.parse(defaults=settings.summary)
        for entry in pending:
            if should_stop():
                break
            _ingest_entry(database, ingestor, entry, options, report)
            with database.begin() as connection:
                feed_repo.renew_claim(conn=connection, feed_id=feed.id, lease=CLAIM_LEASE)
    finally:
        with database.begin() as connection:
            feed_repo.release_feed(conn=connection, feed_id=feed.id)
    return report


def _poll_document(
    database: Engine, ingestor: Ingestor, feed: StoredFeed, interval: timedelta, report: PollReport
) -> None:
    try:
        page = ingestor.fetch_document(feed.url, validators=feed.validators, accept=FEED_ACCEPT)
        if page.not_modified:
            report.not_modified = True
            with database.begin() as connection:
                feed_repo.feed_polled(conn=connection, feed_id=feed.id, interval=interval)
            return
        parsed = ingestor.parse_feed(page)
    except NewsbriefError as error:
        _feed_failed(database, feed, interval, report, error.reason or error.code, error.message)
        return
    except Exception as error:  # a bug must not fail every poll of every feed after this one
        LOGGER.exception("feed %s: unexpected error while polling", feed.url)
        _feed_failed(database, feed, interval, report, INTERNAL, _internal_message(error))
        return
    limit = ingestor.settings.feed_max_entries
    entries = newest_entries(parsed.entries, limit)
    report.left_out = parsed.listed - len(entries)
    if report.left_out:
        report.problems.append(
            f"{feed.url}: the feed lists {parsed.listed:,} entries; this poll took the newest "
            f"{limit:,} ({report.left_out:,} left out; NEWSBRIEF_FEED_MAX_ENTRIES)"
        )
    with database.begin() as connection:  # acknowledged: from here on no entry can be lost
        report.new_entries = feed_repo.acknowledge_entries(conn=connection, feed_id=feed.id, entries=entries)
        feed_repo.feed_polled(
            conn=connection,
            feed_id=feed.id,
            interval=interval,
            title=parsed.title,
            site_url=parsed.site_url,
            validators=page.validators,
        )


def _internal_message(error: Exception) -> str:
    return f"internal error ({type(error).__name__}: {str(error)[:300]}); see the log"


def _feed_failed(
    database: Engine, feed: StoredFeed, interval: timedelta, report: PollReport, reason: str, message: str
) -> None:
    report.error = message
    with database.begin() as connection:
        feed_repo.feed_failed(conn=connection, feed=feed, interval=interval, reason=reason, message=message)


def _entry_failed(
    database: Engine, entry: PendingEntry, report: PollReport, reason: str, message: str
) -> None:
    report.failed += 1
    report.problems.append(f"{entry.url}: {message}")
    with database.begin() as connection:
        feed_repo.entry_failed(conn=connection, entry=entry, reason=reason, message=message)


def _ingest_entry(
    database: Engine, ingestor: Ingestor, entry: PendingEntry, options: SummaryOptions, report: PollReport
) -> None:
    assert entry.url is not None  # entries without a link are never pending

    def summarize_once(connection: Connection, stored: StoredArticle) -> None:
        summary_for(
            conn=connection, stored=stored, options=options, reading_wpm=ingestor.settings.reading_wpm
        )
        feed_repo.finish_entry(conn=connection, entry_id=entry.id, status="done", article_id=stored.id)

    try:
        ingestor.store_url(database, entry.url, on_stored=summarize_once)
        report.stored += 1
    except NotAnArticle as error:
        report.skipped += 1
        report.problems.append(f"{entry.url}: {error.message}")
        with database.begin() as connection:
            feed_repo.finish_entry(
                conn=connection,
                entry_id=entry.id,
                status="skipped",
                reason=error.reason,
                message=error.message,
            )
    except NewsbriefError as error:
        _entry_failed(database, entry, report, error.reason or error.code, error.message)
    except Exception as error:  # one entry must never wedge its feed: a bug is this entry's error too
        LOGGER.exception("feed entry %s: unexpected error", entry.url)
        _entry_failed(database, entry, report, INTERNAL, _internal_message(error))


def poll_due(
    database: Engine, ingestor: Ingestor, *, should_stop: Callable[[], bool] = lambda: False
) -> list[PollReport]:
    """Poll every feed that is due (or has pending entries)."""
    with database.connect() as connection:
        due = feed_repo.due_feeds(conn=connection)
    reports = []
    for feed in due:
        if should_stop():
            break
        try:
            reports.append(poll_feed(database, ingestor, feed, should_stop=should_stop))
        except Exception as error:  # one feed's trouble (a database refusing its data...) stops no other feed
            LOGGER.exception("feed %s: poll failed", feed.url)
            reports.append(PollReport(feed_id=feed.id, url=feed.url, error=_internal_message(error)))
    return reports


class FeedScheduler:
    """A background thread of the service that polls due feeds every ``tick_seconds``."""

    def __init__(self, database: Engine, ingestor: Ingestor, *, tick_seconds: float = SCHEDULER_TICK_SECONDS):
        self._database = database
        self._ingestor = ingestor
        self._tick = tick_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="newsbrief-feeds", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self._tick + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for report in poll_due(self._database, self._ingestor, should_stop=self._stop.is_set):
                    if report.new_entries or report.error:
                        LOGGER.info(
                            "feed %s: %d new, %d stored, %d skipped, %d failed, %d left out%s",
                            report.url,
                            report.new_entries,
                            report.stored,
                            report.skipped,
                            report.failed,
                            report.left_out,
                            f"; error: {report.error}" if report.error else "",
                        )
            except Exception:  # the scheduler must outlive a database hiccup; the next tick retries
                LOGGER.exception("feed polling failed")
            self._stop.wait(self._tick)
