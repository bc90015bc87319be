"""``Service``: the application object every edge uses (datasette's ``Datasette``, built by its CLI and
used by every view). It is built from ``Settings`` once, migrates the database once, and owns what must be
closed (the database handle, the ingestor's parse workers)."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from newsbrief.config import Settings
from newsbrief.errors import InvalidInput
from newsbrief.models import Article, Summary
from newsbrief.options import SummaryOptions
from newsbrief.pipeline import make_summary, with_language

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from newsbrief.extract.feed import ParsedFeed
    from newsbrief.services.editorial import Editorial
    from newsbrief.services.feeds import PollReport
    from newsbrief.services.ingest import Ingestor, UrlIngest
    from newsbrief.storage.feed_repo import StoredFeed
    from newsbrief.storage.repo import ApiKey, StoredArticle


class Service:
    """What newsbrief does, over one database: store, fetch, summarize, follow feeds, manage keys.

    ``Service(settings)`` opens and migrates ``settings.database_url``; ``Service(settings, database=handle,
    migrate=False)`` uses a handle someone else opened and migrated (the service's own worker processes).
    """

    def __init__(self, settings: Settings, *, database: Engine | None = None, migrate: bool = True) -> None:
        from newsbrief.storage.database import open_database, upgrade

        self.settings = settings
        self._owns_database = database is None
        self.database: Engine = database if database is not None else open_database(settings.database_url)
        if migrate:
            upgrade(self.database)
        self._ingestor: Ingestor | None = None

    @property
    def ingestor(self) -> Ingestor:
        """The fetcher and budgeted parser, made on first use: commands that never fetch or parse pages
        never start its worker processes."""
        if self._ingestor is None:
            from newsbrief.services.ingest import Ingestor

            self._ingestor = Ingestor(self.settings)
        return self._ingestor

    @property
    def editorial(self) -> Editorial:
        """Pinned summaries: editors' versions, served instead of the machine's (services/editorial.py)."""
        from newsbrief.services.editorial import Editorial

        return Editorial(self.database)

    def close(self) -> None:
        if self._ingestor is not None:
            self._ingestor.close()
            self._ingestor = None
        if self._owns_database:
            self.database.dispose()

    def __enter__(self) -> Service:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # Summaries ----------------------------------------------------------------------------------------

    def summary_options(self, **given: Any) -> SummaryOptions:
        """Options from what a user gave (``SummaryOptions.parse``), with this deployment's defaults."""
        return SummaryOptions.parse(defaults=self.settings.summary, **given)

    def summarize(self, article: Article, options: SummaryOptions) -> Summary:
        return make_summary(article, options, reading_wpm=self.settings.reading_wpm)

    # Articles -----------------------------------------------------------------------------------------

    def store_article(
        self, article: Article, *, source_kind: str, owner: int | None = None
    ) -> tuple[StoredArticle, bool]:
        """Store an article once (same URL or content: the stored one); ``owner`` is the writing key's id."""
        [(stored, created)] = self.store_articles([article], source_kind=source_kind, owner=owner)
        return stored, created

    def store_articles(
        self, articles: list[Article], *, source_kind: str = "text", owner: int | None = None
    ) -> list[tuple[StoredArticle, bool]]:
        """Store articles in one transaction (all or none), committed before this returns."""
        from newsbrief.storage import repo

        if any(not article.paragraphs for article in articles):
            raise InvalidInput("no article text found")
        results = []
        with self.database.begin() as writer:
            for article in articles:
                stored, created = repo.save_article(
                    conn=writer, article=with_language(article), source_kind=source_kind
                )
                if created and owner is not None:  # a story stored before keeps its owner
                    repo.set_article_owner(conn=writer, article_id=stored.id, key_id=owner)
                results.append((stored, created))
        return results

    def store_url(self, url: str, *, title: str | None = None, owner: int | None = None) -> UrlIngest:
        """Fetch (politely, safely), judge and store the article at ``url``."""
        from newsbrief.storage import repo

        outcome = self.ingestor.store_url(self.database, url, title=title)
        if outcome.created and owner is not None:
            with self.database.begin() as writer:
                repo.set_article_owner(conn=writer, article_id=outcome.stored.id, key_id=owner)
        return outcome

    def articles_from_source(self, source: str) -> list[Article]:
        """The articles of a file or ``-`` (text, page dump, HTML parsed under the budget, JSON lines)."""
        from newsbrief.sources import read_articles

        def parse(markup: str, url: str | None) -> Article:
            article: Article = self.ingestor.article_from_html(markup, url=url)
            return article

        return read_articles(source, max_bytes=self.settings.max_input_bytes, parse=parse)

    def load_samples(self) -> int:
        """Store the bundled sample articles (idempotent); how many were new."""
        from newsbrief.samples import sample_articles

        return sum(self.store_article(article, source_kind="text")[1] for article in sample_articles())

    # Feeds --------------------------------------------------------------------------------------------

    def add_feed(self, url: str, *, owner: int | None = None) -> tuple[StoredFeed, bool, ParsedFeed]:
        """Fetch and check a feed, then subscribe to it. Returns (feed, newly subscribed, what was parsed)."""
        from newsbrief.services.feeds import fetch_feed
        from newsbrief.storage import feed_repo, repo

        parsed = fetch_feed(self.ingestor, url)
        with self.database.begin() as writer:
            feed, created = feed_repo.add_feed(conn=writer, url=url, title=parsed.title)
            if created and owner is not None:
                repo.set_feed_owner(conn=writer, feed_id=feed.id, key_id=owner)
        return feed, created, parsed

    def poll(self, feed: StoredFeed, *, force: bool) -> PollReport:
        from newsbrief.services.feeds import poll_feed

        return poll_feed(self.database, self.ingestor, feed, force=force)

    def feeds(self, *, due_only: bool = False) -> list[StoredFeed]:
        from newsbrief.storage import feed_repo
        from newsbrief.storage.database import reading

        with reading(self.database) as conn:
            return feed_repo.due_feeds(conn=conn) if due_only else feed_repo.list_feeds(conn=conn)

    def find_feed(self, which: str) -> StoredFeed:
        """A subscription by id or URL (NotFound when there is none)."""
        from newsbrief.errors import NotFound
        from newsbrief.storage import feed_repo
        from newsbrief.storage.database import reading

        with reading(self.database) as conn:
            feed = (
                feed_repo.get_feed(conn=conn, feed_id=int(which))
                if which.isdigit() and int(which) <= 2_147_483_647
                else feed_repo.get_feed_by_url(conn=conn, url=which)
            )
        if feed is None:
            raise NotFound(f"no feed {which!r} (see `newsbrief feeds list`)")
        return feed

    def remove_feed(self, feed_id: int) -> bool:
        from newsbrief.storage import feed_repo

        with self.database.begin() as writer:
            return feed_repo.remove_feed(conn=writer, feed_id=feed_id)

    def subscribe_all(self, listed: list[tuple[str, str | None]]) -> int:
        """Subscribe to every (url, title) without fetching; how many were new."""
        from newsbrief.storage import feed_repo

        with self.database.begin() as writer:
            return sum(feed_repo.add_feed(conn=writer, url=url, title=title)[1] for url, title in listed)

    def fetch_document(self, url: str, *, accept: str) -> bytes:
        """Any document (an OPML file), fetched the same guarded, polite way as pages."""
        return self.ingestor.fetch_document(url, accept=accept).body

    # Keys ---------------------------------------------------------------------------------------------

    def create_key(self, *, label: str | None, role: str) -> str:
        from newsbrief.storage import repo

        with self.database.begin() as writer:
            return repo.create_api_key(conn=writer, label=label, role=role)

    def keys(self) -> list[ApiKey]:
        from newsbrief.storage import repo
        from newsbrief.storage.database import reading

        with reading(self.database) as conn:
            return repo.list_api_keys(conn=conn)

    def revoke_key(self, key_id: int) -> None:
        from newsbrief.errors import NotFound
        from newsbrief.storage import repo

        with self.database.begin() as writer:
            if not repo.revoke_api_key(conn=writer, key_id=key_id):
                raise NotFound(f"no key {key_id} (see `newsbrief keys list`)")


__all__ = ["Service"]
