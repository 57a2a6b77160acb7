"""Alembic's entry point for matcher's schema, run programmatically by ``matcher.storage.engine.migrate``.

``migrate`` hands over an open connection in ``config.attributes["connection"]``; run from the ``alembic``
command line instead, the database is the one the service would use (``MATCHER_DATABASE_URL`` or the
SQLite file in the data directory).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from matcher.storage.engine import create_database_engine, database_url
from matcher.storage.models import Base


def run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    with create_database_engine(database_url()).begin() as opened:
        run_migrations(opened)
