"""Add to a wallet (issue 14 point 8): a learner's one-time claim link, a VC-API exchange with DID
Authentication, and the credential bound to the wallet's DID. The wallet is tests/wallet/wallet.mjs
(Digital Bazaar's libraries, signing as the Learner Credential Wallet does), not our issuer code;
the credential it gets is checked by the independent verifier. Every refusal is checked over ASGI
on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
import logging
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from bot.clock import ManualClock
from bot.records import Award
from bot.store.models import WalletClaimRow
from bot.store.store import SqlStore
from bot.team import token_hash
from bot.wallet_claims import CLAIM_VALID, claim_line, claim_link
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from credentials.wallet import Exchange, challenge_for, lcw_link
from tests.node_verifier import NodeVerifier
from tests.node_wallet import DATA_INTEGRITY, LCW_SUITE, NodeWallet, node_wallet
from tests.web.conftest import PUBLIC_URL, Earned
from tests.web.server import serving
from tests.web.support import revoke
from web.app import create_app
from web.routes_wallet import BODY_LIMIT

DOMAIN = "learn.example.com"


@pytest.fixture
def wallet() -> NodeWallet:
    return node_wallet()


async def new_link(store: SqlStore, award: Award, now: datetime) -> str:
    """The token of a new claim link for `award`, as /badges hands it out."""
    async with store.transaction() as tx:
        link = await claim_link(tx, award, base_url=PUBLIC_URL, now=now)
    assert link is not None and link.startswith(f"{PUBLIC_URL}/wallet/claim/")
    return link.rpartition("/")[2]


def iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


async def start(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(f"/wallet/exchanges/{token}", json={})


async def answer(client: httpx.AsyncClient, token: str, presentation: dict[str, Any]) -> httpx.Response:
    return await client.post(f"/wallet/exchanges/{token}", json={"verifiablePresentation": presentation})


def refused(response: httpx.Response, status: int, error: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == error
    return str(response.json()["detail"])


async def claim_rows(store: SqlStore) -> list[WalletClaimRow]:
    async with store.transaction() as tx:
        return list(await tx._session.scalars(select(WalletClaimRow)))


# ----------------------------------------------------------------------------------------------
# A wallet claims a credential, end to end over HTTP on loopback


@pytest.mark.parametrize("suite", [LCW_SUITE, DATA_INTEGRITY])
async def test_a_wallet_claims_the_credential_bound_to_its_own_did_and_it_verifies_independently(
    store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity, earned: Earned, database_url: str, wallet, suite
):
    if suite == DATA_INTEGRITY and database_url.startswith("postgresql"):
        pytest.skip("one database is enough for the second proof suite")
    token = await new_link(store, earned.badge, clock.now())
    with serving(lambda s: create_app(store=s, curriculum=curriculum, issuer=issuer, clock=clock), database_url) as local:
        result = wallet.claim(f"{PUBLIC_URL}/wallet/claim/{token}", now=iso(clock.now()), resolve={PUBLIC_URL: local}, suite=suite)
        again = wallet.claim(f"{PUBLIC_URL}/wallet/claim/{token}", now=iso(clock.now()), resolve={PUBLIC_URL: local}, suite=suite)

    request = result["request"]["verifiablePresentationRequest"]
    assert request["query"][0]["type"] == "DIDAuthentication"
    assert request["challenge"] == challenge_for(token) and request["domain"] == DOMAIN
    copy_, original = result["credential"], earned.badge.credential
    assert original is not None
    assert result["verification"] == {"verified": True, "errors": []}, "the independent verifier accepts the wallet's copy"
    assert copy_["credentialSubject"]["id"] == result["holder"] and result["holder"].startswith("did:key:z6Mk")
    for same in ("id", "issuer", "validFrom", "validUntil", "credentialStatus", "evidence", "name", "type", "@context"):
        assert copy_.get(same) == original.get(same), same
    assert copy_["credentialSubject"]["identifier"] == original["credentialSubject"]["identifier"], "the hashed identity stays"
    assert copy_["credentialSubject"]["achievement"] == original["credentialSubject"]["achievement"]
    assert copy_["proof"][0]["created"] == iso(clock.now()) and copy_["proof"][0]["proofPurpose"] == "assertionMethod"
    assert result["response"]["verifiablePresentation"]["type"] == ["VerifiablePresentation"]
    assert again["status"] == 410 and again["error"]["error"] == "claim_link_used", "the link works once"
    async with store.transaction() as tx:
        stored = await tx.awards.by_public_id(earned.badge.public_id)
    assert stored is not None and stored.credential == original, "the published credential is not changed"
    [row] = await claim_rows(store)
    assert row.holder == result["holder"] and row.used_at == clock.now()


async def test_a_claimed_certificate_keeps_its_suspension_entry_and_its_expiry(
    store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity, earned: Earned, database_url: str, wallet
):
    token = await new_link(store, earned.certificate, clock.now())
    with serving(lambda s: create_app(store=s, curriculum=curriculum, issuer=issuer, clock=clock), database_url) as local:
        result = wallet.claim(f"{PUBLIC_URL}/wallet/claim/{token}", now=iso(clock.now()), resolve={PUBLIC_URL: local})
    original = earned.certificate.credential
    assert original is not None and result["verification"]["verified"] is True, result
    assert result["credential"]["credentialStatus"] == original["credentialStatus"]
    assert result["credential"]["credentialStatus"]["statusPurpose"] == "suspension"
    assert result["credential"]["validUntil"] == original["validUntil"]
    assert result["credential"]["credentialSubject"]["id"] == result["holder"]


async def test_revoking_the_award_revokes_the_wallets_copy(
    store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity, earned: Earned, database_url: str, wallet, tmp_path
):
    token = await new_link(store, earned.badge, clock.now())
    with serving(lambda s: create_app(store=s, curriculum=curriculum, issuer=issuer, clock=clock), database_url) as local:
        result = wallet.claim(f"{PUBLIC_URL}/wallet/claim/{token}", now=iso(clock.now()), resolve={PUBLIC_URL: local})
        assert result["verification"]["verified"] is True
        await revoke(store, earned.badge.public_id, at=clock.now(), reason="issued in error")
        clock.advance(minutes=1)  # past the status list's cache
        async with httpx.AsyncClient(base_url=local) as web:
            did = (await web.get("/.well-known/did.json")).json()
            status_list = (await web.get("/status/revocation")).json()
    verify = NodeVerifier(wallet.node, tmp_path)
    verdict = verify(result["credential"], did_documents=(did,), status_lists=(status_list,), now=iso(clock.now()))
    assert verdict["verified"] is False and any("revoked" in error for error in verdict["errors"]), verdict


# ----------------------------------------------------------------------------------------------
# The claim link: made for the learner, kept hashed, one award, 15 minutes


async def test_a_claim_link_is_kept_only_as_a_hash_and_is_bound_to_one_award(store: SqlStore, clock: ManualClock, earned: Earned):
    token = await new_link(store, earned.badge, clock.now())
    assert len(token) == 64 and int(token, 16) >= 0
    [row] = await claim_rows(store)
    assert row.token_hash == token_hash(token) and token not in {row.token_hash, row.holder}
    assert row.award_id == earned.badge.id and row.expires_at == clock.now() + CLAIM_VALID and row.used_at is None
    async with store.transaction() as tx:
        claim = await tx.wallet.find(token_hash(token))
    assert claim is not None and claim.award.public_id == earned.badge.public_id
    assert "works once, for 15 minutes" in claim_line("https://x/wallet/claim/t")


async def test_no_claim_link_for_a_revoked_credential(store: SqlStore, clock: ManualClock, earned: Earned):
    await revoke(store, earned.badge.public_id, at=clock.now(), reason="issued in error")
    async with store.transaction() as tx:
        award = await tx.awards.by_public_id(earned.badge.public_id)
        assert award is not None
        assert await claim_link(tx, award, base_url=PUBLIC_URL, now=clock.now()) is None
    assert await claim_rows(store) == []


async def test_the_claim_page_shows_a_qr_code_of_the_wallet_deep_link_and_runs_no_script(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, earned: Earned
):
    token = await new_link(store, earned.badge, clock.now())
    page = await client.get(f"/wallet/claim/{token}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "script-src" not in page.headers["content-security-policy"] and "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text.lower() and " style=" not in page.text.lower()
    assert "Deckhand" in page.text
    deep_link = page.text.split('href="dccrequest://request?request=')[1].split('"')[0]
    request = json.loads(unquote(deep_link.replace("&amp;", "&")))
    assert request == {"credentialRequestOrigin": PUBLIC_URL, "protocols": {"vcapi": f"{PUBLIC_URL}/wallet/exchanges/{token}"}}
    assert decoded_qr(page.text) == lcw_link_of(token), "the QR code holds the deep link (read by zxing-cpp, not segno)"
    listed = await client.get(f"/wallet/claim/{token}", headers={"Accept": "application/json"})
    assert listed.json()["protocols"]["vcapi"] == f"{PUBLIC_URL}/wallet/exchanges/{token}", "the interaction URL, for VC-API wallets"
    [row] = await claim_rows(store)
    assert row.used_at is None, "opening the page (or a chat's link preview) spends nothing"


def decoded_qr(page: str) -> str:
    """The text of the page's QR code, as a scanner reads it: segno's inline SVG (a white square,
    then one dark path of horizontal runs, one module high, in module units) drawn into pixels,
    decoded by zxing-cpp."""
    svg = page[page.index('<svg width="') : page.index("</svg>")]
    assert 'class="qr"' in svg
    size = int(re.search(r'fill="#fff" d="M0 0h(\d+)v', svg).group(1))  # type: ignore[union-attr]
    path = re.search(r'stroke="#000" d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
    image = Image.new("L", (size * 4, size * 4), 255)
    x = y = 0.0
    for op, a, b in re.findall(r"([MmHh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path):
        if op in "Mm":
            x, y = (float(a), float(b)) if op == "M" else (x + float(a), y + float(b))
        else:
            image.paste(0, (int(x) * 4, int(y) * 4, (int(x) + int(float(a))) * 4, int(y) * 4 + 4))
            x += float(a)
    [found] = zxingcpp.read_barcodes(image)
    return str(found.text)


def lcw_link_of(token: str) -> str:
    return lcw_link(Exchange(url=f"{PUBLIC_URL}/wallet/exchanges/{token}", challenge="", domain=DOMAIN, origin=PUBLIC_URL))


async def test_the_public_credential_page_offers_no_claim_link(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, earned: Earned
):
    await new_link(store, earned.badge, clock.now())
    page = await client.get(f"/credentials/{earned.badge.public_id}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "/wallet/" not in page.text and "dccrequest" not in page.text and "<svg" not in page.text
    assert "/badges" in page.text, "it says where the learner claims it: from the bot"


async def test_the_exchange_asks_for_did_authentication_over_its_challenge_and_domain(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, earned: Earned
):
    token = await new_link(store, earned.badge, clock.now())
    response = await start(client, token)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    request = response.json()["verifiablePresentationRequest"]
    assert request["query"] == [
        {"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}], "acceptedCryptosuites": [{"cryptosuite": "eddsa-rdfc-2022"}]}
    ]
    assert request["challenge"] == challenge_for(token) != token and token_hash(token) != request["challenge"]
    assert request["domain"] == DOMAIN
    assert {s["serviceEndpoint"] for s in request["interact"]["service"]} == {f"{PUBLIC_URL}/wallet/exchanges/{token}"}
    assert (await client.post(f"/wallet/exchanges/{token}")).json() == response.json(), "an empty body starts it too"


# ----------------------------------------------------------------------------------------------
# Refusals: each a 4xx with a JSON body, and the link spent only on success


async def test_an_unknown_or_malformed_token_is_refused(client: httpx.AsyncClient, earned: Earned):
    for token in ("0" * 64, "not-a-token", "A" * 64):
        refused(await start(client, token), 404, "unknown_claim_link")
        refused(await client.get(f"/wallet/claim/{token}", headers={"Accept": "application/json"}), 404, "unknown_claim_link")
    page = await client.get(f"/wallet/claim/{'0' * 64}", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "cannot be used" in page.text and "/badges" in page.text


async def test_an_expired_link_is_refused(client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, earned: Earned, wallet):
    token = await new_link(store, earned.badge, clock.now())
    clock.advance(seconds=CLAIM_VALID.total_seconds())
    detail = refused(await start(client, token), 410, "claim_link_expired")
    assert "/badges" in detail
    signed = wallet.present(challenge=challenge_for(token), domain=DOMAIN, now=iso(clock.now()))
    refused(await answer(client, token, signed["presentation"]), 410, "claim_link_expired")
    assert (await client.get(f"/wallet/claim/{token}", headers={"Accept": "text/html"})).status_code == 410


async def test_a_used_link_is_refused_and_two_wallets_cannot_both_claim(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, earned: Earned, wallet
):
    token = await new_link(store, earned.badge, clock.now())
    first = wallet.present(challenge=challenge_for(token), domain=DOMAIN, now=iso(clock.now()))
    second = wallet.present(challenge=challenge_for(token), domain=DOMAIN, now=iso(clock.now()))
    ok = await answer(client, token, first["presentation"])
    assert ok.status_code == 200
    [credential] = ok.json()["verifiablePresentation"]["verifiableCredential"]
    assert credential["credentialSubject"]["id"] == first["did"]
    refused(await answer(client, token, second["presentation"]), 410, "claim_link_used")
    refused(await answer(client, token, first["presentation"]), 410, "claim_link_used")
    refused(await start(client, token), 410, "claim_link_used")


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong challenge", "challenge"),
        ("wrong domain", "domain"),
        ("bad signature", "signature"),
        ("holder is not the signer", "holder"),
        ("stale proof", "too old"),
        ("proof from the future", "future"),
        ("assertion, not authentication", "purpose"),
    ],
)
async def test_a_presentation_that_does_not_authenticate_is_refused_and_the_link_stays_usable(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, earned: Earned, wallet, case: str, expected: str
):
    token = await new_link(store, earned.badge, clock.now())
    challenge, domain, when, holder = challenge_for(token), DOMAIN, clock.now(), None
    if case == "wrong challenge":
        challenge = challenge_for("f" * 64)
    elif case == "wrong domain":
        domain = "attacker.example"
    elif case == "holder is not the signer":
        holder = wallet.present(challenge="x", domain=DOMAIN, now=iso(when))["did"]
    elif case == "stale proof":
        when -= timedelta(hours=1)
    elif case == "proof from the future":
        when += timedelta(hours=1)
    signed = wallet.present(challenge=challenge, domain=domain, now=iso(when), holder=holder)
    presentation = copy.deepcopy(signed["presentation"])
    proof = presentation["proof"]
    if case == "bad signature":
        presentation["holder"] = presentation["holder"]  # untouched document, tampered signature:
        value = proof["proofValue"]
        proof["proofValue"] = value[:10] + ("2" if value[10] != "2" else "3") + value[11:]
    elif case == "assertion, not authentication":
        proof["proofPurpose"] = "assertionMethod"
    detail = refused(await answer(client, token, presentation), 403, "presentation_refused")
    assert expected in detail, detail
    [row] = await claim_rows(store)
    assert row.used_at is None and row.holder is None, "nothing is written on a refusal"
    good = wallet.present(challenge=challenge_for(token), domain=DOMAIN, now=iso(clock.now()))
    assert (await answer(client, token, good["presentation"])).status_code == 200, "the link still works for its learner"


async def test_what_is_not_a_presentation_is_refused(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, earned: Earned, wallet
):
    token = await new_link(store, earned.badge, clock.now())
    url = f"/wallet/exchanges/{token}"
    refused(await client.post(url, content=b"{not json"), 400, "not_json")
    refused(await client.post(url, content=b"\xff\xfe"), 400, "not_json")
    refused(await client.post(url, json={"verifiablePresentation": "a string"}), 400, "not_a_presentation")
    refused(await answer(client, token, {"type": ["VerifiablePresentation"], "holder": "did:key:z6Mk"}), 400, "not_a_presentation")
    signed = wallet.present(challenge=challenge_for(token), domain=DOMAIN, now=iso(clock.now()))
    other_type = copy.deepcopy(signed["presentation"])
    other_type["proof"]["type"] = "RsaSignature2018"
    refused(await answer(client, token, other_type), 400, "not_a_presentation")
    web_holder = copy.deepcopy(signed["presentation"])
    web_holder["holder"] = "did:web:attacker.example"
    refused(await answer(client, token, web_holder), 400, "not_a_presentation")
    [row] = await claim_rows(store)
    assert row.used_at is None


async def test_an_oversized_body_is_refused_before_it_is_read(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, earned: Earned
):
    token = await new_link(store, earned.badge, clock.now())
    big = {"verifiablePresentation": {"padding": "x" * BODY_LIMIT}}
    refused(await client.post(f"/wallet/exchanges/{token}", json=big), 413, "body_too_large")

    async def chunks():  # no Content-Length: counted as it arrives
        for _ in range(BODY_LIMIT // 1024 + 2):
            yield b" " * 1024

    refused(await client.post(f"/wallet/exchanges/{token}", content=chunks()), 413, "body_too_large")
    [row] = await claim_rows(store)
    assert row.used_at is None


async def test_a_revoked_credential_cannot_be_claimed_even_with_a_link_made_before(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, earned: Earned, wallet
):
    token = await new_link(store, earned.badge, clock.now())
    signed = wallet.present(challenge=challenge_for(token), domain=DOMAIN, now=iso(clock.now()))
    assert (await start(client, token)).status_code == 200
    await revoke(store, earned.badge.public_id, at=clock.now(), reason="issued in error")  # between the request and the answer
    refused(await answer(client, token, signed["presentation"]), 409, "credential_revoked")
    refused(await start(client, token), 409, "credential_revoked")
    page = await client.get(f"/wallet/claim/{token}", headers={"Accept": "text/html"})
    assert page.status_code == 409 and "revoked" in page.text
    [row] = await claim_rows(store)
    assert row.used_at is None


async def test_an_expired_credential_cannot_be_claimed(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, earned: Earned, wallet
):
    until = earned.certificate.valid_until
    assert until is not None
    clock.set(until - timedelta(minutes=5))
    token = await new_link(store, earned.certificate, clock.now())
    clock.advance(minutes=6)  # the link still has nine minutes; the certificate has expired
    signed = wallet.present(challenge=challenge_for(token), domain=DOMAIN, now=iso(clock.now()))
    refused(await answer(client, token, signed["presentation"]), 409, "credential_expired")


async def test_a_learner_who_left_can_no_longer_claim(client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, earned: Earned):
    token = await new_link(store, earned.badge, clock.now())
    async with store.transaction() as tx:
        learner = await tx.learners.by_id(earned.badge.learner_id)
        assert learner is not None
        learner.platform_user_id = "erased:somebody"
        await tx.learners.save(learner)
    refused(await start(client, token), 404, "unknown_claim_link")


async def test_a_claim_logs_neither_the_token_nor_the_wallets_did(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, earned: Earned, wallet, caplog: pytest.LogCaptureFixture
):
    token = await new_link(store, earned.badge, clock.now())
    signed = wallet.present(challenge=challenge_for(token), domain=DOMAIN, now=iso(clock.now()))
    with caplog.at_level(logging.DEBUG):
        await start(client, token)
        wrong = copy.deepcopy(signed["presentation"])
        wrong["proof"]["challenge"] = "nope"
        await answer(client, token, wrong)
        assert (await answer(client, token, signed["presentation"])).status_code == 200
    # The product's own lines (the test's HTTP client and the database driver log what they send)
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("web", "bot", "credentials", "adapters", "uvicorn")]
    logged = "\n".join(record.getMessage() for record in ours)
    assert "claimed into a wallet" in logged
    for secret in (token, token_hash(token), challenge_for(token), signed["did"]):
        assert secret not in logged
