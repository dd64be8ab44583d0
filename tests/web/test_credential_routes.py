"""The public routes over ASGI (no browser): what verifiers and people download and see."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import httpx
import pytest
from PIL import Image

from bot.clock import ManualClock
from bot.store.store import SqlStore
from credentials.images import BakingError, unbake_png, unbake_svg
from credentials.issuer import IssuerIdentity
from tests.integration.test_issuing_on_award import issuer_for
from tests.support import found
from tests.web.conftest import Earned
from tests.web.support import revoke, status_bit
from web.app import create_app

UNKNOWN = "00000000-0000-4000-8000-000000000000"


async def test_downloaded_json_is_the_stored_credential_and_still_verifies(client, earned: Earned, issuer: IssuerIdentity):
    response = await client.get(f"/credentials/{earned.badge.public_id}/credential.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert re.fullmatch(r'attachment; filename="deckhand-[0-9a-f-]{36}\.json"', response.headers["content-disposition"])
    assert response.json() == earned.badge.credential
    assert issuer.verify(response.json()).ok


async def test_the_credential_id_gives_json_to_a_client_that_asks_for_it(client, earned: Earned):
    response = await client.get(f"/credentials/{earned.certificate.public_id}", headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"].startswith("application/ld+json")
    assert response.json() == earned.certificate.credential
    assert "Accept" in response.headers["vary"]


async def test_baked_svg_carries_the_signed_credential(client, earned: Earned, issuer: IssuerIdentity):
    response = await client.get(f"/credentials/{earned.certificate.public_id}/image.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in response.text
    baked = unbake_svg(response.text)
    assert baked == earned.certificate.credential
    assert issuer.verify(baked).ok


async def test_baked_png_carries_the_signed_credential(client, earned: Earned, issuer: IssuerIdentity):
    response = await client.get(f"/credentials/{earned.badge.public_id}/image.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (400, 400)
    assert unbake_png(response.content) == earned.badge.credential
    assert issuer.verify(unbake_png(response.content)).ok


async def test_achievement_images_are_drawn_from_the_definition_and_unbaked(client):
    svg = await client.get("/achievements/mariner/image.svg")
    assert svg.status_code == 200 and "Mariner" in svg.text and "CERTIFICATE" in svg.text
    with pytest.raises(BakingError):
        unbake_svg(svg.text)
    png = await client.get("/achievements/deckhand/image.png")
    assert png.status_code == 200 and Image.open(io.BytesIO(png.content)).format == "PNG"
    with pytest.raises(BakingError):
        unbake_png(png.content)
    assert (await client.get("/achievements/no-such-badge/image.svg")).status_code == 404


async def test_the_did_web_document_is_served(client, issuer: IssuerIdentity):
    response = await client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert response.json() == issuer.did_document()
    assert response.json()["id"] == "did:web:learn.example.com"


async def test_a_did_key_issuer_has_no_did_document(store, curriculum, clock, tmp_path):
    app = create_app(store=store, curriculum=curriculum, issuer=issuer_for(tmp_path), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        response = await client.get("/.well-known/did.json")
    assert response.status_code == 404 and "did:key" in response.json()["detail"]


async def test_the_status_list_is_signed_and_shows_each_revocation_at_once(
    client, earned: Earned, issuer: IssuerIdentity, store: SqlStore, clock: ManualClock
):
    before = (await client.get("/status/revocation")).json()
    assert issuer.verify(before).ok
    issued_by = before["issuer"]
    assert (issued_by if isinstance(issued_by, str) else issued_by["id"]) == issuer.profile.id
    assert status_bit(before, earned.badge.id) == 0
    assert found(earned.badge.credential)["credentialStatus"]["statusListCredential"] == before["id"]

    await revoke(store, earned.badge.public_id, at=clock.now(), reason="issued in error")
    after = await client.get("/status/revocation")
    assert after.status_code == 200 and issuer.verify(after.json()).ok
    assert status_bit(after.json(), earned.badge.id) == 1
    assert status_bit(after.json(), earned.certificate.id) == 0


async def test_unknown_credentials_get_a_friendly_page_or_a_plain_404(client, earned: Earned):
    page = await client.get(f"/credentials/{UNKNOWN}", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text and "No credential has this id." in page.text
    for suffix in ("credential.json", "image.svg", "image.png"):
        response = await client.get(f"/credentials/{UNKNOWN}/{suffix}")
        assert response.status_code == 404 and response.json() == {"detail": "No credential has this id."}
    assert (await client.get("/no-such-page", headers={"Accept": "text/html"})).status_code == 404


async def test_the_page_shows_the_credential_and_nothing_about_the_learner(client, earned: Earned, issuer: IssuerIdentity):
    response = await client.get(f"/credentials/{earned.certificate.public_id}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.text
    for shown in (
        "Valid",
        "Mariner Certificate",
        "A certified mariner.",
        "Holds the Deckhand badge.",
        "Acme Plant Academy",
        issuer.profile.id,
        "Badge held: Deckhand",
        found(earned.certificate.credential)["id"],
    ):
        assert shown in html, shown
    identity = found(earned.certificate.credential)["credentialSubject"]["identifier"][0]
    learner_traces = [identity["identityHash"], identity["identityHash"].removeprefix("sha256$"), identity["salt"], "test:ana"]
    assert [trace for trace in learner_traces if trace in html] == []
    assert re.search(r"\bana\b", html, re.IGNORECASE) is None
    assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_the_page_says_expired_once_valid_until_has_passed(client, earned: Earned, clock: ManualClock):
    clock.set(found(earned.certificate.valid_until) + timedelta(seconds=1))
    html = (await client.get(f"/credentials/{earned.certificate.public_id}")).text
    assert 'data-standing="expired"' in html and "This credential expired on" in html
    assert "linkedin.com" not in html


async def test_the_page_says_revoked_with_the_date_but_not_the_reason(client, earned: Earned, store, clock: ManualClock):
    await revoke(store, earned.badge.public_id, at=clock.now(), reason="Ana shared answers in the team chat")
    html = (await client.get(f"/credentials/{earned.badge.public_id}")).text
    assert 'data-standing="revoked"' in html
    assert f"revoked this credential on {clock.now().day} {clock.now():%B %Y}" in html
    assert "shared answers" not in html


async def test_a_tampered_credential_is_shown_as_unverifiable_and_escaped(client, earned: Earned, store):
    async with store.transaction() as tx:
        award = await tx.awards.by_public_id(earned.badge.public_id)
        forged = json.loads(json.dumps(award.credential))
        forged["credentialSubject"]["achievement"]["name"] = "<script>alert(1)</script>"
        await tx.awards.store_credential(award.id, forged)
    html = (await client.get(f"/credentials/{earned.badge.public_id}")).text
    assert 'data-standing="unverified"' in html and "Cannot be verified" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


async def test_health_check_asks_the_database(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


async def test_an_unreachable_platform_makes_the_process_unhealthy(store, curriculum, clock, issuer):
    calls = []

    async def telegram_down() -> None:
        calls.append(1)
        raise ConnectionError("api.telegram.org unreachable")

    async def slack_up() -> dict:
        return {"ok": True}

    app = create_app(
        store=store, curriculum=curriculum, issuer=issuer, clock=clock, platform_checks={"telegram": telegram_down, "slack": slack_up}
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        first = await client.get("/healthz")
        second = await client.get("/healthz")
    assert first.status_code == 503
    assert first.json()["checks"] == {"database": "ok", "telegram": "down", "slack": "ok"}, "no error text for anyone"
    assert second.status_code == 503 and len(calls) == 1, "platform answers are cached between probes"
