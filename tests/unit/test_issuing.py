"""Awards as OpenBadgeCredentials: schema-valid, signable with only defined terms, private."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from content.loader import load_curriculum
from credentials.data_integrity import sign, verify
from credentials.issuing import AwardFacts, Issuer, Links, build_credential, hashed_identity
from credentials.keys import IssuerKey, did_key, did_key_verification_method, resolve_did_key
from credentials.schema import validate_achievement_credential
from tests.conftest import PROJECT_DIR

AWARDED = datetime(2026, 4, 3, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def curriculum():
    return load_curriculum(PROJECT_DIR / "content").curriculum


@pytest.fixture(scope="module")
def key():
    return IssuerKey.generate()


def credential_for(definition_id, curriculum, key, **overrides):
    definition = curriculum.credentials[definition_id]
    facts = AwardFacts(
        public_id="5b0e6f7a-3c1d-4e8f-9a2b-1c3d4e5f6a7b",
        definition_id=definition_id,
        awarded_at=AWARDED,
        valid_until=AWARDED + timedelta(days=definition.valid_for_days) if definition.valid_for_days else None,
        status_index=7,
        evidence={
            "lessons": {lesson: "2026-03-02" for lesson in definition.lessons},
            "mastery": {r.skill: 0.91 for r in definition.skills},
            "rechecks": {r.skill: ["2026-03-04", "2026-03-18"] for r in definition.skills},
            "badges": list(definition.stacks),
        },
        stacked_credentials={badge: f"badge-{badge}" for badge in definition.stacks},
        **overrides,
    )
    issuer = Issuer(id=did_key(key.public_key), name="Acme Plant Academy", url="https://learn.example.com")
    return build_credential(
        award=facts,
        curriculum=curriculum,
        issuer=issuer,
        names=Links("https://learn.example.com"),
        subject_identity=hashed_identity("telegram:12345", salt="pepper-1"),
    )


@pytest.mark.parametrize("definition_id", ["safety-foundations", "loto-practitioner", "maintenance-fundamentals", "plant-operations"])
def test_every_shipped_definition_signs_verifies_and_meets_the_obv3_schema(definition_id, curriculum, key):
    credential = credential_for(definition_id, curriculum, key)
    signed = sign(credential, key=key, verification_method=did_key_verification_method(key.public_key), created=AWARDED)
    assert verify(signed, resolve_key=resolve_did_key).ok
    validation = validate_achievement_credential(signed)
    assert validation.ok, validation.problems


def test_the_learner_appears_only_as_a_salted_hash(curriculum, key):
    text = json.dumps(credential_for("loto-practitioner", curriculum, key))
    assert "12345" not in text and "telegram" not in text
    identity = json.loads(text)["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$")
    other_salt = hashed_identity("telegram:12345", salt="pepper-2")
    assert other_salt["identityHash"] != identity["identityHash"]


def test_a_certificate_references_the_badges_it_stacks(curriculum, key):
    credential = credential_for("plant-operations", curriculum, key)
    stacked = [e["id"] for e in credential["evidence"] if e.get("genre") == "Open Badge"]
    assert stacked == [
        "https://learn.example.com/credentials/badge-safety-foundations",
        "https://learn.example.com/credentials/badge-loto-practitioner",
        "https://learn.example.com/credentials/badge-maintenance-fundamentals",
    ]
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "Certificate"


def test_validity_status_and_alignments_are_stated(curriculum, key):
    credential = credential_for("loto-practitioner", curriculum, key)
    assert credential["validFrom"] == "2026-04-03T09:30:00Z"
    assert credential["validUntil"] == "2027-04-03T09:30:00Z"
    assert credential["credentialStatus"]["statusListIndex"] == "7"
    alignment = credential["credentialSubject"]["achievement"]["alignment"]
    assert [a["targetName"] for a in alignment] == ["Energy isolation"]
