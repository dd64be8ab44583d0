"""The compliance matrix in German for a German browser, over ASGI on SQLite and PostgreSQL: the
form, the legend, the statuses in the cells and the badge's German title; its CSV stays as the
source says it (English headers and names, for spreadsheets shared across a company)."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from bot.clock import ManualClock
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.compliance_support import NOW, Programme, seed, with_roles
from tests.web.dashboard_support import SESSION_COOKIE
from web.app import create_app

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


@pytest.fixture
def app(store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity) -> FastAPI:
    clock.set(NOW)
    return create_app(store=store, curriculum=with_roles(curriculum), issuer=issuer, clock=clock)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


def visible(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


async def test_the_compliance_matrix_in_german_and_its_csv_as_the_source(client: httpx.AsyncClient, store: SqlStore):
    programme: Programme = await seed(store)
    client.cookies.set(SESSION_COOKIE, programme.maria_session)
    page = await client.get("/dashboard/compliance", headers=GERMAN)
    assert page.status_code == 200 and '<html lang="de">' in page.text
    text = visible(page.text)
    assert "Wo jede Person bei jedem Nachweis steht" in text and "Legende" in text and "Alle Ihre Teams" in text
    assert "überfällig" in text and "nicht begonnen" in text and "von dieser Person nicht verlangt" in text
    assert '<th scope="col">Decksmann</th>' in page.text  # the badge's German title in the column
    cells = re.findall(r'class="cell-[a-z_]+">([^<]*)</td>', page.text)
    assert cells and set(cells) <= {"gültig", "läuft ab", "abgelaufen", "überfällig", "in Arbeit", "nicht begonnen"}, cells
    wrong = await client.get("/dashboard/compliance?within=0", headers=GERMAN)
    assert wrong.status_code == 400 and "Läuft ab innerhalb von: Geben Sie eine Anzahl Tage von 1 bis 3650 an." in visible(wrong.text)
    exported = await client.get("/dashboard/compliance.csv", headers=GERMAN)
    assert exported.text.splitlines()[0].startswith("person,team,Deckhand")


async def test_the_words_made_in_bot_compliance_are_german_on_the_page(client: httpx.AsyncClient, store: SqlStore):
    """The legend's meanings, the as-of note and refusal come from bot/compliance.py, through the
    bot's catalog (issue 17): one place, German on the page, English on the command line."""
    programme: Programme = await seed(store)
    client.cookies.set(SESSION_COOKIE, programme.maria_session)
    today = NOW.date()
    text = visible((await client.get("/dashboard/compliance", headers=GERMAN)).text)
    assert "vorhanden und über den Ablaufzeitraum hinaus gültig" in text and "noch nichts dafür getan, nicht überfällig" in text
    past = visible((await client.get(f"/dashboard/compliance?as_of={today - timedelta(days=3)}", headers=GERMAN)).text)
    assert "Die Teamzugehörigkeit hat keine Vorgeschichte" in past
    future = await client.get(f"/dashboard/compliance?as_of={today + timedelta(days=1)}", headers=GERMAN)
    said = f"{today + timedelta(days=1)} liegt in der Zukunft: Die Aufzeichnungen geben Auskunft für heute ({today}) oder früher."
    assert future.status_code == 400 and said in visible(future.text), visible(future.text)
    english = await client.get(f"/dashboard/compliance?as_of={today + timedelta(days=1)}", headers={"Accept-Language": "en"})
    assert f"is in the future: the record answers for today ({today}) or earlier." in visible(english.text)


async def test_the_assignments_page_in_german(client: httpx.AsyncClient, store: SqlStore):
    programme: Programme = await seed(store)
    client.cookies.set(SESSION_COOKIE, programme.maria_session)
    page = await client.get("/dashboard/assignments", headers=GERMAN)
    assert page.status_code == 200 and '<html lang="de">' in page.text
    text = visible(page.text)
    assert "Weisen Sie einer Person, einem Team oder allen in einer Jobrolle" in text
    assert "Derzeit zugewiesen" in text and "Nachweis oder Lernpfad wählen" in text and "Tage nach dem Eintritt jeder Person" in text
    statuses = re.findall(r'data-label="Status">([^<]*)</td>', page.text)
    assert statuses and set(statuses) <= {"gültig", "läuft ab", "abgelaufen", "überfällig", "in Arbeit", "nicht begonnen", "erledigt"}, (
        statuses
    )
    client.cookies.set(SESSION_COOKIE, programme.ana_session)  # a learner: refused, in German
    refused = await client.get("/dashboard/assignments", headers=GERMAN)
    assert refused.status_code == 403 and "Zuweisen ist Führungskräften und Admins vorbehalten." in visible(refused.text)


async def test_the_l_and_d_review_page_in_german_for_a_german_admin(client: httpx.AsyncClient, store: SqlStore):
    programme: Programme = await seed(store)
    async with store.transaction() as tx:
        lee = await tx.learners.by_id(programme.lee)
        assert lee is not None
        lee.language = "de"  # her chat language; the browser says nothing the app speaks
        await tx.learners.save(lee)
    client.cookies.set(SESSION_COOKIE, programme.lee_session)
    page = await client.get("/dashboard/review", headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and '<html lang="de">' in page.text
    text = visible(page.text)
    assert "Auswertung der Checks" in text and "Befunde" in text and "Vergessenskurven" in text
    assert "Haben die Erinnerungen gewirkt?" in text


async def test_assigning_in_german_says_what_was_done_in_german(client: httpx.AsyncClient, store: SqlStore):
    programme: Programme = await seed(store)
    client.cookies.set(SESSION_COOKIE, programme.maria_session)
    page = await client.get("/dashboard/assignments", headers=GERMAN)
    text = visible(page.text)
    assert "Decksmann (Badge)" in text and "Alle in Deck (" in text and "Personen)" in text  # the choices
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    form = {"csrf": csrf.group(1), "target": "credential:deckhand", "who": f"team:{programme.deck}", "due": "on", "due_on": "2026-09-30"}
    sent = await client.post("/dashboard/assignments", data=form, headers={**GERMAN, "Sec-Fetch-Site": "same-origin"})
    assert sent.status_code == 303
    done = await client.get(sent.headers["location"], headers=GERMAN)
    notice = re.search(r'<section class="status status-valid" role="status" id="notice"><p>([^<]*)</p>', done.text)
    assert notice is not None and notice.group(1).startswith("Decksmann zugewiesen an "), notice
    assert "(alle in Deck), fällig am 30. September 2026." in notice.group(1)
    assert "im Dashboard" in visible(done.text) and "30. September 2026" in visible(done.text)
