"""The compliance matrix in headless Chromium (tests/compliance_support.py's programme, 1 June
2026): signed in with a dashboard link, an admin reaches it from the top bar, narrows it with the
filters (a team, a past day, a status, the expiring window) and downloads exactly what the page
shows as CSV; a manager is offered only her team and is refused another however the URL is
written; the page reads on a phone (one card per person, only what is required of them) and on a
desktop (the table scrolls in its own box, never the page), with its caption and header scopes."""

from __future__ import annotations

import asyncio
import csv
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.store.store import SqlStore
from bot.team import signin_link
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.compliance_support import FORMULA, NOW, Programme, seed, with_roles
from tests.web.dashboard_support import sign_in
from tests.web.server import serving
from web.app import create_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}


async def link_for(store: SqlStore, learner_id: int) -> str:
    async with store.transaction() as tx:
        viewer = await tx.learners.by_id(learner_id)
        assert viewer is not None
        return await signin_link(tx, viewer, "", NOW)


def read_csv(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


async def shown(page: Any) -> list[list[str]]:
    """The matrix as a person reads it: the header, then each row's cells (a dash read as 'not required')."""
    header = await page.locator("#matrix thead th").all_inner_texts()
    rows = []
    for row in await page.locator("#matrix tbody tr").all():
        name = await row.locator("th").inner_text()
        cells = [" ".join((await cell.text_content() or "").replace("—", "").split()) for cell in await row.locator("td").all()]
        rows.append([name, *cells])
    return [[h.strip().lower() if i < 2 else h.strip() for i, h in enumerate(header)], *rows]


@pytest.fixture
def app_maker(curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity) -> Any:
    clock.set(NOW)

    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=with_roles(curriculum), issuer=issuer, clock=clock)

    return make_app


async def test_an_admin_filters_the_matrix_and_downloads_what_it_shows(browser: Any, store: SqlStore, database_url: str, app_maker: Any):
    people: Programme = await seed(store)
    link = await link_for(store, people.lee)
    with serving(app_maker, database_url) as base:
        page = await (await browser.new_context(accept_downloads=True, viewport=DESKTOP)).new_page()
        await sign_in(page, base, link)
        await page.get_by_role("link", name="Compliance").click()
        await page.wait_for_url(f"{base}/dashboard/compliance")
        assert await page.locator("h1").inner_text() == "Compliance"
        assert await page.locator("#matrix caption").inner_text() == "The whole organisation: people by credential required, now"
        assert await page.locator("#matrix thead th[scope=col]").count() == 4
        assert await page.locator("#matrix tbody th[scope=row]").count() == 7
        assert await page.locator("#legend dt").all_text_contents() == [
            "valid",
            "expiring",
            "expired",
            "overdue",
            "in progress",
            "not started",
            "—not required",
        ]
        now = await shown(page)
        assert ["Ana Lima", "Deck", "overdue", "not required"] in now and ["Bo Chen", "Deck", "overdue", "overdue"] in now
        assert await page.locator("#membership-note").count() == 0

        # As of 14 March, the Deck only, those with something overdue or valid.
        await page.get_by_label("Who", exact=True).select_option(label="Team: Deck")
        await page.get_by_label("As of", exact=True).fill("2026-03-14")
        await page.get_by_label("overdue", exact=True).check()
        await page.get_by_label("valid", exact=True).check()
        await page.get_by_role("button", name="Show").click()
        await page.wait_for_url("**/dashboard/compliance?*as_of=2026-03-14*")
        then = await shown(page)
        assert then == [
            ["person", "team", "Deckhand", "Mariner Certificate"],
            [FORMULA, "Deck", "overdue", "not required"],
            ["Ana Lima", "Deck", "valid", "not required"],
        ], "Ana held Deckhand on 14 March (revoked on 20 March); Bo had not started, Dee has nothing required"
        assert await page.locator("#when").inner_text() == "As the record stood at the end of 14 March 2026 (UTC)."
        assert "Team membership has no history" in await page.locator("#membership-note").inner_text()
        assert await page.get_by_label("As of", exact=True).input_value() == "2026-03-14", "the form keeps the filters"
        assert (
            await page.get_by_label("overdue", exact=True).is_checked()
            and not await page.get_by_label("in progress", exact=True).is_checked()
        )
        said = await page.locator("#shown").inner_text()
        assert said == "Showing 1\u20132 of 2 people with a credential that is overdue or valid (4 in all)."
        async with page.expect_download() as download:
            await page.get_by_role("link", name="Download CSV").click()
        saved = await (await download.value).path()
        assert (await download.value).suggested_filename == f"compliance-team-{people.deck}-2026-03-14.csv"
        rows = await asyncio.to_thread(read_csv, saved)
        assert rows == [[*then[0][:2], *then[0][2:]], ["'" + FORMULA, *then[1][1:]], then[2]], "the page, formula-safe"

        # The expiring window: the formula person's Deckhand runs to 28 October, 149 days away.
        await page.goto(f"{base}/dashboard/compliance")
        await page.get_by_label("Expiring within (days)", exact=True).fill("150")
        await page.get_by_label("expiring", exact=True).check()
        await page.get_by_role("button", name="Show").click()
        await page.wait_for_url("**within=150**")
        assert (await shown(page))[1:] == [[FORMULA, "Deck", "expiring", "not required"]]
        # A day after today: the date input stops it (its max is today); sent anyway, the page says why.
        await page.get_by_label("As of", exact=True).fill("2026-06-02")
        assert await page.get_by_label("As of", exact=True).evaluate("input => input.validity.rangeOverflow")
        await page.goto(f"{base}/dashboard/compliance?as_of=2026-06-02")
        assert "2026-06-02 is in the future" in await page.locator("#filter-error").inner_text()
        assert await page.locator("#matrix").count() == 0


