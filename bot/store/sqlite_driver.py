"""aiosqlite with one trip to its thread per statement.

aiosqlite runs each sqlite3 call on the connection's own thread, and SQLAlchemy's adapter makes
four such calls for a statement that returns rows (open a cursor, execute, fetch, close) and
three for one that does not. Each trip is a hand-off between threads, and on a local SQLite
file the hand-offs, not SQLite, are most of a learner's turn. Here a statement is one trip: the
cursor is opened, run, read to the end and closed on the thread, and only plain values (rows,
description, rowcount, lastrowid) come back, so no sqlite3 object is touched off its thread.

Rows are always read whole, as SQLAlchemy's adapter does for every cursor that is not
server-side; the product reads no result set that would not fit in memory.

It leans on aiosqlite's `Connection._execute` (run a function on the thread) and `_conn` (the
sqlite3 connection), as SQLAlchemy's own aiosqlite dialect does; tests/integration/
test_sqlite_driver.py fails if either stops working as used here."""

from __future__ import annotations

import sqlite3
from collections import deque
from dataclasses import dataclass
from typing import Any

import aiosqlite


@dataclass(frozen=True)
class _Ran:
    """What a statement left behind, read on the connection's thread."""

    rows: list[Any]
    description: Any
    rowcount: int
    lastrowid: int | None


class OneTripCursor:
    """The part of aiosqlite's Cursor that SQLAlchemy's adapter uses, one trip per statement."""

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._ran = _Ran([], None, -1, None)
        self._rows: deque[Any] = deque()
        self.arraysize = 1

    async def __aenter__(self) -> OneTripCursor:  # opening costs nothing: the cursor opens on the thread
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = ()) -> OneTripCursor:
        return await self._run("execute", sql, parameters)

    async def executemany(self, sql: str, parameters: Any) -> OneTripCursor:
        return await self._run("executemany", sql, parameters)

    async def executescript(self, script: str) -> OneTripCursor:
        return await self._run("executescript", script)

    async def _run(self, method: str, *arguments: Any) -> OneTripCursor:
        self._ran = await self._connection._execute(_on_thread, self._connection._conn, method, arguments)
        self._rows = deque(self._ran.rows)
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return [self._rows.popleft() for _ in range(min(size or self.arraysize, len(self._rows)))]

    async def fetchall(self) -> list[Any]:
        rows, self._rows = list(self._rows), deque()
        return rows

    async def close(self) -> None:
        self._rows.clear()

    async def setinputsizes(self, *_: Any) -> None:
        """sqlite3 ignores input sizes too."""

    @property
    def description(self) -> Any:
        return self._ran.description

    @property
    def rowcount(self) -> int:
        return self._ran.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._ran.lastrowid


def _on_thread(connection: sqlite3.Connection, method: str, arguments: tuple[Any, ...]) -> _Ran:
    cursor = connection.cursor()
    try:
        getattr(cursor, method)(*arguments)
        rows = cursor.fetchall() if cursor.description else []
        return _Ran(rows, cursor.description, cursor.rowcount, cursor.lastrowid)
    finally:
        cursor.close()


class OneTripConnection(aiosqlite.Connection):
    def cursor(self) -> OneTripCursor:  # type: ignore[override]  # aiosqlite's is awaited; SQLAlchemy enters it either way
        return OneTripCursor(self)


def connect(database: str, **kwargs: Any) -> OneTripConnection:
    """What `aiosqlite.connect` does, with the one-trip cursor; for create_async_engine's
    `async_creator`. The thread is a daemon, as SQLAlchemy makes aiosqlite's, so a connection
    left open never keeps the process alive."""
    connection = OneTripConnection(lambda: sqlite3.connect(database, **kwargs), iter_chunk_size=64)
    connection._thread.daemon = True
    return connection
