"""Issued credentials, with their revocation status, verify with Digital Bazaar's verifier too:
valid, revoked, tampered and expired ones each for the right reason. A did:key credential (no
PUBLIC_URL) is self-contained: it names nothing the verifier would have to fetch."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timedelta

from bot.core import Core
from credentials.issuer import IssuerIdentity
from credentials.keystore import KeyStore
from credentials.status_list import check_status, signed_status_list
from tests.support import Chat, study_daily_until


def issuer_for(tmp_path, public_url) -> IssuerIdentity:
    keys = KeyStore(tmp_path / "keys")
    return IssuerIdentity.create(
        key=keys.load_or_create(), name="Acme Plant Academy", public_url=public_url, local_url="http://127.0.0.1:8000"
    )


async def issued_badge(store, curriculum, clock, issuer):
    chat = Chat(Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer))
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    day, _ = await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge")
    assert day is not None
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        badge = (await tx.awards.of(learner.id))[0]
    return badge


def iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


PUBLIC = "https://learn.example.com"


async def test_independent_verifier_checks_revocation_expiry_and_tampering(store, curriculum, clock, tmp_path, verify_with_node):
    issuer = issuer_for(tmp_path, PUBLIC)
    badge = await issued_badge(store, curriculum, clock, issuer)
    credential = badge.credential
    did_documents = (issuer.did_document(),)
    now = clock.now()
    live = signed_status_list(issuer=issuer, revoked_indices=[], now=now)
    revoked = signed_status_list(issuer=issuer, revoked_indices=[badge.id], now=now)

    def node(document, *lists, at=now):
        return verify_with_node(document, did_documents=did_documents, status_lists=lists, now=iso(at))

    assert node(credential, live) == {"verified": True, "errors": []}
    assert check_status(credential, status_list=live, resolve_key=issuer.resolver(), now=now).revoked is False

    result = node(credential, revoked)
    assert not result["verified"] and "revoked" in " ".join(result["errors"])
    assert check_status(credential, status_list=revoked, resolve_key=issuer.resolver(), now=now).revoked is True

    result = node(credential)  # no status list given: refused, never passed unchecked
    assert not result["verified"] and "status" in " ".join(result["errors"]).lower()

    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["achievement"]["name"] = "Admiral"
    assert not node(forged, live)["verified"]

    expired_at = badge.valid_until + timedelta(days=1)
    fresh_list = signed_status_list(issuer=issuer, revoked_indices=[], now=expired_at)
    result = node(credential, fresh_list, at=expired_at)
    assert not result["verified"] and 'is after "validUntil"' in " ".join(result["errors"])


async def test_a_stale_or_foreign_status_list_is_refused(store, curriculum, clock, tmp_path, verify_with_node):
    issuer = issuer_for(tmp_path, PUBLIC)
    badge = await issued_badge(store, curriculum, clock, issuer)
    now = clock.now()
    documents = (issuer.did_document(),)
    stale = signed_status_list(issuer=issuer, revoked_indices=[], now=now - timedelta(days=3))
    result = verify_with_node(badge.credential, did_documents=documents, status_lists=(stale,), now=iso(now))
    assert not result["verified"] and "status list not verified" in " ".join(result["errors"])

    other = IssuerIdentity.create(
        key=KeyStore(tmp_path / "other").load_or_create(), name="Someone else", public_url=None, local_url="http://127.0.0.1:8000"
    )
    foreign = signed_status_list(issuer=other, revoked_indices=[], now=now)
    result = verify_with_node(badge.credential, did_documents=documents, status_lists=(foreign,), now=iso(now))
    assert not result["verified"]


async def test_a_did_key_credential_verifies_from_itself_alone_and_names_no_address(store, curriculum, clock, tmp_path, verify_with_node):
    """Without PUBLIC_URL nothing the public could open exists: the credential names no URL
    (ids are URNs, the image is inside it) and carries no status list entry, so an independent
    verifier checks it with nothing else given. What it cannot tell is a revocation: that
    stays with the bot, as the README says."""
    issuer = issuer_for(tmp_path, None)
    badge = await issued_badge(store, curriculum, clock, issuer)
    credential = badge.credential
    assert credential["issuer"]["id"].startswith("did:key:")
    assert credential["id"] == f"urn:uuid:{badge.public_id}"
    assert "credentialStatus" not in credential
    addresses = re.findall(r"https?://[^\s\"]+", json.dumps(credential))
    assert [a for a in addresses if "127.0.0.1" in a or "localhost" in a] == []
    assert credential["credentialSubject"]["achievement"]["image"]["id"].startswith("data:image/svg+xml;base64,")
    assert verify_with_node(credential, now=iso(clock.now())) == {"verified": True, "errors": []}

    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["achievement"]["name"] = "Admiral"
    assert not verify_with_node(forged, now=iso(clock.now()))["verified"]
