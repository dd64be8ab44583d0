"""The audit trail: every answer, card, start, completion and award, with its time."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, insert, literal_column, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import TrailEvent
from bot.store import rows
from bot.store.event_columns import analytics_columns
from bot.store.models import EventRow
from bot.store.writes import Writes
from bot.vocabulary import BOTS_OWN, LEARNING, EventKind, SessionKind

EVENTS = cast(Table, EventRow.__table__)
E = EVENTS.c
# Statements on the table, built once, their values passed as parameters (what every turn or
# every award asks): the same SQL without building it again and without the ORM's bookkeeping.
ADD = insert(EVENTS)
# What a credential is earned by, in one statement (the awarder asks for both): the day each
# lesson was first completed, then each correct answer in a spaced re-check and its day.
EVIDENCE = union_all(
    select(literal_column("'completed'").label("kind"), E.lesson_id.label("key"), func.min(E.local_date).label("day"))
    .where(E.learner_id == bindparam("learner_id"), E.kind == EventKind.LESSON_COMPLETED)
    .group_by(E.lesson_id),
    select(literal_column("'recheck'"), E.check_key, E.local_date).where(
        E.learner_id == bindparam("learner_id"),
        E.kind == EventKind.ANSWERED,
        E.correct.is_(True),
        E.payload["kind"].as_string() == SessionKind.REVIEW,
    ),
)


class SqlTrail:
    def __init__(self, session: AsyncSession, writes: Writes) -> None:
        self._session = session
        self._writes = writes
        # A learner's evidence once read in this transaction; read again after an event is added.
        self._evidence: dict[int, tuple[dict[str, date], list[tuple[str, date]]]] = {}

    async def add(self, learner_id: int, event: TrailEvent) -> None:
        """Written with the turn's other writes (bot/store/writes.py), before anything reads the trail."""
        self._evidence.pop(learner_id, None)
        self._writes.insert(
            EVENTS,
            {
                "learner_id": learner_id,
                "source_id": event.source_id,
                "kind": event.kind,
                "occurred_at": event.occurred_at,
                "local_date": event.local_date,
                "lesson_id": event.lesson_id,
                "lesson_version": event.lesson_version,
                "check_key": event.check_key,
                "correct": event.correct,
                "payload": event.payload,
                **analytics_columns(event.kind, event.payload),
            },
        )

    async def of(self, learner_id: int) -> list[TrailEvent]:
        found = await self._session.scalars(select(EventRow).where(EventRow.learner_id == learner_id).order_by(EventRow.id))
        return [rows.trail_event(row) for row in found]

    async def after(self, last_id: int, limit: int) -> list[TrailEvent]:
        found = await self._session.scalars(select(EventRow).where(EventRow.id > last_id).order_by(EventRow.id).limit(limit))
        return [rows.trail_event(row) for row in found]

    async def count(self) -> int:
        return int(await self._session.scalar(select(func.count()).select_from(EventRow)) or 0)

    async def for_report(self, before: datetime) -> list[TrailEvent]:
        found = await self._session.scalars(
            select(EventRow)
            .where(EventRow.occurred_at < before, EventRow.kind.in_((*LEARNING, EventKind.AWARDED)))
            .order_by(EventRow.occurred_at, EventRow.id)
        )
        return [rows.trail_event(row) for row in found]

    async def learning_days(self, learner_id: int) -> set[date]:
        found = await self._session.scalars(
            select(EventRow.local_date).where(EventRow.learner_id == learner_id, EventRow.kind.in_(LEARNING)).distinct()
        )
        return set(found)

    async def recent(self, learner_id: int, kinds: Collection[EventKind], limit: int) -> list[TrailEvent]:
        found = await self._session.scalars(
            select(EventRow)
            .where(EventRow.learner_id == learner_id, EventRow.kind.in_(list(kinds)))
            .order_by(EventRow.occurred_at.desc(), EventRow.id.desc())
            .limit(limit)
        )
        return [rows.trail_event(row) for row in found]

    async def lesson_completions(self, learner_id: int) -> dict[str, datetime]:
        found = await self._session.execute(
            select(EventRow.lesson_id, func.min(EventRow.occurred_at))
            .where(EventRow.learner_id == learner_id, EventRow.kind == EventKind.LESSON_COMPLETED, EventRow.lesson_id.is_not(None))
            .group_by(EventRow.lesson_id)
        )
        return {str(lesson): rows.aware(at) for lesson, at in found}  # type: ignore[misc]

    async def completion_days(self, learner_id: int) -> dict[str, date]:
        return dict((await self._read_evidence(learner_id))[0])

    async def correct_recheck_days(self, learner_id: int) -> list[tuple[str, date]]:
        return list((await self._read_evidence(learner_id))[1])

    async def _read_evidence(self, learner_id: int) -> tuple[dict[str, date], list[tuple[str, date]]]:
        if learner_id not in self._evidence:
            completed: dict[str, date] = {}
            rechecks: list[tuple[str, date]] = []
            for kind, key, day in await self._session.execute(EVIDENCE, {"learner_id": learner_id}):
                if key and kind == "completed":
                    completed[key] = _date(day)
                elif key:
                    rechecks.append((key, _date(day)))
            self._evidence[learner_id] = completed, rechecks
        return self._evidence[learner_id]

    async def inactive_since(self, learner_ids: Collection[int], since: datetime) -> set[int]:
        active = set(
            await self._session.scalars(
                select(EventRow.learner_id)
                .where(EventRow.learner_id.in_(list(learner_ids)), EventRow.occurred_at >= since, EventRow.kind.in_(LEARNING))
                .distinct()
            )
        )
        return set(learner_ids) - active

    async def who_started(self, learner_ids: Collection[int]) -> set[int]:
        return set(
            await self._session.scalars(
                select(EventRow.learner_id)
                .where(EventRow.learner_id.in_(list(learner_ids)), EventRow.kind == EventKind.LESSON_STARTED)
                .distinct()
            )
        )

    async def of_kinds(self, kinds: Collection[EventKind], since: datetime, before: datetime) -> list[TrailEvent]:
        found = await self._session.scalars(
            select(EventRow)
            .where(EventRow.kind.in_(list(kinds)), EventRow.occurred_at >= since, EventRow.occurred_at < before)
            .order_by(EventRow.occurred_at, EventRow.id)
        )
        return [rows.trail_event(row) for row in found]

    async def nudge_history(self, learner_id: int) -> tuple[datetime | None, list[datetime]]:
        last_activity = await self._session.scalar(
            select(func.max(EventRow.occurred_at)).where(EventRow.learner_id == learner_id, EventRow.kind.not_in(BOTS_OWN))
        )
        since = select(EventRow.occurred_at).where(EventRow.learner_id == learner_id, EventRow.kind == EventKind.NUDGED)
        if last_activity is not None:
            since = since.where(EventRow.occurred_at > last_activity)
        nudged = list(await self._session.scalars(since.order_by(EventRow.occurred_at)))
        return rows.aware(last_activity), [at for at in map(rows.aware, nudged) if at is not None]


def _date(day: date | str) -> date:
    """An aggregate bypasses the column type: SQLite hands a date back as text."""
    return date.fromisoformat(day) if isinstance(day, str) else day
