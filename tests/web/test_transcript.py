"""A certificate's transcript (a 1EdTech CLR 2.0 ClrCredential of the certificate and the badges it
stacks, signed on request) and the printable PDF of a credential, over ASGI on SQLite and
PostgreSQL, from real awards: checked by our verifier, by the bundled 1EdTech schemas and safe
canonicalization, and by Digital Bazaar's verifier from what the issuer publishes."""

from __future__ import annotations

import copy
import io
import json
import re
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import segno
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from adapters.cli.credentials import verify_file
from bot.clock import ManualClock
from bot.core import Core
from bot.events import LearnerRef
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.clr import CLR_CONTEXT, transcript_id, verify_transcript
from credentials.documents import BundledDocumentLoader, canonicalize
from credentials.issuer import IssuerIdentity
from credentials.issuing import OB_CONTEXT, VC_CONTEXT, AwardFacts, build_credential
from credentials.schema import validate_clr_credential
from credentials.status_list import check_status
from credentials.verification import Verdict
from tests.integration.test_issuing_on_award import earn_deckhand, issuer_for
from tests.support import Chat, study_daily_until
from tests.web.conftest import PUBLIC_URL, Earned
from tests.web.support import revoke
from web.app import create_app
from web.certificate_pdf import HOLDER

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def iso(clock: ManualClock) -> str:
    return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


def day(instant: datetime) -> str:
    return f"{instant.day} {instant:%B %Y}"


async def status_lists(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    lists = [(await client.get(f"/status/{purpose}")).json() for purpose in ("revocation", "suspension")]
    return {document["id"]: document for document in lists}


def ours(clr: dict[str, Any], issuer: IssuerIdentity, lists: dict[str, dict[str, Any]], now: datetime) -> Any:
    """Our verifier, given what the issuer publishes: its keys and its status lists."""
    resolve = issuer.resolver()

    def status(credential: Any) -> Any:
        entry = credential["credentialStatus"]
        return check_status(credential, status_list=lists.get(entry["statusListCredential"]), resolve_key=resolve, now=now)

    return verify_transcript(clr, resolve_key=resolve, check_status=status, now=now)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def pdf_links(content: bytes) -> set[str]:
    page = PdfReader(io.BytesIO(content)).pages[0]
    annotations = [annotation.get_object() for annotation in page.get("/Annots", [])]
    return {str(annotation["/A"]["/URI"]) for annotation in annotations if "/A" in annotation and "/URI" in annotation["/A"]}


def qr_codes(content: bytes) -> list[str]:
    """What every QR code drawn on the PDF's page says, read back by zxing-cpp from the page's images."""
    page = PdfReader(io.BytesIO(content)).pages[0]
    found: list[str] = []
    for picture in page.images:
        found += [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(picture.data)))]
    return found


