"""The L&D page in headless Chromium after the simulated month of 200 learners (tests/item_histories.py):
an admin signed in with a dashboard link reaches it from the top bar and reads exactly the findings
`content review` prints, each at its file:line with the check's question; a skill's forgetting
curve is an image with a name and a description giving its figures (and the same figures in a table
under it); on a phone (390 px) nothing makes the page scroll sideways, the chart fits the screen and
the table of checks is one card per check, each figure with its column's name."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from bot.clock import ManualClock
from bot.store.store import SqlStore
from bot.team import signin_link
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.item_histories import DECAYING, MAGNET, NOW, planted_findings
from tests.web.dashboard_support import sign_in
from tests.web.review_support import PAGE, sample_content, seed
from tests.web.server import serving
from web.app import create_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def sample() -> Curriculum:
    return sample_content()


@pytest.fixture
def app_maker(sample: Curriculum, clock: ManualClock, issuer: IssuerIdentity) -> Any:
    clock.set(NOW)

    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=sample, issuer=issuer, clock=clock)

    return make_app


async def link_for(store: SqlStore, learner_id: int) -> str:
    async with store.transaction() as tx:
        viewer = await tx.learners.by_id(learner_id)
        assert viewer is not None
        return await signin_link(tx, viewer, "", NOW)


async def findings_read(page: Any) -> list[str]:
    """Each finding as a person reads it: file:line: warning: message."""
    found = []
    for item in await page.locator("#findings li.finding").all():
        where = (await item.locator(".finding-where").inner_text()).strip()
        found += [f"{where}: {m.strip()}" for m in await item.locator(".finding-messages li").all_inner_texts()]
    return found


async def test_an_admin_reads_the_findings_and_the_curves_on_a_phone(
    browser: Any, store: SqlStore, database_url: str, app_maker: Any, sample: Curriculum
):
    lee = (await seed(store, sample)).lee
    link = await link_for(store, lee)
    with serving(app_maker, database_url) as base:
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await sign_in(page, base, link)
        await page.get_by_role("link", name="Review of the checks").click()
        await page.wait_for_url(f"{base}{PAGE}")
        assert await page.locator("h1").inner_text() == "Review of the checks"

        assert sorted(await findings_read(page)) == sorted(planted_findings(sample))
        magnet = sample.find_check(MAGNET)
        assert magnet is not None
        flagged = page.locator(f'li.finding[data-check="{MAGNET}"]')
        await expect(flagged.locator(".finding-title")).to_have_text(magnet.question)
        await expect(flagged.locator("table.shares tbody tr").first).to_contain_text(f"1. {magnet.options[0].text}")
        await expect(flagged.locator("table.shares tbody tr").first).to_contain_text("60%")

        name = sample.skills[DECAYING].name
        chart = page.get_by_role("img", name=f"Forgetting curve of {name}: recalled and predicted")
        await expect(chart).to_have_count(1)
        await expect(chart).to_have_accessible_description(
            f"Recall of {name} by days since the last review. 2 days: 90% recalled, FSRS predicted 90% (585 re-checks); "
            "7 days: 38% recalled, FSRS predicted 85% (585 re-checks). Calibration error 23%."
        )
        figures = page.locator(f"#curve-{DECAYING} details")
        await figures.locator("summary").click()
        await expect(figures.locator("tbody tr").nth(1)).to_have_text("758538%85%")

        # The phone: no sideways scroll of the page; the chart fits; the checks are cards.
        width = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1] == 390, width
        box = await chart.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert await page.locator("#checks thead").evaluate("head => head.getBoundingClientRect().width") <= 1
        first = page.locator("#checks tbody tr").first
        label = await first.locator("td").nth(3).evaluate("cell => getComputedStyle(cell, '::before').content")
        assert label == '"First try"'
        assert await page.evaluate("() => document.scripts.length") == 0
