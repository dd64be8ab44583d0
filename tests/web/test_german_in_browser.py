"""The pages in German in a real browser: Chromium set to German (its Accept-Language) gets German
pages that pass the accessibility check (axe-core: the page's language is declared, and each
page's texts fit a phone); the language link switches to English, and English stays."""

from __future__ import annotations

from typing import Any

import pytest

from bot.clock import ManualClock
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.web.accessibility import axe_source, blocking, open_every_details
from tests.web.conftest import Earned
from tests.web.server import serving
from web.app import create_app

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_german_browser_reads_german_pages_that_pass_the_check_and_can_switch_to_english(
    browser: Any, earned: Earned, store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity, database_url: str
):
    axe_source()  # installed, or a skip saying how

    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=curriculum, issuer=issuer, clock=clock)

    with serving(make_app, database_url) as base:
        page = await (await browser.new_context(viewport=PHONE, locale="de-DE")).new_page()
        found: list[str] = []
        pages = {
            "landing": ("/", "Einen Nachweis prüfen"),
            "credential": (f"/credentials/{earned.certificate.public_id}", "Gültig"),
            "not found": ("/credentials/00000000-0000-4000-8000-000000000000", "Nicht gefunden"),
            "not signed in": ("/dashboard", "Nicht angemeldet"),
        }
        for name, (path, heading) in pages.items():
            await page.goto(base + path)
            assert await page.get_attribute("html", "lang") == "de", name
            assert heading.lower() in (await page.inner_text("main")).lower(), name
            await open_every_details(page)
            width, viewport = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            found += [f"{name}: {width} px wide in a {viewport} px window"] if width > viewport else []
            found += await blocking(page, f"{name} (de)")
        assert found == [], "\n".join(found)

        await page.goto(f"{base}/credentials/{earned.badge.public_id}")
        assert await page.locator("h1").inner_text() == "Decksmann"
        assert await page.get_by_role("img", name="Bild (Badge): Decksmann").count() == 1
        await page.get_by_role("link", name="English").click()
        await page.wait_for_load_state()
        assert await page.get_attribute("html", "lang") == "en"
        assert await page.locator("h1").inner_text() == "Deckhand"
        await page.goto(base + "/")  # the choice is kept, whatever the browser says
        assert await page.get_attribute("html", "lang") == "en"
        assert await page.get_by_role("link", name="Deutsch").count() == 1
