"""What the Slack adapter keeps per learner, so it asks Slack once, not at every event: when a
profile was last read, and a digest of the App Home last published."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import SlackLearner
from bot.store import rows
from bot.store.models import LearnerRow, SlackLearnerRow
from bot.vocabulary import Platform


class SqlSlackLearners:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert

    async def learner(self, user_id: str) -> SlackLearner | None:
        row = (
            await self._session.execute(
                select(LearnerRow.id, LearnerRow.display_name, LearnerRow.timezone, SlackLearnerRow.profile_at, SlackLearnerRow.home_digest)
                .outerjoin(SlackLearnerRow, SlackLearnerRow.learner_id == LearnerRow.id)
                .where(LearnerRow.platform == Platform.SLACK, LearnerRow.platform_user_id == user_id)
            )
        ).one_or_none()
        if row is None:
            return None
        return SlackLearner(row[0], row[1], row[2], rows.aware(row[3]), row[4])

    async def keep_profile(self, user_id: str, *, at: datetime, name: str | None = None) -> bool:
        learner_id = await self._learner_id(user_id)
        if learner_id is None:
            return False
        if name:
            await self._session.execute(update(LearnerRow).where(LearnerRow.id == learner_id).values(display_name=name))
        await self._keep(learner_id, profile_at=at)
        return True

    async def keep_home(self, user_id: str, digest: str) -> bool:
        learner_id = await self._learner_id(user_id)
        if learner_id is not None:
            await self._keep(learner_id, home_digest=digest)
        return learner_id is not None

    async def _learner_id(self, user_id: str) -> int | None:
        return await self._session.scalar(
            select(LearnerRow.id).where(LearnerRow.platform == Platform.SLACK, LearnerRow.platform_user_id == user_id)
        )

    async def _keep(self, learner_id: int, **values: Any) -> None:
        await self._session.execute(
            self._insert(SlackLearnerRow)
            .values(learner_id=learner_id, **values)
            .on_conflict_do_update(index_elements=[SlackLearnerRow.learner_id], set_=values)
        )
