"""Where the data lives and how to reach it: SQLite under a data directory by default, PostgreSQL on request.

The same code runs on both. SQLite gets WAL mode (readers never wait for the solve writer), a busy timeout
(writers from several threads queue instead of failing) and enforced foreign keys. The schema is brought
up to date by Alembic every time a database is opened, so an upgraded server migrates its own data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

DATABASE_URL_ENV = "MATCHER_DATABASE_URL"
DATA_DIR_ENV = "MATCHER_DATA_DIR"
SQLITE_FILE = "matcher.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = 10_000
MIGRATIONS = "matcher.storage:migrations"
MIGRATION_LOCK_ID = 0x6D617463  # "matc": servers and workers starting together migrate one at a time


def default_data_dir() -> Path:
    """``$MATCHER_DATA_DIR``, else ``$XDG_DATA_HOME/matcher`` (``~/.local/share/matcher``)."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "matcher"


def database_url(data_dir: Path | None = None) -> str:
    """``$MATCHER_DATABASE_URL`` when set, else the SQLite file in the data directory (created if missing)."""
    configured = os.environ.get(DATABASE_URL_ENV)
    if configured:
        return normalise_url(configured)
    directory = data_dir or default_data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(directory / SQLITE_FILE).resolve()}"


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean PostgreSQL through psycopg 3, the driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def create_database_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    from alembic import command  # alembic takes most of a second to import: only when migrating
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # SQLite's write lock already serialises migrations
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass
class Database:
    """An engine with its session factory; ``session()`` is one transaction, committed on success."""

    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls, url: str, run_migrations: bool = True) -> Database:
        engine = create_database_engine(url)
        if run_migrations:
            migrate(engine)
        return cls(engine, sessionmaker(engine, expire_on_commit=False))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()
