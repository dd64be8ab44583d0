"""Verify any Open Badges 3.0 credential offline and say, in one line, why it fails.

Checks, in order: it is JSON-LD we can read, its Data Integrity proof, its dates, that it is an
Open Badges 3.0 credential (typed OpenBadgeCredential, or AchievementCredential, which the spec
makes its equal) that passes the 1EdTech schema, and its revocation status.

The verdicts follow independent verifiers (tests/integration/test_verdicts_agree.py runs Digital
Bazaar's beside ours): a credential they refuse is never VALID here. A credential that names a
status list is VALID only once that list has been checked: a list that is missing, forged,
issued by someone other than the credential's issuer, expired or unreadable makes it INVALID,
as it does for them (a verifier that cannot check the status refuses the credential). We are
stricter in one respect: they check a Verifiable Credential, not an Open Badge, so a signed
credential of another type, or one the 1EdTech schema rejects, is INVALID here and may pass there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from credentials.data_integrity import verify
from credentials.keys import KeyResolver
from credentials.schema import validate_achievement_credential

OPEN_BADGE_TYPES = ("OpenBadgeCredential", "AchievementCredential")  # OBv3: either one, with VerifiableCredential


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    # Neither we nor an independent verifier can decide. `verify_credential` never says it: only
    # `credentials verify`, when the status list FILE it was handed cannot be read (missing, not
    # JSON); the independent verifier, handed such a file, stops with an error and no verdict too.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class StatusCheck:
    """What a status check found: `revoked` is None when the status could not be established
    (no list, or one that cannot be trusted or read): `reason` says why, and the credential is
    INVALID, as it is for independent verifiers."""

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
    not_open_badge = _type_problem(credential.get("type"))
    if not_open_badge:
        return Report(Verdict.INVALID, f"INVALID: {name}: not an Open Badges 3.0 credential: {not_open_badge}")
    schema = validate_achievement_credential(credential)
    if not schema.ok:
        return Report(Verdict.INVALID, f"INVALID: {name}: not a valid Open Badges 3.0 credential: {schema.problems[0]}")
    if "credentialStatus" not in credential:
        return Report(Verdict.VALID, f"VALID: {name}: signature, dates and schema check out; it has no revocation status")
    status = (
        check_status(credential)
        if check_status is not None
        else StatusCheck(None, "its status list was not given, so it could not be checked")
    )
    if status.revoked is None:
        return Report(Verdict.INVALID, f"INVALID: {name}: its revocation status cannot be verified: {status.reason}")
    entry = credential.get("credentialStatus")
    word = "suspended" if isinstance(entry, Mapping) and entry.get("statusPurpose") == "suspension" else "revoked"
    if status.revoked:
        return Report(Verdict.INVALID, f"INVALID: {name}: {word} ({status.reason})")
    return Report(Verdict.VALID, f"VALID: {name}: signature, dates, schema and status check out (not {word})")


def _type_problem(types: Any) -> str | None:
    listed = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if "VerifiableCredential" in listed and any(t in listed for t in OPEN_BADGE_TYPES):
        return None
    return f"its type is {json.dumps(types)}; it must list VerifiableCredential and OpenBadgeCredential (or AchievementCredential)"


def _name(credential: Mapping[str, Any]) -> str:
    name = credential.get("name")
    if not isinstance(name, str):
        subject = credential.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
        name = achievement.get("name") if isinstance(achievement, Mapping) else None
    return f"{name!r}" if isinstance(name, str) else "the credential"
