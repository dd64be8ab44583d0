"""The SQLite engine makes one trip to aiosqlite's thread per statement (bot/store/sqlite_driver.py)
and still behaves as SQLAlchemy's aiosqlite dialect does: rows, counts, generated ids, errors
translated, a failed transaction rolled back, another writer waited for."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.database import create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function sent to an aiosqlite connection's thread."""
    sent: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return sent


async def test_a_statement_is_one_trip_to_the_thread_whether_or_not_it_returns_rows(engine: AsyncEngine, trips: list[str]) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the pool's connection is open before counting
        trips.clear()
        await connection.execute(text("INSERT INTO notes (body) VALUES ('a'), ('b')"))
        assert len(trips) == 1
        rows = (await connection.execute(text("SELECT id, body FROM notes ORDER BY id"))).all()
        assert len(trips) == 2
        assert [tuple(row) for row in rows] == [(1, "a"), (2, "b")]


async def test_counts_ids_and_returning_come_back_as_sqlalchemy_reports_them(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(text("INSERT INTO notes (body) VALUES ('first')"))
        assert inserted.lastrowid == 1
        returned = await connection.execute(text("INSERT INTO notes (body) VALUES ('second') RETURNING id, body"))
        assert returned.one() == (2, "second")
        updated = await connection.execute(text("UPDATE notes SET body = body || '!'"))
        assert updated.rowcount == 2
        none = await connection.execute(text("SELECT body FROM notes WHERE id = 99"))
        assert none.first() is None


async def test_an_error_is_sqlalchemys_and_the_transaction_rolls_back_whole(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO notes (body) VALUES ('kept')"))
    with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: notes\.body"):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('half')"))
            await connection.execute(text("INSERT INTO notes (body) VALUES ('kept')"))
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT body FROM notes"))).scalars().all() == ["kept"]
        with pytest.raises(OperationalError, match="no such table: nowhere"):
            await connection.execute(text("SELECT * FROM nowhere"))


async def test_a_second_writer_waits_for_the_first_instead_of_failing(engine: AsyncEngine) -> None:
    """BEGIN IMMEDIATE takes the write lock; SQLite's timeout makes the other engine wait for it."""
    other = create_engine(str(engine.url))
    try:
        async with engine.begin() as first:
            await first.execute(text("INSERT INTO notes (body) VALUES ('first')"))

            async def second() -> None:
                async with other.begin() as connection:
                    await connection.execute(text("INSERT INTO notes (body) VALUES ('second')"))

            waiting = asyncio.create_task(second())
            await asyncio.sleep(0.3)
            assert not waiting.done()  # held at BEGIN IMMEDIATE, not refused
        await asyncio.wait_for(waiting, 10)
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).scalars().all() == ["first", "second"]
    finally:
        await other.dispose()


async def test_a_url_with_options_keeps_the_stock_aiosqlite_path_and_works(tmp_path: Path, trips: list[str]) -> None:
    """Options in the URL (here `timeout`) are SQLAlchemy's to read: such an engine is built as
    SQLAlchemy builds it, several trips a statement, and behaves the same."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'options.sqlite3'}?timeout=5")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE notes (body TEXT)"))
            await connection.execute(text("INSERT INTO notes VALUES ('a')"))
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            trips.clear()
            assert (await connection.execute(text("SELECT body FROM notes"))).scalars().all() == ["a"]
            assert len(trips) > 1
    finally:
        await engine.dispose()