async def test_a_manager_sees_her_team_only_whatever_the_url(browser: Any, store: SqlStore, database_url: str, app_maker: Any):
    people: Programme = await seed(store)
    link = await link_for(store, people.maria)
    with serving(app_maker, database_url) as base:
        page = await (await browser.new_context(viewport=DESKTOP)).new_page()
        await sign_in(page, base, link)
        await page.goto(f"{base}/dashboard/compliance")
        assert await page.locator("#scope option").all_inner_texts() == [
            "All your teams",
            "Team: Deck",
            "Job role: Deck crew",
            "Job role: Navigator",
        ]
        names = [row[0] for row in (await shown(page))[1:]]
        assert names == [FORMULA, "Ana Lima", "Bo Chen", "Dee Park"], "Deck only"
        for url in (
            f"/dashboard/compliance?scope=team-{people.engine}",
            f"/dashboard/compliance?scope=team-{people.engine}&as_of=2026-03-14&status=in_progress",
        ):
            response = await page.goto(base + url)
            assert response.status == 403
            assert await page.locator(".status p:not(.status-word)").inner_text() == "This team or job role is not one you can see."
            assert "Cy Silva" not in await page.content()
        assert (await page.request.get(f"{base}/dashboard/compliance.csv?scope=team-{people.engine}")).status == 403
        await page.goto(f"{base}/dashboard/compliance?scope=role-deck-crew")
        assert [row[0] for row in (await shown(page))[1:]] == [FORMULA, "Ana Lima"], "the role's holders in her team, not Cy"


async def test_the_matrix_reads_on_a_phone_and_scrolls_in_its_box_on_a_desktop(
    browser: Any, store: SqlStore, database_url: str, app_maker: Any
):
    people: Programme = await seed(store)
    link = await link_for(store, people.lee)
    with serving(app_maker, database_url) as base:
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await sign_in(page, base, link)
        await page.goto(f"{base}/dashboard/compliance")
        width = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"the page is {width[0]} px wide on a {width[1]} px phone"
        bo = page.locator("#matrix tbody tr", has=page.locator("th", has_text="Bo Chen"))
        visible = [await cell.is_visible() for cell in await bo.locator("td").all()]
        assert visible == [True, True, True], "team and both credentials"
        dee = page.locator("#matrix tbody tr", has=page.locator("th", has_text="Dee Park"))
        assert [await cell.is_visible() for cell in await dee.locator("td").all()] == [True, False, False], "nothing required: no cells"
        label = await bo.locator("td.cell-overdue").first.evaluate("cell => getComputedStyle(cell, '::before').content")
        assert label == '"Deckhand"', "each cell names its credential on a card"
        assert await page.evaluate("() => document.scripts.length") == 0

        await page.set_viewport_size(DESKTOP)
        await page.goto(f"{base}/dashboard/compliance")
        width = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1]
        box = await page.locator(".matrix-scroll").evaluate("box => [box.scrollWidth, box.clientWidth, getComputedStyle(box).overflowX]")
        assert box[2] == "auto" and box[0] >= box[1]
        assert await page.locator("#matrix thead").is_visible()
