"""A durable local journal of what the platforms delivered, so that nothing a learner did is lost.

The progress store may be PostgreSQL on another machine; it can be down, restarting or
unreachable, and `serve` can be killed at any moment. A platform is told "received" (a webhook's
200, a Slack ack, the next getUpdates offset) only once the delivery is in this journal: a
SQLite file on the bot's own disk, committed with fsync before `keep` returns. Then:

- the delivery is processed; once the core has recorded it, the replies to send are kept with
  it (`recorded`), and once they are sent it is marked done; a process that dies in between
  leaves the replies to be sent by whoever takes the delivery over (at least once: a message
  the platform accepted just before the kill is sent again);
- when the database could not be reached it stays pending and is tried again (`due`), in the
  order it arrived for its conversation, until the database is back;
- when the process dies, what it was working on stays pending and is taken over once its lease
  runs out (at once when its process is gone, on the same machine), by the restarted process
  or any other `serve` process on this machine sharing the journal.

A delivery the platform sends again (a webhook retry, Slack's X-Slack-Retry-Num) finds its key
here and is dropped, so it is handled once. Handling the same delivery twice is harmless
anyway: the core records each platform message once (a unique source id).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE = "inbox.sqlite3"  # in DATA_DIR: shared by the `serve` processes of one machine
LEASE = 60.0  # seconds a process holds a delivery it is working on
RETRY_FIRST, RETRY_MOST = 2.0, 30.0  # seconds between tries while the database is away
KEEP_DONE = 7 * 24 * 3600.0  # seconds a handled delivery's key is remembered against redelivery

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    key TEXT NOT NULL,
    conversation TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',  -- pending | recorded | done | failed
    replies TEXT,  -- recorded: the replies still to send, as JSON
    owner TEXT,
    lease_until REAL NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (platform, key)
);
CREATE INDEX IF NOT EXISTS ix_deliveries_pending ON deliveries (state, platform, lease_until);
CREATE INDEX IF NOT EXISTS ix_deliveries_conversation ON deliveries (platform, conversation, state);
"""


class Outcome(StrEnum):
    """How handling a delivery ended."""

    DONE = "done"  # recorded (or nothing to record): never again
    LATER = "later"  # the database could not be reached: try again
    FAILED = "failed"  # a bug or an unreadable payload: trying again would fail the same way


class JournalUnavailable(Exception):
    """The journal itself cannot be written (disk full, unwritable): tell the platform to deliver again."""


@dataclass(frozen=True)
class Entry:
    id: int
    platform: str
    key: str
    conversation: str
    payload: dict[str, Any]
    received_at: float
    attempts: int
    # Set once the core recorded the delivery: the replies it gave, to be sent (again) as they are.
    replies: tuple[dict[str, Any], ...] | None = None
    # Taken from the journal rather than just received: a process before may have handled it.
    taken_over: bool = False


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest_at: float | None  # when the oldest pending delivery arrived
    failed: int


