"""Every read and write of the store: small keyword-only functions over an explicit connection."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, case, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from newsbrief.models import PARAGRAPH_SEPARATOR, Article, Validators
from newsbrief.storage.schema import (
    api_keys,
    articles,
    deployment_secrets,
    feed_entries,
    feeds,
    fetches,
    sources,
    summaries,
)
from newsbrief.storage.search import Snippet, matching_condition, parse_query, snippets
from newsbrief.urls import canonical_url


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as stored, with its id and when it arrived."""

    id: int
    article: Article
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Neighbours:
    previous: StoredArticle | None
    next: StoredArticle | None


def _now() -> datetime:
    return datetime.now(UTC)


def save_article(*, conn: Connection, article: Article, source_kind: str) -> tuple[StoredArticle, bool]:
    """Store an article unless it is there already (same canonical URL or same content); record its source.

    Returns the stored article and whether it was new.
    """
    canonical = canonical_url(article.url)
    existing = _find_duplicate(conn, article.content_hash, canonical)
    if existing is None:
        values = {
            "content_hash": article.content_hash,
            "canonical_url": canonical,
            "url": article.url,
            "title": article.title,
            "subtitle": article.subtitle,
            "byline": article.byline,
            "published": article.published,
            "site": article.site,
            "language": article.language,
            "body": article.text,
            "word_count": article.word_count,
            "image_url": article.image_url,
            "created_at": _now(),
        }
        try:
            with conn.begin_nested():
                new_id = conn.execute(insert(articles).values(**values).returning(articles.c.id)).scalar_one()
        except IntegrityError:  # a concurrent writer stored the same story first
            existing = _find_duplicate(conn, article.content_hash, canonical)
            if existing is None:
                raise
        else:
            existing = new_id
            created = True
            conn.execute(
                insert(sources).values(
                    article_id=new_id, kind=source_kind, url=article.url, received_at=_now()
                )
            )
            stored = get_article(conn=conn, article_id=new_id)
            assert stored is not None
            return stored, created
    conn.execute(
        insert(sources).values(article_id=existing, kind=source_kind, url=article.url, received_at=_now())
    )
    stored = get_article(conn=conn, article_id=existing)
    assert stored is not None
    return stored, False


def _find_duplicate(conn: Connection, content_hash: str, canonical: str | None) -> int | None:
    condition = articles.c.content_hash == content_hash
    if canonical:
        condition = or_(condition, articles.c.canonical_url == canonical)
    return conn.execute(select(articles.c.id).where(condition).limit(1)).scalar()


def _to_stored(row: Any) -> StoredArticle:
    return StoredArticle(
        id=row.id,
        article=Article(
            paragraphs=tuple(row.body.split(PARAGRAPH_SEPARATOR)),
            title=row.title,
            subtitle=row.subtitle,
            byline=row.byline,
            published=row.published,
            url=row.url,
            site=row.site,
            language=row.language,
            image_url=row.image_url,
        ),
        created_at=row.created_at,
    )


def get_article(*, conn: Connection, article_id: int) -> StoredArticle | None:
    row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
    return None if row is None else _to_stored(row)


def find_article_by_url(*, conn: Connection, url: str) -> StoredArticle | None:
    canonical = canonical_url(url)
    if canonical is None:
        return None
    row = conn.execute(select(articles).where(articles.c.canonical_url == canonical)).first()
    return None if row is None else _to_stored(row)


def delete_article(*, conn: Connection, article_id: int) -> bool:
    conn.execute(delete(fetches).where(fetches.c.article_id == article_id))
    conn.execute(update(feed_entries).where(feed_entries.c.article_id == article_id).values(article_id=None))
    conn.execute(delete(summaries).where(summaries.c.article_id == article_id))
    conn.execute(delete(sources).where(sources.c.article_id == article_id))
    return conn.execute(delete(articles).where(articles.c.id == article_id)).rowcount > 0


def _newest_first() -> tuple[Any, ...]:
    # Dated articles first, newest first; then the undated ones, newest stored first. Sorting an undated
    # article by when it was stored would put an old story without a date above today's news.
    undated = case((articles.c.published.is_(None), 1), else_=0)
    return (undated, articles.c.published.desc(), articles.c.created_at.desc(), articles.c.id.desc())


