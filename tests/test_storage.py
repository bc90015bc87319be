"""The repository on SQLite and on a real PostgreSQL server (same tests)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from newsbrief.models import Article
from newsbrief.storage import repo
from newsbrief.storage.database import open_database, upgrade


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_database(database_url)
    upgrade(engine)
    upgrade(engine)  # migrations are idempotent
    yield engine
    engine.dispose()


def story(title: str, body: str, *, site: str = "Courier", url: str | None = None, day: int = 1) -> Article:
    return Article(
        paragraphs=(body,),
        title=title,
        site=site,
        url=url,
        published=datetime(2026, 10, day, 9, tzinfo=UTC),
        language="en",
    )


def test_same_story_is_stored_once_by_content_or_canonical_url(engine: Engine) -> None:
    with engine.begin() as conn:
        first, created = repo.save_article(
            conn=conn,
            article=story("A", "The bridge opens.", url="https://Site.example/a/?utm_source=x#top"),
            source_kind="html",
        )
        same_text, created_again = repo.save_article(
            conn=conn, article=story("A", "The bridge opens."), source_kind="text"
        )
        same_url, created_third = repo.save_article(
            conn=conn, article=story("A2", "Edited text.", url="https://site.example/a"), source_kind="url"
        )
        assert (created, created_again, created_third) == (True, False, False)
        assert first.id == same_text.id == same_url.id
        assert repo.count_articles(conn=conn) == 1


def test_list_search_and_neighbours(engine: Engine) -> None:
    with engine.begin() as conn:
        ids = [
            repo.save_article(
                conn=conn,
                article=story(f"Story {n}", f"Harbour news number {n} with ferry updates.", day=n + 1),
                source_kind="text",
            )[0].id
            for n in range(4)
        ]
        other = repo.save_article(
            conn=conn,
            article=story("Elsewhere", "A ferry story from elsewhere.", site="Daily", day=3),
            source_kind="text",
        )[0]
        rows, count = repo.list_articles(conn=conn, query=None, limit=3, offset=0)
        assert count == 5 and [r.article.title for r in rows] == [
            "Story 3",
            "Elsewhere",
            "Story 2",
        ]  # same day: newer id first
        assert repo.list_articles(conn=conn, query="ferry elsewhere", limit=10, offset=0)[1] == 1
        for hostile in [
            "'; DROP TABLE articles; --",
            'ferry" OR 1=1',
            "NEAR(ferry*",
            "%_\\",
            "ferry AND NOT x",
        ]:
            repo.list_articles(conn=conn, query=hostile, limit=10, offset=0)  # plain words, never syntax
        assert repo.count_articles(conn=conn) == 5
        middle = repo.get_article(conn=conn, article_id=ids[1])
        assert middle is not None
        around = repo.neighbours(conn=conn, stored=middle)
        assert around.previous is not None and around.previous.id == ids[0]
        assert around.next is not None and around.next.id == ids[2]  # "Elsewhere" is another site
        last = repo.neighbours(conn=conn, stored=repo.get_article(conn=conn, article_id=ids[3]))  # type: ignore[arg-type]
        assert last.next is None
        assert repo.neighbours(conn=conn, stored=other).previous is None


def test_summary_cache_and_delete(engine: Engine) -> None:
    with engine.begin() as conn:
        stored = repo.save_article(conn=conn, article=story("A", "The bridge opens."), source_kind="text")[0]
        key = repo.options_key({"style": "bullets", "length": {"unit": "sentences", "value": 3}})
        assert (
            repo.get_cached_summary(
                conn=conn, content_hash=stored.article.content_hash, engine="e.v1", options=key
            )
            is None
        )
        for _ in range(2):  # the second save is a no-op, not an error
            repo.save_summary(
                conn=conn,
                article_id=stored.id,
                content_hash=stored.article.content_hash,
                engine="e.v1",
                options=key,
                payload={"text": "x"},
            )
        assert repo.get_cached_summary(
            conn=conn, content_hash=stored.article.content_hash, engine="e.v1", options=key
        ) == {"text": "x"}
        assert repo.delete_article(conn=conn, article_id=stored.id)
        assert not repo.delete_article(conn=conn, article_id=stored.id)
        assert (
            repo.get_cached_summary(
                conn=conn, content_hash=stored.article.content_hash, engine="e.v1", options=key
            )
            is None
        )


def test_api_keys_are_stored_hashed(engine: Engine) -> None:
    with engine.begin() as conn:
        key = repo.create_api_key(conn=conn, label="tests")
        assert repo.api_key_exists(conn=conn, key=key)
        assert not repo.api_key_exists(conn=conn, key=key + "x")


def test_unicode_search(engine: Engine) -> None:
    with engine.begin() as conn:
        repo.save_article(
            conn=conn,
            article=story("Встреча", "Министры обороны провели встречу в Москве."),
            source_kind="text",
        )
        repo.save_article(
            conn=conn, article=story("Genève", "Le député a présenté le projet à Genève."), source_kind="text"
        )
        assert repo.list_articles(conn=conn, query="встречу", limit=5, offset=0)[1] == 1
        assert repo.list_articles(conn=conn, query="présenté", limit=5, offset=0)[1] == 1
