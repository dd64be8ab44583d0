"""Learners: found, created on first contact, locked for a turn, saved."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, bindparam, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import LearnerRef
from bot.records import Learner, LessonSession
from bot.store import rows
from bot.store.awards import KnownAwards
from bot.store.holds import KnownHolds
from bot.store.models import AwardRow, HoldRow, LearnerRow, SessionRow
from bot.store.writes import Writes
from bot.vocabulary import SessionStatus

LEARNERS = cast(Table, LearnerRow.__table__)
# Every turn starts here: built once, the learner and their active session in one locking query,
# and whether they have any holds or awards (most have neither: their streak then needs no read
# of holds, and their next step no read of awards for a refresher).
LOCKED = (
    select(
        LearnerRow,
        SessionRow,
        exists().where(HoldRow.learner_id == LearnerRow.id).label("held"),
        exists().where(AwardRow.learner_id == LearnerRow.id).label("awarded"),
    )
    .outerjoin(SessionRow, and_(SessionRow.learner_id == LearnerRow.id, SessionRow.status == SessionStatus.ACTIVE))
    .where(LearnerRow.platform == bindparam("platform"), LearnerRow.platform_user_id == bindparam("user_id"))
    .with_for_update(of=LearnerRow)
)


class SqlLearners:
    def __init__(
        self,
        session: AsyncSession,
        snapshots: rows.Snapshots,
        active: dict[int, LessonSession | None],
        writes: Writes,
        holds: KnownHolds,
        awards: KnownAwards,
    ) -> None:
        self._session = session
        self._writes = writes
        self._snapshots = snapshots
        self._active = active  # active sessions read with the learner: one query fewer per event
        self._holds = holds  # no holds, known from the lock (bot/store/holds.py reads the others)
        self._awards = awards  # no awards, known from the lock (bot/store/awards.py reads the others)

    async def locked(self, ref: LearnerRef, *, now: datetime) -> tuple[Learner, bool]:
        """The row lock serialises a learner's events across processes, so two deliveries of one
        event cannot both be counted."""
        found = await self._locked(ref)
        if found is not None:
            return found, False
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        result = await self._session.execute(
            insert(LearnerRow)
            .values(
                platform=ref.platform,
                platform_user_id=ref.user_id,
                display_name=ref.display_name,
                timezone=ref.timezone or "UTC",
                timezone_confirmed=ref.timezone is not None,
                daily_time="09:00",
                working_days="12345",
                created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(LearnerRow)
        )
        created = result.scalar_one_or_none()
        if created is not None:  # theirs until this transaction ends (a new row); no session, holds or awards yet
            self._active[created.id], self._holds[created.id], self._awards[created.id] = None, [], []
            return self._snapshots.learner(created), True
        found = await self._locked(ref)  # another process created them first
        if found is None:  # pragma: no cover - the insert above guarantees it
            raise RuntimeError(f"learner {ref} vanished")
        return found, False

    async def _locked(self, ref: LearnerRef) -> Learner | None:
        result = await self._session.execute(LOCKED, {"platform": ref.platform, "user_id": ref.user_id})
        row = result.first()
        if row is None:
            return None
        learner_row, session_row, held, awarded = row
        self._active[learner_row.id] = self._snapshots.keep(rows.session(session_row)) if session_row else None
        if not held:
            self._holds[learner_row.id] = []
        if not awarded:
            self._awards[learner_row.id] = []
        return self._snapshots.learner(learner_row)

    async def find(self, platform: str, user_id: str) -> Learner | None:
        row = await self._session.scalar(select(LearnerRow).where(LearnerRow.platform == platform, LearnerRow.platform_user_id == user_id))
        return self._snapshots.learner(row) if row else None

    async def by_id(self, learner_id: int) -> Learner | None:
        row = await self._session.get(LearnerRow, learner_id)
        return self._snapshots.learner(row) if row else None

    async def person(self, platform: str, user_id: str, name: str, *, now: datetime) -> tuple[Learner, bool]:
        learner, created = await self.locked(LearnerRef(platform, user_id, name), now=now)
        if name:
            learner.display_name = name
        return learner, created

    async def save(self, learner: Learner) -> None:
        changed = self._snapshots.changes(learner)
        changed.pop("id", None)
        if changed:
            self._writes.update(LEARNERS, learner.id, changed)
            self._snapshots.keep(learner)
