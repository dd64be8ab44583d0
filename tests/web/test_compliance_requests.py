"""The compliance matrix over HTTP on SQLite and PostgreSQL (tests/compliance_support.py's
programme): who may see which scope however the URL is written, the cells now and as of 14 March,
the filters, the CSV (formula-safe, every row the filters keep) and filters the page refuses."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from bot.clock import ManualClock
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.compliance_support import FORMULA, NOW, Programme, seed, with_roles
from tests.web.dashboard_support import SESSION_COOKIE
from web.app import create_app

BASE = "http://testserver"


@pytest.fixture
def app(store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity) -> FastAPI:
    clock.set(NOW)
    return create_app(store=store, curriculum=with_roles(curriculum), issuer=issuer, clock=clock)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


@pytest.fixture
async def programme(store: SqlStore) -> Programme:
    return await seed(store)


def as_(client: httpx.AsyncClient, session: str) -> httpx.AsyncClient:
    client.cookies.set(SESSION_COOKIE, session)
    return client


def matrix(page: str) -> dict[str, list[str]]:
    """The matrix on the page: person -> [team, cells...], the header under 'person'."""
    table = re.search(r'<table class="data cards matrix" id="matrix">(.*?)</table>', page, re.S)
    assert table, page
    head = re.findall(r'<th scope="col">([^<]*)</th>', table.group(1))
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table.group(1), re.S):
        name = re.search(r">([^<]*)</a>", row).group(1)  # type: ignore[union-attr]
        cells = [re.sub(r"<[^>]+>", "", cell).replace("&mdash;", "") for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[name] = cells
    return {"person": head[1:], **rows}


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_a_manager_sees_her_teams_and_no_other_however_the_url_is_written(client: httpx.AsyncClient, programme: Programme):
    maria = as_(client, programme.maria_session)
    page = await maria.get("/dashboard/compliance")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    shown = matrix(page.text)
    assert shown["person"] == ["Team", "Deckhand", "Mariner Certificate"]
    assert set(shown) - {"person"} == {"Ana Lima", "Bo Chen", "Dee Park", FORMULA.replace('"', "&#34;")}, "Deck only: not Cy (Engine)"
    assert f'value="team-{programme.engine}"' not in page.text, "Engine is not offered"
    for url in (
        f"/dashboard/compliance?scope=team-{programme.engine}",
        f"/dashboard/compliance.csv?scope=team-{programme.engine}",
        "/dashboard/compliance?scope=team-999999",
        "/dashboard/compliance?scope=team-abc",
        "/dashboard/compliance?scope=role-nonexistent",
    ):
        refused = await maria.get(url)
        assert refused.status_code == 403, url
        assert "Cy Silva" not in refused.text and "This team or job role is not one you can see." in refused.text
    navigators = matrix((await maria.get("/dashboard/compliance?scope=role-navigator")).text)
    assert set(navigators) - {"person"} == {"Bo Chen"}


async def test_only_signed_in_managers_and_admins_see_it(client: httpx.AsyncClient, programme: Programme):
    assert (await client.get("/dashboard/compliance")).status_code == 401
    assert (await client.get("/dashboard/compliance.csv")).status_code == 401
    learner = as_(client, programme.ana_session)
    refused = await learner.get("/dashboard/compliance")
    assert refused.status_code == 403 and "The compliance matrix is for managers and admins." in refused.text
    assert (await learner.get("/dashboard/compliance.csv")).status_code == 403


async def test_the_cells_now_and_as_of_14_march(client: httpx.AsyncClient, programme: Programme):
    lee = as_(client, programme.lee_session)
    now = matrix((await lee.get("/dashboard/compliance")).text)
    assert now["Ana Lima"] == ["Deck", "overdue", "not required"], "Deckhand revoked 20 March, due 31 January"
    assert now["Bo Chen"] == ["Deck", "overdue", "overdue"]
    assert now["Cy Silva"] == ["Engine", "in progress", "not required"]
    assert now["Dee Park"] == ["Deck", "not required", "not required"], "nothing required of her"
    march = await lee.get("/dashboard/compliance?as_of=2026-03-14")
    then = matrix(march.text)
    assert then["Ana Lima"] == ["Deck", "valid", "not required"], "she held it on 14 March"
    assert then["Bo Chen"] == ["Deck", "not started", "not started"], "due 30 April"
    assert then[FORMULA.replace('"', "&#34;")] == ["Deck", "overdue", "not required"], "awarded on 1 May"
    assert (
        "Team membership has no history" in march.text
        and "Team membership has no history" not in (await lee.get("/dashboard/compliance")).text
    )
    before = matrix((await lee.get("/dashboard/compliance?as_of=2026-02-28")).text)
    assert before["person"] == ["Team", "Deckhand"], "nobody was a navigator yet: no Mariner column"
    assert before["Bo Chen"][1:] == before["Cy Silva"][1:] == ["not required"], "their roles came on 1 March"


async def test_filters_keep_the_rows_with_a_status_and_the_window_decides_expiring(client: httpx.AsyncClient, programme: Programme):
    lee = as_(client, programme.lee_session)
    overdue = matrix((await lee.get("/dashboard/compliance?status=overdue")).text)
    assert set(overdue) - {"person"} == {"Ana Lima", "Bo Chen"}
    both = matrix((await lee.get("/dashboard/compliance?status=overdue&status=in_progress&scope=role-deck-crew")).text)
    assert set(both) - {"person"} == {"Ana Lima", "Cy Silva"} and both["person"] == ["Team", "Deckhand"]
    nobody = await lee.get("/dashboard/compliance?status=expiring")
    assert 'id="matrix"' not in nobody.text and "Nobody here has a credential that is expiring (7 people in all)." in nobody.text
    # The formula person's Deckhand runs to 28 October: 149 days from now.
    wide = matrix((await lee.get("/dashboard/compliance?status=expiring&within=150")).text)
    assert set(wide) - {"person"} == {FORMULA.replace('"', "&#34;")} and wide[FORMULA.replace('"', "&#34;")][1] == "expiring"


async def test_the_csv_is_the_page_every_row_formula_safe(client: httpx.AsyncClient, programme: Programme):
    lee = as_(client, programme.lee_session)
    response = await lee.get("/dashboard/compliance.csv?as_of=2026-03-14&status=valid&status=overdue")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="compliance-all-2026-03-14.csv"'
    rows = read_csv(response.text)
    assert rows[0] == ["person", "team", "Deckhand", "Mariner Certificate"]
    assert rows[1:] == [["'" + FORMULA, "Deck", "overdue", "not required"], ["Ana Lima", "Deck", "valid", "not required"]], "by name"


async def test_filters_it_cannot_use_are_said_on_the_page(client: httpx.AsyncClient, programme: Programme):
    lee = as_(client, programme.lee_session)
    for query, said in (
        ("as_of=14-03-2026", "As of: give a day as YYYY-MM-DD"),
        ("as_of=2026-06-02", "2026-06-02 is in the future"),
        ("within=0", "Expiring within: give a number of days from 1 to 3650."),
        ("within=abc", "Expiring within"),
        ("status=done", "Status: choose among"),
        ("status=%3Cscript%3E", "Status: choose among"),
        ("page=0", "Page: a page number from 1."),
    ):
        response = await lee.get(f"/dashboard/compliance?{query}")
        assert response.status_code == 400 and said in response.text, query
        assert 'id="matrix"' not in response.text and "<script>" not in response.text
    assert (await lee.get("/dashboard/compliance.csv?within=0")).status_code == 400
