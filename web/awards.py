"""A published award as the web app sees it: the signed credential and its standing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.store.repository import ProgressStore


@dataclass(frozen=True)
class PublishedAward:
    public_id: str
    definition_id: str
    kind: str
    valid_until: datetime | None
    revoked_at: datetime | None
    credential: dict[str, Any]  # the signed OpenBadgeCredential, exactly as stored


async def find_published(store: ProgressStore, public_id: str) -> PublishedAward | None:
    """The award behind a public id, or None when there is none or it was never signed.
    Only what the credential itself discloses leaves this function (no learner, no reason)."""
    async with store.transaction() as tx:
        row = await tx.award_by_public_id(public_id)
        if row is None or row.credential is None:
            return None
        return PublishedAward(
            public_id=row.public_id,
            definition_id=row.definition_id,
            kind=row.kind,
            valid_until=row.valid_until,
            revoked_at=row.revoked_at,
            credential=row.credential,
        )
