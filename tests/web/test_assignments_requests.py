"""Assigning from the dashboard, over HTTP on SQLite and PostgreSQL: the form assigns within the
signed-in person's access and nowhere else, only when it carries the session's CSRF token and
comes from our own page, says what is wrong on the form, and answers a success with a redirect
(a reload assigns nothing again); withdrawing works the same way. Signed in with a session as
the dashboard's sign-in makes one."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from bot.clock import ManualClock
from bot.people import import_people, read_people
from bot.records import Assignment, Award, Learner, TrailEvent
from bot.store.store import SqlStore
from bot.team import SESSION_VALID, csrf_token, new_token, token_hash
from bot.vocabulary import AccessKind, EventKind, Target
from content.model import Curriculum, Role
from credentials.issuer import IssuerIdentity
from tests.support import found
from web.app import create_app

BASE = "http://testserver"
SAME_SITE = {"Origin": BASE, "Sec-Fetch-Site": "same-origin"}
PAGE = "/dashboard/assignments"
PEOPLE = """platform,user_id,name,team,role,manages
console,ana,Ana Lima,Deck,learner,
console,caio,Caio Souza,Deck,learner,
console,eve,Eve Stone,Engine,learner,
telegram,900,Maria Manager,,manager,Deck
telegram,901,Otto Admin,,admin,
"""
DECK_CREW = Role(
    id="deck-crew",
    title="Deck crew",
    outcome="Works the deck safely.",
    requires=("deckhand",),
    complete_within_days=30,
)


@pytest.fixture
def curriculum(curriculum: Curriculum) -> Curriculum:
    """The fixture curriculum with a job role, and its Mariner Certificate retired."""
    mariner = replace(curriculum.credentials["mariner"], retired=True)
    return replace(curriculum, roles={DECK_CREW.id: DECK_CREW}, credentials={**curriculum.credentials, "mariner": mariner})


@pytest.fixture
def app(store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity) -> FastAPI:
    return create_app(store=store, curriculum=curriculum, issuer=issuer, clock=clock)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


@pytest.fixture
async def people(store: SqlStore, clock: ManualClock) -> dict[str, Learner]:
    """Everyone of PEOPLE, by first name in lower case."""
    rows, problems = read_people(PEOPLE)
    assert problems == []
    await import_people(store, rows, now=clock.now())
    async with store.transaction() as tx:
        everyone = [found(await tx.learners.find(p.platform, p.user_id)) for p in rows]
    return {p.display_name.split()[0].lower(): p for p in everyone}


@pytest.fixture
async def teams(store: SqlStore, people: dict[str, Learner]) -> dict[str, int]:
    async with store.transaction() as tx:
        return {t.name: t.id for t in await tx.teams.all()}


async def signed_in_as(client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, learner: Learner) -> httpx.AsyncClient:
    """The client, with a session of `learner` as the dashboard's sign-in makes one."""
    session = new_token()
    async with store.transaction() as tx:
        await tx.access.add(token_hash(session), learner.id, AccessKind.SESSION, clock.now() + SESSION_VALID)
    client.cookies.set("mb_session", session)
    return client


@pytest.fixture
async def maria(client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, people: dict[str, Learner]) -> httpx.AsyncClient:
    """Signed in as Maria, manager of Deck (Ana and Caio), not of Engine (Eve)."""
    return await signed_in_as(client, store, clock, people["maria"])


async def csrf_of(client: httpx.AsyncClient) -> str:
    page = await client.get(PAGE)
    assert page.status_code == 200, page.text
    return found(re.search(r'name="csrf" value="([^"]+)"', page.text)).group(1)


async def assignments(store: SqlStore, *learners: Learner) -> list[Assignment]:
    async with store.transaction() as tx:
        of = await tx.assignments.of_many([learner.id for learner in learners])
    return sorted((a for found in of.values() for a in found), key=lambda a: a.id)


async def trail_kinds(store: SqlStore, learner: Learner) -> list[EventKind]:
    async with store.transaction() as tx:
        return [e.kind for e in await tx.trail.of(learner.id) if e.kind in (EventKind.ASSIGNED, EventKind.ASSIGNMENT_WITHDRAWN)]


