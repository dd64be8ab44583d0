"""Helpers for the web tests: revoking through the store, reading a Bitstring status list."""

from __future__ import annotations

import base64
import gzip
from datetime import datetime
from typing import Any

from bot.store.store import SqlStore


async def revoke(store: SqlStore, public_id: str, *, at: datetime, reason: str) -> None:
    async with store.transaction() as tx:
        award = await tx.awards.by_public_id(public_id)
        assert award is not None
        await tx.awards.revoke(award.id, at=at, reason=reason)


def status_bit(status_list: dict[str, Any], index: int) -> int:
    """Bitstring Status List 1.0, section 3.2: encodedList is multibase base64url (prefix "u")
    of the GZIP-compressed bitstring; index 0 is the left-most bit of the first byte."""
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    payload = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return (bits[index // 8] >> (7 - index % 8)) & 1
