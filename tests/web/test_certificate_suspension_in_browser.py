"""A suspended certificate as a verifier sees it in headless Chromium: the status says why,
the lapsed badge is marked in the evidence and links the badge's own page, which says revoked."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.clock import ManualClock
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.web.conftest import Earned
from tests.web.server import serving
from tests.web.support import revoke
from web.app import create_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_a_certificate_page_shows_the_badge_that_suspends_it(
    browser: Any,
    earned: Earned,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=curriculum, issuer=issuer, clock=clock)

    await revoke(store, earned.badge.public_id, at=clock.now(), reason="Issued to the wrong learner")
    day = f"{clock.now().day} {clock.now():%B %Y}"
    with serving(make_app, database_url) as base:
        page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        await page.goto(f"{base}/credentials/{earned.certificate.public_id}")
        assert await page.locator(".status-word").inner_text() == "Suspended"
        assert await page.locator(".status p").nth(1).inner_text() == (
            f"This certificate does not count while a badge it stacks is not valid: Deckhand was revoked on {day}. "
            "It counts again once renewed."
        )
        evidence = page.locator(".evidence li", has_text="Badge held: Deckhand")
        assert await evidence.locator(".lapsed").inner_text() == f"Not valid now: Deckhand was revoked on {day}."
        assert await page.get_by_role("link", name="Add to LinkedIn").count() == 0
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390, "fits a phone's screen"
        href = await evidence.get_by_role("link", name="Badge held: Deckhand").get_attribute("href")
        assert href == f"https://learn.example.com/credentials/{earned.badge.public_id}"  # PUBLIC_URL: served here too
        await page.goto(base + urlsplit(href).path)
        assert await page.locator(".status-word").inner_text() == "Revoked"
