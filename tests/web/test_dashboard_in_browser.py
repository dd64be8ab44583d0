"""The managers' dashboard in headless Chromium: signed in through the one-time link the bot
sends in chat (a page with a Sign in button); a reused or expired link, another team's page or
export, and no session are refused."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.clock import ManualClock
from bot.core import Core
from bot.events import Command, LearnerRef
from bot.people import import_people, read_people
from bot.records import Award
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.support import Chat, found, text_of
from tests.web.dashboard_support import TOKEN, WAYS_IN, downloaded_lines, sign_in, team_link
from tests.web.server import serving
from web.app import create_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PEOPLE = """platform,user_id,name,team,role,manages
console,ana,Ana Lima,Deck,learner,
console,caio,Caio Souza,Deck,learner,
console,eve,Eve Stone,Engine,learner,
telegram,900,Maria Manager,,manager,Deck
"""
MARIA = LearnerRef("telegram", "900", "Maria")


async def deck_where_ana_took_a_lesson(store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity) -> Core:
    """The teams of PEOPLE, after Ana (team Deck) took the first lesson in the console."""
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
    ana = Chat(core, "ana", platform="console")
    await ana.start()
    await ana.take_next_lesson()
    people, problems = read_people(PEOPLE)
    assert problems == []
    await import_people(store, people, now=clock.now())
    return core


async def test_a_manager_signs_in_with_the_link_and_sees_only_their_team(
    browser: Any,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    core = await deck_where_ana_took_a_lesson(store, curriculum, clock, issuer)
    async with store.transaction() as tx:
        teams = {t.name: t.id for t in await tx.teams.all()}
    [reply] = await core.handle(Command(learner=LearnerRef("telegram", "900", "Maria"), source_id="team-1", name="team"))
    assert "**Deck**: 2 learners, 1 active this week, 1 on a streak, 1 lessons done, 0 credentials" in text_of(reply)
    assert "Engine" not in text_of(reply)
    link = "/dashboard/signin?token=" + found(TOKEN.search(text_of(reply))).group(1)

    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=curriculum, issuer=issuer, clock=clock)

    with serving(make_app, database_url) as base:
        local_link = base + link
        page = await browser.new_page()
        # No session: refused, with every way in.
        response = await page.goto(f"{base}/dashboard")
        assert response.status == 401 and await page.locator(".status-word").inner_text() == "Not signed in"
        assert await page.locator("#ways-in li").all_inner_texts() == WAYS_IN
        # The link signs in once.
        await sign_in(page, base, link)
        assert await page.locator(".topbar .who").inner_text() == "Signed in as Maria Manager"
        rows = await page.locator("#teams tbody tr").all_inner_texts()
        assert rows == ["Deck\t2\t1\t1\t1\t1\t0"], "2 learners, 1 active, 1 on a streak, longest 1 day, 1 lesson, 0 credentials"
        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="Export CSV").click()
        overview_csv = await downloaded_lines(download_info)
        assert overview_csv == ["team,learners,active this week,on a streak,longest streak,lessons done,credentials", "Deck,2,1,1,1,1,0"], (
            "only Maria's team"
        )
        cookie = next(c for c in await page.context.cookies() if c["name"] == "mb_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        await page.get_by_role("link", name="Deck").click()
        members = await page.locator("#members tbody tr").all_inner_texts()
        assert members == ["Ana Lima\t1\t0\tyes\t1", "Caio Souza\t0\t0\tno\t0"], "Ana learned today: a streak of 1"
        # Mastery heatmap: learners x skills, Ana's tides mastery visible, Caio's nothing yet.
        cells = page.locator("#heatmap rect.cell")
        assert await cells.count() == 2 * len(curriculum.skills)
        tides_cell = '#heatmap rect[data-learner="{}"][data-skill="Reading tides"]'
        ana_tides = float(await page.locator(tides_cell.format("Ana Lima")).get_attribute("data-mastery"))
        caio_tides = float(await page.locator(tides_cell.format("Caio Souza")).get_attribute("data-mastery"))
        assert ana_tides > 0.3 and caio_tides == 0.0
        funnel = {
            await b.get_attribute("data-step"): int(await b.get_attribute("data-count"))
            for b in await page.locator("#funnel rect.bar").all()
        }
        assert funnel == {"Started": 1, "Tides": 1, "Knots": 0, "Deckhand": 0, "Mariner Certificate": 0}
        assert "Nobody is drifting" in await page.locator("#drifting").inner_text()
        await page.screenshot(path="/tmp/team-page.png", full_page=True)  # for a person to look at
        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="Export CSV").click()
        csv_text = await downloaded_lines(download_info)
        assert csv_text[0].startswith("learner,lessons done,credentials,active this week,drifting,streak,mastery: ")
        assert csv_text[1].startswith("Ana Lima,1,0,yes,no,1,") and csv_text[2].startswith("Caio Souza,0,0,no,no,0,0.0")

        # Another team's page and export: refused, even when signed in.
        assert (await page.goto(f"{base}/dashboard/teams/{teams['Engine']}")).status == 403
        assert (await page.goto(f"{base}/dashboard/teams/{teams['Engine']}/export.csv")).status == 403
        # The same link again, in a fresh browser: refused.
        other = await (await browser.new_context()).new_page()
        response = await other.goto(local_link)
        assert response.status == 403 and "used or has expired" in await other.content()
        # A new link, opened too late: refused.
        late_link = await team_link(core, MARIA, "team-2")
        clock.advance(minutes=16)
        response = await other.goto(base + late_link)
        assert response.status == 403
        # Two weeks on (sessions last 12 hours: sign in again), Ana has drifted.
        clock.advance(days=15)
        fresh_link = await team_link(core, MARIA, "team-4")
        assert (await page.goto(f"{base}/dashboard/teams/{teams['Deck']}")).status == 401, "the old session has ended"
        await sign_in(page, base, fresh_link)
        await page.goto(f"{base}/dashboard/teams/{teams['Deck']}")
        assert "Ana Lima: finished a lesson, then nothing for two weeks" in await page.locator("#drifting").inner_text()
        # A learner cannot ask for a link at all.
        [nope] = await core.handle(Command(learner=LearnerRef("console", "ana", "Ana"), source_id="team-3", name="team"))
        assert "for managers" in text_of(nope) and "signin" not in text_of(nope)


async def test_a_forged_session_cookie_gets_nothing(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", cookies={"mb_session": "forged"}
    ) as client:
        assert (await client.get("/dashboard")).status_code == 401
        assert (await client.get("/dashboard/export.csv")).status_code == 401
        assert (await client.get("/dashboard/teams/1/export.csv")).status_code == 401
        assert (await client.get("/dashboard/signin", params={"token": "guess"})).status_code == 403


async def test_credentials_over_time_and_one_learners_page(
    browser: Any,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    core = await deck_where_ana_took_a_lesson(store, curriculum, clock, issuer)
    now = clock.now()
    async with store.transaction() as tx:
        teams = {t.name: t.id for t in await tx.teams.all()}
        ids = {m.display_name: m.id for m in await tx.teams.members(teams["Deck"])}
        eve = (await tx.teams.members(teams["Engine"]))[0].id
        # Earned over the weeks: Caio's badge long ago, Ana's badge three weeks ago and her
        # certificate this week, Eve's (another team) this week; one revoked award counts nowhere.
        for learner, definition, kind, weeks_ago, revoked in [
            (ids["Caio Souza"], "deckhand", "badge", 20, False),
            (ids["Ana Lima"], "deckhand", "badge", 3, False),
            (ids["Ana Lima"], "mariner", "certificate", 0, False),
            (eve, "deckhand", "badge", 0, False),
            (ids["Caio Souza"], "mariner", "certificate", 1, True),
        ]:
            await tx.awards.add(
                Award(
                    public_id=str(uuid.uuid4()),
                    learner_id=learner,
                    definition_id=definition,
                    kind=kind,
                    renewal=0,
                    awarded_at=now - timedelta(weeks=weeks_ago),
                    valid_until=None,
                    evidence={},
                    revoked_at=now if revoked else None,
                )
            )
        ana_badge = next(a for a in await tx.awards.of(ids["Ana Lima"]) if a.definition_id == "deckhand").public_id
    link = await team_link(core, MARIA, "team-1")

    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=curriculum, issuer=issuer, clock=clock)

    with serving(make_app, database_url) as base:
        page = await browser.new_page()
        # Without a session a learner's page is refused too.
        assert (await page.goto(f"{base}/dashboard/learners/{ids['Ana Lima']}")).status == 401
        await sign_in(page, base, link)
        await page.goto(f"{base}/dashboard/teams/{teams['Deck']}")
        weeks = [
            (await w.get_attribute("data-earned"), await w.get_attribute("data-total"))
            for w in await page.locator("#credentials-chart rect.week").all()
        ]
        assert len(weeks) == 12, "the last twelve weeks, this one last"
        assert weeks[-1] == ("1", "3") and weeks[-4] == ("1", "2") and weeks[0] == ("0", "1"), weeks
        assert sum(int(earned) for earned, _ in weeks) == 2, "Caio's old badge is in the total only; Eve's is another team's"
        assert len((await page.locator("#credentials-total").get_attribute("points")).split()) == 12
        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="Credentials as CSV").click()
        rows = await downloaded_lines(download_info)
        assert rows[0] == "week starting,credentials earned,credentials held" and rows[-1].endswith(",1,3")

        await page.locator("#credentials-chart").screenshot(path="/tmp/credentials-chart.png")  # for a person to look at
        # One learner's page, from the team page.
        await page.get_by_role("link", name="Ana Lima").click()
        assert page.url == f"{base}/dashboard/learners/{ids['Ana Lima']}"
        assert await page.locator("h1").inner_text() == "Ana Lima"
        summary = await page.locator("#summary").inner_text()
        assert "Deck" in summary and "1 of 2" in summary
        lessons = await page.locator("#lessons tbody tr").all_inner_texts()
        assert lessons == [f"Tides\t{now:%Y-%m-%d}", "Knots\tnot yet"]
        tides = float(await page.locator('#mastery rect.bar[data-skill="Reading tides"]').get_attribute("data-mastery"))
        assert tides > 0.3
        credentials = await page.locator("#credentials tbody tr").all_inner_texts()
        assert credentials == [
            f"Deckhand\tbadge\t{now - timedelta(weeks=3):%Y-%m-%d}\tvalid",
            f"Mariner Certificate\tcertificate\t{now:%Y-%m-%d}\tvalid",
        ]
        assert await page.get_by_role("link", name="Deckhand").get_attribute("href") == f"/credentials/{ana_badge}"
        activity = await page.locator("#activity tbody tr").all_inner_texts()
        assert activity[0].startswith("Completed “Tides”") and activity[-1].startswith("Started “Tides”")
        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="Export CSV").click()
        rows = await downloaded_lines(download_info)
        assert rows[0] == "section,item,when,state" and "lesson,Knots,,not yet" in rows
        assert any(r.startswith("credential,Deckhand,") and r.endswith(",valid") for r in rows)
        await page.screenshot(path="/tmp/learner-page.png", full_page=True)  # for a person to look at

        # Someone in another team, and someone who does not exist: the same refusal.
        for learner_id in (eve, 999_999):
            response = await page.goto(f"{base}/dashboard/learners/{learner_id}")
            assert response.status == 403 and "not in one of your teams" in await page.content()
        assert (await page.goto(f"{base}/dashboard/learners/{eve}/export.csv")).status == 403
