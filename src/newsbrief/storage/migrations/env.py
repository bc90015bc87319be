"""Alembic environment: newsbrief runs migrations in-process with a connection it passes in."""

from __future__ import annotations

from alembic import context

from newsbrief.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through newsbrief.storage.database.upgrade(), which passes a connection"
    )
context.configure(
    connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite"
)
with context.begin_transaction():
    context.run_migrations()
