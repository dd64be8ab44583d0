"""Verify any Open Badges 3.0 credential offline and say, in one line, why it fails.

Checks, in order: it is JSON-LD we can read, its Data Integrity proof, its dates, the 1EdTech
schema, and its revocation status. A status that cannot be checked is reported as unknown, never
as "not revoked".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from credentials.data_integrity import verify
from credentials.keys import KeyResolver
from credentials.schema import validate_achievement_credential


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"  # the signature and dates hold, but the revocation status is unknown


@dataclass(frozen=True)
class StatusCheck:
    """What a status check found: `revoked` is None when it could not be told."""

    revoked: bool | None
    reason: str


@dataclass(frozen=True)
class Report:
    verdict: Verdict
    line: str  # the one line to print


StatusChecker = Callable[[Mapping[str, Any]], StatusCheck]


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def verify_credential(
    credential: Mapping[str, Any],
    *,
    resolve_key: KeyResolver,
    check_status: StatusChecker | None,
    now: datetime,
) -> Report:
    name = _name(credential)
    proof = verify(credential, resolve_key=resolve_key)
    if not proof.ok:
        return Report(Verdict.INVALID, f"INVALID: {name}: {'; '.join(proof.reasons)}")
    valid_from = parse_time(credential.get("validFrom"))
    if valid_from is None:
        return Report(Verdict.INVALID, f"INVALID: {name}: validFrom is missing or not a date-time")
    if now < valid_from:
        return Report(Verdict.INVALID, f"INVALID: {name}: not valid before {credential['validFrom']}")
    if "validUntil" in credential:
        valid_until = parse_time(credential.get("validUntil"))
        if valid_until is None:
            return Report(Verdict.INVALID, f"INVALID: {name}: validUntil is not a date-time")
        if valid_until <= now:
            return Report(Verdict.INVALID, f"INVALID: {name}: expired on {credential['validUntil']}")
    if "OpenBadgeCredential" in credential.get("type", ()) or "AchievementCredential" in credential.get("type", ()):
        schema = validate_achievement_credential(credential)
        if not schema.ok:
            return Report(Verdict.INVALID, f"INVALID: {name}: not a valid Open Badges 3.0 credential: {schema.problems[0]}")
    if "credentialStatus" not in credential:
        return Report(Verdict.VALID, f"VALID: {name}: signature, dates and schema check out; it has no revocation status")
    if check_status is None:
        return Report(
            Verdict.UNKNOWN,
            f"UNKNOWN: {name}: signature and dates check out, but its status list was not given, so revocation could not be checked",
        )
    status = check_status(credential)
    if status.revoked is None:
        return Report(
            Verdict.UNKNOWN, f"UNKNOWN: {name}: signature and dates check out, but revocation could not be checked: {status.reason}"
        )
    if status.revoked:
        return Report(Verdict.INVALID, f"INVALID: {name}: revoked ({status.reason})")
    return Report(Verdict.VALID, f"VALID: {name}: signature, dates, schema and status check out (not revoked)")


def _name(credential: Mapping[str, Any]) -> str:
    name = credential.get("name")
    if not isinstance(name, str):
        subject = credential.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
        name = achievement.get("name") if isinstance(achievement, Mapping) else None
    return f"{name!r}" if isinstance(name, str) else "the credential"
