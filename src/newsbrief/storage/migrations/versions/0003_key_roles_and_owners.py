"""Key roles and revocation, the key that stored each article and feed, and the deployment's secrets.

Keys made before this revision become writers: they keep storing, but only admins (the keys of
NEWSBRIEF_API_KEYS, or ``newsbrief keys create --role admin``) may delete the rows stored before it,
whose owner is unknown (NULL).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("role", sa.String(16), nullable=False, server_default="writer"))
    op.add_column("api_keys", sa.Column("revoked_at", sa.DateTime(timezone=True)))
    # A plain column on SQLite (ALTER TABLE cannot add a constraint; a batch copy of ``articles`` would
    # drop its full-text triggers); a foreign key on PostgreSQL.
    for table in ("articles", "feeds"):
        op.add_column(table, sa.Column("created_by", sa.Integer))
        if op.get_bind().dialect.name != "sqlite":
            op.create_foreign_key(f"fk_{table}_created_by", table, "api_keys", ["created_by"], ["id"])
    op.create_table(
        "deployment_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("deployment_secrets")
    for table in ("feeds", "articles"):
        if op.get_bind().dialect.name != "sqlite":
            op.drop_constraint(f"fk_{table}_created_by", table, type_="foreignkey")
        op.drop_column(table, "created_by")
    op.drop_column("api_keys", "revoked_at")
    op.drop_column("api_keys", "role")
