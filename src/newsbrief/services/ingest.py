"""Taking in news from the web (the I/O edge): robots.txt, per-host politeness, the guarded fetch, parsing
under a budget, the article verdict, and storing the result once.

``Ingestor`` is built once per process (the service keeps one; each CLI command makes one) because it
holds the robots.txt cache, the per-host gate and the parser worker processes.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine

from newsbrief.config import Settings
from newsbrief.errors import FetchFailed
from newsbrief.extract.decode import decode_bytes
from newsbrief.extract.feed import ParsedFeed, parse_feed
from newsbrief.extract.html import ExtractedPage, article_of, declared_charset, extract_page
from newsbrief.isolation import BudgetedPool
from newsbrief.models import Article, Validators
from newsbrief.net.fetch import FetchedPage, FetchPolicy, fetch, fetch_html, origin_of
from newsbrief.net.politeness import HostGate
from newsbrief.net.robots import RobotsCache
from newsbrief.pipeline import readable
from newsbrief.storage import repo
from newsbrief.storage.repo import StoredArticle

LOGGER = logging.getLogger(__name__)
# robots.txt may ask for a crawl delay; past this many seconds we wait this long instead.
MAX_CRAWL_DELAY = 30.0


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        allow=settings.fetch_allow_list(),
        max_bytes=settings.max_input_bytes,
        deadline_seconds=settings.fetch_timeout,
    )


@dataclass(frozen=True, slots=True)
class UrlIngest:
    """The outcome of storing a URL: the article, whether it is new, and whether the server said 304."""

    stored: StoredArticle
    created: bool
    not_modified: bool = False


class Ingestor:
    """Fetch (politely, within robots.txt) and parse (under a budget) pages; store them once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy = fetch_policy(settings)
        self.robots = RobotsCache(self.policy) if settings.respect_robots else None
        self.gate = HostGate(settings.fetch_delay)
        self.parser = (
            BudgetedPool(
                workers=2,
                cpu_seconds=settings.parse_cpu_seconds,
                memory_bytes=settings.parse_memory_mb << 20,
                wall_seconds=settings.parse_cpu_seconds * 3,
                preload=("newsbrief.extract.html", "trafilatura"),
            )
            if settings.parse_in_worker
            else None
        )

    def close(self) -> None:
        if self.parser is not None:
            self.parser.close()

    # Fetching -----------------------------------------------------------------------------------------

    def _turn_delay(self, url: str) -> float | None:
        origin_of(url)  # a URL the fetch cannot read is a FetchFailed here, before anything else parses it
        if self.robots is None:
            return None
        rules = self.robots.rules_for(url)
        if not rules.allows(url):
            raise FetchFailed(
                "the site's robots.txt does not allow fetching this page", reason="robots_disallowed"
            )
        delay = rules.crawl_delay()
        return None if delay is None else min(delay, MAX_CRAWL_DELAY)

    def fetch_page(self, url: str, *, validators: Validators | None = None) -> FetchedPage:
        """An HTML page, after robots.txt allowed it, in this host's turn."""
        delay = self._turn_delay(url)
        with self.gate.turn(urlsplit(url).hostname or "", delay_seconds=delay):
            return fetch_html(url, self.policy, validators=validators)

    def fetch_document(self, url: str, *, validators: Validators | None = None, accept: str) -> FetchedPage:
        """Any document (a feed, an OPML file), the same polite way."""
        delay = self._turn_delay(url)
        with self.gate.turn(urlsplit(url).hostname or "", delay_seconds=delay):
            page = fetch(url, self.policy, validators=validators, accept=accept)
        if not page.not_modified and not page.body.strip():
            raise FetchFailed("the server sent an empty document", reason="empty_page")
        return page

    # Parsing ------------------------------------------------------------------------------------------

    def extract(self, html: bytes | str, *, url: str | None) -> ExtractedPage:
        if self.parser is None:
            return extract_page(html, url=url)
        return self.parser.call(extract_page, html, url=url)

    def parse_feed(self, page: FetchedPage) -> ParsedFeed:
        """A fetched feed document, parsed under the same budget as pages: feedparser can take seconds and
        hundreds of MB on a hostile document (deep nesting); a very long one is cut to what a poll takes
        (``feed_max_entries``) before it parses."""
        if self.parser is None:
            return parse_feed(
                page.body,
                url=page.url,
                content_type=page.content_type,
                content_location=page.content_location,
                max_entries=self.settings.feed_max_entries,
            )
        return self.parser.call(
            parse_feed,
            page.body,
            url=page.url,
            content_type=page.content_type,
            content_location=page.content_location,
            max_entries=self.settings.feed_max_entries,
        )

    def article_from_html(
        self, html: bytes | str, *, url: str | None, charset: str | None = None, title: str | None = None
    ) -> Article:
        """The article of a page, with its language; NotAnArticle (with the reason) for anything else."""
        if isinstance(html, bytes) and charset and not declared_charset(html):
            html = decode_bytes(
                html, charset, repair_utf8=True
            )  # the HTTP header's charset, when the page has none
        article = article_of(self.extract(html, url=url))
        return readable(dataclasses.replace(article, title=title) if title else article)

    # Storing ------------------------------------------------------------------------------------------

    def store_url(
        self,
        database: Engine,
        url: str,
        *,
        title: str | None = None,
        on_stored: Callable[[Connection, StoredArticle], None] | None = None,
    ) -> UrlIngest:
        """Fetch, judge and store the article at ``url`` once; a re-fetch is conditional (ETag, date).

        No transaction is open while the page is fetched or parsed; the article, its fetch record and
        whatever ``on_stored`` writes (a feed entry's status, a summary) go in one, so a crash leaves all
        or nothing.
        """
        with database.connect() as connection:
            known = repo.get_fetch(conn=connection, url=url)
        validators = known.validators if known is not None and known.article_id is not None else None
        page = self.fetch_page(url, validators=validators)
        if page.not_modified and known is not None and known.article_id is not None:
            with database.begin() as connection:
                stored = repo.get_article(conn=connection, article_id=known.article_id)
                if stored is not None:
                    repo.record_fetch(
                        conn=connection, url=url, validators=validators, article_id=known.article_id
                    )
                    if on_stored is not None:
                        on_stored(connection, stored)
                    return UrlIngest(stored=stored, created=False, not_modified=True)
            page = self.fetch_page(url)  # the stored article is gone: fetch it whole
        article = self.article_from_html(page.body, url=page.url, charset=page.charset, title=title)
        with database.begin() as connection:
            stored, created = repo.save_article(conn=connection, article=article, source_kind="url")
            repo.record_fetch(conn=connection, url=url, validators=page.validators, article_id=stored.id)
            if on_stored is not None:
                on_stored(connection, stored)
        return UrlIngest(stored=stored, created=created)
