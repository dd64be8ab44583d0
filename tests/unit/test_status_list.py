"""The Bitstring Status List: encoding, trust checks, and what a revoked bit means."""

from __future__ import annotations

import copy
import gzip
from datetime import UTC, datetime, timedelta

import pytest

from credentials.issuer import IssuerIdentity
from credentials.keys import IssuerKey
from credentials.status_list import (
    MIN_SIZE_BITS,
    StatusListError,
    check_status,
    decode_status_list,
    encode_status_list,
    is_set,
    signed_status_list,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def issuer(public_url=None) -> IssuerIdentity:
    return IssuerIdentity.create(key=IssuerKey.generate(), name="Acme", public_url=public_url, local_url="http://127.0.0.1:8000")


def credential_at(index: int, academy: IssuerIdentity) -> dict:
    return {
        "issuer": {"id": academy.profile.id},
        "credentialStatus": {
            "id": f"{academy.links.status_list()}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": academy.links.status_list(),
        },
    }


def test_the_list_is_at_least_16_kb_and_bit_0_is_the_high_bit_of_byte_0():
    encoded = encode_status_list([0, 9, MIN_SIZE_BITS - 1])
    assert encoded.startswith("u") and "=" not in encoded
    bits = decode_status_list(encoded)
    assert len(bits) == 16_384
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    assert [i for i in (0, 1, 8, 9, MIN_SIZE_BITS - 1) if is_set(bits, i)] == [0, 9, MIN_SIZE_BITS - 1]
    assert gzip.decompress(__import__("base64").urlsafe_b64decode(encoded[1:] + "==")) == bits


@pytest.mark.parametrize("index", [-1, MIN_SIZE_BITS])
def test_an_index_outside_the_list_is_refused(index):
    with pytest.raises(StatusListError, match="outside"):
        encode_status_list([index])


def test_a_list_that_is_not_base64url_gzip_is_refused():
    with pytest.raises(StatusListError, match="must start with 'u'"):
        decode_status_list("zABC")
    with pytest.raises(StatusListError, match="not valid GZIP"):
        decode_status_list("uAAAA")


@pytest.mark.parametrize("public_url", [None, "https://learn.example.com"])
def test_revoked_and_valid_credentials_are_told_apart(public_url):
    academy = issuer(public_url)
    status = signed_status_list(issuer=academy, revoked_indices=[3], now=NOW)
    resolver = academy.resolver()
    revoked = check_status(credential_at(3, academy), status_list=status, resolve_key=resolver, now=NOW)
    valid = check_status(credential_at(4, academy), status_list=status, resolve_key=resolver, now=NOW)
    assert (revoked.revoked, revoked.reason) == (True, "status list bit 3 is set")
    assert (valid.revoked, valid.reason) == (False, "status list bit 4 is clear")


def test_an_untrustworthy_or_missing_list_establishes_no_status():
    academy, other = issuer(), issuer()
    credential = credential_at(3, academy)
    resolver = academy.resolver()
    good = signed_status_list(issuer=academy, revoked_indices=[], now=NOW)
    unsigned = {k: v for k, v in good.items() if k != "proof"}
    tampered = copy.deepcopy(good)
    tampered["credentialSubject"]["encodedList"] = encode_status_list([3])
    foreign = signed_status_list(issuer=other, revoked_indices=[], now=NOW)
    cases = {
        "could not be obtained": None,
        "not signed": unsigned,
        "signature does not verify": tampered,
        "expired on": good,
    }
    for reason, status_list in cases.items():
        when = NOW + timedelta(days=2) if reason == "expired on" else NOW
        result = check_status(credential, status_list=status_list, resolve_key=resolver, now=when)
        assert result.revoked is None and reason in result.reason, (reason, result)
    result = check_status(credential, status_list=foreign, resolve_key=other.resolver(), now=NOW)
    assert result.revoked is None
    assert result.reason == f"the status list was issued by {other.profile.id}, not by the credential's issuer {academy.profile.id}"
