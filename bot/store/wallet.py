"""One-time links for claiming a credential into a wallet (bot/wallet_claims.py). Only a hash of
each token is kept: a copy of the database claims nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import WalletClaim
from bot.store import rows
from bot.store.models import AwardRow, LearnerRow, WalletClaimRow
from bot.store.teams import STILL_HERE


class SqlWalletClaims:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, token_hash: str, award_id: int, expires_at: datetime, *, now: datetime) -> None:
        await self._session.execute(
            insert(WalletClaimRow).values(token_hash=token_hash, award_id=award_id, created_at=now, expires_at=expires_at)
        )

    async def find(self, token_hash: str) -> WalletClaim | None:
        found = (
            await self._session.execute(
                select(WalletClaimRow, AwardRow)
                .join(AwardRow, AwardRow.id == WalletClaimRow.award_id)
                .join(LearnerRow, LearnerRow.id == AwardRow.learner_id)
                .where(WalletClaimRow.token_hash == token_hash, STILL_HERE)
            )
        ).first()
        if found is None:
            return None
        claim, award = found
        return WalletClaim(award=rows.award(award), expires_at=claim.expires_at, used_at=claim.used_at, holder=claim.holder)

    async def use(self, token_hash: str, *, holder: str, now: datetime) -> bool:
        """The update is conditional, so two wallets racing with one link cannot both claim."""
        result = await self._session.execute(
            update(WalletClaimRow)
            .where(WalletClaimRow.token_hash == token_hash, WalletClaimRow.used_at.is_(None), WalletClaimRow.expires_at > now)
            .values(used_at=now, holder=holder)
            .returning(WalletClaimRow.token_hash)
        )
        return result.scalar_one_or_none() is not None

    async def purge_expired(self, now: datetime) -> int:
        result = await self._session.execute(delete(WalletClaimRow).where(WalletClaimRow.expires_at <= now))
        return int(cast("CursorResult[Any]", result).rowcount or 0)
