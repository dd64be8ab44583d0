"""Assignments and job roles (bot/ports.py `Assignments`, `JobRoles`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import Assignment, JobRoleHeld
from bot.store.models import AssignmentRow, JobRoleRow, LearnerRow
from bot.store.teams import STILL_HERE
from bot.vocabulary import Target


class SqlAssignments:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, assignment: Assignment) -> Assignment:
        new_id = await self._session.scalar(
            insert(AssignmentRow)
            .values(
                learner_id=assignment.learner_id,
                target_kind=assignment.target_kind.value,
                target_id=assignment.target_id,
                due_on=assignment.due_on,
                origin=assignment.origin,
                assigned_by=assignment.assigned_by,
                assigned_at=assignment.assigned_at,
                withdrawn_at=assignment.withdrawn_at,
            )
            .returning(AssignmentRow.id)
        )
        return Assignment(**{**assignment.__dict__, "id": int(new_id or 0)})

    async def withdraw(self, assignment_id: int, *, at: datetime) -> bool:
        result = await self._session.execute(
            update(AssignmentRow)
            .where(AssignmentRow.id == assignment_id, AssignmentRow.withdrawn_at.is_(None))
            .values(withdrawn_at=at)
            .returning(AssignmentRow.id)
        )
        return result.first() is not None

    async def of(self, learner_id: int) -> list[Assignment]:
        return (await self.of_many([learner_id])).get(learner_id, [])

    async def of_many(self, learner_ids: Collection[int]) -> dict[int, list[Assignment]]:
        found: dict[int, list[Assignment]] = {}
        if not learner_ids:
            return found
        rows = await self._session.scalars(
            select(AssignmentRow).where(AssignmentRow.learner_id.in_(list(learner_ids))).order_by(AssignmentRow.id)
        )
        for row in rows:
            found.setdefault(row.learner_id, []).append(_assignment(row))
        return found


def _assignment(row: AssignmentRow) -> Assignment:
    return Assignment(
        learner_id=row.learner_id,
        target_kind=Target(row.target_kind),
        target_id=row.target_id,
        due_on=row.due_on,
        origin=row.origin,
        assigned_at=row.assigned_at,
        assigned_by=row.assigned_by,
        withdrawn_at=row.withdrawn_at,
        id=row.id,
    )


class SqlJobRoles:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of(self, learner_id: int) -> list[JobRoleHeld]:
        return (await self.of_many([learner_id])).get(learner_id, [])

    async def of_many(self, learner_ids: Collection[int]) -> dict[int, list[JobRoleHeld]]:
        found: dict[int, list[JobRoleHeld]] = {}
        if not learner_ids:
            return found
        rows = await self._session.scalars(
            select(JobRoleRow).where(JobRoleRow.learner_id.in_(list(learner_ids))).order_by(JobRoleRow.since, JobRoleRow.id)
        )
        for row in rows:
            found.setdefault(row.learner_id, []).append(JobRoleHeld(row.learner_id, row.role_id, row.since, row.until))
        return found

    async def give(self, learner_id: int, role_id: str, *, at: datetime) -> bool:
        current = await self._session.scalar(
            select(JobRoleRow.id).where(JobRoleRow.learner_id == learner_id, JobRoleRow.role_id == role_id, JobRoleRow.until.is_(None))
        )
        if current is not None:
            return False
        await self._session.execute(insert(JobRoleRow).values(learner_id=learner_id, role_id=role_id, since=at))
        return True

    async def end(self, learner_id: int, role_id: str, *, at: datetime) -> bool:
        result = await self._session.execute(
            update(JobRoleRow)
            .where(JobRoleRow.learner_id == learner_id, JobRoleRow.role_id == role_id, JobRoleRow.until.is_(None))
            .values(until=at)
            .returning(JobRoleRow.id)
        )
        return result.first() is not None

    async def holders(self, role_id: str, *, at: datetime) -> list[int]:
        rows = await self._session.scalars(
            select(JobRoleRow.learner_id)
            .join(LearnerRow, LearnerRow.id == JobRoleRow.learner_id)
            .where(
                JobRoleRow.role_id == role_id,
                JobRoleRow.since <= at,
                or_(JobRoleRow.until.is_(None), JobRoleRow.until > at),
                STILL_HERE,
            )
            .distinct()
            .order_by(JobRoleRow.learner_id)
        )
        return list(rows)
