"""Badges and certificates awarded, with their signed credentials."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import Award, Learner
from bot.store import rows
from bot.store.models import AwardRow, LearnerRow

AWARDS = cast(Table, AwardRow.__table__)
KnownAwards = dict[int, list[Award]]  # learner id -> their awards, as far as this transaction knows them
# Learners per query of `of_many`: well inside SQLite's and asyncpg's limits on bound parameters.
OF_MANY_CHUNK = 1000
OF = select(AWARDS).where(AWARDS.c.learner_id == bindparam("learner_id")).order_by(AWARDS.c.id)  # built once


class SqlAwards:
    def __init__(self, session: AsyncSession, snapshots: rows.Snapshots, known: KnownAwards) -> None:
        self._session = session
        self._snapshots = snapshots
        self._insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        # A learner's awards once read in this transaction (the next step, the awarder and the
        # pathway each ask), or known to be none from the learner's lock (bot/store/learners.py);
        # any change to awards reads them again.
        self._of = known

    async def of(self, learner_id: int) -> list[Award]:
        if learner_id not in self._of:
            found = await self._session.execute(OF, {"learner_id": learner_id})
            self._of[learner_id] = [rows.award(row) for row in found]
        return [replace(award) for award in self._of[learner_id]]

    async def of_many(self, learner_ids: Collection[int]) -> dict[int, list[Award]]:
        wanted = sorted(set(learner_ids) - self._of.keys())
        for start in range(0, len(wanted), OF_MANY_CHUNK):
            chunk = wanted[start : start + OF_MANY_CHUNK]
            found = await self._session.execute(select(AWARDS).where(AWARDS.c.learner_id.in_(chunk)).order_by(AWARDS.c.id))
            for learner_id in chunk:
                self._of[learner_id] = []
            for row in found:
                self._of[row.learner_id].append(rows.award(row))
        return {learner_id: [replace(award) for award in self._of[learner_id]] for learner_id in set(learner_ids)}

    async def held_by(self, learner_ids: Collection[int]) -> list[Award]:
        found = await self._session.scalars(
            select(AwardRow)
            .where(AwardRow.learner_id.in_(list(learner_ids)), AwardRow.revoked_at.is_(None))
            .order_by(AwardRow.awarded_at, AwardRow.id)
        )
        return [rows.award(row) for row in found]

    async def add(self, award: Award) -> bool:
        """The unique constraint (learner, definition, renewal) decides, so two processes
        evaluating the same learner at once cannot both award."""
        result = await self._session.execute(
            self._insert(AwardRow)
            .values(
                public_id=award.public_id,
                learner_id=award.learner_id,
                definition_id=award.definition_id,
                kind=award.kind,
                renewal=award.renewal,
                awarded_at=award.awarded_at,
                valid_until=award.valid_until,
                revoked_at=award.revoked_at,
                revocation_reason=award.revocation_reason,
                evidence=award.evidence,
                credential=award.credential,
            )
            .on_conflict_do_nothing(index_elements=["learner_id", "definition_id", "renewal"])
            .returning(AwardRow.id)
        )
        inserted = result.scalar_one_or_none()
        if inserted is None:
            return False
        self._of.pop(award.learner_id, None)
        award.id = inserted
        return True

    async def store_credential(self, award_id: int, credential: dict[str, Any]) -> None:
        self._of.clear()
        await self._session.execute(update(AwardRow).where(AwardRow.id == award_id).values(credential=credential))

    async def by_public_id(self, public_id: str) -> Award | None:
        row = await self._session.scalar(select(AwardRow).where(AwardRow.public_id == public_id))
        return rows.award(row) if row else None

    async def revoke(self, award_id: int, *, at: datetime, reason: str) -> None:
        self._of.clear()
        await self._session.execute(update(AwardRow).where(AwardRow.id == award_id).values(revoked_at=at, revocation_reason=reason))

    async def revoked_indices(self) -> list[int]:
        return list(await self._session.scalars(select(AwardRow.id).where(AwardRow.revoked_at.is_not(None))))

    async def holders(self, definition_id: str, *, now: datetime) -> int:
        held = await self._session.scalar(
            select(func.count(AwardRow.learner_id.distinct())).where(
                AwardRow.definition_id == definition_id,
                AwardRow.revoked_at.is_(None),
                or_(AwardRow.valid_until.is_(None), AwardRow.valid_until > now),
            )
        )
        return int(held or 0)

    async def of_kind(self, kind: str) -> list[Award]:
        found = await self._session.scalars(select(AwardRow).where(AwardRow.kind == kind).order_by(AwardRow.awarded_at, AwardRow.id))
        return [rows.award(row) for row in found]

    async def after(self, award_id: int, limit: int) -> list[Award]:
        found = await self._session.scalars(select(AwardRow).where(AwardRow.id > award_id).order_by(AwardRow.id).limit(limit))
        return [rows.award(row) for row in found]

    async def stale_subjects(self, limit: int) -> list[tuple[Award, Learner]]:
        found = await self._session.execute(
            select(AwardRow, LearnerRow)
            .join(LearnerRow, LearnerRow.id == AwardRow.learner_id)
            .where(AwardRow.subject_stale.is_(True))
            .order_by(AwardRow.id)
            .limit(limit)
            .with_for_update(of=AwardRow, skip_locked=True)
        )
        return [(rows.award(award), self._snapshots.learner(learner)) for award, learner in found]

    async def renew_subject(self, award_id: int, credential: dict[str, Any] | None) -> None:
        values: dict[str, Any] = {"subject_stale": False}
        if credential is not None:
            values["credential"] = credential
        self._of.clear()
        await self._session.execute(update(AwardRow).where(AwardRow.id == award_id).values(**values))