class Inbox:
    """The journal. All calls run on one thread of their own (sqlite3 is blocking); `path`
    None keeps it in memory (tests, and the console, which has no platform to redeliver)."""

    def __init__(self, path: Path | None, *, owner: str | None = None, clock: Callable[[], float] = time.time) -> None:
        self._path = path
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self._clock = clock
        self._db: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> Inbox:
        await self._run(lambda db: None)
        return self

    async def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            await asyncio.to_thread(db.close)

    # --- receiving ----------------------------------------------------------------------------
    async def keep(self, *, platform: str, key: str, conversation: str, payload: dict[str, Any]) -> Entry | None:
        """Journal one delivery, durably, held by this process for LEASE seconds. None when the
        same (platform, key) was kept before: a redelivery, to be dropped."""
        now = self._clock()
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)

        def insert(db: sqlite3.Connection) -> int | None:
            cursor = db.execute(
                "INSERT OR IGNORE INTO deliveries (platform, key, conversation, payload, received_at, owner, lease_until)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (platform, key, conversation, text, now, self.owner, now + LEASE),
            )
            return cursor.lastrowid if cursor.rowcount else None

        entry_id = await self._write(insert)
        if entry_id is None:
            return None
        return Entry(entry_id, platform, key, conversation, payload, now, 0)

    # --- outcomes -----------------------------------------------------------------------------
    async def settle(self, entry: Entry, outcome: Outcome) -> None:
        if outcome is Outcome.LATER:
            await self.later(entry, "the database could not be reached")
        elif outcome is Outcome.FAILED:
            await self.failed(entry, "handling failed; see the log")
        else:
            await self.done(entry)

    async def recorded(self, entry: Entry, replies: list[dict[str, Any]]) -> None:
        """The core recorded it: what is left is sending `replies`."""
        text = json.dumps(replies, separators=(",", ":"), ensure_ascii=False)
        await self._write(
            lambda db: db.execute(
                "UPDATE deliveries SET state = 'recorded', replies = ? WHERE id = ? AND state = 'pending'", (text, entry.id)
            )
        )

    async def done(self, entry: Entry) -> None:
        """Recorded: never to be processed again."""
        await self._write(
            lambda db: db.execute("UPDATE deliveries SET state = 'done', owner = NULL, last_error = NULL WHERE id = ?", (entry.id,))
        )

    async def failed(self, entry: Entry, error: str) -> None:
        """It cannot be processed (a bug, or a payload the bot does not understand): trying again
        would fail the same way. Kept for the operator (`status`), never tried again."""
        await self._write(
            lambda db: db.execute(
                "UPDATE deliveries SET state = 'failed', owner = NULL, last_error = ? WHERE id = ?", (error[:300], entry.id)
            )
        )

    async def later(self, entry: Entry, error: str) -> None:
        """Not recorded (the database could not be reached): try again after a backoff."""
        now = self._clock()

        def postpone(db: sqlite3.Connection) -> None:
            row = db.execute("SELECT attempts FROM deliveries WHERE id = ?", (entry.id,)).fetchone()
            attempts = (row[0] if row else 0) + 1
            wait = min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_MOST)
            db.execute(
                "UPDATE deliveries SET attempts = ?, owner = NULL, lease_until = ?, last_error = ? WHERE id = ? AND state = 'pending'",
                (attempts, now + wait, error[:300], entry.id),
            )

        await self._write(postpone)

    # --- taking pending deliveries over -------------------------------------------------------
    async def due(self, platform: str, limit: int = 50) -> list[Entry]:
        """Pending deliveries nobody is working on (their lease ran out, or their process is
        gone), oldest first, now held by this process."""
        return await self._take(platform, None, None, limit)

    async def waiting_before(self, entry: Entry) -> list[Entry]:
        """Pending deliveries of the same conversation that arrived before `entry` and nobody is
        working on, oldest first, now held by this process: they go first, in order."""
        return await self._take(entry.platform, entry.conversation, entry.id, 1000)

    async def _take(self, platform: str, conversation: str | None, before: int | None, limit: int) -> list[Entry]:
        now = self._clock()

        def take(db: sqlite3.Connection) -> list[Entry]:
            query = (
                "SELECT id, key, conversation, payload, received_at, attempts, owner, lease_until, replies"
                " FROM deliveries WHERE state IN ('pending', 'recorded') AND platform = ?"
            )
            args: list[Any] = [platform]
            if conversation is not None:
                query += " AND conversation = ? AND id < ?"
                args += [conversation, before]
            rows = db.execute(query + " ORDER BY id LIMIT ?", [*args, limit * 4]).fetchall()
            taken: list[Entry] = []
            for entry_id, key, conv, payload, received_at, attempts, owner, lease_until, replies in rows:
                if len(taken) == limit:
                    break
                if owner == self.owner and lease_until > now:
                    continue  # this process is working on it right now
                if lease_until > now and owner is not None and _alive(owner):
                    continue  # another process is
                if owner is None and lease_until > now and conversation is None:
                    continue  # waiting for its next try
                db.execute("UPDATE deliveries SET owner = ?, lease_until = ? WHERE id = ?", (self.owner, now + LEASE, entry_id))
                taken.append(
                    Entry(
                        entry_id,
                        platform,
                        key,
                        conv,
                        json.loads(payload),
                        received_at,
                        attempts,
                        None if replies is None else tuple(json.loads(replies)),
                        taken_over=True,
                    )
                )
            return taken

        return await self._write(take)

    # --- for the operator ---------------------------------------------------------------------
    async def backlog(self) -> Backlog:
        def count(db: sqlite3.Connection) -> Backlog:
            pending, oldest = db.execute(
                "SELECT COUNT(*), MIN(received_at) FROM deliveries WHERE state IN ('pending', 'recorded')"
            ).fetchone()
            failed = db.execute("SELECT COUNT(*) FROM deliveries WHERE state = 'failed'").fetchone()[0]
            return Backlog(int(pending), oldest, int(failed))

        return await self._run(count)

    async def forget_old(self) -> int:
        """Handled deliveries older than KEEP_DONE are forgotten (their keys with them)."""
        cutoff = self._clock() - KEEP_DONE
        return await self._write(
            lambda db: db.execute("DELETE FROM deliveries WHERE state = 'done' AND received_at < ?", (cutoff,)).rowcount
        )

    # --- the file -----------------------------------------------------------------------------
    async def _write(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """`work` in one immediate transaction, committed (and fsynced) before returning."""

        def transaction(db: sqlite3.Connection) -> Any:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

        return await self._run(transaction)

    async def _run(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        async with self._lock:
            try:
                return await asyncio.to_thread(self._call, work)
            except (sqlite3.Error, OSError) as error:
                raise JournalUnavailable(f"the delivery journal cannot be written: {error}") from error

    def _call(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        if self._db is None:
            self._db = self._connect()
        return work(self._db)

    def _connect(self) -> sqlite3.Connection:
        if self._path is None:
            db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        else:
            self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fresh = not self._path.exists()
            db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=10)
            if fresh:
                os.chmod(self._path, 0o600)  # it holds what learners wrote
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a commit is on disk before `keep` returns
        db.executescript(_SCHEMA)
        return db


def _alive(owner: str) -> bool:
    """Whether the process named `owner` (host:pid) may still be working: on this machine, its
    pid is running; a process on another machine (a shared folder) is assumed alive until its
    lease runs out."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
