"""The dashboard and the landing page on a phone (390 px) and a desktop (1280 px), in headless
Chromium, with the sample curriculum's ten skills: no page scrolls sideways, the heatmap's skill
names do not overlap and it fits a desktop (on a phone it scrolls in a box the keyboard can
reach), its figures are also given as a table with headers, the pages pass the automated
accessibility check (axe-core, tests/web/accessibility.py) and load nothing from elsewhere and
run no scripts. Screenshots are saved for a person to look at."""

from __future__ import annotations

from functools import partial
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.core import Core
from bot.events import LearnerRef
from bot.people import import_people, read_people
from bot.store.store import SqlStore
from content.loader import load_curriculum
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.conftest import PROJECT_DIR
from tests.support import Chat
from tests.web.accessibility import axe_source, blocking
from tests.web.dashboard_support import WAYS_IN, sign_in, team_link
from tests.web.server import serving
from web.app import create_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TEAM = "Plant Operations, Night Shift North"
PEOPLE = f"""platform,user_id,name,team,role,manages
console,ana,Ana Lima,"{TEAM}",learner,
console,bo,Bo Chen,"{TEAM}",learner,
console,max,Maximiliana Konstantinopoulou-Abernethy,"{TEAM}",learner,
console,rui,Rui Oliveira,"{TEAM}",learner,
telegram,900,Maria Manager,,manager,"{TEAM}"
"""
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def sample() -> Curriculum:
    result = load_curriculum(PROJECT_DIR / "content")
    assert result.curriculum is not None, result.problems
    return result.curriculum


def overlap(a: list[list[float]], b: list[list[float]]) -> bool:
    """Whether two convex polygons (corners in order) overlap: no separating axis among their edges."""
    for polygon in (a, b):
        for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
            nx, ny = y2 - y1, x1 - x2
            pa, pb = [nx * x + ny * y for x, y in a], [nx * x + ny * y for x, y in b]
            if max(pa) <= min(pb) or max(pb) <= min(pa):
                return False
    return True


CORNERS = """(svg, selector) => [...svg.querySelectorAll(selector)].map(text => {
    const box = text.getBBox(), matrix = text.getScreenCTM();
    return [[box.x, box.y], [box.x + box.width, box.y], [box.x + box.width, box.y + box.height], [box.x, box.y + box.height]]
        .map(([x, y]) => { const p = new DOMPoint(x, y).matrixTransform(matrix); return [p.x, p.y]; });
})"""


def note_if_elsewhere(urls: list[str], base: str, request: Any) -> None:
    """A page's request, noted in `urls` when it goes anywhere but our server."""
    if not request.url.startswith(base):
        urls.append(request.url)


async def page_width(page: Any) -> tuple[int, int]:
    return await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


