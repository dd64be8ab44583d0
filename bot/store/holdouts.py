"""Holdouts: shares of learners held out of daily offers for a period (bot/holdout.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import Holdout, Learner
from bot.store import rows
from bot.store.models import HoldoutRow, LearnerRow
from bot.store.teams import STILL_HERE


class SqlHoldouts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *, share: float, seed: str, starts_at: datetime, ends_at: datetime, created_at: datetime) -> Holdout:
        row = HoldoutRow(share=share, seed=seed, starts_at=starts_at, ends_at=ends_at, created_at=created_at)
        self._session.add(row)
        await self._session.flush()
        return _holdout(row)

    async def all(self) -> list[Holdout]:
        return [_holdout(row) for row in await self._session.scalars(select(HoldoutRow).order_by(HoldoutRow.starts_at, HoldoutRow.id))]

    async def end(self, holdout_id: int, at: datetime) -> bool:
        row = await self._session.get(HoldoutRow, holdout_id)
        if row is None or row.ends_at <= at:
            return False
        row.ends_at = max(at, row.starts_at)
        await self._session.flush()
        return True

    async def people(self) -> list[Learner]:
        return [rows.learner(row) for row in await self._session.scalars(select(LearnerRow).where(STILL_HERE).order_by(LearnerRow.id))]


def _holdout(row: HoldoutRow) -> Holdout:
    return Holdout(row.id, row.share, row.seed, row.starts_at, row.ends_at, row.created_at)
