"""Credentials of the shipped curriculum, whose skills align to ESCO, verify with a verifier we
did not write (Digital Bazaar's libraries, tests/verifier): every alignment field is defined by
the bundled contexts, so safe mode finds nothing to drop and the signature covers all of it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from content.loader import load_curriculum
from content.model import Curriculum
from credentials.data_integrity import sign
from credentials.issuing import AwardFacts, Issuer, SelfContained, build_credential, hashed_identity
from credentials.keys import IssuerKey, did_key, did_key_verification_method
from tests.conftest import PROJECT_DIR

SIGNED_AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def shipped() -> Curriculum:
    result = load_curriculum(PROJECT_DIR / "content")
    assert result.curriculum is not None, result.problems
    return result.curriculum


@pytest.mark.parametrize("definition_id", ["safety-foundations", "maintenance-fundamentals"])
def test_a_credential_aligned_to_esco_verifies_and_its_alignments_are_signed(verify_with_node, shipped, definition_id):
    key = IssuerKey.generate()
    issuer = Issuer(id=did_key(key.public_key), name="Acme Plant Academy", url=None)
    credential = build_credential(
        award=AwardFacts(
            public_id="5b0e6f7a-3c1d-4e8f-9a2b-1c3d4e5f6a7b",
            definition_id=definition_id,
            awarded_at=SIGNED_AT,
            valid_until=None,
            status_index=0,
            evidence={},
            stacked_credentials={},
        ),
        curriculum=shipped,
        issuer=issuer,
        names=SelfContained(issuer.name),
        subject_identity=hashed_identity("test:ana", salt="pepper"),
    )
    alignments = credential["credentialSubject"]["achievement"]["alignment"]
    esco = [a for a in alignments if a.get("targetFramework") == "ESCO"]
    assert esco and all(a["targetUrl"].startswith("http://data.europa.eu/esco/skill/") for a in esco)
    signed = sign(credential, key=key, verification_method=did_key_verification_method(key.public_key), created=SIGNED_AT)
    assert verify_with_node(signed) == {"verified": True, "errors": []}

    relabelled = copy.deepcopy(signed)
    relabelled["credentialSubject"]["achievement"]["alignment"][alignments.index(esco[0])]["targetName"] = "any skill at all"
    assert verify_with_node(relabelled)["errors"] == ["Error: Invalid signature."]