async def test_every_page_reads_on_a_phone_and_a_desktop(
    browser: Any,
    store: SqlStore,
    sample: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
    tmp_path: Path,
):
    core = Core(curriculum=sample, store=store, clock=clock, issuer=issuer)
    people, problems = read_people(PEOPLE)
    assert problems == []
    await import_people(store, people, now=clock.now())
    for user in ("ana", "max"):
        chat = Chat(core, user, platform="console")
        await chat.start()
        await chat.take_next_lesson()
    async with store.transaction() as tx:
        team_id = (await tx.teams.all())[0].id
        members = {m.display_name: m.id for m in await tx.teams.members(team_id)}
    maria = LearnerRef("telegram", "900", "Maria")
    axe_source()  # installed, or a skip saying how

    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=sample, issuer=issuer, clock=clock)

    with serving(make_app, database_url) as base:
        team_page = f"/dashboard/teams/{team_id}"
        pages = {
            "landing": "/",
            "not-signed-in": "/dashboard",
            "sign-in": None,
            "overview": "/dashboard",
            "team": team_page,
            "learner": f"/dashboard/learners/{members['Maximiliana Konstantinopoulou-Abernethy']}",
        }
        for size_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            context = await browser.new_context(viewport=viewport)
            page = await context.new_page()
            elsewhere: list[str] = []
            page.on("request", partial(note_if_elsewhere, elsewhere, base))
            link = await team_link(core, maria, f"team-{size_name}")
            for name, path in pages.items():
                if name == "sign-in":
                    await page.goto(base + link)
                elif name == "overview":
                    await sign_in(page, base, link)
                else:
                    assert path is not None, name
                    await page.goto(base + path)
                await page.screenshot(path=str(tmp_path / f"{name}-{size_name}.png"), full_page=True)
                width, viewport_width = await page_width(page)
                assert width <= viewport_width, f"{name} at {viewport_width} px is {width} px wide"
                assert await page.evaluate("() => document.scripts.length") == 0, name
                assert await blocking(page, f"{name} ({size_name})") == []
            assert elsewhere == [], "nothing loaded from elsewhere"

            await page.goto(base + team_page)
            heatmap = page.locator("#heatmap")
            columns = await heatmap.evaluate(CORNERS, "text.column")
            assert len(columns) == len(sample.skills) == 10
            clashes = [(i, j) for i, j in combinations(range(len(columns)), 2) if overlap(columns[i], columns[j])]
            assert clashes == [], "skill names overlap"
            rows = await heatmap.evaluate(CORNERS, "text.row")
            first_cell = await page.locator("#heatmap rect.cell").first.bounding_box()
            assert max(x for row in rows for x, _ in row) <= first_cell["x"], "learner names stop before the cells"
            box = page.get_by_role("region", name="Mastery heatmap (scrolls sideways)")
            if size_name == "desktop":
                assert await box.evaluate("box => box.scrollWidth <= box.clientWidth"), "the heatmap fits a desktop"
            else:  # it scrolls in its box, which the keyboard reaches and scrolls
                assert await box.evaluate("box => box.scrollWidth > box.clientWidth")
                await box.focus()
                await page.keyboard.press("ArrowRight")
                await page.wait_for_function("() => document.querySelector('.figure-scroll').scrollLeft > 0")
            await page.locator("#heatmap").screenshot(path=str(tmp_path / f"heatmap-{size_name}.png"))
            await context.close()

        # The heatmap's figures as a table: a row per learner, a column per skill, as in the chart.
        page = await browser.new_page()
        await sign_in(page, base, await team_link(core, maria, "team-list"))
        await page.goto(base + team_page)
        await page.get_by_text("Show mastery as a table").click()
        table = page.get_by_role("table", name="Mastery by learner and skill, in percent")
        skills = await table.locator("thead th[scope=col]").all_inner_texts()
        assert skills == ["Learner", *(skill.name for skill in sample.skills.values())]
        names = await table.locator("tbody th[scope=row]").all_inner_texts()
        assert names == ["Ana Lima", "Bo Chen", "Maximiliana Konstantinopoulou-Abernethy", "Rui Oliveira"]
        for position, learner in enumerate(names):
            figures = await table.locator("tbody tr").nth(position).locator("td").all_inner_texts()
            cells = page.locator(f'#heatmap rect.cell[data-learner="{learner}"]')
            expected = [f"{round(100 * float(await c.get_attribute('data-mastery')))}%" for c in await cells.all()]
            assert figures == expected and len(figures) == 10
            assert [await c.get_attribute("data-skill") for c in await cells.all()] == skills[1:]
        ana = await table.locator("tbody tr").first.locator("td").all_inner_texts()
        assert any(figure != "0%" for figure in ana), "Ana took a lesson: some mastery shows"
        # A screen reader names each figure by its learner and skill.
        first = table.locator("tbody tr").first.locator("td").first
        assert await first.evaluate("cell => [cell.closest('tr').querySelector('th').scope, cell.cellIndex]") == ["row", 1]


async def test_the_landing_page_says_what_this_is_and_how_to_get_in(
    browser: Any,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=curriculum, issuer=issuer, clock=clock)

    with serving(make_app, database_url) as base:
        page = await browser.new_page()
        response = await page.goto(base + "/")
        assert response.status == 200 and response.headers["content-type"].startswith("text/html")
        assert await page.locator("h1").inner_text() == "Acme Plant Academy"
        assert await page.locator("h2").all_inner_texts() == ["CHECKING A CREDENTIAL", "THE TEAM DASHBOARD", "HOW TO GET IN"]
        assert await page.locator("#ways-in li").all_inner_texts() == WAYS_IN
        links = {await a.inner_text(): await a.get_attribute("href") for a in await page.locator("main a").all()}
        assert links == {
            "/.well-known/did.json": "/.well-known/did.json",
            "/status/revocation": "/status/revocation",
            "/dashboard": "/dashboard",
        }
        for href in links.values():
            assert (await page.request.get(base + href)).status in (200, 401), href
