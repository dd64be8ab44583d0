"""A learner's place in a lesson, a review or a refresher."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import LessonSession
from bot.store import rows
from bot.store.models import SessionRow
from bot.store.writes import Writes
from bot.vocabulary import SessionKind, SessionStatus

SESSIONS = cast(Table, SessionRow.__table__)
S = SESSIONS.c
# Statements on the table, built once, their values passed as parameters: the same SQL without
# building it again and without the ORM's bookkeeping.
OPEN = insert(SESSIONS).returning(S.id)
COMPLETED = (
    select(S.learner_id, S.lesson_id)
    .where(
        S.learner_id.in_(bindparam("learner_ids", expanding=True)),
        S.kind == SessionKind.LESSON,
        S.status == SessionStatus.COMPLETED,
        S.lesson_id.is_not(None),
    )
    .distinct()
)


class SqlSessions:
    def __init__(self, session: AsyncSession, snapshots: rows.Snapshots, active: dict[int, LessonSession | None], writes: Writes) -> None:
        self._session = session
        self._writes = writes
        self._snapshots = snapshots
        self._active = active
        # The lessons a learner completed, once read in this transaction (a lesson's end reads
        # them for its summary, for the next step and for the pathway): kept up to date by `save`.
        self._completed: dict[int, set[str]] = {}

    async def active(self, learner_id: int) -> LessonSession | None:
        if learner_id in self._active:
            cached = self._active[learner_id]
            return cached if cached is None or cached.status == SessionStatus.ACTIVE else None
        row = await self._session.scalar(
            select(SessionRow).where(SessionRow.learner_id == learner_id, SessionRow.status == SessionStatus.ACTIVE)
        )
        found = self._snapshots.keep(rows.session(row)) if row else None
        self._active[learner_id] = found
        return found

    async def open(
        self,
        learner_id: int,
        kind: SessionKind,
        title: str,
        steps: list[dict[str, Any]],
        *,
        now: datetime,
        lesson_id: str | None = None,
        lesson_version: str | None = None,
        credential_id: str | None = None,
    ) -> LessonSession:
        values: dict[str, Any] = {
            "learner_id": learner_id,
            "kind": kind,
            "title": title,
            "steps": steps,
            "position": 0,
            "correct_count": 0,
            "status": SessionStatus.ACTIVE,
            "started_at": now,
            "updated_at": now,
            "lesson_id": lesson_id,
            "lesson_version": lesson_version,
            "credential_id": credential_id,
        }
        session_id = (await self._session.execute(OPEN, {**values, "completed_at": None})).scalar_one()
        opened = self._snapshots.keep(LessonSession(id=session_id, **values))
        self._active[learner_id] = opened
        return opened

    async def save(self, session: LessonSession) -> None:
        changed = self._snapshots.changes(session)
        changed.pop("id", None)
        if changed:
            self._writes.update(SESSIONS, session.id, changed)
            self._snapshots.saved(session, changed)
            completed = self._completed.get(session.learner_id)
            touched = changed.keys() & {"status", "kind", "lesson_id", "learner_id"}
            if completed is not None and touched:
                if (
                    touched == {"status"}
                    and session.status == SessionStatus.COMPLETED
                    and session.kind == SessionKind.LESSON
                    and session.lesson_id
                ):
                    completed.add(session.lesson_id)  # a lesson just completed
                else:  # nothing the flow does: read them again when asked
                    del self._completed[session.learner_id]

    async def completed_lessons(self, learner_id: int) -> set[str]:
        if learner_id not in self._completed:
            self._completed[learner_id] = (await self.completed_lessons_of([learner_id])).get(learner_id, set())
        return set(self._completed[learner_id])

    async def completed_lessons_of(self, learner_ids: Collection[int]) -> dict[int, set[str]]:
        """The lessons each learner completed, in one query for a team."""
        found = await self._session.execute(COMPLETED, {"learner_ids": list(learner_ids)})
        done: dict[int, set[str]] = {}
        for learner_id, lesson_id in found:
            done.setdefault(int(learner_id), set()).add(str(lesson_id))
        return done
