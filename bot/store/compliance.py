"""The compliance matrix's bulk reads (bot/ports.py `Compliance`): what the matrix needs of the
people in a scope (all of them, or a page), as the record stood at a moment, in one query per
kind of record however many people (no query per person). The scope is a condition on the learners table that
each query joins, never a list of ids sent to the database."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import Assignment, Award, JobRoleHeld, MatrixPerson, MatrixRecord, MatrixScope
from bot.store.models import AssignmentRow, AwardRow, JobRoleRow, LearnerRow, SessionRow, TeamRow
from bot.store.teams import STILL_HERE
from bot.vocabulary import SessionKind, SessionStatus, Target

LEARNERS = cast(Table, LearnerRow.__table__)
TEAMS = cast(Table, TeamRow.__table__)
ROLES = cast(Table, JobRoleRow.__table__)
ASSIGNMENTS = cast(Table, AssignmentRow.__table__)
AWARDS = cast(Table, AwardRow.__table__)
SESSIONS = cast(Table, SessionRow.__table__)


class SqlCompliance:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count(self, scope: MatrixScope, at: datetime) -> int:
        return int(await self._session.scalar(select(func.count()).select_from(LEARNERS).where(_in_scope(scope, at))) or 0)

    async def people(self, scope: MatrixScope, at: datetime, *, offset: int = 0, limit: int | None = None) -> list[MatrixPerson]:
        return await self._people(_in_scope(scope, at), offset, limit)

    async def required(self, scope: MatrixScope, at: datetime, credentials: Collection[str]) -> tuple[set[str], set[str]]:
        who = _in_scope(scope, at)
        roles = await self._rows(
            select(ROLES.c.role_id).where(ROLES.c.since <= at, or_(ROLES.c.until.is_(None), ROLES.c.until > at)).distinct(),
            ROLES.c.learner_id,
            who,
        )
        wanted = sorted(credentials)
        if not wanted:
            return {row[0] for row in roles}, set()
        # One probe per credential (ix_assignments_target): it stops at the first person in the
        # scope assigned it, where a DISTINCT would read every assignment of everyone.
        probes = [
            exists(
                select(1)
                .select_from(ASSIGNMENTS.join(LEARNERS, LEARNERS.c.id == ASSIGNMENTS.c.learner_id))
                .where(
                    ASSIGNMENTS.c.target_id == credential_id,
                    ASSIGNMENTS.c.target_kind == Target.CREDENTIAL.value,
                    ASSIGNMENTS.c.assigned_at <= at,
                    or_(ASSIGNMENTS.c.withdrawn_at.is_(None), ASSIGNMENTS.c.withdrawn_at > at),
                    who,
                )
            ).label(f"c{index}")
            for index, credential_id in enumerate(wanted)
        ]
        found = (await self._session.execute(select(*probes))).one()
        return {row[0] for row in roles}, {c for c, assigned in zip(wanted, found, strict=True) if assigned}

    async def matrix(self, scope: MatrixScope, at: datetime, learner_ids: Collection[int] | None = None) -> MatrixRecord:
        who = _in_scope(scope, at)
        if learner_ids is not None:
            who = and_(who, LEARNERS.c.id.in_(sorted(learner_ids)))
        people = await self._people(who)
        roles: dict[int, list[JobRoleHeld]] = {}
        for row in await self._rows(
            select(ROLES.c.learner_id, ROLES.c.role_id, ROLES.c.since, ROLES.c.until)
            .where(ROLES.c.since <= at)
            .order_by(ROLES.c.since, ROLES.c.id),
            ROLES.c.learner_id,
            who,
        ):
            roles.setdefault(row[0], []).append(JobRoleHeld(row[0], row[1], row[2], row[3]))
        assignments: dict[int, list[Assignment]] = {}
        credential = Target.CREDENTIAL
        for row in await self._rows(
            select(
                ASSIGNMENTS.c.learner_id,
                ASSIGNMENTS.c.target_id,
                ASSIGNMENTS.c.due_on,
                ASSIGNMENTS.c.origin,
                ASSIGNMENTS.c.assigned_at,
                ASSIGNMENTS.c.assigned_by,
                ASSIGNMENTS.c.withdrawn_at,
                ASSIGNMENTS.c.id,
            )
            .where(ASSIGNMENTS.c.target_kind == credential.value, ASSIGNMENTS.c.assigned_at <= at)
            .order_by(ASSIGNMENTS.c.id),
            ASSIGNMENTS.c.learner_id,
            who,
        ):
            assignments.setdefault(row[0], []).append(
                Assignment(row[0], credential, row[1], row[2], row[3], row[4], row[5], row[6], row[7])
            )
        awards: dict[int, list[Award]] = {}
        for row in await self._rows(
            select(
                AWARDS.c.public_id,
                AWARDS.c.learner_id,
                AWARDS.c.definition_id,
                AWARDS.c.kind,
                AWARDS.c.renewal,
                AWARDS.c.awarded_at,
                AWARDS.c.valid_until,
                AWARDS.c.id,
                AWARDS.c.revoked_at,
            )
            .where(AWARDS.c.awarded_at <= at)
            .order_by(AWARDS.c.id),
            AWARDS.c.learner_id,
            who,
        ):
            awards.setdefault(row[1], []).append(Award(row[0], row[1], row[2], row[3], row[4], row[5], row[6], {}, row[7], row[8]))
        # Lessons as one row per person, their ids joined by commas (content ids have none), not
        # a row per session: a person who earned a dozen credentials started two dozen lessons.
        started: dict[int, set[str]] = {}
        completed: dict[int, set[str]] = {}
        done = and_(SESSIONS.c.status == SessionStatus.COMPLETED.value, SESSIONS.c.completed_at <= at)
        for learner_id, began, finished in await self._rows(
            select(
                SESSIONS.c.learner_id,
                func.aggregate_strings(SESSIONS.c.lesson_id, ","),
                func.aggregate_strings(case((done, SESSIONS.c.lesson_id)), ","),
            )
            .where(SESSIONS.c.kind == SessionKind.LESSON.value, SESSIONS.c.started_at <= at, SESSIONS.c.lesson_id.is_not(None))
            .group_by(SESSIONS.c.learner_id),
            SESSIONS.c.learner_id,
            who,
        ):
            started[learner_id] = set(began.split(","))
            if finished:
                completed[learner_id] = set(finished.split(","))
        return MatrixRecord(people, roles, assignments, awards, started, completed)

    async def _people(self, who: ColumnElement[bool], offset: int = 0, limit: int | None = None) -> list[MatrixPerson]:
        query = (
            select(LEARNERS.c.id, LEARNERS.c.display_name, LEARNERS.c.timezone, TEAMS.c.name.label("team"))
            .select_from(LEARNERS.outerjoin(TEAMS, TEAMS.c.id == LEARNERS.c.team_id))
            .where(who)
            .order_by(LEARNERS.c.display_name, LEARNERS.c.id)
        )
        if offset or limit is not None:
            query = query.offset(offset).limit(limit)
        return [
            MatrixPerson(row.id, row.display_name or f"learner {row.id}", row.team, row.timezone)
            for row in await self._session.execute(query)
        ]

    async def _rows(self, query: Select[Any], learner_id: Any, who: ColumnElement[bool]) -> Any:
        """`query` for the people in scope: joined to the learners it reads, by their id."""
        return await self._session.execute(query.join(LEARNERS, LEARNERS.c.id == learner_id).where(who))


def _in_scope(scope: MatrixScope, at: datetime) -> ColumnElement[bool]:
    """Learners in the scope at `at`: not left, there by then, in one of its teams, holding its role."""
    conditions: list[ColumnElement[bool]] = [STILL_HERE, LEARNERS.c.created_at <= at]
    if scope.team_ids is not None:
        conditions.append(LEARNERS.c.team_id.in_(sorted(scope.team_ids)))
    if scope.role_id is not None:
        held = ROLES.alias("held")  # the queries that read job roles read them unaliased
        conditions.append(
            exists()
            .where(
                held.c.learner_id == LEARNERS.c.id,
                held.c.role_id == scope.role_id,
                held.c.since <= at,
                or_(held.c.until.is_(None), held.c.until > at),
            )
            .correlate(LEARNERS)
        )
    return and_(*conditions)