async def test_a_certificate_has_a_transcript_of_it_and_its_badges_as_issued_that_verifies_everywhere(
    client: httpx.AsyncClient, earned: Earned, issuer: IssuerIdentity, clock: ManualClock, verify_with_node
):
    certificate, badge = earned.certificate, earned.badge
    assert certificate.credential is not None and badge.credential is not None
    response = await client.get(f"/credentials/{certificate.public_id}/clr.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["content-disposition"] == f'attachment; filename="mariner-{certificate.public_id}-clr.json"'
    clr = response.json()

    assert clr["@context"] == [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["id"] == f"{PUBLIC_URL}/credentials/{certificate.public_id}/clr.json" == transcript_id(issuer.names, certificate.public_id)
    assert clr["issuer"] == certificate.credential["issuer"], "signed by the same issuer"
    assert clr["validFrom"] == certificate.credential["validFrom"]
    assert clr["partial"] is True, "one stack, not everything the learner holds"
    assert "credentialStatus" not in clr and "no status of its own" in clr["description"]
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["identifier"] == certificate.credential["credentialSubject"]["identifier"], "the certificate's holder"
    assert subject["verifiableCredential"] == [certificate.credential, badge.credential], "exactly as signed and stored"
    mariner, deckhand = f"{PUBLIC_URL}/achievements/mariner", f"{PUBLIC_URL}/achievements/deckhand"
    assert [achievement["id"] for achievement in subject["achievement"]] == [mariner, deckhand]
    assert subject["association"] == [{"type": "Association", "associationType": "isPartOf", "sourceId": deckhand, "targetId": mariner}]
    assert [proof["created"] for proof in clr["proof"]] == [iso(clock)], "signed when asked for"

    assert validate_clr_credential(clr).ok, validate_clr_credential(clr).problems
    # Safe mode: raises on any term no context defines, instead of leaving it out of the signed data.
    canonicalize({k: v for k, v in clr.items() if k != "proof"}, document_loader=BundledDocumentLoader())
    assert issuer.verify(clr).ok

    lists = await status_lists(client)
    report = ours(clr, issuer, lists, clock.now())
    assert report.verdict is Verdict.VALID, report.lines
    assert report.lines[0].startswith("VALID: 'Mariner Certificate: Comprehensive Learner Record'")
    document = issuer.did_document() or {}
    assert verify_with_node(clr, did_documents=(document,), now=iso(clock)) == {"verified": True, "errors": []}
    for inside in subject["verifiableCredential"]:  # each still verifies on its own, with its status list
        published = lists[inside["credentialStatus"]["statusListCredential"]]
        assert verify_with_node(inside, did_documents=(document,), status_lists=(published,), now=iso(clock))["verified"]


async def test_a_tampered_transcript_fails(
    client: httpx.AsyncClient, earned: Earned, issuer: IssuerIdentity, clock: ManualClock, verify_with_node
):
    clr = (await client.get(f"/credentials/{earned.certificate.public_id}/clr.json")).json()
    lists = await status_lists(client)
    document = issuer.did_document() or {}

    reordered = copy.deepcopy(clr)  # the badge made the certificate's parent
    reordered["credentialSubject"]["association"][0]["associationType"] = "isParentOf"
    inflated = copy.deepcopy(clr)  # a badge inside renamed: its own proof and the transcript's both break
    inflated["credentialSubject"]["verifiableCredential"][1]["credentialSubject"]["achievement"]["name"] = "Master Mariner"
    for forged in (reordered, inflated):
        report = ours(forged, issuer, lists, clock.now())
        assert report.verdict is Verdict.INVALID and "signature does not match" in report.envelope.line
        result = verify_with_node(forged, did_documents=(document,), now=iso(clock))
        assert not result["verified"] and "Invalid signature." in " ".join(result["errors"])


async def test_a_badge_has_no_transcript(client: httpx.AsyncClient, earned: Earned):
    response = await client.get(f"/credentials/{earned.badge.public_id}/clr.json")
    assert response.status_code == 404 and "Only a certificate has a transcript" in response.json()["detail"]
    assert (await client.get(f"/credentials/{UNKNOWN}/clr.json")).status_code == 404
    assert (await client.get(f"/credentials/{UNKNOWN}/certificate.pdf")).status_code == 404


async def test_the_transcript_has_no_status_of_its_own_and_its_credentials_keep_theirs(
    client: httpx.AsyncClient, earned: Earned, store: SqlStore, issuer: IssuerIdentity, clock: ManualClock, verify_with_node
):
    """The rule: a revoked badge suspends the certificate; the transcript still verifies as a signed
    record, and every credential in it says for itself that it is not valid now."""
    await revoke(store, earned.badge.public_id, at=clock.now(), reason="issued in error")
    clr = (await client.get(f"/credentials/{earned.certificate.public_id}/clr.json")).json()
    lists = await status_lists(client)
    document = issuer.did_document() or {}
    assert verify_with_node(clr, did_documents=(document,), now=iso(clock)) == {"verified": True, "errors": []}

    report = ours(clr, issuer, lists, clock.now())
    assert report.envelope.verdict is Verdict.VALID and report.verdict is Verdict.INVALID
    assert report.inside[0].line.startswith("INVALID: 'Mariner Certificate': suspended")
    assert report.inside[1].line.startswith("INVALID: 'Deckhand': revoked")
    certificate, badge = clr["credentialSubject"]["verifiableCredential"]
    for inside, word in ((certificate, "suspended"), (badge, "revoked")):
        published = lists[inside["credentialStatus"]["statusListCredential"]]
        result = verify_with_node(inside, did_documents=(document,), status_lists=(published,), now=iso(clock))
        assert not result["verified"] and f"credential {word} (status list bit set)" in " ".join(result["errors"])


async def test_credentials_verify_checks_a_transcript_and_each_credential_in_it_from_the_files_beside_it(
    client: httpx.AsyncClient, earned: Earned, store: SqlStore, issuer: IssuerIdentity, clock: ManualClock, tmp_path: Path
):
    """An employer handed clr.json, with the issuer's DID document and both status lists saved beside it."""
    folder = tmp_path / "received"
    folder.mkdir()

    async def received() -> Path:
        (folder / "did.json").write_text(json.dumps(issuer.did_document()))
        for purpose, name in (("revocation", "status-list.json"), ("suspension", "status-list-suspension.json")):
            (folder / name).write_text((await client.get(f"/status/{purpose}")).text)
        path = folder / "clr.json"
        path.write_text((await client.get(f"/credentials/{earned.certificate.public_id}/clr.json")).text)
        return path

    async def verified(path: Path) -> tuple[int, list[str]]:
        said = await verify_file(path, did_documents=[], status_list_path=None, own_issuer=None, store=None, now=clock.now())
        return said.exit_code, said.message.splitlines()

    code, lines = await verified(await received())
    assert code == 0, lines
    assert [line.split(":")[0] for line in lines] == ["VALID", "  VALID", "  VALID"]
    assert "'Mariner Certificate'" in lines[1] and "'Deckhand'" in lines[2]

    await revoke(store, earned.badge.public_id, at=clock.now(), reason="issued in error")
    code, lines = await verified(await received())
    assert code == 1
    assert lines[0].startswith("VALID: ") and "no status of its own" in lines[0]
    assert lines[1].startswith("  INVALID: 'Mariner Certificate': suspended")
    assert lines[2].startswith("  INVALID: 'Deckhand': revoked")

    (folder / "status-list-suspension.json").unlink()  # the certificate's list not at hand: not VALID, and said why
    code, lines = await verified(folder / "clr.json")
    assert code == 1 and "status-list-suspension.json" in lines[1] and lines[2].startswith("  INVALID: 'Deckhand': revoked")


async def test_a_badge_renewed_after_it_expired_stands_in_for_it_in_the_transcript_and_on_paper(
    client: httpx.AsyncClient, earned: Earned, store: SqlStore, curriculum: Curriculum, issuer: IssuerIdentity, clock: ManualClock
):
    badge = earned.badge
    assert badge.valid_until is not None and badge.credential is not None
    clock.set(badge.valid_until + timedelta(days=1))  # Deckhand expired: the certificate is suspended
    expired = (await client.get(f"/credentials/{earned.certificate.public_id}/clr.json")).json()
    assert expired["credentialSubject"]["verifiableCredential"][1] == badge.credential
    report = ours(expired, issuer, await status_lists(client), clock.now())
    assert [line.split(":")[0].strip() for line in report.lines] == ["VALID", "INVALID", "INVALID"]

    async with store.transaction() as tx:  # a refresher passed: a new award of Deckhand, signed
        renewal = replace(badge, id=0, public_id=str(uuid.uuid4()), renewal=1, awarded_at=clock.now(), credential=None)
        renewal = replace(renewal, valid_until=clock.now() + timedelta(days=180))
        assert await tx.awards.add(renewal)
        stored = await tx.awards.by_public_id(renewal.public_id)
        assert stored is not None
        facts = AwardFacts(
            public_id=renewal.public_id,
            definition_id="deckhand",
            awarded_at=clock.now(),
            valid_until=renewal.valid_until,
            status_index=stored.id,
            evidence=badge.evidence,
            stacked_credentials={},
        )
        identity = badge.credential["credentialSubject"]["identifier"][0]
        unsigned = build_credential(
            award=facts, curriculum=curriculum, issuer=issuer.profile, names=issuer.names, subject_identity=identity
        )
        renewed = issuer.sign(unsigned, created=clock.now())
        await tx.awards.store_credential(stored.id, renewed)
    clock.advance(seconds=10)  # past the status list's few seconds of caching

    clr = (await client.get(f"/credentials/{earned.certificate.public_id}/clr.json")).json()
    assert clr["credentialSubject"]["verifiableCredential"] == [earned.certificate.credential, renewed]
    report = ours(clr, issuer, await status_lists(client), clock.now())
    assert report.verdict is Verdict.VALID, report.lines
    text = pdf_text((await client.get(f"/credentials/{earned.certificate.public_id}/certificate.pdf")).content)
    assert f"Deckhand, awarded {day(clock.now())}" in text and "Valid when printed" in text


async def test_a_burst_of_requests_costs_one_signature_and_one_drawing_until_the_facts_change(
    client: httpx.AsyncClient, earned: Earned, store: SqlStore, clock: ManualClock
):
    """clr.json and certificate.pdf are public links: asked again and again (a verifier's retries,
    or someone hammering them), the same document made from the same facts is served for a while."""
    clr_url = f"/credentials/{earned.certificate.public_id}/clr.json"
    pdf_url = f"/credentials/{earned.certificate.public_id}/certificate.pdf"
    signed_at, first_clr, first_pdf = iso(clock), (await client.get(clr_url)).content, (await client.get(pdf_url)).content
    clock.advance(minutes=9)
    assert (await client.get(clr_url)).content == first_clr, "the same signature, made 9 minutes ago"
    assert (await client.get(pdf_url)).content == first_pdf
    assert [proof["created"] for proof in json.loads(first_clr)["proof"]] == [signed_at]

    clock.advance(minutes=2)  # older than ten minutes: made again, now
    assert [proof["created"] for proof in (await client.get(clr_url)).json()["proof"]] == [iso(clock)]
    again = (await client.get(pdf_url)).content
    assert again != first_pdf and "Valid when printed" in pdf_text(again)

    await revoke(store, earned.badge.public_id, at=clock.now(), reason="issued in error")
    clock.advance(seconds=10)  # past the status lists' few seconds of caching
    suspended = (await client.get(pdf_url)).content
    assert suspended != again and "Suspended" in pdf_text(suspended), "a changed standing is drawn at once"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_without_a_public_url_the_transcript_is_self_contained(
    store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path, verify_with_node
):
    issuer = issuer_for(tmp_path)  # did:key: no address, no status lists
    badge, certificate = await earn_deckhand(Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer), clock, store)
    app = create_app(store=store, curriculum=curriculum, issuer=issuer, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        clr = (await client.get(f"/credentials/{certificate.public_id}/clr.json")).json()
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", clr["id"]) and clr["issuer"]["id"].startswith("did:key:")
    assert clr["credentialSubject"]["verifiableCredential"] == [certificate.credential, badge.credential]
    assert ours(clr, issuer, {}, clock.now()).verdict is Verdict.VALID
    assert verify_with_node(clr, now=iso(clock)) == {"verified": True, "errors": []}


async def test_a_certificate_prints_on_one_page_with_its_badges_a_link_and_a_qr_code_of_its_page(
    client: httpx.AsyncClient, earned: Earned, clock: ManualClock
):
    certificate, badge = earned.certificate, earned.badge
    assert certificate.valid_until is not None
    response = await client.get(f"/credentials/{certificate.public_id}/certificate.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="mariner-{certificate.public_id}.pdf"'
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    page_url = f"{PUBLIC_URL}/credentials/{certificate.public_id}"
    text = pdf_text(response.content)
    for fact in (
        "ACME PLANT ACADEMY",
        "C E R T I F I C A T E",
        "Mariner Certificate",
        f"awarded to {HOLDER}",
        f"by Acme Plant Academy on {day(certificate.awarded_at)}",
        f"Valid until {day(certificate.valid_until)}",
        "It stacks 1 badge:",
        f"Deckhand, awarded {day(badge.awarded_at)}",
        f"Valid when printed ({day(clock.now())}, {clock.now():%H:%M} UTC).",
        "did:web:learn.example.com",
    ):
        assert fact in text, f"{fact!r} not in {text!r}"
    assert page_url in text.replace(" ", ""), "the page's address in full"
    assert pdf_links(response.content) == {page_url, f"{PUBLIC_URL}/credentials/{badge.public_id}"}
    assert qr_codes(response.content) == [page_url], "the QR code leads to the credential's page"
    picture = PdfReader(io.BytesIO(response.content)).pages[0].images[0]
    drawn = Image.open(io.BytesIO(picture.data)).convert("1")
    expected = segno.make(page_url, error="m")
    width = int(expected.symbol_size(scale=1, border=4)[0])
    modules = drawn.resize((width, width), Image.Resampling.NEAREST)
    matrix = [[modules.getpixel((x, y)) == 0 for x in range(4, width - 4)] for y in range(4, width - 4)]
    assert matrix == [[bool(cell) for cell in row] for row in expected.matrix], "the very matrix segno makes of the page's address"


async def test_a_revoked_badge_prints_as_revoked_and_never_names_the_learner(
    client: httpx.AsyncClient, earned: Earned, store: SqlStore, clock: ManualClock
):
    await revoke(store, earned.badge.public_id, at=clock.now(), reason="Issued to the wrong learner")
    content = (await client.get(f"/credentials/{earned.badge.public_id}/certificate.pdf")).content
    text = pdf_text(content)
    assert "B A D G E" in text and "Deckhand" in text and f"awarded to {HOLDER}" in text
    assert f"Revoked when printed ({day(clock.now())}" in text and "wrong learner" not in text
    assert "It stacks" not in text, "a badge stacks nothing"
    assert qr_codes(content) == [f"{PUBLIC_URL}/credentials/{earned.badge.public_id}"]
    certificate_text = pdf_text((await client.get(f"/credentials/{earned.certificate.public_id}/certificate.pdf")).content)
    assert f"Suspended when printed ({day(clock.now())}" in certificate_text
    assert (
        f"Deckhand, awarded {day(earned.badge.awarded_at)}. Not valid now: Deckhand was revoked on {day(clock.now())}." in certificate_text
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_learner_who_chose_to_be_named_is_named_on_the_printed_page_and_in_the_transcript(
    store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path
):
    issuer = issuer_for(tmp_path, PUBLIC_URL)
    chat = Chat(Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer), "ana")
    chat.learner = LearnerRef("test", "ana", "Łucja Nováková")
    await chat.start()
    await chat.command("settings", "name on")
    await chat.start()  # back to the lessons
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    assert (await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge"))[0] is not None
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        assert learner is not None
        certificate = next(award for award in await tx.awards.of(learner.id) if award.kind == "certificate")
    app = create_app(store=store, curriculum=curriculum, issuer=issuer, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        text = pdf_text((await client.get(f"/credentials/{certificate.public_id}/certificate.pdf")).content)
        clr = (await client.get(f"/credentials/{certificate.public_id}/clr.json")).json()
    assert "awarded to Łucja Nováková" in text and HOLDER not in text
    names = [i["identityHash"] for i in clr["credentialSubject"]["identifier"] if i["identityType"] == "name"]
    assert names == ["Łucja Nováková"]
