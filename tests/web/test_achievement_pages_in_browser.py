"""Following a credential's links in a real headless Chromium (Debian's /usr/bin/chromium driven by
Playwright), served by uvicorn on 127.0.0.1: from a real issued credential's page to what the
badge certifies, and on to a skill and the badges that require it, on a phone's screen."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.web.conftest import Earned
from tests.web.server import serving
from web.app import create_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PHONE = {"width": 390, "height": 844}
SCREENSHOT = Path("/tmp/achievement-page.png")


def note_if_elsewhere(urls: list[str], base: str, request: Any) -> None:
    if not request.url.startswith(base):
        urls.append(request.url)


async def fits(page: Any) -> None:
    """The page reads on the phone: nothing wider than the screen, no scripts."""
    width, screen = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"{page.url} is {width} px wide on a {screen} px screen"
    assert await page.evaluate("() => document.scripts.length") == 0


async def test_from_a_credential_to_its_achievement_and_on_to_a_skill(
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

    with serving(make_app, database_url) as base:
        context = await browser.new_context(viewport=PHONE)
        page = await context.new_page()
        elsewhere: list[str] = []
        page.on("request", partial(note_if_elsewhere, elsewhere, base))

        await page.goto(f"{base}/credentials/{earned.badge.public_id}")
        assert await page.locator(".status-word").inner_text() == "Valid"
        await page.locator("h1").get_by_role("link", name="Deckhand").click()
        await page.wait_for_url(f"{base}/achievements/deckhand")

        assert await page.locator("h1").inner_text() == "Deckhand"
        assert await page.locator("#criteria p").inner_text() == curriculum.credentials["deckhand"].criteria
        skills = await page.locator("#skills li").all_inner_texts()
        assert "Reading tides: mastery of at least 80%\nKnowing when the water comes and goes." in skills
        assert len(skills) == len(curriculum.credentials["deckhand"].skills)
        assert "1 person holds it" in await page.locator(".holders").inner_text()
        assert await page.locator("img.badge").evaluate("img => img.complete ? img.naturalWidth : 0") > 0
        await fits(page)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

        await page.get_by_role("link", name="Reading tides").click()
        await page.wait_for_url(f"{base}/skills/tides")
        assert await page.locator("h1").inner_text() == "Reading tides"
        assert await page.locator("#required-by li").all_inner_texts() == ["Deckhand (badge): mastery of at least 80%"]
        await fits(page)

        await page.get_by_role("link", name="Deckhand").click()
        await page.wait_for_url(f"{base}/achievements/deckhand")
        await page.get_by_role("link", name="Mariner Certificate").click()
        await page.wait_for_url(f"{base}/achievements/mariner")
        assert await page.locator("h1").inner_text() == "Mariner Certificate"
        assert "Deckhand" in await page.locator("#earning").inner_text()
        await fits(page)

        response = await page.goto(f"{base}/achievements/no-such-badge")
        assert response is not None and response.status == 404
        assert await page.locator(".status-word").inner_text() == "Not found"
        assert elsewhere == [], "pages load nothing from elsewhere"
        await context.close()
