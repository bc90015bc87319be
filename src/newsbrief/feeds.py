"""Feed polling (the I/O edge): fetch a feed (conditional GET), acknowledge its new entries, then fetch,
judge, store and summarize each entry once; the service's scheduler runs it for due feeds.

No loss: new entries are stored as *pending* in one transaction before any of them is fetched, and each
entry's article, summary and status are written in one transaction after. A process killed anywhere
leaves entries pending, never half-done, and the next poll picks them up. Polls are idempotent: entries
are keyed by their id (or link), articles by canonical URL and content.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from newsbrief.errors import NewsbriefError, NotAnArticle
from newsbrief.extract.feed import BadFeed, ParsedFeed, parse_feed
from newsbrief.ingest import Ingestor
from newsbrief.isolation import BudgetExceeded
from newsbrief.net.fetch import FetchFailed
from newsbrief.storage import feed_repo
from newsbrief.storage.feed_repo import PendingEntry, StoredFeed
from newsbrief.storage.repo import StoredArticle
from newsbrief.summaries import SummaryRequest, summary_for

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


@dataclass
class PollReport:
    """What one poll of one feed did."""

    feed_id: int
    url: str
    new_entries: int = 0
    stored: int = 0
    skipped: int = 0
    failed: int = 0
    not_modified: bool = False
    busy: bool = False
    error: str | None = None
    problems: list[str] = field(default_factory=list)


def fetch_feed(ingestor: Ingestor, url: str) -> ParsedFeed:
    """Fetch and parse a feed now (to check a URL before subscribing to it)."""
    page = ingestor.fetch_document(url, accept=FEED_ACCEPT)
    return parse_feed(page.body, url=page.url, content_type=page.content_type)


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
        request = SummaryRequest.from_options(settings)
        for entry in pending:
            if should_stop():
                break
            _ingest_entry(database, ingestor, entry, request, report)
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
        parsed = parse_feed(page.body, url=page.url, content_type=page.content_type)
    except (FetchFailed, BadFeed, BudgetExceeded) as error:
        report.error = error.message
        with database.begin() as connection:
            feed_repo.feed_failed(
                conn=connection,
                feed=feed,
                interval=interval,
                reason=error.reason or error.code,
                message=error.message,
            )
        return
    with database.begin() as connection:  # acknowledged: from here on no entry can be lost
        report.new_entries = feed_repo.acknowledge_entries(
            conn=connection, feed_id=feed.id, entries=parsed.entries
        )
        feed_repo.feed_polled(
            conn=connection,
            feed_id=feed.id,
            interval=interval,
            title=parsed.title,
            site_url=parsed.site_url,
            validators=page.validators,
        )


def _ingest_entry(
    database: Engine, ingestor: Ingestor, entry: PendingEntry, request: SummaryRequest, report: PollReport
) -> None:
    assert entry.url is not None  # entries without a link are never pending

    def summarize_once(connection: Connection, stored: StoredArticle) -> None:
        summary_for(conn=connection, stored=stored, request=request, settings=ingestor.settings)
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
        report.failed += 1
        report.problems.append(f"{entry.url}: {error.message}")
        with database.begin() as connection:
            feed_repo.entry_failed(
                conn=connection, entry=entry, reason=error.reason or error.code, message=error.message
            )


def poll_due(
    database: Engine, ingestor: Ingestor, *, should_stop: Callable[[], bool] = lambda: False
) -> list[PollReport]:
    """Poll every feed that is due (or has pending entries)."""
    with database.connect() as connection:
        due = feed_repo.due_feeds(conn=connection)
    return [poll_feed(database, ingestor, feed, should_stop=should_stop) for feed in due if not should_stop()]


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
                            "feed %s: %d new, %d stored, %d skipped, %d failed%s",
                            report.url,
                            report.new_entries,
                            report.stored,
                            report.skipped,
                            report.failed,
                            f"; error: {report.error}" if report.error else "",
                        )
            except Exception:  # the scheduler must outlive a database hiccup; the next tick retries
                LOGGER.exception("feed polling failed")
            self._stop.wait(self._tick)
