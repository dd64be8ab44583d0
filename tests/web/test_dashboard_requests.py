"""Malformed requests to the dashboard, over HTTP on SQLite and PostgreSQL: every one gets a
4xx page that says what is wrong, never a 500 with a traceback. Signed in the way a browser
is (the link's page, then its form), so the requests reach the database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from bot.clock import ManualClock
from bot.people import import_people, read_people
from bot.store.store import SqlStore
from bot.team import SESSION_VALID, new_token, signin_link, token_hash
from bot.vocabulary import AccessKind
from tests.support import found
from tests.web.dashboard_support import SESSION_COOKIE, tokens_of

BASE = "http://testserver"
SAME_SITE = {"Origin": BASE, "Sec-Fetch-Site": "same-origin"}
PEOPLE = """platform,user_id,name,team,role,manages
console,ana,Ana Lima,Deck,learner,
telegram,900,Maria Manager,,manager,Deck
"""
TOO_BIG = [str(2**63), str(2**64), "9" * 30, "9" * 5000]
NOT_IDS = ["0", "-1", "1e3", "1.5", "abc", "%C2%B2", "%00", "%FF", "１"]  # noqa: RUF001, RUF003 - "１": a full-width digit, on purpose


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Errors come back as the app's responses (a 500 is a 500, not an exception in the test)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


async def new_link(store: SqlStore, clock: ManualClock) -> str:
    async with store.transaction() as tx:
        maria = await tx.learners.find("telegram", "900")
        assert maria is not None
        return await signin_link(tx, maria, "", clock.now())


@pytest.fixture
async def maria(client: httpx.AsyncClient, store: SqlStore, clock: ManualClock) -> httpx.AsyncClient:
    """The client, with the session cookie Maria (manager of Deck) got when she signed in."""
    people, problems = read_people(PEOPLE)
    assert problems == []
    await import_people(store, people, now=clock.now())
    session = new_token()
    async with store.transaction() as tx:
        learner = await tx.learners.find("telegram", "900")
        assert learner is not None
        await tx.access.add(token_hash(session), learner.id, AccessKind.SESSION, clock.now() + SESSION_VALID)
    client.cookies.set(SESSION_COOKIE, session)
    assert (await client.get("/dashboard")).status_code == 200
    return client


def message(response: httpx.Response) -> str:
    found = re.search(r'<h1 class="status-word">[^<]*</h1>\s*<p>([^<]*)</p>', response.text)
    assert found, response.text
    return found.group(1)


async def test_ids_that_name_no_row_are_refused_like_a_stranger(maria: httpx.AsyncClient, store: SqlStore):
    async with store.transaction() as tx:
        deck = next(t.id for t in await tx.teams.all())
        ana = (await tx.teams.members(deck))[0].id
    for path in (
        "/dashboard",
        "/dashboard/export.csv",
        f"/dashboard/learners/{ana}",
        f"/dashboard/learners/{ana}/export.csv",
        f"/dashboard/teams/{deck}",
        f"/dashboard/teams/{deck}/export.csv",
        f"/dashboard/teams/{deck}/funnel.csv",
    ):
        for query in ("", "?%FF%FE=%00", "?&&==&x", "?team_id=9999999999999999999999"):
            assert (await maria.get(path + query)).status_code == 200, path + query
    for bad in TOO_BIG + NOT_IDS:
        for path in (f"/dashboard/learners/{bad}", f"/dashboard/learners/{bad}/export.csv"):
            response = await maria.get(path)
            assert (response.status_code, message(response)) == (403, "This learner is not in one of your teams."), path[:80]
        for path in (
            f"/dashboard/teams/{bad}",
            f"/dashboard/teams/{bad}/export.csv",
            f"/dashboard/teams/{bad}/funnel.csv",
            f"/dashboard/teams/{bad}/credentials.csv",
        ):
            response = await maria.get(path)
            assert (response.status_code, message(response)) == (403, "This team is not one of yours."), path[:80]


async def test_odd_sign_in_links_and_cookies_are_refused(client: httpx.AsyncClient):
    for query in ("token=%FF%FE", "token=%00", "token=a&token=b", "token=" + "x" * 10_000, "token", "token=%", "&&=&"):
        response = await client.get(f"/dashboard/signin?{query}")
        assert (response.status_code, message(response)) == (
            403,
            "This sign-in link has been used or has expired. Ask the bot for a new one.",
        ), query[:40]
    for cookie in ("\x7f", "%FF", "a" * 5000, '"quoted"'):
        response = await client.get("/dashboard", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
        assert (response.status_code, message(response)) == (401, "You are not signed in."), cookie[:40]


@pytest.mark.parametrize("path", ["/dashboard/signin", "/dashboard/signout"])
async def test_malformed_form_bodies_get_a_4xx_that_says_what_is_wrong(maria: httpx.AsyncClient, path: str):
    form = {"Content-Type": "application/x-www-form-urlencoded", **SAME_SITE}
    cases = [
        ({**SAME_SITE, "Content-Type": "application/json"}, b'{"token": "x"}', 415, "Send the form from the page."),
        ({**SAME_SITE, "Content-Type": "multipart/form-data; boundary=x"}, b"--x\r\nbroken", 415, "Send the form from the page."),
        ({**SAME_SITE}, b"token=x", 415, "Send the form from the page."),
        (form, b"token=%FF%FE", 400, "That form could not be read."),
        (form, "token=caf\u00e9".encode(), 400, "That form could not be read."),
        (form, b"token=x&&nonce", 400, "That form could not be read."),
        (form, b"&".join(b"f%d=1" % i for i in range(20)), 400, "That form could not be read."),
        (form, b"csrf=a&csrf=b&token=a&token=b", 400, "That form names a field twice."),
        (form, b"token=" + b"x" * 100_000, 413, "That form is far too large."),
    ]
    for headers, body, status, says in cases:
        response = await maria.post(path, content=body, headers=headers)
        assert (response.status_code, message(response)) == (status, says), body[:40]
    assert (await maria.get("/dashboard")).status_code == 200, "none of it signed Maria out"


async def test_a_sign_in_post_without_the_pages_nonce_or_from_another_site_spends_nothing(
    client: httpx.AsyncClient,
    maria: httpx.AsyncClient,
    store: SqlStore,
    clock: ManualClock,
):
    link = await new_link(store, clock)
    page = await client.get(link)
    fields = dict(re.findall(r'name="(token|nonce)" value="([^"]+)"', page.text))
    refused = "This sign-in did not come from the sign-in page: open the link from the bot again and press Sign in there."
    attempts = [
        ({**fields, "nonce": "guessed"}, SAME_SITE),
        ({"token": fields["token"]}, SAME_SITE),
        (fields, {"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"}),
        (fields, {"Origin": "https://attacker.example"}),
        (fields, {"Sec-Fetch-Site": "same-site"}),
    ]
    for data, headers in attempts:
        response = await client.post("/dashboard/signin", data=data, headers=headers)
        assert (response.status_code, message(response)) == (403, refused), (data, headers)
    nonce_cookie = client.cookies.get("mb_signin")
    client.cookies.delete("mb_signin")
    response = await client.post("/dashboard/signin", data=fields, headers=SAME_SITE)
    assert (response.status_code, message(response)) == (403, refused), "no nonce cookie"
    client.cookies.set("mb_signin", found(nonce_cookie), path="/dashboard/signin")
    assert (await client.post("/dashboard/signin", data=fields, headers=SAME_SITE)).status_code == 303, "the link still works"


async def test_expired_links_and_sessions_are_purged_when_someone_signs_in_or_out(
    client: httpx.AsyncClient,
    maria: httpx.AsyncClient,
    store: SqlStore,
    clock: ManualClock,
    database_url: str,
):
    for _ in range(3):
        await new_link(store, clock)
    assert await tokens_of(database_url) == 4, "Maria's session and three links"
    clock.advance(hours=13)  # the links and the session have expired
    maria.cookies.clear()
    page = await client.get(await new_link(store, clock))
    fields = dict(re.findall(r'name="(token|nonce)" value="([^"]+)"', page.text))
    assert (await client.post("/dashboard/signin", data=fields, headers=SAME_SITE)).status_code == 303
    assert await tokens_of(database_url) == 2, "the link just used and its session"
    csrf = found(re.search(r'name="csrf" value="([^"]+)"', (await client.get("/dashboard")).text)).group(1)
    clock.advance(minutes=16)  # the used link has expired too
    assert (await client.post("/dashboard/signout", data={"csrf": csrf}, headers=SAME_SITE)).status_code == 303
    assert await tokens_of(database_url) == 0