def refusal(response: httpx.Response) -> str:
    said = re.search(r'<h1 class="status-word">[^<]*</h1>\s*<p>([^<]*)</p>', response.text)
    assert said, response.text
    return html.unescape(said.group(1))


def form_error(response: httpx.Response) -> str:
    said = re.search(r'<p class="form-error" role="alert" id="form-error">([^<]*)</p>', response.text)
    assert said, response.text
    return html.unescape(said.group(1))


def notice(response: httpx.Response) -> str | None:
    said = re.search(r'<section class="status status-valid" role="status" id="notice"><p>([^<]*)</p>', response.text)
    return html.unescape(said.group(1)) if said else None


def listed(response: httpx.Response) -> list[list[str]]:
    """The list of current assignments: who, team, what, due, by whom, status."""
    body = re.search(r'<table class="data cards" id="assignments">.*?<tbody>(.*?)</tbody>', response.text, re.S)
    if body is None:
        return []
    rows = re.findall(r"<tr data-assignment=\"\d+\">(.*?)</tr>", body.group(1), re.S)
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)][:6] for row in rows
    ]


def deck_form(csrf: str, teams: dict[str, int], **changes: str) -> dict[str, str]:
    return {"csrf": csrf, "target": "credential:deckhand", "who": f"team:{teams['Deck']}", "due": "on", "due_on": "2026-03-30", **changes}


async def test_a_manager_assigns_to_their_team_and_a_reload_or_a_second_send_assigns_nothing_again(
    maria: httpx.AsyncClient, store: SqlStore, people: dict[str, Learner], teams: dict[str, int]
):
    csrf = await csrf_of(maria)
    sent = await maria.post(PAGE, data=deck_form(csrf, teams), headers=SAME_SITE)
    assert sent.status_code == 303 and sent.headers["location"].startswith(PAGE + "?")
    made = await assignments(store, people["ana"], people["caio"], people["eve"])
    assert [(a.learner_id, a.target_kind, a.target_id, a.due_on, a.origin, a.assigned_by) for a in made] == [
        (people[name].id, Target.CREDENTIAL, "deckhand", date(2026, 3, 30), "dashboard", people["maria"].id) for name in ("ana", "caio")
    ]
    assert await trail_kinds(store, people["ana"]) == [EventKind.ASSIGNED]

    page = await maria.get(sent.headers["location"])
    assert notice(page) == "Assigned Deckhand to 2 people (everyone in Deck), due 30 March 2026."
    assert listed(page) == [
        ["Ana Lima", "Deck", "Deckhand", "30 March 2026", "Maria Manager, on the dashboard", "not started"],
        ["Caio Souza", "Deck", "Deckhand", "30 March 2026", "Maria Manager, on the dashboard", "not started"],
    ]
    for _ in range(2):  # reloading the page the redirect led to
        again = await maria.get(sent.headers["location"])
        assert again.status_code == 200 and notice(again) == notice(page)
    assert len(await assignments(store, people["ana"], people["caio"])) == 2

    # The same form sent again (a double click, the browser's "resend"): nothing new.
    resent = await maria.post(PAGE, data=deck_form(csrf, teams), headers=SAME_SITE)
    assert resent.status_code == 303
    assert notice(await maria.get(resent.headers["location"])) == (
        "Nothing changed: Deckhand was already assigned to everyone in Deck, due 30 March 2026."
    )
    assert len(await assignments(store, people["ana"], people["caio"])) == 2
    assert await trail_kinds(store, people["ana"]) == [EventKind.ASSIGNED]

    # A new due date for one of them is a new assignment, which is the one that counts.
    moved = await maria.post(PAGE, data=deck_form(csrf, teams, who=f"person:{people['ana'].id}", due_on="2026-04-15"), headers=SAME_SITE)
    assert notice(await maria.get(moved.headers["location"])) == "Assigned Deckhand to 1 person (Ana Lima), due 15 April 2026."
    assert [row[3] for row in listed(await maria.get(PAGE))] == ["30 March 2026", "15 April 2026"]


