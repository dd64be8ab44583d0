"""A published award: the signed credential, its standing, and its badge image with the
credential baked in (the web app shows it; a chat platform that uploads images sends it)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.ports import Store
from bot.suspension import Lapse, lapses
from content.model import CredentialDefinition, CredentialKind, Curriculum
from credentials.images import badge_png, bake_png


@dataclass(frozen=True)
class PublishedAward:
    public_id: str
    definition_id: str
    kind: str
    valid_until: datetime | None
    revoked_at: datetime | None
    credential: dict[str, Any]  # the signed OpenBadgeCredential, exactly as stored
    lapses: tuple[Lapse, ...] = ()  # a certificate's stacked badges that are not valid now: it is suspended


async def find_published(
    store: Store, public_id: str, *, curriculum: Curriculum | None = None, now: datetime | None = None
) -> PublishedAward | None:
    """The award behind a public id, or None when there is none or it was never signed.
    Only what the credential itself discloses leaves this function (no learner, no reason), and,
    given the curriculum and the time, which badges a certificate stacks are not valid now (the
    certificate names them and links their pages, which say as much)."""
    async with store.transaction() as tx:
        row = await tx.awards.by_public_id(public_id)
        if row is None or row.credential is None:
            return None
        found: tuple[Lapse, ...] = ()
        if curriculum is not None and now is not None and row.kind == CredentialKind.CERTIFICATE.value:
            found = tuple(lapses(row, await tx.awards.of(row.learner_id), curriculum, now=now))
        return PublishedAward(
            public_id=row.public_id,
            definition_id=row.definition_id,
            kind=row.kind,
            valid_until=row.valid_until,
            revoked_at=row.revoked_at,
            credential=row.credential,
            lapses=found,
        )


def awarded_definition(award: PublishedAward) -> CredentialDefinition:
    """The badge as it was awarded: drawn from the credential, not from today's content."""
    achievement = award.credential.get("credentialSubject", {}).get("achievement", {})
    kind = CredentialKind.CERTIFICATE if award.kind == CredentialKind.CERTIFICATE.value else CredentialKind.BADGE
    return CredentialDefinition(
        id=award.definition_id,
        kind=kind,
        title=str(achievement.get("name", award.definition_id)),
        description=str(achievement.get("description", "")),
        criteria="",
    )


def baked_png_of(award: PublishedAward) -> bytes:
    return bake_png(badge_png(awarded_definition(award)), award.credential)


class BakedImages:
    """The PNG of an award with its credential baked in, for platforms that upload images
    (a chat platform cannot fetch from a web app that is not public)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def png(self, public_id: str) -> bytes | None:
        award = await find_published(self._store, public_id)
        return None if award is None else await asyncio.to_thread(baked_png_of, award)