def list_articles(
    *, conn: Connection, query: str | None, limit: int, offset: int
) -> tuple[list[StoredArticle], int]:
    """A page of articles, newest first; ``query`` searches titles and bodies: words, ``OR`` and quoted
    phrases (``storage.search``), never the database's own syntax."""
    search = parse_query(query or "")
    statement = select(articles)
    count = select(func.count()).select_from(articles)
    if not search.is_empty:
        condition = matching_condition(conn, search)
        statement = statement.where(condition)
        count = count.where(condition)
    rows = conn.execute(statement.order_by(*_newest_first()).limit(limit).offset(offset)).all()
    return [_to_stored(row) for row in rows], int(conn.execute(count).scalar_one())


def search_snippets(*, conn: Connection, query: str | None, article_ids: Sequence[int]) -> dict[int, Snippet]:
    """A passage of each listed article around what ``query`` matched, the matches highlighted (empty
    without a query)."""
    return snippets(conn=conn, query=parse_query(query or ""), article_ids=article_ids)


def neighbours(*, conn: Connection, stored: StoredArticle) -> Neighbours:
    """The previous and next article of the same site in publication order."""
    published = func.coalesce(articles.c.published, articles.c.created_at)
    when = stored.article.published or stored.created_at
    same_site = (
        articles.c.site.is_(None) if stored.article.site is None else articles.c.site == stored.article.site
    )
    earlier = or_(published < when, and_(published == when, articles.c.id < stored.id))
    later = or_(published > when, and_(published == when, articles.c.id > stored.id))
    before = conn.execute(
        select(articles).where(same_site, earlier).order_by(published.desc(), articles.c.id.desc()).limit(1)
    ).first()
    after = conn.execute(
        select(articles).where(same_site, later).order_by(published, articles.c.id).limit(1)
    ).first()
    return Neighbours(
        previous=None if before is None else _to_stored(before),
        next=None if after is None else _to_stored(after),
    )


def options_key(options: dict[str, Any]) -> str:
    """The canonical text of summary options: one cache entry per distinct request."""
    return json.dumps(options, sort_keys=True, separators=(",", ":"))


def get_cached_summary(
    *, conn: Connection, content_hash: str, engine: str, options: str
) -> dict[str, Any] | None:
    payload = conn.execute(
        select(summaries.c.payload).where(
            summaries.c.content_hash == content_hash,
            summaries.c.engine == engine,
            summaries.c.options_key == options,
        )
    ).scalar()
    return None if payload is None else dict(json.loads(payload))


def get_cached_summary_of_article(
    *, conn: Connection, article_id: int, engine: str, options: str
) -> dict[str, Any] | None:
    """The cached summary of a stored article, found in one query (the hot path of the summary API)."""
    payload = conn.execute(
        select(summaries.c.payload)
        .join(articles, articles.c.content_hash == summaries.c.content_hash)
        .where(articles.c.id == article_id, summaries.c.engine == engine, summaries.c.options_key == options)
        .limit(1)
    ).scalar()
    return None if payload is None else dict(json.loads(payload))


def save_summary(
    *,
    conn: Connection,
    article_id: int,
    content_hash: str,
    engine: str,
    options: str,
    payload: dict[str, Any],
) -> None:
    """Cache a summary; a concurrent request that cached the same one first wins (same content anyway)."""
    try:
        with conn.begin_nested():
            conn.execute(
                insert(summaries).values(
                    article_id=article_id,
                    content_hash=content_hash,
                    engine=engine,
                    options_key=options,
                    payload=json.dumps(payload, ensure_ascii=False),
                    created_at=_now(),
                )
            )
    except IntegrityError:
        pass


# admin: may delete anything; writer: may store, and delete only what it stored.
KEY_ROLES = ("admin", "writer")


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key made by ``newsbrief keys create`` (the key itself is never stored, only its hash)."""

    id: int
    label: str | None
    role: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Ownership:
    """Who stored a row: a key's id, or None (a key from NEWSBRIEF_API_KEYS, or a row older than owners)."""

    created_by: int | None


def create_api_key(*, conn: Connection, label: str | None, role: str = "writer") -> str:
    """A new write key; only its hash is stored, so the key is shown once."""
    if role not in KEY_ROLES:
        raise ValueError(f"unknown key role {role!r}")
    key = "nb_" + secrets.token_urlsafe(24)
    conn.execute(insert(api_keys).values(key_hash=_hash_key(key), label=label, role=role, created_at=_now()))
    return key


def api_key_exists(*, conn: Connection, key: str) -> bool:
    return find_api_key(conn=conn, key=key) is not None


def _to_api_key(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id, label=row.label, role=row.role, created_at=row.created_at, revoked_at=row.revoked_at
    )


