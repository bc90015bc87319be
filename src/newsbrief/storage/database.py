"""Opening the database: engines for SQLite (WAL) and PostgreSQL, and migrations to the newest schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 (the driver we ship); SQLite URLs stay."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# How long a SQLite writer waits for another writer's transaction to end before giving up.
SQLITE_BUSY_SECONDS = 30
# The execution option that says how a SQLite transaction begins (see _sqlite_begin).
SQLITE_BEGIN = "sqlite_begin"


def open_database(url: str) -> Engine:
    """The database handle for ``url`` (a SQLAlchemy Engine, called "database" everywhere: "engine" is a
    summarizer); SQLite files get WAL, foreign keys and a busy timeout on every connection.

    On SQLite every transaction begins IMMEDIATE (it takes the write lock at once, waiting up to
    ``SQLITE_BUSY_SECONDS`` for it) unless it is a ``reading`` one. A DEFERRED transaction that reads and
    then writes must upgrade its lock, and SQLite answers "database is locked" at once, without waiting,
    when another writer committed in between: that was the 500 under concurrent creates.
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        # No pool: a request holds a read connection while it waits for the write lock on another, so a
        # bounded pool runs dry under concurrent writes (seen: 16 clients, "QueuePool limit reached");
        # opening a SQLite file is cheap, and the busy timeout queues the writers.
        database = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
            poolclass=NullPool,
        )
        event.listen(database, "connect", _sqlite_pragmas)
        event.listen(database, "begin", _sqlite_begin)
        return database
    # A request may hold two connections (its read transaction and a write); the server runs up to 40
    # requests at once (its thread pool), so the pool may grow to that many pairs' worth.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=70)


@contextmanager
def reading(database: Engine) -> Iterator[Connection]:
    """A read-only transaction (on SQLite a DEFERRED one, so readers never queue for the write lock).

    Nothing may be written through it: writes go through ``database.begin()``, a transaction of their own.
    """
    with database.connect() as connection:
        connection.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
        with connection.begin():
            yield connection


def _sqlite_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # The driver must not begin transactions itself: _sqlite_begin does, with the mode we choose.
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def upgrade(database: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