async def test_a_post_without_the_sessions_csrf_token_or_from_another_site_is_refused_and_writes_nothing(
    maria: httpx.AsyncClient, store: SqlStore, people: dict[str, Learner], teams: dict[str, int]
):
    csrf = await csrf_of(maria)
    refused = "This form did not come from the dashboard: open the Assignments page and send it from there."
    attempts = [
        ({k: v for k, v in deck_form(csrf, teams).items() if k != "csrf"}, SAME_SITE),
        (deck_form("0" * 64, teams), SAME_SITE),
        (deck_form(csrf[:-1], teams), SAME_SITE),
        (deck_form(csrf.upper(), teams), SAME_SITE),
        (deck_form(csrf, teams), {"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"}),
        (deck_form(csrf, teams), {"Origin": "https://attacker.example"}),
        (deck_form(csrf, teams), {"Sec-Fetch-Site": "same-site"}),
    ]
    for data, headers in attempts:
        response = await maria.post(PAGE, data=data, headers=headers)
        assert (response.status_code, refusal(response)) == (403, refused), (data, headers)
    # Another session's token is refused too: the token belongs to the session that sent it.
    other = await csrf_of(await signed_in_as(maria, store, ManualClock(people["maria"].created_at), people["maria"]))
    assert other != csrf
    maria.cookies.set("mb_session", "not-a-session")
    response = await maria.post(PAGE, data=deck_form(other, teams), headers=SAME_SITE)
    assert response.status_code == 403
    assert await assignments(store, *people.values()) == []
    assert await trail_kinds(store, people["ana"]) == []


async def test_a_manager_cannot_assign_outside_their_teams_however_the_form_is_forged(
    maria: httpx.AsyncClient, store: SqlStore, people: dict[str, Learner], teams: dict[str, int], clock: ManualClock
):
    async with store.transaction() as tx:
        await tx.job_roles.give(people["eve"].id, DECK_CREW.id, at=clock.now())  # Engine's Eve is deck crew
    csrf = await csrf_of(maria)
    offered = (await maria.get(PAGE)).text
    assert f"person:{people['eve'].id}" not in offered and f"team:{teams['Engine']}" not in offered
    cases = [
        (f"person:{people['eve'].id}", 403, "That person is not in one of your teams."),
        (f"person:{people['otto'].id}", 403, "That person is not in one of your teams."),
        ("person:999999", 403, "That person is not in one of your teams."),
        ("person:99999999999999999999999", 403, "That person is not in one of your teams."),
        (f"team:{teams['Engine']}", 403, "That team is not one of yours."),
        ("team:999999", 403, "That team is not one of yours."),
        ("role:deck-crew", 400, "Nobody in your teams has the job role Deck crew: there is no one to assign to."),
        ("role:captain", 400, "That job role is not in the curriculum: choose one from the list."),
        ("everyone", 400, "Choose a person, a team or a job role from the list."),
    ]
    for who, status, says in cases:
        response = await maria.post(PAGE, data=deck_form(csrf, teams, who=who), headers=SAME_SITE)
        assert (response.status_code, form_error(response)) == (status, says), who
    assert await assignments(store, *people.values()) == []

    # Withdrawing: Eve's assignment (an admin's) is not Maria's to withdraw.
    async with store.transaction() as tx:
        eves = await tx.assignments.add(
            Assignment(people["eve"].id, Target.CREDENTIAL, "deckhand", date(2026, 4, 1), "dashboard", clock.now(), people["otto"].id)
        )
    for learner in (people["eve"].id, people["ana"].id):
        response = await maria.post(f"{PAGE}/{eves.id}/withdraw", data={"csrf": csrf, "learner": str(learner)}, headers=SAME_SITE)
        assert response.status_code in (403, 404), learner
    [still] = await assignments(store, people["eve"])
    assert still.withdrawn_at is None


