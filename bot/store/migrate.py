"""Schema upgrades through Alembic, on start and by `run_bot.py db upgrade`."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.exc import DBAPIError

from bot.store.database import DatabaseUnusable, is_sqlite, normalize_url, prepare_sqlite_file

# Shipped inside the package (package data), so an installed bot upgrades its schema like a checkout.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
CHECK_SERVER = "check that the server is running there and that the host, port, database name, user and password are right"
CHECK_FILE = "check that the file is a SQLite database and that this user may write it and its folder"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' is ConfigParser's interpolation character; passwords may contain it.
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade synchronously (Alembic's async env runs its own event loop). `DatabaseUnusable`
    when the database cannot be opened or reached: one line saying why, never a traceback."""
    prepare_sqlite_file(normalize_url(url))
    try:
        command.upgrade(alembic_config(url), revision)
    except (OSError, DBAPIError) as error:
        raise DatabaseUnusable(unusable_because(error, CHECK_FILE if is_sqlite(normalize_url(url)) else CHECK_SERVER)) from None


async def upgrade_async(url: str, revision: str = "head") -> None:
    """Upgrade from inside a running event loop, in a worker thread with a loop of its own."""
    await asyncio.to_thread(upgrade, url, revision)


def unusable_because(error: BaseException, check: str) -> str:
    """Why the database cannot be used, in words, from what the driver raised, and what to
    `check`: one line."""
    if isinstance(error, socket.gaierror):
        return f"cannot connect: the host name is not known; {check}"
    if isinstance(error, ConnectionRefusedError):
        return f"cannot connect: the connection was refused; {check}"
    if isinstance(error, TimeoutError):
        return f"cannot connect: no answer in time; {check}"
    if isinstance(error, OSError):
        return f"cannot connect: {error.strerror or type(error).__name__}; {check}"
    orig = error.orig if isinstance(error, DBAPIError) else None
    detail = " ".join(str(orig if orig is not None else "").split())[:200]
    return f"the database refused: {detail or type(error).__name__}; {check}"
