"""The schema comes from Alembic: `run_bot.py db upgrade` creates it and is safe to repeat."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import inspect

from bot.store.database import create_engine
from tests.conftest import PROJECT_DIR


def test_db_upgrade_creates_the_schema_and_can_run_twice(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'bot.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url}
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, str(PROJECT_DIR / "run_bot.py"), "db", "upgrade"],
            capture_output=True, text=True, env=env, timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert "Database is up to date" in result.stdout


async def test_migrated_schema_matches_the_models(database_url):
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        indexes = await connection.run_sync(lambda c: {i["name"] for i in inspect(c).get_indexes("learning_sessions")})
    await engine.dispose()
    assert {"learners", "events", "learning_sessions", "item_states", "skill_states", "streak_holds", "alembic_version"} <= tables
    assert "uq_one_active_session" in indexes


def test_a_password_in_the_database_url_is_never_printed(tmp_path):
    from bot.config import redact_url

    assert "s3cret" not in redact_url("postgresql+asyncpg://bot:s3cret@db.example/bot")


async def test_the_models_need_no_migration_that_is_not_written(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.store.models import Base

    engine = create_engine(database_url)
    async with engine.connect() as connection:
        diff = await connection.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
    await engine.dispose()
    assert diff == []
