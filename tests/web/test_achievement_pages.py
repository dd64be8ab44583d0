"""Where a credential's links lead, over ASGI (no browser) on SQLite and PostgreSQL: the
achievement (its id in every credential) and each skill it aligns to (the alignments'
targetUrl), as a page for people and as JSON-LD for machines; and which responses any origin
may read (browser verifiers and wallets) while the dashboard stays closed to them."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from bot.clock import ManualClock
from bot.people import import_people, read_people
from bot.store.store import SqlStore
from bot.team import SESSION_VALID, new_token, signin_link, token_hash
from bot.vocabulary import AccessKind
from content.model import Curriculum, Skill, Source
from credentials.documents import BundledDocumentLoader, canonicalize
from credentials.issuer import IssuerIdentity
from credentials.issuing import OB_CONTEXT, VC_CONTEXT
from tests.support import found
from tests.web.conftest import Earned
from tests.web.dashboard_support import SESSION_COOKIE
from tests.web.support import revoke
from web.app import create_app

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # what a browser sends
JSON_LD = {"Accept": "application/ld+json"}
CTDL_ASN = "https://purl.org/ctdlasn/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def achievement_of(credential: dict[str, Any] | None) -> dict[str, Any]:
    return found(credential)["credentialSubject"]["achievement"]


def path_of(url: str) -> str:
    return urlsplit(url).path


def text_of(html: str) -> str:
    """The page's words, tags dropped and spaces joined, as a reader sees them."""
    return re.sub(r" ([:;.,])", r"\1", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def links_of(html: str) -> dict[str, str]:
    """Link text -> href."""
    return {re.sub(r"\s+", " ", name).strip(): href for href, name in re.findall(r'<a[^>]* href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)}


async def test_the_badge_page_says_what_it_certifies_how_it_is_earned_and_who_holds_it(
    client: httpx.AsyncClient, earned: Earned, curriculum: Curriculum
):
    response = await client.get(path_of(achievement_of(earned.badge.credential)["id"]), headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    words = text_of(response.text)
    for said in (
        "Badge Deckhand",
        "Reads tides and ties knots.",
        f"Criteria {curriculum.credentials['deckhand'].criteria}",
        "Reading tides: mastery of at least 80% Knowing when the water comes and goes.",
        "Complete these lessons and their micro-checks: Tides Knots",
        "correct answers to spaced re-checks on at least 2 separate days, the last at least 2 days after the lesson that taught it",
        "Valid for 180 days from the day it is awarded.",
        "1 person holds it at the moment",
        "Counts toward Mariner Certificate (certificate)",
        "Achievement ID https://learn.example.com/achievements/deckhand",
    ):
        assert said in words, said
    links = links_of(response.text)
    required = curriculum.credentials["deckhand"].skills
    assert response.text.count('<li><strong><a href="/skills/') == len(required), "each skill it requires, once"
    for requirement in required:
        skill = curriculum.skills[requirement.skill]
        assert f"{skill.name}: mastery of at least {requirement.mastery:.0%}" in words
        assert links[skill.name] == f"/skills/{skill.id}"
    assert links["Mariner Certificate"] == "/achievements/mariner"
    assert '<img class="badge" src="/achievements/deckhand/image.svg"' in response.text


async def test_the_certificate_page_links_the_badges_it_stacks(client: httpx.AsyncClient, earned: Earned):
    response = await client.get("/achievements/mariner", headers=HTML)
    assert response.status_code == 200
    words = text_of(response.text)
    for said in (
        "Certificate Mariner Certificate",
        "A certified mariner.",
        "Criteria Holds the Deckhand badge.",
        "Hold each of these badges, valid when the certificate is awarded: Deckhand",
        "Valid for 365 days from the day it is awarded.",
        "1 person holds it at the moment",
    ):
        assert said in words, said
    assert "Skills it certifies" not in words and "Counts toward" not in words and "re-checks" not in words
    assert links_of(response.text)["Deckhand"] == "/achievements/deckhand"


async def test_holders_are_those_whose_award_is_neither_revoked_nor_expired(
    client: httpx.AsyncClient, earned: Earned, store: SqlStore, clock: ManualClock
):
    await revoke(store, earned.badge.public_id, at=clock.now(), reason="issued in error")
    assert "No one holds it at the moment." in text_of((await client.get("/achievements/deckhand", headers=HTML)).text)
    assert "1 person holds it" in text_of((await client.get("/achievements/mariner", headers=HTML)).text)
    clock.set(found(earned.certificate.valid_until))
    assert "No one holds it at the moment." in text_of((await client.get("/achievements/mariner", headers=HTML)).text)


@pytest.mark.parametrize("which", ["badge", "certificate"])
async def test_the_achievement_json_is_the_one_its_credentials_carry(client: httpx.AsyncClient, earned: Earned, which: str):
    credential = found(getattr(earned, which).credential)
    embedded = achievement_of(credential)
    response = await client.get(path_of(embedded["id"]), headers=JSON_LD)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    assert "Accept" in response.headers["vary"] and response.headers["access-control-allow-origin"] == "*"
    document = response.json()
    assert document.pop("@context") == credential["@context"] == [VC_CONTEXT, OB_CONTEXT]
    assert document == embedded
    canonical = canonicalize(response.json(), document_loader=BundledDocumentLoader())  # no term that no context defines
    assert f"<{embedded['id']}> <{RDF_TYPE}> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement> ." in canonical


async def test_json_only_for_a_client_that_asks_for_json_and_not_for_a_page(client: httpx.AsyncClient, earned: Earned):
    plain = await client.get("/achievements/deckhand", headers={"Accept": "application/json"})
    assert plain.headers["content-type"].startswith("application/json") and plain.json()["name"] == "Deckhand"
    vc = await client.get("/achievements/deckhand", headers={"Accept": "application/vc+ld+json"})
    assert vc.headers["content-type"].startswith("application/ld+json"), "an achievement is not a credential"
    for accept in (HTML["Accept"], "text/html, application/ld+json", "*/*", ""):
        page = await client.get("/achievements/deckhand", headers={"Accept": accept})
        assert page.headers["content-type"].startswith("text/html"), accept


def aligned_to(credential: dict[str, Any] | None, skill_id: str) -> dict[str, Any]:
    alignments = achievement_of(credential)["alignment"]
    return found(next((a for a in alignments if a["targetUrl"].endswith(f"/skills/{skill_id}")), None))


async def test_the_skill_page_names_the_skill_and_what_requires_it(
    client: httpx.AsyncClient, earned: Earned, store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity
):
    alignment = aligned_to(earned.badge.credential, "tides")
    response = await client.get(path_of(alignment["targetUrl"]), headers=HTML)
    assert response.status_code == 200 and "Accept" in response.headers["vary"]
    words = text_of(response.text)
    for said in (
        "Skill Reading tides",
        "Knowing when the water comes and goes.",
        "Defined by Acme Plant Academy; not aligned to a public skills framework.",
        "Required by Deckhand (badge): mastery of at least 80%",
        "Skill ID https://learn.example.com/skills/tides",
    ):
        assert said in words, said
    assert links_of(response.text)["Deckhand"] == "/achievements/deckhand"

    rowing = Skill(id="rowing", name="Rowing", description="Moving a boat with oars.", source=Source(Path("skills.yml"), 1))
    with_rowing = replace(curriculum, skills={**curriculum.skills, "rowing": rowing})
    app = create_app(store=store, curriculum=with_rowing, issuer=issuer, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        unrequired = text_of((await other.get("/skills/rowing", headers=HTML)).text)
    assert "Skill Rowing Moving a boat with oars." in unrequired
    assert "No badge or certificate requires this skill at the moment." in unrequired


async def test_the_skill_json_is_a_competency_matching_the_alignment(client: httpx.AsyncClient, earned: Earned):
    alignment = aligned_to(earned.badge.credential, "tides")
    response = await client.get(path_of(alignment["targetUrl"]), headers=JSON_LD)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    assert response.headers["access-control-allow-origin"] == "*"
    skill = response.json()
    assert (skill["id"], skill["type"], skill["name"], skill["description"]) == (
        alignment["targetUrl"],
        alignment["targetType"],
        alignment["targetName"],
        alignment["targetDescription"],
    )
    canonical = canonicalize(skill, document_loader=BundledDocumentLoader())
    subject = f"<{alignment['targetUrl']}>"
    assert f"{subject} <{RDF_TYPE}> <{CTDL_ASN}Competency> ." in canonical
    assert f'{subject} <{CTDL_ASN}competencyLabel> "Reading tides" .' in canonical
    assert f'{subject} <{CTDL_ASN}competencyText> "Knowing when the water comes and goes." .' in canonical


async def test_every_link_in_a_credentials_achievement_resolves(client: httpx.AsyncClient, earned: Earned):
    for award in (earned.badge, earned.certificate):
        embedded = achievement_of(award.credential)
        ours = [a["targetUrl"] for a in embedded.get("alignment", []) if "targetFramework" not in a]  # not ESCO's own pages
        urls = [embedded["id"], embedded["image"]["id"], *ours]
        for url in urls:
            assert url.startswith("https://learn.example.com/")
            for headers in (HTML, JSON_LD):
                assert (await client.get(path_of(url), headers=headers)).status_code == 200, url


async def test_the_credential_page_links_to_its_achievement(client: httpx.AsyncClient, earned: Earned):
    response = await client.get(f"/credentials/{earned.badge.public_id}", headers=HTML)
    assert re.search(r'<h1><a href="/achievements/deckhand">Deckhand</a></h1>', response.text)
    assert links_of(response.text)["About this badge"] == "/achievements/deckhand"


async def test_unknown_achievements_and_skills_are_404(client: httpx.AsyncClient, earned: Earned):
    for path, detail in (
        ("/achievements/no-such-badge", "No badge or certificate has this id."),
        ("/skills/no-such-skill", "No skill has this id."),
    ):
        page = await client.get(path, headers=HTML)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "Not found" in page.text and detail in page.text
        machine = await client.get(path, headers=JSON_LD)
        assert (machine.status_code, machine.json()) == (404, {"detail": detail})


async def test_any_origin_may_read_what_verifiers_fetch(client: httpx.AsyncClient, earned: Earned):
    public_id = earned.badge.public_id
    for path, headers in (
        ("/.well-known/did.json", {}),
        ("/status/revocation", {}),
        ("/achievements/deckhand", HTML),
        ("/achievements/deckhand", JSON_LD),
        ("/achievements/deckhand/image.svg", {}),
        ("/achievements/deckhand/image.png", {}),
        ("/skills/tides", HTML),
        ("/skills/tides", JSON_LD),
        (f"/credentials/{public_id}", {"Accept": "application/vc+ld+json"}),
        (f"/credentials/{public_id}", {"Accept": "application/json"}),
        (f"/credentials/{public_id}/credential.json", {}),
    ):
        response = await client.get(path, headers={"Origin": "https://verifier.example", **headers})
        assert response.status_code == 200, path
        assert response.headers.get("access-control-allow-origin") == "*", (path, headers)


PEOPLE = """platform,user_id,name,team,role,manages
console,ana,Ana Lima,Deck,learner,
telegram,900,Maria Manager,,manager,Deck
"""


async def test_the_dashboard_and_its_sign_in_stay_closed_to_other_origins(client: httpx.AsyncClient, store: SqlStore, clock: ManualClock):
    people, problems = read_people(PEOPLE)
    assert problems == []
    await import_people(store, people, now=clock.now())
    session = new_token()
    async with store.transaction() as tx:
        maria = found(await tx.learners.find("telegram", "900"))
        await tx.access.add(token_hash(session), maria.id, AccessKind.SESSION, clock.now() + SESSION_VALID)
        link = await signin_link(tx, maria, "", clock.now())
    other_origin = {"Origin": "https://verifier.example"}
    signin_page = await client.get(link, headers=other_origin)
    assert signin_page.status_code == 200 and "Sign in" in signin_page.text
    client.cookies.set(SESSION_COOKIE, session)
    for response in (
        signin_page,
        await client.get("/dashboard", headers=other_origin),
        await client.get("/dashboard/export.csv", headers=other_origin),
    ):
        assert response.status_code == 200, response.url
        assert "access-control-allow-origin" not in response.headers, response.url
