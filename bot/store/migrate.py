"""Schema upgrades through Alembic, on start and by `run_bot.py db upgrade`."""
from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.store.database import ensure_sqlite_folder, normalize_url

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' is ConfigParser's interpolation character; passwords may contain it.
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade synchronously (Alembic's async env runs its own event loop)."""
    ensure_sqlite_folder(normalize_url(url))
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    """Upgrade from inside a running event loop, in a worker thread with a loop of its own."""
    await asyncio.to_thread(upgrade, url, revision)
