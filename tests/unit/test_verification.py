"""One-line verdicts for any OBv3 credential, offline."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from credentials.data_integrity import sign
from credentials.keys import IssuerKey, did_key, did_key_verification_method, resolve_did_key
from credentials.verification import StatusCheck, Verdict, verify_credential
from tests.credential_samples import SIGNED_AT, open_badge_credential

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def key():
    return IssuerKey.generate()


def signed(key, **changes):
    document = open_badge_credential(did_key(key.public_key))
    document.update(changes)
    return sign(document, key=key, verification_method=did_key_verification_method(key.public_key), created=SIGNED_AT)


def with_status(key):
    return signed(
        key,
        credentialStatus={
            "id": "https://academy.example.com/status/revocation#3",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "3",
            "statusListCredential": "https://academy.example.com/status/revocation",
        },
    )


def test_a_good_credential_without_status_is_valid(key):
    report = verify_credential(signed(key), resolve_key=resolve_did_key, check_status=None, now=NOW)
    assert report.verdict is Verdict.VALID and report.line.startswith("VALID: 'Lockout/Tagout Basics'")


def test_a_tampered_credential_says_the_signature_does_not_match(key):
    forged = copy.deepcopy(signed(key))
    forged["name"] = "Lockout/Tagout Expert"
    report = verify_credential(forged, resolve_key=resolve_did_key, check_status=None, now=NOW)
    assert report.verdict is Verdict.INVALID and "signature does not match" in report.line


def test_an_expired_credential_says_when_it_expired(key):
    report = verify_credential(signed(key), resolve_key=resolve_did_key, check_status=None, now=datetime(2029, 1, 1, tzinfo=UTC))
    assert report.line == "INVALID: 'Lockout/Tagout Basics': expired on 2028-03-02T08:00:00Z"


def test_a_credential_not_yet_valid_is_refused(key):
    report = verify_credential(signed(key), resolve_key=resolve_did_key, check_status=None, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert report.verdict is Verdict.INVALID and "not valid before" in report.line


def test_without_its_status_list_a_credential_with_a_status_is_invalid_never_valid(key):
    """As for independent verifiers: a status that cannot be checked is not a pass."""
    report = verify_credential(with_status(key), resolve_key=resolve_did_key, check_status=None, now=NOW)
    assert report.verdict is Verdict.INVALID
    assert report.line == (
        "INVALID: 'Lockout/Tagout Basics': its revocation status cannot be verified: "
        "its status list was not given, so it could not be checked"
    )


def test_a_revoked_credential_is_invalid(key):
    report = verify_credential(
        with_status(key), resolve_key=resolve_did_key, check_status=lambda c: StatusCheck(True, "status list bit 3 is set"), now=NOW
    )
    assert report.line == "INVALID: 'Lockout/Tagout Basics': revoked (status list bit 3 is set)"


def test_a_status_list_that_cannot_be_trusted_makes_the_credential_invalid(key):
    report = verify_credential(
        with_status(key), resolve_key=resolve_did_key, check_status=lambda c: StatusCheck(None, "the status list has expired"), now=NOW
    )
    assert report.line == "INVALID: 'Lockout/Tagout Basics': its revocation status cannot be verified: the status list has expired"


@pytest.mark.parametrize("types", [["VerifiableCredential"], ["VerifiableCredential", "EndorsementCredential"]])
def test_a_signed_credential_that_is_not_an_open_badge_is_invalid(key, types):
    report = verify_credential(signed(key, type=types), resolve_key=resolve_did_key, check_status=None, now=NOW)
    assert report.verdict is Verdict.INVALID
    assert report.line == (
        f"INVALID: 'Lockout/Tagout Basics': not an Open Badges 3.0 credential: its type is {json.dumps(types)}; "
        "it must list VerifiableCredential and OpenBadgeCredential (or AchievementCredential)"
    )


def test_an_achievement_credential_is_an_open_badge_too(key):
    """OBv3 makes AchievementCredential and OpenBadgeCredential equal; the 1EdTech schema accepts either."""
    report = verify_credential(
        signed(key, type=["VerifiableCredential", "AchievementCredential"]), resolve_key=resolve_did_key, check_status=None, now=NOW
    )
    assert report.verdict is Verdict.VALID, report.line


def test_a_credential_that_is_not_revoked_is_valid(key):
    report = verify_credential(
        with_status(key), resolve_key=resolve_did_key, check_status=lambda c: StatusCheck(False, "bit 3 is clear"), now=NOW
    )
    assert report.verdict is Verdict.VALID and "(not revoked)" in report.line
