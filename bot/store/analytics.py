"""The item analytics' bulk read (bot/ports.py `Analytics`): every answer, every learning session's
place and every card shown, as columns (bot/analytics_columns.py), in a few queries however many
learners; and the steps shown of the wordings the content no longer has.

Only what the review uses is read, from plain columns: an answer's session, wording and choices
are columns of `events` (migration 0025), not fields of its payload (decoding a payload per answer
took most of a review's time). On PostgreSQL the rows come in PostgreSQL's binary COPY format, every
field of a fixed width, so that numpy reads them as they arrive without a Python object per value
(asyncpg's decoding of 350,000 answers took over a second); texts that repeat (check keys, lesson
ids) come as codes into the lists the query is given. On SQLite (a file on the same machine) they are
read as rows.

The nudges' uplift (bot/uplift.py) reads four weeks of the trail as moments: learner, kind, time,
day and a withheld offer's holdout, as plain columns (building whole events of half a million rows
took most of the L&D page's time). The records are built from the driver's rows in a worker thread,
so that a page's computation in the background (web/review_results.py) leaves the event loop to
other requests for most of its time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
from sqlalchemy import ColumnElement, DateTime, Select, Table, Text, case, select, type_coerce
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analytics_columns import (
    NONE,
    AnswerColumns,
    Ints,
    ReviewColumns,
    SessionColumns,
    answer_columns,
    microseconds,
    session_columns,
)
from bot.analytics_records import SessionRecord, TrailMoment, wording_number, wording_text
from bot.store.models import EventRow, SessionRow
from bot.vocabulary import EventKind, SessionKind, SessionStatus

EVENTS = cast(Table, EventRow.__table__)
BATCH = 20_000  # rows the driver decodes at a time (PostgreSQL)
SESSIONS = cast(Table, SessionRow.__table__)
E = EVENTS.c
S = SESSIONS.c
SESSIONS_SHOWN = 200  # sessions whose snapshots are read for the steps of a wording the content no longer has
EPOCH_TIME = datetime(1970, 1, 1, tzinfo=UTC)


class SqlAnalytics:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._postgres = False

    async def columns(self, checks: Sequence[str]) -> ReviewColumns:
        self._postgres = self._session.get_bind().dialect.name == "postgresql"
        if self._postgres:
            return await self._copied(checks)
        answers = await self._rows(
            select(E.id, E.learner_id, E.occurred_at, E.check_key, E.correct, E.wording, E.choices, E.session_id).where(
                E.kind == EventKind.ANSWERED.value, E.check_key.is_not(None)
            )
        )
        sessions = await self._rows(select(S.id, S.kind, S.status, S.lesson_id, S.position, S.started_at, S.updated_at, S.completed_at))
        views = await self._rows(
            select(E.session_id, E.occurred_at).where(E.kind == EventKind.CARD_VIEWED.value, E.session_id.is_not(None))
        )
        return await asyncio.to_thread(_columns_of_rows, answers, sessions, views)

    async def steps_shown(self, wanted: Collection[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """A step of each (check, wording) as a session showed it, in the source's words when one
        did (bot.analytics.wordings_shown): from the snapshots of a few of the sessions that asked."""
        from bot.analytics import wordings_shown

        found: dict[tuple[str, str], dict[str, Any]] = {}
        for key, wording in wanted:
            asked = (
                select(E.session_id)
                .where(
                    E.kind == EventKind.ANSWERED.value, E.check_key == key, E.wording == wording_number(wording), E.session_id.is_not(None)
                )
                .distinct()
                .order_by(E.session_id)
                .limit(SESSIONS_SHOWN)
            )
            rows = (await self._session.execute(select(S.id, sql_cast(S.steps, Text)).where(S.id.in_(asked)))).all()
            texts = {text: _steps(text) for _, text in rows}
            records = [SessionRecord(i, 0, "", "", 0, EPOCH_TIME, EPOCH_TIME, texts[text]) for i, text in rows]
            step = wordings_shown(records)[1].get((key, wording))
            if step is not None:
                found[(key, wording)] = step
        return found

    async def _copied(self, checks: Sequence[str]) -> ReviewColumns:
        """PostgreSQL: the rows in the binary COPY format, read by numpy (see the module's docstring).
        Check keys and lesson ids come as their hashtextextended(): no join, no text per row."""
        connection = await self._session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        if not driver.is_in_transaction():  # the COPY reads in the session's transaction (one moment)
            await self._session.execute(select(1))
        answered, viewed = EventKind.ANSWERED.value, EventKind.CARD_VIEWED.value
        events = await _copy(
            driver,
            """SELECT kind = $1, id::int8, learner_id::int8, occurred_at, coalesce(hashtextextended(check_key, 0), 0),
                      coalesce(wording, 0), coalesce(correct, false), coalesce(choices, 0)::int8, coalesce(session_id, -1)::int8
               FROM events WHERE (kind = $1 AND check_key IS NOT NULL) OR (kind = $2 AND session_id IS NOT NULL)""",
            EVENT_FIELDS,
            answered,
            viewed,
        )
        sessions = await _copy(
            driver,
            """SELECT id::int8, kind = $1 AND lesson_id IS NOT NULL, coalesce(hashtextextended(lesson_id, 0), 0),
                      status = $2, status = $3, position::int8, started_at, updated_at, coalesce(completed_at, '-infinity')
               FROM learning_sessions""",
            SESSION_FIELDS,
            SessionKind.LESSON.value,
            SessionStatus.ACTIVE.value,
            SessionStatus.COMPLETED.value,
        )
        answers = events[events["answer"]]
        # The texts of the hashes: those of the content's checks and lessons, else read (content removed).
        lessons = [key.rpartition(":")[0] for key in checks]
        names = await _hashes(driver, [*checks, *lessons])
        if not np.isin(answers["check"], list(names)).all():
            names |= await _hashes(driver, await _others(driver, "events", "check_key", "kind = $1", answered, list(names.values())))
        lesson_hashes = sessions["lesson_hash"][sessions["lesson"]]
        if not np.isin(lesson_hashes, list(names)).all():
            found = await _others(driver, "learning_sessions", "lesson_id", "kind = $1", SessionKind.LESSON.value, list(names.values()))
            names |= await _hashes(driver, found)
        return await asyncio.to_thread(_columns_of_copies, names, answers, events[~events["answer"]], sessions)

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


def _moments(rows: Sequence[Any]) -> list[TrailMoment]:
    named = {k.value: k for k in EventKind}  # a dict lookup per row: EventKind(value) costs more
    return [TrailMoment(learner, named[kind], at, day, held) for learner, kind, at, day, held in rows]


def _steps(found: str | None) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(found) or ()) if found else ()


# --- PostgreSQL's binary COPY ------------------------------------------------------------------
# Every field is of a fixed width (the queries coalesce NULLs away), so a row is: its field count
# (int16), then per field its length (int32) and its value, big-endian; numpy reads them in place.
TIMESTAMP = ">i8"  # timestamptz: microseconds since 2000-01-01 UTC
SINCE_2000 = 946_684_800_000_000  # 2000-01-01 in microseconds since 1970-01-01
NO_TIME = -(2**63)  # '-infinity'
EVENT_FIELDS = (
    ("answer", "?"),  # else a card shown
    ("id", ">i8"),
    ("learner", ">i8"),
    ("at", TIMESTAMP),
    ("check", ">i8"),  # hashtextextended(check_key, 0)
    ("wording", ">i8"),
    ("correct", "?"),
    ("choices", ">i8"),
    ("session", ">i8"),
)
SESSION_FIELDS = (
    ("id", ">i8"),
    ("lesson", "?"),  # a lesson's session
    ("lesson_hash", ">i8"),
    ("active", "?"),
    ("completed", "?"),
    ("position", ">i8"),
    ("started", TIMESTAMP),
    ("updated", TIMESTAMP),
    ("completed_at", TIMESTAMP),
)
HEADER = b"PGCOPY\n\xff\r\n\x00"


async def _copy(driver: Any, query: str, fields: tuple[tuple[str, str], ...], *arguments: Any) -> np.ndarray:
    """The query's rows as a numpy record array with these fields (in the query's order)."""
    chunks: list[bytes] = []

    async def keep(chunk: bytes) -> None:
        chunks.append(bytes(chunk))

    await driver.copy_from_query(query, *arguments, output=keep, format="binary")
    return await asyncio.to_thread(_records, b"".join(chunks), fields)


def _records(data: bytes, fields: tuple[tuple[str, str], ...]) -> np.ndarray:
    layout: list[tuple[str, str]] = [("count", ">i2")]
    for name, kind in fields:
        layout += [(f"{name}_length", ">i4"), (name, kind)]
    dtype = np.dtype(layout)
    if not data.startswith(HEADER):
        raise ValueError("not PostgreSQL's binary COPY format")
    start = len(HEADER) + 8 + int.from_bytes(data[len(HEADER) + 4 : len(HEADER) + 8], "big")  # flags, extension
    body = data[start:-2]  # the trailer: -1 as int16
    if len(body) % dtype.itemsize or data[-2:] != b"\xff\xff":
        raise ValueError("a COPY row is not of the expected fixed width")
    rows = np.frombuffer(body, dtype=dtype)
    widths = {name: np.dtype(kind).itemsize for name, kind in fields}
    if len(rows) and (
        (rows["count"] != len(fields)).any() or any((rows[f"{name}_length"] != width).any() for name, width in widths.items())
    ):
        raise ValueError("a COPY row has a field of an unexpected width")
    return rows


def _times(values: np.ndarray) -> Ints:
    found = values.astype(np.int64)
    return np.where(found == NO_TIME, NONE, found + SINCE_2000)


async def _hashes(driver: Any, texts: Sequence[str]) -> dict[int, str]:
    rows = await driver.fetch("SELECT hashtextextended(t, 0), t FROM unnest($1::text[]) AS t", list(dict.fromkeys(texts)))
    return {int(number): str(text) for number, text in rows}


async def _others(driver: Any, table: str, column: str, where: str, value: str, known: list[str]) -> list[str]:
    """The distinct values of a column other than those known (a scan: only when content was removed)."""
    query = f"SELECT DISTINCT {column} FROM {table} WHERE {where} AND {column} IS NOT NULL AND NOT ({column} = ANY($2::text[]))"
    return [str(found) for (found,) in await driver.fetch(query, value, known)]


def _codes(hashes: Ints, names: dict[int, str]) -> tuple[tuple[str, ...], Ints]:
    present, codes = np.unique(hashes, return_inverse=True)
    return tuple(names[number] for number in present.tolist()), codes.astype(np.int64).ravel()


def _columns_of_copies(names: dict[int, str], answers: np.ndarray, views: np.ndarray, sessions: np.ndarray) -> ReviewColumns:
    checks, check = _codes(answers["check"].astype(np.int64), names)
    present, wording = np.unique(answers["wording"].astype(np.int64), return_inverse=True)
    wordings = tuple("" if number == 0 else wording_text(number) for number in present.tolist())
    wording = wording.astype(np.int64).ravel()
    if "" not in wordings:  # code 0 is the unknown wording, as answer_columns keeps it
        wordings, wording = ("", *wordings), wording + 1
    is_lesson = sessions["lesson"].astype(np.bool_)
    lessons, lesson = _codes(sessions["lesson_hash"][is_lesson].astype(np.int64), names)
    lesson_codes = np.full(len(sessions), NONE, dtype=np.int64)
    lesson_codes[is_lesson] = lesson
    return ReviewColumns(
        answers=AnswerColumns(
            checks=checks,
            wordings=wordings,
            id=answers["id"].astype(np.int64),
            learner=answers["learner"].astype(np.int64),
            at=_times(answers["at"]),
            check=check,
            wording=wording,
            correct=answers["correct"].astype(np.bool_),
            choices=answers["choices"].astype(np.int64),
            session=answers["session"].astype(np.int64),
        ),
        sessions=SessionColumns(
            lessons=lessons,
            id=sessions["id"].astype(np.int64),
            lesson=lesson_codes,
            active=sessions["active"].astype(np.bool_),
            completed=sessions["completed"].astype(np.bool_),
            position=sessions["position"].astype(np.int64),
            started=_times(sessions["started"]),
            updated=_times(sessions["updated"]),
            completed_at=_times(sessions["completed_at"]),
        ),
        card_views=(views["session"].astype(np.int64), _times(views["at"])),
    )


def _columns_of_rows(answers: Sequence[Any], sessions: Sequence[Any], views: Sequence[Any]) -> ReviewColumns:
    """SQLite: from the rows (times come as aware datetimes through the store's type)."""
    return ReviewColumns(
        answer_columns(
            [
                (
                    i,
                    learner,
                    microseconds(at),
                    key,
                    bool(correct),
                    "" if wording is None else wording_text(wording),
                    choices or 0,
                    NONE if session is None else session,
                )
                for i, learner, at, key, correct, wording, choices, session in answers
            ]
        ),
        session_columns(
            [
                (
                    i,
                    kind,
                    status,
                    lesson,
                    position,
                    microseconds(started),
                    microseconds(updated),
                    NONE if done is None else microseconds(done),
                )
                for i, kind, status, lesson, position, started, updated, done in sessions
            ]
        ),
        (np.fromiter((s for s, _ in views), dtype=np.int64), np.fromiter((microseconds(at) for _, at in views), dtype=np.int64)),
    )


def _wording(number: int | None) -> str:
    return "" if number is None else wording_text(number)
