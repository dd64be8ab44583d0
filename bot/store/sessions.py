"""A learner's place in a lesson, a review or a refresher."""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import LessonSession
from bot.store import rows
from bot.store.models import SessionRow
from bot.vocabulary import SessionKind, SessionStatus


class SqlSessions:
    def __init__(self, session: AsyncSession, snapshots: rows.Snapshots, active: dict[int, LessonSession | None]) -> None:
        self._session = session
        self._snapshots = snapshots
        self._active = active

    async def active(self, learner_id: int) -> LessonSession | None:
        if learner_id in self._active:
            cached = self._active[learner_id]
            return cached if cached is None or cached.status == SessionStatus.ACTIVE else None
        row = await self._session.scalar(
            select(SessionRow).where(SessionRow.learner_id == learner_id, SessionRow.status == SessionStatus.ACTIVE))
        found = self._snapshots.keep(rows.session(row)) if row else None
        self._active[learner_id] = found
        return found

    async def open(
        self, learner_id: int, kind: SessionKind, title: str, steps: list[dict[str, Any]], *, now: datetime,
        lesson_id: str | None = None, lesson_version: str | None = None, credential_id: str | None = None,
    ) -> LessonSession:
        values = {
            "learner_id": learner_id, "kind": kind, "title": title, "steps": steps, "position": 0, "correct_count": 0,
            "status": SessionStatus.ACTIVE, "started_at": now, "updated_at": now, "lesson_id": lesson_id,
            "lesson_version": lesson_version, "credential_id": credential_id,
        }
        session_id = (await self._session.execute(insert(SessionRow).values(**values).returning(SessionRow.id))).scalar_one()
        opened = self._snapshots.keep(LessonSession(id=session_id, **values))
        self._active[learner_id] = opened
        return opened

    async def save(self, session: LessonSession) -> None:
        changed = self._snapshots.changes(session)
        changed.pop("id", None)
        if changed:
            await self._session.execute(
                update(SessionRow).where(SessionRow.id == session.id).values(**changed)
                .execution_options(synchronize_session=False)
            )
            self._snapshots.keep(session)

    async def completed_lessons(self, learner_id: int) -> set[str]:
        return (await self.completed_lessons_of([learner_id])).get(learner_id, set())

    async def completed_lessons_of(self, learner_ids: Collection[int]) -> dict[int, set[str]]:
        """The lessons each learner completed, in one query for a team."""
        found = await self._session.execute(
            select(SessionRow.learner_id, SessionRow.lesson_id)
            .where(SessionRow.learner_id.in_(list(learner_ids)), SessionRow.kind == SessionKind.LESSON,
                   SessionRow.status == SessionStatus.COMPLETED, SessionRow.lesson_id.is_not(None))
            .distinct()
        )
        done: dict[int, set[str]] = {}
        for learner_id, lesson_id in found:
            done.setdefault(int(learner_id), set()).add(str(lesson_id))
        return done
