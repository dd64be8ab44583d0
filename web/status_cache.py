"""A signed status list (revocation or suspension), re-signed when its set bits change, the
issuer's key changes (a rotation) or it is older than a few seconds: signing canonicalizes
JSON-LD, which a burst of verifiers need not repeat."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from credentials.issuer import IssuerIdentity
from credentials.issuing import REVOCATION
from credentials.status_list import signed_status_list


@dataclass(frozen=True)
class _Signed:
    bits: tuple[int, ...]
    signed_by: str  # the verification method: a rotated key signs a new list at once
    at: datetime
    document: dict[str, Any]


class StatusListCache:
    def __init__(self, *, issuer: IssuerIdentity, clock: Clock, max_age: timedelta, purpose: str = REVOCATION) -> None:
        self._issuer = issuer
        self._clock = clock
        self._max_age = max_age
        self._purpose = purpose
        self._signed: _Signed | None = None

    async def status_list(self, set_indices: list[int]) -> dict[str, Any]:
        bits, now, method = tuple(sorted(set_indices)), self._clock.now(), self._issuer.verification_method
        cached = self._signed
        if cached is not None and (cached.bits, cached.signed_by) == (bits, method) and timedelta(0) <= now - cached.at < self._max_age:
            return cached.document
        document = await asyncio.to_thread(
            signed_status_list, issuer=self._issuer, revoked_indices=list(bits), now=now, purpose=self._purpose
        )
        self._signed = _Signed(bits, method, now, document)
        return document
