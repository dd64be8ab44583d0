"""The progress store: SQLAlchemy 2.x (async) on SQLite or PostgreSQL, migrated by Alembic."""
