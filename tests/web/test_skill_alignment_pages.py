"""A skill aligned to public frameworks (skills.yml `alignments`), as an employer following a
credential's links sees it, over ASGI on SQLite and PostgreSQL: the achievement page and the
skill page list each framework node with a link to the framework's own page, the skill's
JSON-LD names them as CTDL-ASN alignments, and the issued credential carries them."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import httpx
import pytest

from content.model import Alignment, Curriculum
from credentials.documents import BundledDocumentLoader, canonicalize
from tests.support import found
from tests.web.conftest import Earned

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON_LD = {"Accept": "application/ld+json"}
CTDL_ASN = "https://purl.org/ctdlasn/terms/"
ESCO_HAZARDS = Alignment(
    framework="ESCO",
    name="identify hazards in the workplace",
    url="http://data.europa.eu/esco/skill/5f97fac8-2001-4b81-ae8b-22f9062d921a",
    type="ceasn:Competency",
)
ONET_CAPTAINS = Alignment(
    framework="O*NET",
    name="Captains, Mates, and Pilots of Water Vessels",
    url="https://www.onetonline.org/link/summary/53-5021.00",
    code="53-5021.00",
    type="ext:Occupation",
)


@pytest.fixture
def curriculum(curriculum: Curriculum) -> Curriculum:
    """The fixture curriculum with 'Reading tides' aligned to an ESCO skill and an O*NET occupation."""
    tides = replace(curriculum.skills["tides"], alignments=(ESCO_HAZARDS, ONET_CAPTAINS))
    return replace(curriculum, skills={**curriculum.skills, "tides": tides})


def text_of(html: str) -> str:
    return re.sub(r" ([:;.,)])", r"\1", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def external_links(html: str) -> dict[str, str]:
    """Link text -> href, for links that leave the site."""
    return {
        re.sub(r"\s+", " ", name).strip(): href
        for href, name in re.findall(r'<a href="([^"]+)" rel="external noopener">(.*?)</a>', html, re.S)
    }


def achievement_of(credential: dict[str, Any] | None) -> dict[str, Any]:
    return found(credential)["credentialSubject"]["achievement"]


async def test_the_credential_carries_the_framework_alignments_after_the_skill(earned: Earned):
    alignments = achievement_of(earned.badge.credential)["alignment"]
    assert [(a["targetName"], a.get("targetFramework")) for a in alignments] == [
        ("Reading tides", None),
        ("identify hazards in the workplace", "ESCO"),
        ("Captains, Mates, and Pilots of Water Vessels", "O*NET"),
        ("Tying knots", None),
    ]
    onet = alignments[2]
    assert (onet["targetUrl"], onet["targetCode"], onet["targetType"]) == (ONET_CAPTAINS.url, "53-5021.00", "ext:Occupation")


async def test_the_achievement_page_links_each_framework_node(client: httpx.AsyncClient, earned: Earned):
    response = await client.get("/achievements/deckhand", headers=HTML)
    assert response.status_code == 200
    words = text_of(response.text)
    assert (
        "Reading tides: mastery of at least 80% Knowing when the water comes and goes. Framework alignment: "
        "ESCO: identify hazards in the workplace; O*NET: Captains, Mates, and Pilots of Water Vessels"
    ) in words
    assert "each framework alignment links to the framework's own page for it" in words
    assert "not aligned to a public skills framework" not in words
    assert external_links(response.text) == {ESCO_HAZARDS.name: ESCO_HAZARDS.url, ONET_CAPTAINS.name: ONET_CAPTAINS.url}


async def test_the_skill_page_lists_its_framework_alignment(client: httpx.AsyncClient, earned: Earned):
    response = await client.get("/skills/tides", headers=HTML)
    assert response.status_code == 200
    words = text_of(response.text)
    for said in (
        "Defined by Acme Plant Academy; aligned to ESCO, O*NET (see Framework alignment).",
        "Framework alignment ESCO: identify hazards in the workplace O*NET: Captains, Mates, and Pilots of Water Vessels (code 53-5021.00)",
    ):
        assert said in words, said
    assert external_links(response.text) == {ESCO_HAZARDS.name: ESCO_HAZARDS.url, ONET_CAPTAINS.name: ONET_CAPTAINS.url}
    unaligned = text_of((await client.get("/skills/knots", headers=HTML)).text)
    assert "not aligned to a public skills framework" in unaligned and "Framework alignment" not in unaligned


async def test_the_skill_json_names_the_framework_competencies(client: httpx.AsyncClient, earned: Earned):
    skill = (await client.get("/skills/tides", headers=JSON_LD)).json()
    assert skill["majorAlignment"] == [ESCO_HAZARDS.url], "an O*NET occupation is not a competency"
    canonical = canonicalize(skill, document_loader=BundledDocumentLoader())
    assert f"<https://learn.example.com/skills/tides> <{CTDL_ASN}majorAlignment> <{ESCO_HAZARDS.url}> ." in canonical
    assert "majorAlignment" not in (await client.get("/skills/knots", headers=JSON_LD)).json()
