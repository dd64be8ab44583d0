"""Operator commands on credentials: revoke, rotate the issuer key. Each returns the line to
print and an exit code; nothing here raises for an operator's typo."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.repository import ProgressStore
from credentials.keystore import KeyStore


@dataclass(frozen=True)
class Outcome:
    message: str
    exit_code: int = 0


def public_id_of(reference: str) -> str:
    """Accept the credential's id, its page URL or the bare public id."""
    return reference.rstrip("/").rsplit("/", 1)[-1]


async def revoke(store: ProgressStore, reference: str, *, reason: str, now: datetime) -> Outcome:
    reason = reason.strip()
    if not reason:
        return Outcome("Give a reason: credentials revoke ID --reason \"...\" (it is kept with the record).", 2)
    if len(reason) > 500:
        return Outcome("The reason is too long: keep it under 500 characters.", 2)
    public_id = public_id_of(reference)
    async with store.transaction() as tx:
        award = await tx.award_by_public_id(public_id)
        if award is None:
            return Outcome(f"No credential has the id {public_id!r}.", 1)
        if award.revoked_at is not None:
            return Outcome(f"Credential {public_id} was already revoked on {award.revoked_at.date()}: {award.revocation_reason}", 0)
        award.revoked_at, award.revocation_reason = now, reason
    return Outcome(f"Revoked credential {public_id} ({award.definition_id}, status list index {award.id}): {reason}")


def rotate_key(keys: KeyStore, *, now: datetime) -> Outcome:
    new = keys.rotate(now)
    retired = len(keys.retired())
    return Outcome(
        f"New issuer key {new.public_key_multibase}; {retired} retired key(s) kept so that earlier "
        "credentials still verify (published in the did:web document)."
    )
