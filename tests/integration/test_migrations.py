"""The schema comes from Alembic: `run_bot.py db upgrade` creates it and is safe to repeat."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC

from sqlalchemy import inspect

from bot.store.database import create_engine
from tests.conftest import PROJECT_DIR


def test_db_upgrade_creates_the_schema_and_can_run_twice(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'bot.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url}
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, str(PROJECT_DIR / "run_bot.py"), "db", "upgrade"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
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


async def test_upgrading_counts_each_learners_run_of_learning_days_from_their_history(core, store, clock, database_url):
    """Migration 0013 keeps each learner's run with them; on an existing database it counts the
    runs from the events: the same streaks the bot would have kept, and the same /progress."""
    import asyncio
    from datetime import datetime

    from alembic import command

    from bot.store.migrate import alembic_config, upgrade_async
    from tests.integration.test_streaks_in_the_bot import learn_a_bit, streak
    from tests.support import Chat

    ana, bo = Chat(core, "ana"), Chat(core, "bo")
    await ana.start(timezone="Europe/Berlin")
    await bo.start(timezone="America/New_York")
    for day in (2, 3, 4, 5, 6, 9, 10):  # Mon-Fri, then Mon, Tue: 7 in a row for Ana
        clock.set(datetime(2026, 3, day, 15, tzinfo=UTC))
        await learn_a_bit(ana)
        if day in (2, 4, 5):  # Bo missed Tuesday 3rd: a run of 2 ending Thursday 5th
            await learn_a_bit(bo)
    kept = await runs(store)
    assert kept == {
        "ana": (7, "2026-03-10", "2026-03-11 23:00:00+00:00", "2026-03-10 15:00:00+00:00"),  # ends with Wednesday, Berlin
        "bo": (2, "2026-03-05", "2026-03-07 05:00:00+00:00", "2026-03-05 15:00:00+00:00"),  # with Friday, New York
    }

    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0012")
    await upgrade_async(database_url)
    assert await runs(store) == kept, "dropped by the downgrade, counted again from the events by the upgrade"
    assert await streak(ana) == 7 and await streak(bo) == 0, "Bo's Friday and Monday passed without learning"


async def runs(store) -> dict[str, tuple[int, str, str, str]]:
    """Each learner's kept run: length, last day, when it ends, when they last learned."""
    async with store.transaction() as tx:
        kept = {}
        for name in ("ana", "bo"):
            learner = await tx.learners.find("test", name)
            kept[name] = (learner.streak_days, str(learner.streak_last_day), str(learner.streak_ends_at), str(learner.last_learned_at))
        return kept


async def test_downgrading_and_upgrading_again_keeps_every_learners_history(core, store, clock, database_url):
    """Downgrades rebuild `learners` on SQLite (batch mode); its foreign keys must not take the
    learners' events with it."""
    import asyncio

    from alembic import command

    from bot.store.migrate import alembic_config, upgrade_async
    from tests.integration.test_streaks_in_the_bot import learn_a_bit, streak
    from tests.support import Chat

    ana = Chat(core, "ana")
    await ana.start(timezone="Europe/Berlin")
    await learn_a_bit(ana)
    async with store.transaction() as tx:
        before = len(await tx.trail.of((await tx.learners.find("test", "ana")).id))
    assert before > 0

    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0005")  # rebuilds learners twice
    await upgrade_async(database_url)
    async with store.transaction() as tx:
        assert len(await tx.trail.of((await tx.learners.find("test", "ana")).id)) == before
    assert await streak(ana) == 1
