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
)