async def test_a_learner_is_refused_the_page_and_the_form(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock, people: dict[str, Learner], teams: dict[str, int]
):
    ana = await signed_in_as(client, store, clock, people["ana"])
    page = await ana.get(PAGE)
    assert (page.status_code, refusal(page)) == (403, "Assigning is for managers and admins.")
    csrf = csrf_token(found(ana.cookies.get("mb_session")))  # the right token: still refused
    response = await ana.post(PAGE, data=deck_form(csrf, teams, who=f"person:{people['ana'].id}"), headers=SAME_SITE)
    assert (response.status_code, refusal(response)) == (403, "Assigning is for managers and admins.")
    assert await assignments(store, *people.values()) == []
    client.cookies.clear()
    assert (await client.get(PAGE)).status_code == 401
    assert (await client.post(PAGE, data=deck_form(csrf, teams), headers=SAME_SITE)).status_code == 401


async def test_what_is_wrong_with_the_form_is_said_on_the_form_and_nothing_is_written(
    maria: httpx.AsyncClient, store: SqlStore, people: dict[str, Learner], teams: dict[str, int]
):
    csrf = await csrf_of(maria)
    cases = [
        ({"due_on": "2026-03-01"}, "The due date 1 March 2026 has passed: choose today or a later day."),
        ({"due_on": "2026-02-30"}, "The due date is not a date: give it as on a calendar (YYYY-MM-DD)."),
        ({"due_on": ""}, "Give the due date, or choose a number of days after joining."),
        ({"due_on": "9999-12-31"}, "Choose a due date within the next ten years."),
        ({"due": "after_joining", "days": "0"}, "Give the days after joining as a whole number from 1 to 3650."),
        ({"due": "after_joining", "days": "-3"}, "Give the days after joining as a whole number from 1 to 3650."),
        ({"due": "after_joining", "days": "1e3"}, "Give the days after joining as a whole number from 1 to 3650."),
        ({"due": "sometime"}, "Choose a due date or a number of days after joining."),
        ({"target": "credential:captain"}, "That credential or pathway is not in the curriculum: choose one from the list."),
        ({"target": "pathway:deckhand"}, "That credential or pathway is not in the curriculum: choose one from the list."),
        ({"target": ""}, "Choose a credential or pathway to assign."),
        ({"target": "credential:mariner"}, "Mariner Certificate is retired: it is no longer awarded, so it cannot be assigned."),
        ({"who": ""}, "Choose a person, a team or a job role."),
    ]
    for changes, says in cases:
        response = await maria.post(PAGE, data=deck_form(csrf, teams, **changes), headers=SAME_SITE)
        assert (response.status_code, form_error(response)) == (400, says), changes
    # The form comes back as it was sent, so only the mistake needs mending.
    response = await maria.post(PAGE, data=deck_form(csrf, teams, due_on="2026-03-01"), headers=SAME_SITE)
    assert 'value="credential:deckhand" selected' in response.text and f'value="team:{teams["Deck"]}" selected' in response.text
    assert 'value="2026-03-01"' in response.text
    assert "Mariner Certificate" not in re.search(r'<select id="target".*?</select>', response.text, re.S).group(0)  # type: ignore[union-attr]
    assert await assignments(store, *people.values()) == []


async def test_days_after_joining_count_from_each_persons_first_day(
    maria: httpx.AsyncClient, store: SqlStore, people: dict[str, Learner], teams: dict[str, int], clock: ManualClock
):
    async with store.transaction() as tx:  # Caio joined ten days before Ana
        caio = found(await tx.learners.by_id(people["caio"].id))
        await tx.learners.save(replace(caio, created_at=clock.now() - timedelta(days=10)))
    csrf = await csrf_of(maria)
    form = deck_form(csrf, teams, target="pathway:seamanship", due="after_joining", days="30", due_on="")
    sent = await maria.post(PAGE, data=form, headers=SAME_SITE)
    assert sent.status_code == 303
    assert notice(await maria.get(sent.headers["location"])) == (
        "Assigned Seamanship L1 to 2 people (everyone in Deck), due from 22 March 2026 to 1 April 2026 (by when each joined)."
    )
    made = {a.learner_id: a.due_on for a in await assignments(store, people["ana"], people["caio"])}
    assert made == {people["ana"].id: date(2026, 4, 1), people["caio"].id: date(2026, 3, 22)}


