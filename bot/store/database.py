"""Engines and sessions. Nothing is created at import time: the composition root calls these."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.store import sqlite_driver

# The project's own folder, not the current directory: the same database wherever the bot starts.
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
CONNECT_TIMEOUT = 10.0  # seconds to wait for a PostgreSQL server to answer a new connection
PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")  # the file and what SQLite keeps beside it
SQLITE_HEADER = b"SQLite format 3\x00"  # only a SQLite database is ever chmod-ed, never a file named by mistake


class DatabaseUnusable(Exception):
    """The database cannot be opened or reached; the message says why and what to check, on one
    line, without the URL (the caller names the setting, password hidden)."""


def default_database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'bot.sqlite3'}"


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (`postgres://`, `postgresql://`) and pick an async driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url[len("postgresql://") :]
    if url.startswith("sqlite:///"):
        url = "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def prepare_sqlite_file(url: str) -> None:
    """A SQLite file readable by its owner only (0600, and so its journal, WAL and shared-memory
    files, which SQLite creates with the file's mode), in a folder created private (0700).
    `DatabaseUnusable` when the folder or the file cannot be written."""
    database = make_url(url).database
    if not is_sqlite(url) or not database or database == ":memory:":
        return
    path = Path(database)
    try:
        _private_folder(path.parent)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)  # no wider than 0600 whatever the umask
        with os.fdopen(descriptor, "rb") as file:
            ours = file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
        for suffix in SQLITE_COMPANIONS if ours else ():  # a database from before: tightened too
            companion = Path(f"{path}{suffix}")
            if companion.exists() and companion.stat().st_mode & 0o077:
                companion.chmod(PRIVATE_FILE)
        # SQLite writes its WAL and shared-memory files beside the database: the folder must take new files.
        check_writable(path.parent)
    except OSError as error:
        raise DatabaseUnusable(_cannot_write(error, path)) from None


def check_sqlite_folder(url: str) -> None:
    """Before anything is written: a SQLite database's folder takes new files (or can be created)."""
    database = make_url(url).database
    if is_sqlite(url) and database and database != ":memory:":
        try:
            check_writable(Path(database).parent)
        except OSError as error:
            raise DatabaseUnusable(_cannot_write(error, Path(database))) from None


def _cannot_write(error: OSError, path: Path) -> str:
    return (
        f"cannot write {error.filename or path} ({error.strerror or error}): the folder must exist or be "
        "creatable, and be writable by this user"
    )


def check_writable(target: Path) -> None:
    """`OSError` naming the folder unless `target`, or the nearest folder above it that exists
    (where it would be created), takes new files. Tried, not read from the mode bits: a
    read-only mount or an immutable folder refuses even root."""
    folder = target
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        probe, name = tempfile.mkstemp(dir=folder, prefix=".write-test-")
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(folder)) from None
    os.close(probe)
    os.remove(name)


def _private_folder(target: Path) -> None:
    missing, folder = [], target
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:  # another process starting at the same moment
            continue
        created.chmod(PRIVATE_FOLDER)  # mkdir's mode is narrowed by the umask, never widened: set it exactly
    if target == DEFAULT_DATA_DIR and target.stat().st_mode & 0o077:  # the project's own folder, from before
        target.chmod(PRIVATE_FOLDER)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    url = normalize_url(url)
    prepare_sqlite_file(url)
    if is_sqlite(url):
        if make_url(url).query:  # options in the URL (uri=true, mode=ro...): aiosqlite as SQLAlchemy opens it
            engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        else:
            engine = create_async_engine(url, async_creator=_one_trip_sqlite(url), **kwargs)
        _tune_sqlite(engine)
        _sqlite_immediate_transactions(engine)
        return engine
    # A server that does not answer at all (a dropped network) must not hold a learner's turn for
    # the driver's default minute: after CONNECT_TIMEOUT it counts as unavailable and what the
    # learner sent waits in the journal instead (adapters/inbox.py).
    timeout = {"timeout": CONNECT_TIMEOUT} if make_url(url).get_driver_name() == "asyncpg" else {"connect_timeout": int(CONNECT_TIMEOUT)}
    kwargs["connect_args"] = {**timeout, **kwargs.get("connect_args", {})}
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _one_trip_sqlite(url: str) -> Callable[[], sqlite_driver.OneTripConnection]:
    """Connections that make one trip to aiosqlite's thread per statement (bot/store/sqlite_driver.py).
    `timeout` is how long SQLite waits for another writer's lock before "database is locked"."""
    database = make_url(url).database or ":memory:"
    return partial(sqlite_driver.connect, database, timeout=30)


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers run while a writer commits; foreign keys are off by default.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


READING = "microbadge_reading"  # a connection's execution option: the transaction only reads (Store.reading)


def _sqlite_immediate_transactions(engine: AsyncEngine) -> None:
    """Take SQLite's write lock when a transaction begins, not at its first write.

    With deferred transactions two concurrent handlers can both read, then fail to upgrade to
    a write lock ("database is locked"); BEGIN IMMEDIATE makes them wait their turn instead.
    A transaction that only reads (READING) begins deferred: it would hold every writer up."""

    @event.listens_for(engine.sync_engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get(READING) else "BEGIN IMMEDIATE")
