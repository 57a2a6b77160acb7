"""Persistence for the service: SQLAlchemy models, repository functions, engine setup and migrations."""

from matcher.storage.engine import Database, database_url, default_data_dir, migrate, normalise_url

__all__ = ["Database", "database_url", "default_data_dir", "migrate", "normalise_url"]
