"""Assigning from the dashboard in headless Chromium: a manager signed in with the bot's link
opens Assignments, fills the form, sends it and sees what was assigned to how many people and
where each stands; a mistake comes back on the form; a reload assigns nothing again; withdrawing
takes an assignment off the list; the page reads on a phone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bot.assignments import set_job_roles
from bot.clock import ManualClock
from bot.core import Core
from bot.events import LearnerRef
from bot.people import import_people, read_people
from bot.store.store import SqlStore
from content.model import Curriculum, Role
from credentials.issuer import IssuerIdentity
from tests.support import Chat, found
from tests.web.dashboard_support import sign_in, team_link
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
DECK_CREW = Role(id="deck-crew", title="Deck crew", outcome="Works the deck safely.", requires=("deckhand",), complete_within_days=30)


@pytest.fixture
def curriculum(curriculum: Curriculum) -> Curriculum:
    """The fixture curriculum with a job role, and its Mariner Certificate retired."""
    mariner = replace(curriculum.credentials["mariner"], retired=True)
    return replace(curriculum, roles={DECK_CREW.id: DECK_CREW}, credentials={**curriculum.credentials, "mariner": mariner})


async def assigned(store: SqlStore) -> list[tuple[str, str, date, bool]]:
    """Every assignment stored: (whose, what, due, withdrawn)."""
    async with store.transaction() as tx:
        names = {m.id: m.display_name for t in await tx.teams.all() for m in await tx.teams.members(t.id)}
        of = await tx.assignments.of_many(list(names))
    return sorted((names[i], a.target_id, a.due_on, a.withdrawn_at is not None) for i, found in of.items() for a in found)


async def rows(page: Any) -> list[list[str]]:
    """The list of current assignments: who, team, what, due, by whom, status."""
    return [[cell.strip() for cell in row.split("\t")][:6] for row in await page.locator("#assignments tbody tr").all_inner_texts()]


async def test_a_manager_assigns_from_the_dashboard_and_withdraws(
    browser: Any,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
    ana = Chat(core, "ana", platform="console")
    await ana.start()
    await ana.take_next_lesson()  # Tides: a lesson toward the Deckhand badge
    people, problems = read_people(PEOPLE)
    assert problems == []
    await import_people(store, people, now=clock.now())
    async with store.transaction() as tx:  # the only deck crew is Eve, in a team Maria does not manage
        eve = found(await tx.learners.find("console", "eve"))
        await set_job_roles(tx, curriculum, eve, [DECK_CREW.id], by=None, now=clock.now())
    before = await assigned(store)
    link = await team_link(core, MARIA, "team-1")

    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=curriculum, issuer=issuer, clock=clock)

    with serving(make_app, database_url) as base:
        page = await browser.new_page()
        await sign_in(page, base, link)
        await page.get_by_role("link", name="Assignments").click()
        await page.wait_for_url(f"{base}/dashboard/assignments")
        assert await page.locator("h1").inner_text() == "Assignments"
        assert await page.locator("#target option").all_inner_texts() == [
            "Choose a credential or pathway",
            "Deckhand (badge)",
            "Seamanship L1 (pathway)",
        ], "a retired credential is not offered"
        assert await page.locator("#who option").all_inner_texts() == [
            "Choose a person, a team or a job role",
            "Everyone in Deck (2 people)",
            "Everyone in your teams in the job role Deck crew",
            "Ana Lima (Deck)",
            "Caio Souza (Deck)",
        ], "only Maria's team"
        assert await page.locator("#none-assigned").inner_text() == "Nothing is assigned to anyone in your teams yet."

        # A job role nobody in her teams has: said on the form, which keeps what she chose.
        await page.select_option("#target", label="Deckhand (badge)")
        await page.select_option("#who", label="Everyone in your teams in the job role Deck crew")
        await page.fill("#due-on-date", "2026-03-30")
        await page.get_by_role("button", name="Assign").click()
        await page.wait_for_selector("#form-error")
        assert (
            await page.locator("#form-error").inner_text()
            == "Nobody in your teams has the job role Deck crew: there is no one to assign to."
        )
        assert await page.locator("#target").input_value() == "credential:deckhand"
        assert await page.locator("#due-on-date").input_value() == "2026-03-30"
        assert await assigned(store) == before

        # A day already past: the browser does not send it.
        await page.select_option("#who", label="Everyone in Deck (2 people)")
        await page.fill("#due-on-date", "2026-03-01")
        await page.get_by_role("button", name="Assign").click()
        assert await page.locator("#due-on-date").evaluate("input => input.validity.rangeUnderflow")
        assert await assigned(store) == before

        # The whole team, due on 30 March.
        await page.fill("#due-on-date", "2026-03-30")
        await page.get_by_role("button", name="Assign").click()
        await page.wait_for_selector("#notice")
        assert page.url.startswith(f"{base}/dashboard/assignments?done=")
        assert await page.locator("#notice").inner_text() == "Assigned Deckhand to 2 people (everyone in Deck), due 30 March 2026."
        assert await rows(page) == [
            ["Ana Lima", "Deck", "Deckhand", "30 March 2026", "Maria Manager, on the dashboard", "in progress"],
            ["Caio Souza", "Deck", "Deckhand", "30 March 2026", "Maria Manager, on the dashboard", "not started"],
        ]
        after = await assigned(store)
        assert [a for a in after if a not in before] == [
            ("Ana Lima", "deckhand", date(2026, 3, 30), False),
            ("Caio Souza", "deckhand", date(2026, 3, 30), False),
        ]
        await page.reload()  # a reload shows the page again and assigns nothing
        assert await page.locator("#notice").inner_text() == "Assigned Deckhand to 2 people (everyone in Deck), due 30 March 2026."
        assert await assigned(store) == after

        # A pathway for Caio, 30 days after he joined (today).
        await page.select_option("#target", label="Seamanship L1 (pathway)")
        await page.select_option("#who", label="Caio Souza (Deck)")
        await page.check("#due-after")
        await page.fill("#due-days", "30")
        await page.get_by_role("button", name="Assign").click()
        await page.wait_for_selector("#notice")
        assert await page.locator("#notice").inner_text() == "Assigned Seamanship L1 to 1 person (Caio Souza), due 1 April 2026."

        # Withdrawing Caio's Deckhand.
        await page.get_by_role("button", name="Withdraw Deckhand for Caio Souza").click()
        await page.wait_for_function("document.querySelector('#notice').innerText.startsWith('Withdrawn')")
        assert await page.locator("#notice").inner_text() == "Withdrawn: Deckhand for Caio Souza."
        assert [row[:3] for row in await rows(page)] == [["Ana Lima", "Deck", "Deckhand"], ["Caio Souza", "Deck", "Seamanship L1"]]
        assert ("Caio Souza", "deckhand", date(2026, 3, 30), True) in await assigned(store)

        await page.screenshot(path="/tmp/assignments-desktop.png", full_page=True)  # for a person to look at
        # On a phone the page fits the screen: the list becomes one card per assignment.
        await page.set_viewport_size({"width": 390, "height": 844})
        assert await page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        await page.screenshot(path="/tmp/assignments-phone.png", full_page=True)
