"""Who keeps access to the dashboard, in headless Chromium: a manager who leaves or loses the
role by import loses every session and every unused link at once; signing out ends the session
and needs the form's CSRF token; opening a link (as a link scanner does) spends nothing; a form
or a link on another site cannot sign the browser in (login CSRF)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from bot.clock import ManualClock
from bot.events import ButtonPressed
from bot.people import import_people, read_people
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.support import Chat, found
from tests.web.dashboard_support import SESSION_COOKIE, WAYS_IN, session_cookie, sign_in, team_link, tokens_of
from tests.web.server import serving
from tests.web.test_dashboard_in_browser import MARIA, PEOPLE, deck_where_ana_took_a_lesson
from web.app import create_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ATTACKER = "http://attacker.example"  # another site, answered by the browser's request routing
USED_OR_EXPIRED = "This sign-in link has been used or has expired. Ask the bot for a new one."


def app_for(curriculum: Curriculum, issuer: IssuerIdentity, clock: ManualClock) -> Any:
    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=curriculum, issuer=issuer, clock=clock)

    return make_app


async def deck_ids(store: SqlStore) -> tuple[int, int]:
    """Team Deck's id and Ana's."""
    async with store.transaction() as tx:
        deck = next(t.id for t in await tx.teams.all() if t.name == "Deck")
        ana = next(m.id for m in await tx.teams.members(deck) if m.display_name == "Ana Lima")
    return deck, ana


async def status_of(page: Any, url: str) -> int:
    """The status of `url` fetched with the page's cookies (a CSV would start a download in the page)."""
    return (await page.request.get(url)).status


async def not_signed_in(page: Any, url: str) -> bool:
    """The page answers 401 with the "not signed in" page and its ways in."""
    response = await page.goto(url)
    return (
        response.status == 401
        and await page.locator(".status-word").inner_text() == "Not signed in"
        and await page.locator("#ways-in li").all_inner_texts() == WAYS_IN
    )


async def link_refused(page: Any, url: str) -> bool:
    response = await page.goto(url)
    return response.status == 403 and await page.locator(".status p:not(.status-word)").inner_text() == USED_OR_EXPIRED


async def leave(chat: Chat, store: SqlStore) -> None:
    """/settings, "Leave and delete my data", and every confirmation the platform asks for."""
    await chat.command("settings")
    await chat.press("Leave and delete my data")
    for _ in range(3):
        yes = next(
            (
                b
                for reply in chat.last
                for b in getattr(reply, "buttons", ())
                if b.label.startswith("Yes") or getattr(b, "destructive", False)
            ),
            None,
        )
        if yes is None:
            break
        await chat.send(ButtonPressed(learner=chat.learner, source_id=chat._id(), action=yes.action))
    async with store.transaction() as tx:
        assert await tx.learners.find(chat.learner.platform, chat.learner.user_id) is None, chat.last


