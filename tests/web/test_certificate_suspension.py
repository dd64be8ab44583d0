"""A certificate does not outlive its badges: while a badge it stacks is revoked or expired, the
certificate is suspended (its suspension list bit is set, an independent verifier refuses it,
its page says why) and it counts again once the badge is renewed. On SQLite and PostgreSQL,
over ASGI, checked with Digital Bazaar's verifier from what the issuer publishes."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import httpx

from bot.clock import ManualClock
from bot.store.store import SqlStore
from credentials.issuer import IssuerIdentity
from tests.web.conftest import Earned
from tests.web.support import revoke, status_bit

HTML = {"Accept": "text/html"}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def iso(clock: ManualClock) -> str:
    return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


async def published(client: httpx.AsyncClient, issuer: IssuerIdentity) -> tuple[dict, dict, dict]:
    revocation = (await client.get("/status/revocation")).json()
    suspension = (await client.get("/status/suspension")).json()
    return issuer.did_document() or {}, revocation, suspension


async def test_a_certificate_is_suspended_while_a_badge_it_stacks_is_revoked(
    client: httpx.AsyncClient, earned: Earned, store: SqlStore, clock: ManualClock, issuer: IssuerIdentity, verify_with_node
):
    certificate = earned.certificate.credential
    assert certificate is not None
    assert certificate["credentialStatus"] == {
        "id": f"https://learn.example.com/status/suspension#{earned.certificate.id}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": str(earned.certificate.id),
        "statusListCredential": "https://learn.example.com/status/suspension",
    }
    document, revocation, suspension = await published(client, issuer)
    assert verify_with_node(certificate, did_documents=(document,), status_lists=(suspension,), now=iso(clock)) == {
        "verified": True,
        "errors": [],
    }

    await revoke(store, earned.badge.public_id, at=clock.now(), reason="issued in error")
    document, revocation, suspension = await published(client, issuer)
    assert status_bit(suspension, earned.certificate.id) == 1 and status_bit(revocation, earned.certificate.id) == 0
    result = verify_with_node(certificate, did_documents=(document,), status_lists=(suspension,), now=iso(clock))
    assert not result["verified"] and "credential suspended (status list bit set)" in " ".join(result["errors"])

    page = text_of((await client.get(f"/credentials/{earned.certificate.public_id}", headers=HTML)).text)
    day = f"{clock.now().day} {clock.now():%B %Y}"
    assert (
        f"Suspended This certificate does not count while a badge it stacks is not valid: Deckhand was revoked on {day}. "
        "It counts again once renewed."
    ) in page
    assert f"Not valid now: Deckhand was revoked on {day}." in page
    assert "Add to LinkedIn" not in page, "offered only while it is valid"


async def test_an_expired_badge_suspends_the_certificate_and_renewing_it_restores_it(
    client: httpx.AsyncClient, earned: Earned, store: SqlStore, clock: ManualClock, issuer: IssuerIdentity, verify_with_node
):
    badge = earned.badge
    assert badge.valid_until is not None and earned.certificate.valid_until is not None
    assert badge.valid_until < earned.certificate.valid_until
    clock.set(badge.valid_until + timedelta(days=1))  # the badge has expired, the certificate has not
    _, _, suspension = await published(client, issuer)
    assert status_bit(suspension, earned.certificate.id) == 1
    page = text_of((await client.get(f"/credentials/{earned.certificate.public_id}", headers=HTML)).text)
    assert f"Deckhand was expired on {badge.valid_until.day} {badge.valid_until:%B %Y}" in page

    async with store.transaction() as tx:  # renewed (a refresher passed): a new valid award of the badge
        until = clock.now() + timedelta(days=180)
        renewal = replace(badge, id=0, public_id="renewed-deckhand", renewal=1, awarded_at=clock.now(), valid_until=until)
        assert await tx.awards.add(renewal)
    clock.advance(seconds=10)  # past the list's few seconds of caching
    document, _, suspension = await published(client, issuer)
    assert status_bit(suspension, earned.certificate.id) == 0
    assert verify_with_node(earned.certificate.credential, did_documents=(document,), status_lists=(suspension,), now=iso(clock)) == {
        "verified": True,
        "errors": [],
    }
    page = text_of((await client.get(f"/credentials/{earned.certificate.public_id}", headers=HTML)).text)
    assert "Valid This credential is valid until" in page and "Not valid now" not in page
