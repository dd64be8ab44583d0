"""Revocation through a signed W3C Bitstring Status List (Bitstring Status List v1.0).

The list is a bitstring of at least 16 KB (131,072 entries, so that one credential's index
says little about who it belongs to); bit 0 is the most significant bit of byte 0; it is
GZIP-compressed and multibase-encoded as base64url without padding ('u' prefix). The list is a
credential signed by the same issuer, short-lived, so a stale copy expires.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from credentials.data_integrity import verify
from credentials.issuer import IssuerIdentity
from credentials.issuing import REVOCATION, VC_CONTEXT, xsd_datetime
from credentials.keys import KeyResolver
from credentials.verification import StatusCheck, parse_time

MIN_SIZE_BITS = 131_072  # 16 KB: the spec's minimum, for herd privacy


class StatusListError(ValueError):
    """A status list that cannot be built or read."""


def encode_status_list(revoked_indices: Iterable[int], *, size_bits: int = MIN_SIZE_BITS) -> str:
    """3.1 Generate Algorithm: set the bits, GZIP, multibase base64url."""
    if size_bits < MIN_SIZE_BITS or size_bits % 8:
        raise StatusListError(f"a status list holds at least {MIN_SIZE_BITS} bits, in whole bytes")
    bits = bytearray(size_bits // 8)
    for index in revoked_indices:
        if not 0 <= index < size_bits:
            raise StatusListError(f"status list index {index} is outside 0..{size_bits - 1}")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_status_list(encoded: str) -> bytes:
    """3.2 Validate Algorithm, first steps: multibase base64url, then GUNZIP."""
    if not encoded.startswith("u"):
        raise StatusListError("the encoded list is not multibase base64url (it must start with 'u')")
    body = encoded[1:]
    try:
        return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, OSError, EOFError) as error:
        raise StatusListError("the encoded list is not valid GZIP-compressed base64url") from error


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"status list index {index} is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    *,
    issuer: IssuerIdentity,
    revoked_indices: Iterable[int],
    now: datetime,
    valid_for: timedelta = timedelta(days=1),
    purpose: str = REVOCATION,
) -> dict[str, Any]:
    """`revoked_indices`: the bits set, whatever the purpose (for suspension: the certificates
    suspended now)."""
    url = issuer.links.status_list(purpose)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.profile.id,
        "validFrom": xsd_datetime(now),
        "validUntil": xsd_datetime(now + valid_for),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_status_list(revoked_indices),
        },
    }


def signed_status_list(
    *,
    issuer: IssuerIdentity,
    revoked_indices: Iterable[int],
    now: datetime,
    valid_for: timedelta = timedelta(days=1),
    purpose: str = REVOCATION,
) -> dict[str, Any]:
    document = status_list_credential(issuer=issuer, revoked_indices=revoked_indices, now=now, valid_for=valid_for, purpose=purpose)
    return issuer.sign(document, created=now)


def check_status(
    credential: Mapping[str, Any], *, status_list: Mapping[str, Any] | None, resolve_key: KeyResolver, now: datetime
) -> StatusCheck:
    """The credential's revocation bit in `status_list`, after checking the list can be trusted.
    `revoked` is None whenever the status cannot be established (the credential is then INVALID,
    as independent verifiers hold it: a status that cannot be checked is not a pass)."""
    entry = credential.get("credentialStatus")
    if entry is None:
        return StatusCheck(False, "no status to check")
    if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
        return StatusCheck(None, "its credentialStatus is not a BitstringStatusListEntry")
    if status_list is None:
        return StatusCheck(None, f"the status list {entry.get('statusListCredential')} could not be obtained")
    problem = _untrusted(credential, entry, status_list, resolve_key=resolve_key, now=now)
    if problem:
        return StatusCheck(None, problem)
    try:
        index = int(str(entry.get("statusListIndex")))
        bits = decode_status_list(status_list["credentialSubject"]["encodedList"])
        revoked = is_set(bits, index)
    except (ValueError, KeyError, TypeError) as error:
        return StatusCheck(None, f"the status list cannot be read: {error}")
    return StatusCheck(revoked, f"status list bit {index} is {'set' if revoked else 'clear'}")


def _untrusted(
    credential: Mapping[str, Any], entry: Mapping[str, Any], status_list: Mapping[str, Any], *, resolve_key: KeyResolver, now: datetime
) -> str | None:
    if status_list.get("id") != entry.get("statusListCredential"):
        return "the status list given is not the one the credential names"
    if not status_list.get("proof"):
        return "the status list is not signed"
    signature = verify(status_list, resolve_key=resolve_key)
    if not signature.ok:
        return f"the status list's signature does not verify ({'; '.join(signature.reasons)})"
    if _issuer_id(status_list) != _issuer_id(credential):
        return f"the status list was issued by {_issuer_id(status_list)}, not by the credential's issuer {_issuer_id(credential)}"
    valid_until = parse_time(status_list.get("validUntil"))
    if valid_until is not None and valid_until <= now:
        return f"the status list expired on {status_list['validUntil']}"
    subject = status_list.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("statusPurpose") != entry.get("statusPurpose"):
        return "the status list is for another status purpose"
    return None


def _issuer_id(document: Mapping[str, Any]) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer
