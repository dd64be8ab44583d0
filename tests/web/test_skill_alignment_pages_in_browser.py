"""The framework alignment of a skill on a phone's screen, in a real headless Chromium served by
uvicorn on 127.0.0.1: the achievement page and the skill page show each framework node as a link
that leaves the site (rel="external noopener"), still fit the screen, run no script and load
nothing from the frameworks' sites."""

from __future__ import annotations

from dataclasses import replace
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
from tests.web.test_achievement_pages_in_browser import PHONE, fits, note_if_elsewhere
from tests.web.test_skill_alignment_pages import ESCO_HAZARDS, ONET_CAPTAINS
from web.app import create_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SCREENSHOT = Path("/tmp/skill-alignment-page.png")


@pytest.fixture
def curriculum(curriculum: Curriculum) -> Curriculum:
    tides = replace(curriculum.skills["tides"], alignments=(ESCO_HAZARDS, ONET_CAPTAINS))
    return replace(curriculum, skills={**curriculum.skills, "tides": tides})


async def test_framework_alignments_read_on_a_phone_and_lead_off_the_site(
    browser: Any,
    earned: Earned,
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

        await page.goto(f"{base}/achievements/deckhand")
        tides = page.locator("#skills li").filter(has_text="Reading tides")
        assert "Framework alignment: ESCO: identify hazards in the workplace; O*NET: Captains" in await tides.inner_text()
        esco = tides.get_by_role("link", name=ESCO_HAZARDS.name)
        assert (await esco.get_attribute("href"), await esco.get_attribute("rel")) == (ESCO_HAZARDS.url, "external noopener")
        await fits(page)

        await tides.get_by_role("link", name="Reading tides").click()
        await page.wait_for_url(f"{base}/skills/tides")
        assert await page.locator("#alignments li").all_inner_texts() == [
            f"ESCO: {ESCO_HAZARDS.name}",
            f"O*NET: {ONET_CAPTAINS.name} (code {ONET_CAPTAINS.code})",
        ]
        onet = page.locator("#alignments").get_by_role("link", name=ONET_CAPTAINS.name)
        assert (await onet.get_attribute("href"), await onet.get_attribute("rel")) == (ONET_CAPTAINS.url, "external noopener")
        await fits(page)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)
        await context.close()
    assert elsewhere == [], "the pages load nothing from the frameworks' sites"
