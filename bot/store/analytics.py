"""The item analytics' bulk read (bot/ports.py `Analytics`): every answer, every learning session
with its snapshot of steps, and when each card was shown, in a few queries however many learners.

Only what the review uses crosses the wire, as plain columns: an answer's session, kind, wording
and choices are picked out of its payload by the database (a million payloads decoded in Python
took seconds). A snapshot of steps is the same for every session of a lesson's version (and every
re-check of the same checks), so each distinct one is read and decoded once: on PostgreSQL the
sessions come with the MD5 of their snapshot and the snapshots are fetched once per digest; on
SQLite (a file on the same machine) with the snapshot's text, decoded once per distinct text.
The sessions share the decoded steps (read-only, as the records are).

The nudges' uplift (bot/uplift.py) reads four weeks of the trail as moments: learner, kind, time,
day and a withheld offer's holdout, as plain columns (building whole events of half a million rows
took most of the L&D page's time). The records are built from the driver's rows in a worker thread,
so that a page's computation in the background (web/review_results.py) leaves the event loop to
other requests for most of its time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, DateTime, Select, Table, Text, case, func, select, type_coerce
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analytics_records import AnalyticsRecord, AnswerRecord, SessionRecord, TrailMoment
from bot.store.models import EventRow, SessionRow
from bot.vocabulary import EventKind

EVENTS = cast(Table, EventRow.__table__)
BATCH = 20_000  # rows the driver decodes at a time (PostgreSQL)
SESSIONS = cast(Table, SessionRow.__table__)
E = EVENTS.c
S = SESSIONS.c


class SqlAnalytics:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._postgres = False

    async def record(self) -> AnalyticsRecord:
        self._postgres = self._session.get_bind().dialect.name == "postgresql"
        return AnalyticsRecord(await self._answers(), await self._sessions(), await self._card_views())

    async def moments(self, kinds: Collection[EventKind], since: datetime, before: datetime) -> list[TrailMoment]:
        self._postgres = self._session.get_bind().dialect.name == "postgresql"
        held_out = EventKind.HELD_OUT.value
        rows = await self._rows(
            select(
                E.learner_id,
                E.kind,
                self._when(E.occurred_at),
                E.local_date,
                case((E.kind == held_out, E.payload["holdout"].as_integer())),
            ).where(E.kind.in_([k.value for k in kinds]), E.occurred_at >= since, E.occurred_at < before)
        )  # in no order: the uplift sorts each learner's own (sorting them all here spilled to disk)
        return await asyncio.to_thread(_moments, rows)  # off the event loop: other requests go on meanwhile

    async def _rows(self, statement: Select[Any]) -> Sequence[Any]:
        """The statement's rows as tuples. On PostgreSQL straight from the driver (asyncpg's
        records), on the session's connection: building SQLAlchemy's rows of half a million
        answers took about a second. Its only parameters are the store's own constants, ids and
        times, written into the SQL by SQLAlchemy's compiler (literal_binds)."""
        if not self._postgres:
            return (await self._session.execute(statement)).all()
        connection = await self._session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
        # In batches through a cursor (inside the session's transaction): the driver decodes rows on
        # the event loop, so other requests wait at most one batch, not the whole read.
        if not driver.is_in_transaction():  # SQLAlchemy begins the session's transaction at its first statement
            await self._session.execute(select(1))
        cursor = await driver.cursor(sql)
        rows: list[Any] = []
        while batch := await cursor.fetch(BATCH):
            rows += batch
            if len(batch) < BATCH:
                break
        return rows

    def _when(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        """A time column as the store reads it (aware, UTC). PostgreSQL's driver already gives
        aware UTC datetimes: read as they come (the store's conversion, per value, took a second
        here); SQLite's go through the store's type (models.UTCDateTime)."""
        return type_coerce(column, DateTime(timezone=True)) if self._postgres else column

    async def _answers(self) -> list[AnswerRecord]:
        payload = E.payload
        rows = await self._rows(
            select(
                E.id,
                E.learner_id,
                self._when(E.occurred_at),
                E.check_key,
                E.correct,
                payload["choices"].as_string(),
                payload["session"].as_integer(),
                payload["kind"].as_string(),
                payload["wording"].as_string(),
            )
            .where(E.kind == EventKind.ANSWERED.value, E.check_key.is_not(None))
            .order_by(E.occurred_at, E.id)
        )
        return await asyncio.to_thread(_answers, rows)  # off the event loop: other requests go on meanwhile

    async def _sessions(self) -> list[SessionRecord]:
        columns = (
            S.id,
            S.learner_id,
            S.kind,
            S.status,
            S.position,
            self._when(S.started_at),
            self._when(S.updated_at),
            S.lesson_id,
            S.lesson_version,
            self._when(S.completed_at),
        )
        snapshot = sql_cast(S.steps, Text)
        postgres = self._postgres
        digest = func.md5(snapshot) if postgres else snapshot
        rows = await self._rows(select(*columns, digest).order_by(S.id))
        texts: dict[str | None, str | None] = {}
        if postgres:
            first: dict[str | None, int] = {}
            for row in rows:
                first.setdefault(row[-1], row[0])
            found = await self._rows(select(S.id, snapshot).where(S.id.in_(list(first.values()))))
            by_id = {session_id: steps for session_id, steps in found}
            texts = {key: by_id.get(session_id) for key, session_id in first.items()}
        return await asyncio.to_thread(_sessions, rows, texts if postgres else None)

    async def _card_views(self) -> list[tuple[int, Any]]:
        rows = await self._rows(
            select(E.payload["session"].as_integer(), self._when(E.occurred_at)).where(E.kind == EventKind.CARD_VIEWED.value)
        )
        return await asyncio.to_thread(lambda: [(int(session_id), at) for session_id, at in rows if session_id is not None])


def _answers(rows: Sequence[Any]) -> list[AnswerRecord]:
    chosen: dict[str | None, tuple[int, ...]] = {}  # a few distinct lists of choices: decoded once each
    answers = []
    for event_id, learner_id, at, check_key, correct, choices, session, kind, wording in rows:
        found = chosen.get(choices)
        if found is None:
            found = chosen[choices] = _choices(choices)
        # By position (the record's field order): a third faster than by keyword, per answer.
        answers.append(AnswerRecord(learner_id, at, check_key, bool(correct), found, session, kind or "", wording or None, event_id))
    return answers


def _sessions(rows: Sequence[Any], texts: dict[str | None, str | None] | None) -> list[SessionRecord]:
    """`texts`: each digest's snapshot (PostgreSQL); None when the rows carry the snapshot itself (SQLite)."""
    decoded: dict[str | None, tuple[dict[str, Any], ...]] = {}
    sessions = []
    for session_id, learner_id, kind, status, position, started_at, updated_at, lesson_id, lesson_version, completed_at, key in rows:
        steps = decoded.get(key)
        if steps is None:
            steps = decoded[key] = _steps(key if texts is None else texts[key])
        sessions.append(
            SessionRecord(
                id=session_id,
                learner_id=learner_id,
                kind=kind,
                status=status,
                position=position,
                started_at=started_at,
                updated_at=updated_at,
                steps=steps,
                lesson_id=lesson_id,
                lesson_version=lesson_version,
                completed_at=completed_at,
            )
        )
    return sessions


def _moments(rows: Sequence[Any]) -> list[TrailMoment]:
    named = {k.value: k for k in EventKind}  # a dict lookup per row: EventKind(value) costs more
    return [TrailMoment(learner, named[kind], at, day, held) for learner, kind, at, day, held in rows]


def _choices(found: str | None) -> tuple[int, ...]:
    return tuple(int(c) for c in json.loads(found)) if found else ()


def _steps(found: str | None) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(found) or ()) if found else ()