async def test_days_after_joining_already_behind_someone_assign_nothing_and_say_who(
    maria: httpx.AsyncClient, store: SqlStore, people: dict[str, Learner], teams: dict[str, int], clock: ManualClock
):
    async with store.transaction() as tx:  # Caio joined forty days ago: 30 days after joining is behind him
        caio = found(await tx.learners.by_id(people["caio"].id))
        await tx.learners.save(replace(caio, created_at=clock.now() - timedelta(days=40)))
    csrf = await csrf_of(maria)
    form = deck_form(csrf, teams, target="pathway:seamanship", due="after_joining", days="30", due_on="")
    response = await maria.post(PAGE, data=form, headers=SAME_SITE)
    assert (response.status_code, form_error(response)) == (
        400,
        "For 1 of the 2 people (Caio Souza) 30 days after joining has passed already. "
        "Nothing was assigned: choose a due date, or more days.",
    )
    assert await assignments(store, people["ana"], people["caio"]) == []  # Ana neither: all or nothing
    in_german = await maria.post(PAGE, data=form, headers={**SAME_SITE, "Accept-Language": "de-DE"})
    assert (in_german.status_code, form_error(in_german)) == (
        400,
        "Für 1 der 2 Personen (Caio Souza) sind 30 Tage nach dem Eintritt bereits vorbei. "
        "Es wurde nichts zugewiesen: Wählen Sie ein Fälligkeitsdatum oder mehr Tage.",
    )


async def test_withdrawing_ends_the_assignment_once(
    maria: httpx.AsyncClient, store: SqlStore, people: dict[str, Learner], teams: dict[str, int]
):
    csrf = await csrf_of(maria)
    await maria.post(PAGE, data=deck_form(csrf, teams), headers=SAME_SITE)
    [anas, _] = await assignments(store, people["ana"], people["caio"])
    page = (await maria.get(PAGE)).text
    assert f'action="/dashboard/assignments/{anas.id}/withdraw"' in page
    sent = await maria.post(
        f"{PAGE}/{anas.id}/withdraw", data={"csrf": csrf, "learner": str(people["ana"].id), "team": str(teams["Deck"])}, headers=SAME_SITE
    )
    assert sent.status_code == 303 and parse_qs(urlsplit(sent.headers["location"]).query)["team"] == [str(teams["Deck"])]
    shown = await maria.get(sent.headers["location"])
    assert notice(shown) == "Withdrawn: Deckhand for Ana Lima."
    assert [row[0] for row in listed(shown)] == ["Caio Souza"]
    [ended, kept] = await assignments(store, people["ana"], people["caio"])
    assert ended.withdrawn_at is not None and kept.withdrawn_at is None
    assert await trail_kinds(store, people["ana"]) == [EventKind.ASSIGNED, EventKind.ASSIGNMENT_WITHDRAWN]
    # Sent again: it is not current any more, and nothing more is written.
    again = await maria.post(f"{PAGE}/{anas.id}/withdraw", data={"csrf": csrf, "learner": str(people["ana"].id)}, headers=SAME_SITE)
    assert (again.status_code, refusal(again)) == (404, "That assignment is not current: it was withdrawn, or replaced by a newer one.")
    assert await trail_kinds(store, people["ana"]) == [EventKind.ASSIGNED, EventKind.ASSIGNMENT_WITHDRAWN]
    # Without the token: refused.
    caios = kept
    response = await maria.post(f"{PAGE}/{caios.id}/withdraw", data={"learner": str(people["caio"].id)}, headers=SAME_SITE)
    assert response.status_code == 403
    assert (await assignments(store, people["caio"]))[0].withdrawn_at is None


