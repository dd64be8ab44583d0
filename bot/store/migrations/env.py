"""Alembic environment (stock async template). The URL comes from the bot's config, or, when
Alembic is run by hand, from the same settings the bot reads (DATABASE_URL, or DATA_DIR's SQLite file)."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.config import Settings
from bot.store.database import create_engine, normalize_url
from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return normalize_url(url or Settings.from_env().database_url)


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Batch mode rebuilds a table by copying it and dropping the original; with foreign keys
        # on, dropping `learners` would cascade-delete every learner's events. Off for this
        # connection only, before any transaction (SQLite ignores the pragma inside one), on the
        # driver's connection so that SQLAlchemy does not begin one first.
        connection.connection.cursor().execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_engine(database_url())
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
