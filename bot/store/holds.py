"""Vacation holds and pauses: the streak waits, no nudges."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import HoldRow
from bot.streaks import Hold

KnownHolds = dict[int, list[Hold]]  # learner id -> their holds, as far as this transaction knows them


class SqlHolds:
    def __init__(self, session: AsyncSession, known: KnownHolds) -> None:
        self._session = session
        # A learner's holds once read in this transaction, or known to be none from the learner's
        # lock (bot/store/learners.py): a learner's first learning of the day asks for them.
        self._known = known

    async def of(self, learner_id: int) -> list[Hold]:
        if learner_id not in self._known:
            self._known[learner_id] = (await self.of_many([learner_id])).get(learner_id, [])
        return list(self._known[learner_id])

    async def of_many(self, learner_ids: Collection[int]) -> dict[int, list[Hold]]:
        """Holds of many learners in one query (a batch of nudges), earliest first."""
        found: dict[int, list[Hold]] = {}
        if not learner_ids:
            return found
        for row in await self._session.scalars(
            select(HoldRow).where(HoldRow.learner_id.in_(list(learner_ids))).order_by(HoldRow.start_date)
        ):
            found.setdefault(row.learner_id, []).append(Hold(row.start_date, row.end_date))
        return found

    async def add(self, learner_id: int, start: date, end: date) -> None:
        self._known.pop(learner_id, None)
        await self._session.execute(insert(HoldRow).values(learner_id=learner_id, start_date=start, end_date=end))

    async def end(self, learner_id: int, today: date) -> None:
        self._known.pop(learner_id, None)
        await self._session.execute(delete(HoldRow).where(HoldRow.learner_id == learner_id, HoldRow.start_date > today))
        await self._session.execute(
            update(HoldRow).where(HoldRow.learner_id == learner_id, HoldRow.end_date > today).values(end_date=today)
        )

    async def delete_all(self, learner_id: int) -> None:
        self._known.pop(learner_id, None)
        await self._session.execute(delete(HoldRow).where(HoldRow.learner_id == learner_id))
