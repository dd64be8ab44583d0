"""Dashboard sign-in links and signed-in browser sessions. Only a hash of each token is kept: a
copy of the database signs nobody in."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import Learner
from bot.store import rows
from bot.store.models import AccessTokenRow, LearnerRow
from bot.store.teams import STILL_HERE
from bot.vocabulary import AccessKind


class SqlAccess:
    def __init__(self, session: AsyncSession, snapshots: rows.Snapshots) -> None:
        self._session = session
        self._snapshots = snapshots

    async def add(self, token_hash: str, learner_id: int, kind: AccessKind, expires_at: datetime) -> None:
        await self._session.execute(
            insert(AccessTokenRow).values(token_hash=token_hash, learner_id=learner_id, kind=kind, expires_at=expires_at)
        )

    async def use_signin(self, token_hash: str, now: datetime) -> int | None:
        """The update is conditional, so two browsers racing with one link cannot both get in."""
        result = await self._session.execute(
            update(AccessTokenRow)
            .where(
                AccessTokenRow.token_hash == token_hash,
                AccessTokenRow.kind == AccessKind.SIGNIN,
                AccessTokenRow.used_at.is_(None),
                AccessTokenRow.expires_at > now,
            )
            .values(used_at=now)
            .returning(AccessTokenRow.learner_id)
        )
        return result.scalar_one_or_none()

    async def signin_learner(self, token_hash: str, now: datetime) -> Learner | None:
        return await self._learner(AccessKind.SIGNIN, token_hash, now, AccessTokenRow.used_at.is_(None))

    async def session_learner(self, token_hash: str, now: datetime) -> Learner | None:
        return await self._learner(AccessKind.SESSION, token_hash, now)

    async def _learner(self, kind: AccessKind, token_hash: str, now: datetime, *more: object) -> Learner | None:
        row = await self._session.scalar(
            select(LearnerRow)
            .join(AccessTokenRow, AccessTokenRow.learner_id == LearnerRow.id)
            .where(AccessTokenRow.token_hash == token_hash, AccessTokenRow.kind == kind, AccessTokenRow.expires_at > now, STILL_HERE, *more)  # type: ignore[arg-type]
        )
        return self._snapshots.learner(row) if row else None

    async def end_session(self, token_hash: str) -> None:
        await self._session.execute(
            delete(AccessTokenRow).where(AccessTokenRow.token_hash == token_hash, AccessTokenRow.kind == AccessKind.SESSION)
        )

    async def end_all(self, learner_id: int) -> int:
        result = await self._session.execute(delete(AccessTokenRow).where(AccessTokenRow.learner_id == learner_id))
        return int(cast("CursorResult[Any]", result).rowcount or 0)

    async def purge_expired(self, now: datetime) -> int:
        result = await self._session.execute(delete(AccessTokenRow).where(AccessTokenRow.expires_at <= now))
        return int(cast("CursorResult[Any]", result).rowcount or 0)
