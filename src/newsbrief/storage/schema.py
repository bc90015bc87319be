"""The tables (SQLAlchemy Core). Alembic migrations create them; this module is their one description."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    # Normalised URL (no tracking parameters, fragment or trailing slash): the same story reached twice.
    Column("canonical_url", String(2048), unique=True),
    Column("url", String(2048)),
    Column("title", Text),
    Column("subtitle", Text),
    Column("byline", Text),
    Column("published", DateTime(timezone=True)),
    Column("site", String(255)),
    Column("language", String(16)),
    Column("body", Text, nullable=False),  # paragraphs joined by a blank line (Article.text)
    Column("word_count", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("image_url", String(2048)),  # added in migration 0002
    # The key that stored it (migration 0003): its owner may delete it. NULL for older rows and for keys
    # from NEWSBRIEF_API_KEYS (admins, who may delete anything anyway).
    Column("created_by", Integer, ForeignKey("api_keys.id")),
)
Index("ix_articles_site_published", articles.c.site, articles.c.published, articles.c.id)
Index("ix_articles_published", articles.c.published, articles.c.id)

summaries = Table(
    "summaries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("engine", String(64), nullable=False),
    Column("options_key", String(255), nullable=False),
    Column("payload", Text, nullable=False),  # the summary as JSON, spans and features included
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("content_hash", "engine", "options_key", name="uq_summaries_cache_key"),
)
Index("ix_summaries_article", summaries.c.article_id)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # text, html, url
    Column("url", String(2048)),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
Index("ix_sources_article", sources.c.article_id)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),  # SHA-256 of the key; the key is shown once
    Column("label", String(255)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # admin (may delete anything) or writer (only what it stored); keys are revoked, never deleted, so the
    # articles and feeds they stored keep a valid owner.
    Column("role", String(16), nullable=False, server_default="writer"),
    Column("revoked_at", DateTime(timezone=True)),
)

# Secrets of this deployment made on first start (the session and bookmarklet signing key when
# NEWSBRIEF_SECRET_KEY is empty), shared by every process of the service.
deployment_secrets = Table(
    "deployment_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The validators of the last fetch of a URL (conditional GET on re-fetch) and what it gave.
fetches = Table(
    "fetches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2048), nullable=False, unique=True),  # canonical form of the requested URL
    Column("etag", String(512)),
    Column("last_modified", String(128)),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE")),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2048), nullable=False, unique=True),
    Column("title", Text),
    Column("site_url", String(2048)),
    Column("etag", String(512)),
    Column("last_modified", String(128)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_polled_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("next_poll_at", DateTime(timezone=True), nullable=False),
    # The last failure, kept until a poll succeeds; ``failures`` in a row sets the back-off.
    Column("error_reason", String(64)),
    Column("error_message", Text),
    Column("failures", Integer, nullable=False, server_default="0"),
    # A poller claims a feed until this time, so two service processes never poll the same feed at once.
    Column("claimed_until", DateTime(timezone=True)),
    Column("claimed_by", String(128)),  # host:pid of the poller holding the claim
    Column("created_by", Integer, ForeignKey("api_keys.id")),  # as articles.created_by (migration 0003)
)
Index("ix_feeds_next_poll", feeds.c.next_poll_at)

# One row per entry ever seen in a feed. An entry is acknowledged (stored as pending) before it is fetched,
# so a crash loses nothing: the next poll picks pending entries up.
feed_entries = Table(
    "feed_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("entry_key", String(64), nullable=False),  # SHA-256 of the entry's id (or link)
    Column("url", String(2048)),
    Column("title", Text),
    Column("published", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # pending, done, skipped (not an article), failed
    Column("reason", String(64)),
    Column("message", Text),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("feed_id", "entry_key", name="uq_feed_entries_key"),
)
Index("ix_feed_entries_status", feed_entries.c.status, feed_entries.c.feed_id)

# Editors keep the last word (migration 0004): the summary an editor pinned for an article, served instead of
# the machine's when a request names no engine. One row per article; ``points`` is JSON (each point's text
# and the article span it came from, or that the editor wrote it).
pinned_summaries = Table(
    "pinned_summaries",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("points", Text, nullable=False),
    Column("pinned_by", String(255), nullable=False),  # the key's label (or "admin"), shown to readers
    Column("pinned_by_key", Integer, ForeignKey("api_keys.id")),  # NULL: a key of NEWSBRIEF_API_KEYS
    Column("pinned_at", DateTime(timezone=True), nullable=False),
)

# Every pin, edit and clear, never updated or deleted (except with its article): who did what, and when.
summary_edits = Table(
    "summary_edits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("action", String(16), nullable=False),  # pin (first), edit (a pin replaced), clear
    Column("points", Text),  # the pinned points as JSON; NULL for a clear
    Column("editor", String(255), nullable=False),
    Column("editor_key", Integer, ForeignKey("api_keys.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_summary_edits_article", summary_edits.c.article_id, summary_edits.c.id)
