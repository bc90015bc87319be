"""Editors keep the last word: pinned summaries and the history of every pin, edit and clear.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New tables carry their foreign keys on SQLite too (CREATE TABLE can; only ALTER TABLE cannot), so
    # deleting an article deletes its pin and history there as on PostgreSQL.
    op.create_table(
        "pinned_summaries",
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("points", sa.Text, nullable=False),
        sa.Column("pinned_by", sa.String(255), nullable=False),
        sa.Column("pinned_by_key", sa.Integer, sa.ForeignKey("api_keys.id")),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "summary_edits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("points", sa.Text),
        sa.Column("editor", sa.String(255), nullable=False),
        sa.Column("editor_key", sa.Integer, sa.ForeignKey("api_keys.id")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_summary_edits_article", "summary_edits", ["article_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_summary_edits_article", table_name="summary_edits")
    op.drop_table("summary_edits")
    op.drop_table("pinned_summaries")