async def test_a_manager_who_leaves_loses_every_session_and_link_at_once(
    browser: Any,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    core = await deck_where_ana_took_a_lesson(store, curriculum, clock, issuer)
    deck, ana = await deck_ids(store)
    maria = Chat(core, MARIA.user_id, platform=MARIA.platform)
    await maria.start()
    link, unused = await team_link(core, MARIA, "team-1"), await team_link(core, MARIA, "team-2")
    with serving(app_for(curriculum, issuer, clock), database_url) as base:
        page = await browser.new_page()
        await sign_in(page, base, link)
        pages = [f"{base}/dashboard/teams/{deck}", f"{base}/dashboard/teams/{deck}/export.csv", f"{base}/dashboard/learners/{ana}"]
        assert [await status_of(page, url) for url in pages] == [200, 200, 200]

        async with store.transaction() as tx:
            maria_id = found(await tx.learners.find(MARIA.platform, MARIA.user_id)).id
        assert await tokens_of(database_url, maria_id) == 3, "her session, the link she used and the unused one"
        await leave(maria, store)

        assert await tokens_of(database_url, maria_id) == 0, "deleted, not just unusable"
        assert await session_cookie(page) is not None, "the browser still holds the old cookie"
        for url in [f"{base}/dashboard", *pages]:
            assert await not_signed_in(page, url), url
        assert await status_of(page, pages[1]) == 401, "the CSV too"
        fresh = await (await browser.new_context()).new_page()
        assert await link_refused(fresh, base + unused), "the unused link died with the session"


async def test_losing_the_manager_role_by_import_ends_every_session_and_link(
    browser: Any,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    core = await deck_where_ana_took_a_lesson(store, curriculum, clock, issuer)
    deck, _ = await deck_ids(store)
    link, unused = await team_link(core, MARIA, "team-1"), await team_link(core, MARIA, "team-2")
    with serving(app_for(curriculum, issuer, clock), database_url) as base:
        page = await browser.new_page()
        await sign_in(page, base, link)
        # Importing the same people again changes nothing for Maria: she stays signed in.
        people, problems = read_people(PEOPLE)
        assert problems == []
        await import_people(store, people, now=clock.now())
        assert await status_of(page, f"{base}/dashboard/teams/{deck}") == 200

        demoted, problems = read_people(
            PEOPLE.replace("telegram,900,Maria Manager,,manager,Deck", "telegram,900,Maria Manager,Deck,learner,")
        )
        assert problems == []
        await import_people(store, demoted, now=clock.now())

        for url in [f"{base}/dashboard", f"{base}/dashboard/teams/{deck}", f"{base}/dashboard/teams/{deck}/export.csv"]:
            assert await not_signed_in(page, url), url
        assert await status_of(page, f"{base}/dashboard/teams/{deck}/export.csv") == 401
        fresh = await (await browser.new_context()).new_page()
        assert await link_refused(fresh, base + unused)


async def test_signing_out_ends_the_session_and_needs_the_forms_csrf_token(
    browser: Any,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    core = await deck_where_ana_took_a_lesson(store, curriculum, clock, issuer)
    deck, ana = await deck_ids(store)
    with serving(app_for(curriculum, issuer, clock), database_url) as base:
        page = await browser.new_page()
        await sign_in(page, base, await team_link(core, MARIA, "team-1"))
        old = found(await session_cookie(page))
        # Every dashboard page has the button.
        for url in [f"{base}/dashboard", f"{base}/dashboard/teams/{deck}", f"{base}/dashboard/learners/{ana}"]:
            await page.goto(url)
            assert await page.get_by_role("button", name="Sign out").count() == 1, url

        # A sign-out without the right token is refused, and the session goes on.
        await page.locator("form.signout input[name=csrf]").evaluate("input => { input.value = 'forged'; }")
        async with page.expect_navigation() as navigation:
            await page.get_by_role("button", name="Sign out").click()
        assert (await navigation.value).status == 403
        assert await page.locator(".status p:not(.status-word)").inner_text() == "Sign out with the Sign out button on a dashboard page."
        without = await page.request.post(f"{base}/dashboard/signout", form={})
        assert without.status == 403
        assert (await page.goto(f"{base}/dashboard")).status == 200, "still signed in"

        # The button signs out: the cookie is cleared, and the session is over on the server too.
        await page.get_by_role("button", name="Sign out").click()
        await page.wait_for_url(f"{base}/dashboard/signed-out")
        assert await page.locator(".status-word").inner_text() == "Signed out"
        assert await page.locator("#ways-in li").all_inner_texts() == WAYS_IN
        assert await session_cookie(page) is None
        replay = await browser.new_context()
        await replay.add_cookies([{**{k: old[k] for k in ("name", "value", "domain", "path")}}])
        assert await not_signed_in(await replay.new_page(), f"{base}/dashboard/teams/{deck}")


async def test_opening_the_link_spends_nothing_until_sign_in_is_pressed(
    browser: Any,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    core = await deck_where_ana_took_a_lesson(store, curriculum, clock, issuer)
    link = await team_link(core, MARIA, "team-1")
    with serving(app_for(curriculum, issuer, clock), database_url) as base:
        # A mail or chat link scanner fetches the link, twice, following redirects.
        async with httpx.AsyncClient(follow_redirects=True) as scanner:
            for _ in range(2):
                fetched = await scanner.get(base + link)
                assert fetched.status_code == 200 and SESSION_COOKIE not in scanner.cookies
        page = await browser.new_page()
        await page.goto(base + link)
        assert await page.locator("h1").inner_text() == "Sign in to the team dashboard"
        assert await page.locator(".lead").inner_text() == "This link signs you in as Maria Manager."
        assert await session_cookie(page) is None, "only the button signs in"
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{base}/dashboard")
        assert await page.locator(".topbar .who").inner_text() == "Signed in as Maria Manager"
        cookie = await session_cookie(page)
        assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/dashboard"
        # Spent now.
        assert await link_refused(await (await browser.new_context()).new_page(), base + link)


async def test_another_site_cannot_sign_the_browser_in(
    browser: Any,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    """Login CSRF: an attacker with a link of their own (here Maria's) tries to sign a victim's
    browser in to it, so that what the victim does next happens in the attacker's account."""
    core = await deck_where_ana_took_a_lesson(store, curriculum, clock, issuer)
    link = await team_link(core, MARIA, "team-1")
    with serving(app_for(curriculum, issuer, clock), database_url) as base:
        # The attacker opens the sign-in page themselves, for a nonce of their own.
        async with httpx.AsyncClient() as attacker:
            page_html = (await attacker.get(base + link)).text
        token, nonce = (found(re.search(rf'name="{name}" value="([^"]+)"', page_html)).group(1) for name in ("token", "nonce"))
        pages = {
            "/post": f"""<form id="f" method="post" action="{base}/dashboard/signin">
                <input type="hidden" name="token" value="{token}"><input type="hidden" name="nonce" value="{nonce}"></form>
                <script>document.getElementById("f").submit()</script>""",
            "/link": f"""<script>location.href = "{base + link}"</script>""",
        }
        victim = await browser.new_context()

        async def attacker_site(route: Any) -> None:
            await route.fulfill(status=200, content_type="text/html", body=pages[route.request.url[len(ATTACKER) :]])

        await victim.route(f"{ATTACKER}/**", attacker_site)
        page = await victim.new_page()
        # A cross-site form that posts the link's token (and the attacker's nonce): refused.
        async with page.expect_navigation(url=f"{base}/dashboard/signin") as navigation:
            await page.goto(f"{ATTACKER}/post")
        assert (await navigation.value).status == 403
        assert await page.locator(".status p:not(.status-word)").inner_text() == (
            "This sign-in did not come from the sign-in page: open the link from the bot again and press Sign in there."
        )
        # A cross-site jump to the link: the victim only sees the page with the button.
        async with page.expect_navigation(url=base + link):
            await page.goto(f"{ATTACKER}/link")
        assert await page.get_by_role("button", name="Sign in").count() == 1
        assert await session_cookie(page) is None
        assert await not_signed_in(page, f"{base}/dashboard")
        # And the link is still good for its owner.
        owner = await (await browser.new_context()).new_page()
        await sign_in(owner, base, link)
