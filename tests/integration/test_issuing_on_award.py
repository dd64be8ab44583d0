"""An award becomes a signed OpenBadgeCredential in the same transaction, verifiable offline."""

from __future__ import annotations

import copy
import json
import stat

import pytest

from bot.core import Core
from credentials.issuer import IssuerIdentity
from credentials.keystore import KeyStore
from credentials.schema import validate_achievement_credential
from tests.support import Chat, found, study_daily_until


def issuer_for(tmp_path, public_url=None) -> IssuerIdentity:
    keys = KeyStore(tmp_path / "keys")
    return IssuerIdentity.create(
        key=keys.load_or_create(),
        retired=tuple(keys.retired()),
        name="Acme Plant Academy",
        public_url=public_url,
        local_url="http://127.0.0.1:8000",
    )


async def earn_deckhand(core, clock, store):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    day, _ = await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge")
    assert day is not None
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        return await tx.awards.of(learner.id)


@pytest.mark.parametrize("public_url", [None, "https://learn.example.com"])
async def test_each_award_is_signed_and_verifies(store, curriculum, clock, tmp_path, public_url):
    issuer = issuer_for(tmp_path, public_url)
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
    badge, certificate = await earn_deckhand(core, clock, store)
    for award in (badge, certificate):
        credential = award.credential
        assert credential is not None
        assert issuer.verify(credential).ok
        assert validate_achievement_credential(credential).ok
        assert credential["issuer"]["id"].startswith("did:web:" if public_url else "did:key:")
        if public_url:  # a revocation list the public can fetch
            assert credential["credentialStatus"]["statusListIndex"] == str(award.id)
        else:  # did:key: self-contained, no list anyone could reach (README, "Credentials")
            assert "credentialStatus" not in credential and credential["id"] == f"urn:uuid:{award.public_id}"
    stacked = [e["id"] for e in certificate.credential["evidence"] if e.get("genre") == "Open Badge"]
    assert stacked == [badge.credential["id"]]
    assert "test:ana" not in json.dumps(badge.credential), "the learner appears only as a salted hash"


async def test_a_tampered_award_no_longer_verifies(store, curriculum, clock, tmp_path):
    issuer = issuer_for(tmp_path)
    badge, _ = await earn_deckhand(Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer), clock, store)
    forged = copy.deepcopy(badge.credential)
    forged["credentialSubject"]["achievement"]["name"] = "Master Mariner"
    result = issuer.verify(forged)
    assert not result.ok and "signature does not match" in " ".join(result.reasons)


def test_the_issuer_key_is_created_once_with_private_permissions(tmp_path):
    keys = KeyStore(tmp_path / "keys")
    first = keys.load_or_create()
    assert stat.S_IMODE(keys.current_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.current_path.parent.stat().st_mode) == 0o700
    assert keys.load_or_create().public_key_multibase == first.public_key_multibase
    assert first.public_key_multibase not in repr(keys) and "PRIVATE" not in repr(first)


def test_rotating_the_key_keeps_old_credentials_verifiable(tmp_path, clock):
    keys = KeyStore(tmp_path / "keys")
    old = issuer_for(tmp_path, "https://learn.example.com")
    signed_before = old.sign(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": old.profile.id,
            "validFrom": "2026-03-02T08:00:00Z",
            "credentialSubject": {"id": "urn:uuid:0d5f6d8e-1b7e-4bd4-a6e7-8f1e3d2c1b0a"},
        },
        created=clock.now(),
    )
    keys.rotate()
    new = issuer_for(tmp_path, "https://learn.example.com")
    assert new.key.public_key_multibase != old.key.public_key_multibase
    assert new.verify(signed_before).ok
    methods = [m["publicKeyMultibase"] for m in found(new.did_document())["verificationMethod"]]
    assert methods == [new.key.public_key_multibase, old.key.public_key_multibase]
