"""Teams, who manages them, and the figures a manager sees."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, case, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import Learner, Team, TeamFigures
from bot.store import rows
from bot.store.models import AwardRow, EventRow, LearnerRow, ManagedTeamRow, SessionRow, TeamRow
from bot.vocabulary import EventKind, SessionKind, SessionStatus

STILL_HERE = ~LearnerRow.platform_user_id.startswith("erased:")  # those who left count nowhere


class SqlTeams:
    def __init__(self, session: AsyncSession, snapshots: rows.Snapshots) -> None:
        self._session = session
        self._snapshots = snapshots

    async def ids_by_name(self, names: Collection[str]) -> dict[str, int]:
        existing = dict((await self._session.execute(select(TeamRow.name, TeamRow.id).where(TeamRow.name.in_(list(names))))).all())
        for name in names:
            if name not in existing:
                existing[name] = (await self._session.execute(insert(TeamRow).values(name=name).returning(TeamRow.id))).scalar_one()
        return {str(k): int(v) for k, v in existing.items()}

    async def set_managed(self, learner_id: int, team_ids: Collection[int]) -> None:
        await self._session.execute(delete(ManagedTeamRow).where(ManagedTeamRow.learner_id == learner_id))
        if team_ids:
            await self._session.execute(
                insert(ManagedTeamRow), [{"learner_id": learner_id, "team_id": team_id} for team_id in sorted(set(team_ids))]
            )

    async def all(self, team_ids: Collection[int] | None = None) -> list[Team]:
        query = select(TeamRow).order_by(TeamRow.name)
        if team_ids is not None:
            query = query.where(TeamRow.id.in_(list(team_ids)))
        return [rows.team(row) for row in await self._session.scalars(query)]

    async def managed_ids(self, learner_id: int) -> set[int]:
        return set(await self._session.scalars(select(ManagedTeamRow.team_id).where(ManagedTeamRow.learner_id == learner_id)))

    async def managed_names(self, learner_id: int) -> list[str]:
        return list(
            await self._session.scalars(
                select(TeamRow.name)
                .join(ManagedTeamRow, ManagedTeamRow.team_id == TeamRow.id)
                .where(ManagedTeamRow.learner_id == learner_id)
                .order_by(TeamRow.name)
            )
        )

    async def members(self, team_id: int) -> list[Learner]:
        found = await self._session.scalars(
            select(LearnerRow).where(LearnerRow.team_id == team_id, STILL_HERE).order_by(LearnerRow.display_name, LearnerRow.id)
        )
        return [self._snapshots.learner(row) for row in found]

    async def name_of(self, learner_id: int) -> str | None:
        return await self._session.scalar(
            select(TeamRow.name).join(LearnerRow, LearnerRow.team_id == TeamRow.id).where(LearnerRow.id == learner_id)
        )

    async def figures(self, team_ids: Collection[int], now: datetime, active_since: datetime) -> dict[int, TeamFigures]:
        """Per team, in three grouped queries however many teams."""
        ids = list(team_ids)
        # Each joins from the teams' learners, so a manager's two teams read only their rows.
        member = and_(LearnerRow.team_id.in_(ids), STILL_HERE)
        streaking = LearnerRow.streak_ends_at > now  # as bot.streaks.streak_now reads one learner
        people = {
            row[0]: row[1:]
            for row in await self._session.execute(
                select(
                    LearnerRow.team_id,
                    func.count(),
                    func.sum(case((LearnerRow.last_learned_at >= active_since, 1), else_=0)),
                    func.sum(case((streaking, 1), else_=0)),
                    func.max(case((streaking, LearnerRow.streak_days), else_=0)),
                )
                .where(member)
                .group_by(LearnerRow.team_id)
            )
        }
        # A learner completes each lesson once (the next lesson is always one not yet done, and
        # there is one open session at a time), so completed sessions are counted as they are.
        lessons = dict(
            (
                await self._session.execute(
                    select(LearnerRow.team_id, func.count())
                    .join(
                        SessionRow,
                        and_(
                            SessionRow.learner_id == LearnerRow.id,
                            SessionRow.kind == SessionKind.LESSON,
                            SessionRow.status == SessionStatus.COMPLETED,
                        ),
                    )
                    .where(member)
                    .group_by(LearnerRow.team_id)
                )
            ).all()
        )
        awards = dict(
            (
                await self._session.execute(
                    select(LearnerRow.team_id, func.count())
                    .join(AwardRow, AwardRow.learner_id == LearnerRow.id)
                    .where(member, AwardRow.revoked_at.is_(None))
                    .group_by(LearnerRow.team_id)
                )
            ).all()
        )
        figures = {}
        for t in ids:
            count, active, on_a_streak, longest = people.get(t, (0, 0, 0, 0))
            figures[t] = TeamFigures(
                learners=int(count),
                active=int(active or 0),
                on_a_streak=int(on_a_streak or 0),
                longest_streak=int(longest or 0),
                lessons_done=int(lessons.get(t, 0)),
                credentials=int(awards.get(t, 0)),
            )
        return figures

    async def activity_counts(self, learner_ids: Collection[int]) -> dict[int, tuple[int, int]]:
        ids = list(learner_ids)
        lessons = dict(
            (
                await self._session.execute(
                    select(EventRow.learner_id, func.count(func.distinct(EventRow.lesson_id)))
                    .where(EventRow.learner_id.in_(ids), EventRow.kind == EventKind.LESSON_COMPLETED)
                    .group_by(EventRow.learner_id)
                )
            ).all()
        )
        awards = dict(
            (
                await self._session.execute(
                    select(AwardRow.learner_id, func.count())
                    .where(AwardRow.learner_id.in_(ids), AwardRow.revoked_at.is_(None))
                    .group_by(AwardRow.learner_id)
                )
            ).all()
        )
        return {i: (int(lessons.get(i, 0)), int(awards.get(i, 0))) for i in ids}
