"""The signed revocation status list, re-signed when the revoked set changes or it is older
than a few seconds: signing canonicalizes JSON-LD, which a burst of verifiers need not repeat."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from credentials.issuer import IssuerIdentity
from credentials.status_list import signed_status_list


@dataclass(frozen=True)
class _Signed:
    revoked: tuple[int, ...]
    at: datetime
    document: dict[str, Any]


class StatusListCache:
    def __init__(self, *, issuer: IssuerIdentity, clock: Clock, max_age: timedelta) -> None:
        self._issuer = issuer
        self._clock = clock
        self._max_age = max_age
        self._signed: _Signed | None = None

    async def status_list(self, revoked_indices: list[int]) -> dict[str, Any]:
        revoked, now = tuple(sorted(revoked_indices)), self._clock.now()
        cached = self._signed
        if cached is not None and cached.revoked == revoked and timedelta(0) <= now - cached.at < self._max_age:
            return cached.document
        document = await asyncio.to_thread(signed_status_list, issuer=self._issuer, revoked_indices=list(revoked), now=now)
        self._signed = _Signed(revoked, now, document)
        return document