def find_api_key(*, conn: Connection, key: str) -> ApiKey | None:
    """The key's record if the key is valid: known and not revoked."""
    row = conn.execute(
        select(api_keys).where(api_keys.c.key_hash == _hash_key(key), api_keys.c.revoked_at.is_(None))
    ).first()
    return None if row is None else _to_api_key(row)


def get_active_api_key(*, conn: Connection, key_id: int) -> ApiKey | None:
    """Key ``key_id`` unless it was revoked (a login session names its key by id)."""
    row = conn.execute(
        select(api_keys).where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
    ).first()
    return None if row is None else _to_api_key(row)


def list_api_keys(*, conn: Connection) -> list[ApiKey]:
    return [_to_api_key(row) for row in conn.execute(select(api_keys).order_by(api_keys.c.id)).all()]


def revoke_api_key(*, conn: Connection, key_id: int) -> bool:
    """Revoke a key (it stops working at once); False when there is no such key. Revoking twice keeps the
    first date."""
    if conn.execute(select(api_keys.c.id).where(api_keys.c.id == key_id)).first() is None:
        return False
    conn.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=_now())
    )
    return True


def set_article_owner(*, conn: Connection, article_id: int, key_id: int | None) -> None:
    conn.execute(update(articles).where(articles.c.id == article_id).values(created_by=key_id))


def article_ownership(*, conn: Connection, article_id: int) -> Ownership | None:
    """Who stored article ``article_id``; None when there is no such article."""
    row = conn.execute(select(articles.c.created_by).where(articles.c.id == article_id)).first()
    return None if row is None else Ownership(row.created_by)


def set_feed_owner(*, conn: Connection, feed_id: int, key_id: int | None) -> None:
    conn.execute(update(feeds).where(feeds.c.id == feed_id).values(created_by=key_id))


def feed_ownership(*, conn: Connection, feed_id: int) -> Ownership | None:
    """Who subscribed to feed ``feed_id``; None when there is no such feed."""
    row = conn.execute(select(feeds.c.created_by).where(feeds.c.id == feed_id)).first()
    return None if row is None else Ownership(row.created_by)


def deployment_secret(*, conn: Connection, name: str) -> str:
    """The deployment's secret ``name``, made at random on first use (``conn`` must be able to write).

    Kept in the database so that every process of the service, and every restart, signs alike."""
    value = conn.execute(select(deployment_secrets.c.value).where(deployment_secrets.c.name == name)).scalar()
    if value is not None:
        return str(value)
    try:
        with conn.begin_nested():
            made = secrets.token_urlsafe(32)
            conn.execute(insert(deployment_secrets).values(name=name, value=made, created_at=_now()))
            return made
    except IntegrityError:  # another process made it first: use theirs
        return str(
            conn.execute(
                select(deployment_secrets.c.value).where(deployment_secrets.c.name == name)
            ).scalar_one()
        )


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def count_articles(*, conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(articles)).scalar_one())


def article_ids_after(*, conn: Connection, after: int, limit: int) -> list[int]:
    """Up to ``limit`` article ids above ``after``, ascending: a walk over every article that stays correct
    while articles are added or deleted (keyset, not offset), and resumes from the last id it saw."""
    statement = select(articles.c.id).where(articles.c.id > after).order_by(articles.c.id).limit(limit)
    return [int(article_id) for article_id in conn.execute(statement).scalars()]


@dataclass(frozen=True, slots=True)
class KnownFetch:
    """The last fetch of a URL: its validators (for a conditional re-fetch) and the article it gave."""

    validators: Validators
    article_id: int | None


def get_fetch(*, conn: Connection, url: str) -> KnownFetch | None:
    canonical = canonical_url(url)
    if canonical is None:
        return None
    row = conn.execute(select(fetches).where(fetches.c.url == canonical)).first()
    if row is None:
        return None
    return KnownFetch(Validators(etag=row.etag, last_modified=row.last_modified), row.article_id)


def record_fetch(*, conn: Connection, url: str, validators: Validators | None, article_id: int) -> None:
    """Remember what fetching ``url`` gave (insert or update; a concurrent insert of the same URL wins)."""
    canonical = canonical_url(url)
    if canonical is None:
        return
    values = {
        "etag": validators.etag if validators else None,
        "last_modified": validators.last_modified if validators else None,
        "article_id": article_id,
        "fetched_at": _now(),
    }
    if conn.execute(update(fetches).where(fetches.c.url == canonical).values(**values)).rowcount:
        return
    try:
        with conn.begin_nested():
            conn.execute(insert(fetches).values(url=canonical, **values))
    except IntegrityError:
        conn.execute(update(fetches).where(fetches.c.url == canonical).values(**values))