async def test_an_admin_assigns_a_job_role_across_teams_and_what_a_role_requires_stays_with_the_role(
    client: httpx.AsyncClient,
    store: SqlStore,
    people: dict[str, Learner],
    teams: dict[str, int],
    clock: ManualClock,
    curriculum: Curriculum,
):
    from bot.assignments import set_job_roles

    async with store.transaction() as tx:
        for name in ("ana", "eve"):
            await set_job_roles(tx, curriculum, people[name], [DECK_CREW.id], by=None, now=clock.now())
    otto = await signed_in_as(client, store, clock, people["otto"])
    csrf = await csrf_of(otto)
    page = await otto.get(PAGE)
    assert listed(page) == [
        ["Ana Lima", "Deck", "Deckhand", "1 April 2026", "the job role Deck crew", "not started"],
        ["Eve Stone", "Engine", "Deckhand", "1 April 2026", "the job role Deck crew", "not started"],
    ]
    assert page.text.count("ends with the job role") == 2
    [role_made] = await assignments(store, people["ana"])
    refused = await otto.post(f"{PAGE}/{role_made.id}/withdraw", data={"csrf": csrf, "learner": str(people["ana"].id)}, headers=SAME_SITE)
    assert (refused.status_code, refusal(refused)) == (403, "A job role requires this: it ends when the person's job role does.")

    sent = await otto.post(PAGE, data=deck_form(csrf, teams, who="role:deck-crew", target="pathway:seamanship"), headers=SAME_SITE)
    assert notice(await otto.get(sent.headers["location"])) == (
        "Assigned Seamanship L1 to 2 people (everyone in the job role Deck crew), due 30 March 2026."
    )
    seamanship = [a for a in await assignments(store, *people.values()) if a.target_id == "seamanship"]
    assert sorted(a.learner_id for a in seamanship) == sorted([people["ana"].id, people["eve"].id])
    engine = await otto.get(f"{PAGE}?team={teams['Engine']}")
    assert [row[:3] for row in listed(engine)] == [["Eve Stone", "Engine", "Seamanship L1"], ["Eve Stone", "Engine", "Deckhand"]]


async def test_the_page_says_only_what_was_done_not_what_a_link_claims(
    maria: httpx.AsyncClient, store: SqlStore, clock: ManualClock, people: dict[str, Learner], teams: dict[str, int]
):
    claim = {
        "kind": "assigned",
        "what": "credential:deckhand",
        "who": "everyone",
        "made": 500,
        "same": 0,
        "first": "2026-03-30",
        "last": "2026-03-30",
    }
    payload = base64.urlsafe_b64encode(json.dumps(claim).encode()).decode().rstrip("=")
    csrf = await csrf_of(maria)
    for sig in ("", "0" * 64, "x", csrf, csrf_token(csrf)):
        page = await maria.get(f"{PAGE}?done={payload}&sig={sig}")
        assert page.status_code == 200 and notice(page) is None, sig
    # A real notice is Maria's session's own: a link to it shows nothing in another session.
    sent = await maria.post(PAGE, data=deck_form(csrf, teams), headers=SAME_SITE)
    assert notice(await maria.get(sent.headers["location"])) is not None
    other = await signed_in_as(maria, store, clock, people["maria"])
    assert notice(await other.get(sent.headers["location"])) is None


async def test_the_list_says_where_each_person_stands(
    client: httpx.AsyncClient, store: SqlStore, people: dict[str, Learner], teams: dict[str, int], clock: ManualClock
):
    maria = await signed_in_as(client, store, clock, people["maria"])
    csrf = await csrf_of(maria)
    sent = await maria.post(PAGE, data=deck_form(csrf, teams, due_on="2026-03-10"), headers=SAME_SITE)
    assert sent.status_code == 303
    async with store.transaction() as tx:  # Ana holds Deckhand for a year; Caio started its first lesson
        await tx.awards.add(
            Award("ana-deckhand", people["ana"].id, "deckhand", "badge", 0, clock.now(), clock.now() + timedelta(days=365), {})
        )
        await tx.trail.add(people["caio"].id, TrailEvent(EventKind.LESSON_STARTED, clock.now(), clock.now().date(), lesson_id="tides"))
    assert [(row[0], row[5]) for row in listed(await maria.get(PAGE))] == [("Ana Lima", "valid"), ("Caio Souza", "in progress")]
    clock.advance(days=9)  # 11 March: past the due date (a session lasts hours: sign in again)
    maria = await signed_in_as(client, store, clock, people["maria"])
    assert [(row[0], row[5]) for row in listed(await maria.get(PAGE))] == [("Ana Lima", "valid"), ("Caio Souza", "overdue")]
