"""The achievement page of a retired credential (L&D wrote `retired: true` in its file), over
ASGI on SQLite and PostgreSQL: it says plainly that the credential is retired, no longer awarded,
and that those already issued stay valid until they expire; its JSON-LD is still exactly the
OBv3 Achievement the issued credentials carry (retirement adds no term of its own); and a
credential issued before it was retired still verifies on its page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from bot.clock import ManualClock
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.documents import BundledDocumentLoader, canonicalize
from credentials.issuer import IssuerIdentity
from tests.support import found
from tests.web.conftest import Earned
from tests.web.test_achievement_pages import HTML, JSON_LD, RDF_TYPE, achievement_of, path_of, text_of
from web.app import create_app

REASON = "Replaced by the Able Seaman badge."


@pytest.fixture
async def retired_client(
    store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity
) -> AsyncIterator[httpx.AsyncClient]:
    """The app after L&D retired the Deckhand badge (with a reason) and the Mariner Certificate."""
    credentials = curriculum.credentials
    retired = replace(
        curriculum,
        credentials={
            **credentials,
            "deckhand": replace(credentials["deckhand"], retired=True, retired_reason=REASON),
            "mariner": replace(credentials["mariner"], retired=True),
        },
    )
    app = create_app(store=store, curriculum=retired, issuer=issuer, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


async def test_the_page_of_a_retired_badge_says_it_is_no_longer_awarded_and_issued_ones_stay_valid(
    earned: Earned, retired_client: httpx.AsyncClient
):
    response = await retired_client.get("/achievements/deckhand", headers=HTML)
    assert response.status_code == 200
    words = text_of(response.text)
    for said in (
        "Retired This badge is retired: it is no longer awarded or renewed. Badges already issued stay valid until they expire.",
        REASON,
        "Badge Deckhand",
        "How it was earned",
        "1 person holds it at the moment",
    ):
        assert said in words, said
    assert words.index("Retired") < words.index("Badge Deckhand"), "said first"
    certificate = text_of((await retired_client.get("/achievements/mariner", headers=HTML)).text)
    assert "This certificate is retired: it is no longer awarded or renewed. Certificates already issued stay valid until they expire." in (
        certificate
    )


async def test_a_badge_still_awarded_says_nothing_of_retirement(earned: Earned, client: httpx.AsyncClient):
    words = text_of((await client.get("/achievements/deckhand", headers=HTML)).text)
    assert "retired" not in words.lower() and "How it is earned" in words


async def test_the_json_ld_of_a_retired_achievement_is_the_one_its_credentials_carry(earned: Earned, retired_client: httpx.AsyncClient):
    embedded = achievement_of(earned.badge.credential)
    response = await retired_client.get(path_of(embedded["id"]), headers=JSON_LD)
    document = response.json()
    document.pop("@context")
    assert document == embedded, "no term of its own: still the OBv3 Achievement of the issued credentials"
    canonical = canonicalize(response.json(), document_loader=BundledDocumentLoader())
    assert f"<{embedded['id']}> <{RDF_TYPE}> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement> ." in canonical


async def test_a_credential_issued_before_retirement_still_verifies_on_its_page(
    earned: Earned, retired_client: httpx.AsyncClient, issuer: IssuerIdentity
):
    for award in (earned.badge, earned.certificate):
        page = text_of((await retired_client.get(f"/credentials/{award.public_id}", headers=HTML)).text)
        assert "Valid This credential is valid" in page, page[:300]
        assert issuer.verify(found(award.credential)).ok
