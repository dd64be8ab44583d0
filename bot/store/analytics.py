"""The item analytics' bulk read (bot/ports.py `Analytics`): every answer, every learning session
with its snapshot of steps, and when each card was shown, in three queries however many learners."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analytics_records import AnalyticsRecord, AnswerRecord, SessionRecord
from bot.store.models import EventRow, SessionRow
from bot.vocabulary import EventKind

EVENTS = cast(Table, EventRow.__table__)
SESSIONS = cast(Table, SessionRow.__table__)
E = EVENTS.c
S = SESSIONS.c


class SqlAnalytics:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self) -> AnalyticsRecord:
        answers = [
            _answer(row)
            for row in await self._session.execute(
                select(E.id, E.learner_id, E.occurred_at, E.check_key, E.correct, E.payload)
                .where(E.kind == EventKind.ANSWERED.value, E.check_key.is_not(None))
                .order_by(E.occurred_at, E.id)
            )
        ]
        sessions = [
            SessionRecord(
                id=row.id,
                learner_id=row.learner_id,
                kind=row.kind,
                status=row.status,
                position=row.position,
                started_at=row.started_at,
                updated_at=row.updated_at,
                steps=tuple(row.steps or ()),
                lesson_id=row.lesson_id,
                lesson_version=row.lesson_version,
                completed_at=row.completed_at,
            )
            for row in await self._session.execute(
                select(
                    S.id,
                    S.learner_id,
                    S.kind,
                    S.status,
                    S.position,
                    S.started_at,
                    S.updated_at,
                    S.steps,
                    S.lesson_id,
                    S.lesson_version,
                    S.completed_at,
                ).order_by(S.id)
            )
        ]
        views = [
            (int(session_id), at)
            for session_id, at in await self._session.execute(
                select(E.payload["session"].as_integer(), E.occurred_at).where(E.kind == EventKind.CARD_VIEWED.value)
            )
            if session_id is not None
        ]
        return AnalyticsRecord(answers, sessions, views)


def _answer(row: Any) -> AnswerRecord:
    payload: dict[str, Any] = row.payload or {}
    session = payload.get("session")
    wording = payload.get("wording")
    return AnswerRecord(
        learner_id=row.learner_id,
        at=row.occurred_at,
        check_key=row.check_key,
        correct=bool(row.correct),
        choices=tuple(int(c) for c in payload.get("choices", ())),
        session_id=int(session) if isinstance(session, int) else None,
        session_kind=str(payload.get("kind", "")),
        wording=str(wording) if wording else None,
        id=row.id,
    )
