"""Nudges: messages the bot starts, each claimed by one process at a time.

Several processes deliver from one database: a worker claims due rows for a short lease (row
locks with SKIP LOCKED on PostgreSQL; SQLite serialises writers), sends, and marks them sent. A
worker that dies leaves its claims to expire and be claimed again, so nothing is lost."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, exists, func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import DeliveryStatus, Learner, Nudge
from bot.store import rows
from bot.store.models import AssignmentRow, AwardRow, LearnerRow, ManagedTeamRow, NudgeRow
from bot.store.teams import STILL_HERE
from bot.vocabulary import NudgeKind, Nudges, NudgeStatus

OVERDUE = timedelta(minutes=5)
WAITING = (NudgeStatus.PENDING, NudgeStatus.CLAIMED)
MESSAGES = NudgeRow.kind != NudgeKind.CHECK  # a check sends nothing: the delivery figures leave it out


class SqlNudges:
    def __init__(self, session: AsyncSession, snapshots: rows.Snapshots) -> None:
        self._session = session
        self._snapshots = snapshots
        self._insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert

    async def to_plan(self, platforms: Collection[str], limit: int) -> list[Learner]:
        waiting = exists().where(
            NudgeRow.learner_id == LearnerRow.id,
            NudgeRow.kind == NudgeKind.DAILY,
            NudgeRow.status.in_((NudgeStatus.PENDING, NudgeStatus.CLAIMED)),
        )
        found = await self._session.scalars(
            select(LearnerRow)
            .where(LearnerRow.platform.in_(list(platforms)), LearnerRow.nudges == Nudges.ON, STILL_HERE, ~waiting)
            .order_by(LearnerRow.id)
            .limit(limit)
        )
        return [self._snapshots.learner(row) for row in found]

    async def to_check(self, platforms: Collection[str], limit: int, *, now: datetime) -> list[Learner]:
        """Those with an assignment, a credential that expires, or a team, and no check waiting:
        after the first round, only people who newly have one."""
        waiting = exists().where(NudgeRow.learner_id == LearnerRow.id, NudgeRow.kind == NudgeKind.CHECK, NudgeRow.status.in_(WAITING))
        assigned = exists().where(AssignmentRow.learner_id == LearnerRow.id, AssignmentRow.withdrawn_at.is_(None))
        expiring = exists().where(AwardRow.learner_id == LearnerRow.id, AwardRow.revoked_at.is_(None), AwardRow.valid_until > now)
        managing = exists().where(ManagedTeamRow.learner_id == LearnerRow.id)
        found = await self._session.scalars(
            select(LearnerRow)
            .where(LearnerRow.platform.in_(list(platforms)), STILL_HERE, ~waiting, or_(assigned, expiring, managing))
            .order_by(LearnerRow.id)
            .limit(limit)
        )
        return [self._snapshots.learner(row) for row in found]

    async def waiting(self, learner_id: int, kinds: Collection[NudgeKind]) -> list[Nudge]:
        found = await self._session.scalars(
            select(NudgeRow)
            .where(NudgeRow.learner_id == learner_id, NudgeRow.kind.in_(list(kinds)), NudgeRow.status.in_(WAITING))
            .order_by(NudgeRow.due_at, NudgeRow.id)
        )
        return [rows.nudge(row) for row in found]

    async def schedule(self, learner_id: int, kind: NudgeKind, due_at: datetime) -> bool:
        return await self.schedule_many([(learner_id, kind, due_at)]) == 1

    async def schedule_many(self, nudges: Collection[tuple[int, NudgeKind, datetime]]) -> int:
        """In one statement; those already scheduled (by this or another process: the unique
        constraint) are left alone."""
        if not nudges:
            return 0
        result = await self._session.execute(
            self._insert(NudgeRow)
            .values(
                [
                    {"learner_id": learner_id, "kind": kind, "due_at": due_at, "status": NudgeStatus.PENDING, "attempts": 0}
                    for learner_id, kind, due_at in nudges
                ]
            )
            .on_conflict_do_nothing()
            .returning(NudgeRow.id)
        )
        return len(result.scalars().all())

    async def claim(
        self, *, now: datetime, worker: str, lease: timedelta, limit: int, platforms: Collection[str] | None = None
    ) -> list[tuple[Nudge, Learner]]:
        """Pending ones, and claims whose lease expired (their worker died). Rows another
        transaction is claiming are skipped. `platforms`: only learners this process can reach."""
        on_platforms = (
            NudgeRow.learner_id.in_(select(LearnerRow.id).where(LearnerRow.platform.in_(list(platforms))))
            if platforms is not None
            else true()
        )
        due = (
            select(NudgeRow.id)
            .where(
                on_platforms,
                NudgeRow.due_at <= now,
                or_(NudgeRow.status == NudgeStatus.PENDING, and_(NudgeRow.status == NudgeStatus.CLAIMED, NudgeRow.lease_until < now)),
            )
            .order_by(NudgeRow.due_at, NudgeRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list(await self._session.scalars(due))
        if not ids:
            return []
        await self._session.execute(
            update(NudgeRow)
            .where(NudgeRow.id.in_(ids))
            .values(status=NudgeStatus.CLAIMED, claimed_by=worker, lease_until=now + lease, attempts=NudgeRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        found = await self._session.execute(
            select(NudgeRow, LearnerRow)
            .join(LearnerRow, LearnerRow.id == NudgeRow.learner_id)
            .where(NudgeRow.id.in_(ids))
            .order_by(NudgeRow.due_at, NudgeRow.id)
            .execution_options(populate_existing=True)
        )
        return [(rows.nudge(nudge), self._snapshots.learner(learner)) for nudge, learner in found]

    async def renew_claims(self, ids: Collection[int], *, worker: str, now: datetime, lease: timedelta) -> set[int]:
        if not ids:
            return set()
        result = await self._session.execute(
            update(NudgeRow)
            .where(
                NudgeRow.id.in_(list(ids)),
                NudgeRow.status == NudgeStatus.CLAIMED,
                NudgeRow.claimed_by == worker,
                NudgeRow.lease_until > now,
            )
            .values(lease_until=now + lease)
            .returning(NudgeRow.id)
            .execution_options(synchronize_session=False)
        )
        return set(result.scalars())

    async def finish(
        self,
        nudge_id: int,
        *,
        worker: str,
        status: NudgeStatus,
        at: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": status, "done_at": at, "error": error, "lease_until": None}
        if retry_at is not None:
            values |= {"status": NudgeStatus.PENDING, "due_at": retry_at, "done_at": None}
        result = await self._session.execute(
            update(NudgeRow)
            .where(NudgeRow.id == nudge_id, NudgeRow.status == NudgeStatus.CLAIMED, NudgeRow.claimed_by == worker)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return cast("CursorResult[Any]", result).rowcount == 1

    async def cancel(self, learner_id: int, kinds: Collection[NudgeKind], at: datetime) -> None:
        await self._session.execute(
            update(NudgeRow)
            .where(NudgeRow.learner_id == learner_id, NudgeRow.kind.in_(list(kinds)), NudgeRow.status == NudgeStatus.PENDING)
            .values(status=NudgeStatus.SKIPPED, done_at=at)
            .execution_options(synchronize_session=False)
        )

    async def all(self, learner_id: int | None = None) -> list[Nudge]:
        query = select(NudgeRow).order_by(NudgeRow.due_at, NudgeRow.id)
        if learner_id is not None:
            query = query.where(NudgeRow.learner_id == learner_id)
        return [rows.nudge(row) for row in await self._session.scalars(query)]

    async def delivery_status(self, now: datetime) -> DeliveryStatus:
        session = self._session
        learners = dict((await session.execute(select(LearnerRow.platform, func.count()).group_by(LearnerRow.platform))).all())
        states = dict((await session.execute(select(LearnerRow.nudges, func.count()).group_by(LearnerRow.nudges))).all())
        waiting = or_(NudgeRow.status == NudgeStatus.PENDING, and_(NudgeRow.status == NudgeStatus.CLAIMED, NudgeRow.lease_until < now))

        async def count(*conditions: Any) -> int:
            return int(await session.scalar(select(func.count()).select_from(NudgeRow).where(MESSAGES, *conditions)) or 0)

        last_error = await session.scalar(
            select(NudgeRow.error)
            .where(MESSAGES, NudgeRow.status.in_((NudgeStatus.PENDING, NudgeStatus.FAILED)), NudgeRow.error.is_not(None))
            .order_by(NudgeRow.id.desc())
            .limit(1)
        )
        next_due = await session.scalar(
            select(func.min(NudgeRow.due_at)).where(MESSAGES, NudgeRow.status == NudgeStatus.PENDING, NudgeRow.due_at > now)
        )
        return DeliveryStatus(
            learners={str(k): int(v) for k, v in learners.items()},
            nudge_states={str(k): int(v) for k, v in states.items()},
            due=await count(waiting, NudgeRow.due_at <= now),
            overdue=await count(waiting, NudgeRow.due_at < now - OVERDUE),
            in_flight=await count(NudgeRow.status == NudgeStatus.CLAIMED, NudgeRow.lease_until >= now),
            sent_last_hour=await count(NudgeRow.status == NudgeStatus.SENT, NudgeRow.done_at >= now - timedelta(hours=1)),
            retrying=await count(NudgeRow.status == NudgeStatus.PENDING, NudgeRow.error.is_not(None)),
            failed_last_day=await count(NudgeRow.status == NudgeStatus.FAILED, NudgeRow.done_at >= now - timedelta(days=1)),
            last_error=last_error,
            next_due=rows.aware(next_due),
        )
