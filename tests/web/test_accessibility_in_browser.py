"""Every page a person can reach, checked by axe-core in headless Chromium on a desktop, a phone
and at 320 px: no serious or critical accessibility violation (contrast, names of links, buttons,
form fields and images, landmarks, headings, the language, tables' headers, ...) and no page
scrolling sideways. The data is the compliance programme of tests/compliance_support.py (1 June
2026) beside a learner who earned the Deckhand badge and the Mariner certificate through the bot,
so that every page has something in each of its parts: an admin signs in with a dashboard link
and opens each page. The L&D page is checked again full, after a simulated month of answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.store.store import SqlStore
from bot.team import signin_link
from bot.wallet_claims import claim_link
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.compliance_support import NOW, seed, with_roles
from tests.item_histories import NOW as REVIEW_NOW
from tests.web.accessibility import Violation, axe_source, blocking, open_every_details
from tests.web.conftest import Earned
from tests.web.dashboard_support import sign_in
from tests.web.review_support import PAGE as REVIEW_PAGE
from tests.web.review_support import sample_content
from tests.web.review_support import seed as seed_review
from tests.web.server import serving
from tests.web.support import revoke
from web.app import create_app

# A desktop, a phone, and WCAG 2.1's reflow width (1.4.10: 320 CSS px, no scrolling sideways).
DESKTOP, PHONE, NARROW = {"width": 1280, "height": 800}, {"width": 390, "height": 844}, {"width": 320, "height": 640}
# The focused element's name and its outline, as drawn.
FOCUSED = """() => { const e = document.activeElement, style = getComputedStyle(e);
    return [e.textContent.trim(), style.outlineStyle, style.outlineWidth]; }"""


async def link_for(store: SqlStore, learner_id: int, now: datetime) -> str:
    """A dashboard sign-in link for the person, as `/team` or `dashboard link` gives it."""
    async with store.transaction() as tx:
        viewer = await tx.learners.by_id(learner_id)
        assert viewer is not None
        return await signin_link(tx, viewer, "", now)


async def checked(page: Any, name: str) -> list[str]:
    """What is wrong with the page: axe's serious and critical findings, and scrolling sideways
    (with every "Show ... as a table" open, as `blocking` leaves the page)."""
    await open_every_details(page)
    width, viewport = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    wide = [f"{name}: {width} px wide in a {viewport} px window"] if width > viewport else []
    return wide + await blocking(page, name)


# One browser over SQLite is enough: the pages' database behaviour is covered by the request tests.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE, NARROW], ids=["desktop", "phone", "320px"])
async def test_every_page_passes_the_accessibility_check(
    browser: Any,
    earned: Earned,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
    viewport: dict[str, int],
):
    axe_source()  # installed, or a skip saying how
    assert clock.now() < NOW, "the credentials were earned before the programme's day"
    clock.set(NOW)
    people = await seed(store)
    signin = await link_for(store, people.lee, NOW)
    async with store.transaction() as tx:
        claim = await claim_link(tx, earned.certificate, base_url="", now=NOW)
    assert claim is not None

    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=with_roles(curriculum), issuer=issuer, clock=clock)

    with serving(make_app, database_url) as base:
        page = await (await browser.new_context(viewport=viewport)).new_page()
        found: list[str] = []
        public = {
            "landing": "/",
            "credential": f"/credentials/{earned.certificate.public_id}",
            "achievement": "/achievements/mariner",
            "skill": "/skills/tides",
            "wallet claim": claim,
            "not found": "/credentials/00000000-0000-4000-8000-000000000000",
            "an unknown claim link": f"/wallet/claim/{'0' * 64}",
            "not signed in": "/dashboard",
            "sign-in": signin,
        }
        for name, path in public.items():
            await page.goto(base + path)
            found += await checked(page, name)
            if name == "wallet claim":  # the QR code is an image with a name, not a bare drawing
                qr = page.get_by_role("img", name="QR code for your wallet: scan it to add this credential")
                assert await qr.locator("svg.qr").count() == 1
        await sign_in(page, base, signin)
        dashboard = {
            "dashboard": "/dashboard",
            "team": f"/dashboard/teams/{people.deck}",
            "learner": f"/dashboard/learners/{people.formula}",
            "compliance": "/dashboard/compliance",
            "assignments": "/dashboard/assignments",
            "review (L&D)": "/dashboard/review",
        }
        for name, path in dashboard.items():
            response = await page.goto(base + path)
            assert response is not None and response.status == 200, name
            found += await checked(page, name)
        # The keyboard's place shows: Tab from the top reaches the first link, with its ring.
        await page.goto(f"{base}/dashboard")
        await page.keyboard.press("Tab")
        focused = await page.evaluate(FOCUSED)
        assert focused == ["All teams", "solid", "3px"], focused
        await page.get_by_role("button", name="Sign out").click()
        await page.wait_for_url(f"{base}/dashboard/signed-out")
        found += await checked(page, "signed out")
        # A credential in each state a verifier may meet: revoked, a certificate whose badge was
        # revoked, expired.
        await revoke(store, earned.badge.public_id, at=clock.now(), reason="issued in error")
        for name, award in (("revoked badge", earned.badge), ("certificate of a revoked badge", earned.certificate)):
            await page.goto(f"{base}/credentials/{award.public_id}")
            found += await checked(page, name)
        assert earned.certificate.valid_until is not None
        clock.set(earned.certificate.valid_until + timedelta(days=1))
        await page.goto(f"{base}/credentials/{earned.certificate.public_id}")
        assert await page.locator(".status-word").inner_text() == "Expired"
        found += await checked(page, "expired certificate")
    assert found == [], "\n".join(found)


def test_a_violation_names_its_rule_and_elements():
    found = Violation(rule="color-contrast", impact="serious", help="Elements must meet contrast", targets=("a.x", "p"))
    assert str(found) == "serious color-contrast (Elements must meet contrast): a.x, p"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_l_and_d_page_with_a_month_of_answers_passes_the_check(
    browser: Any, store: SqlStore, clock: ManualClock, issuer: IssuerIdentity, database_url: str
):
    """The L&D page full: the simulated month of 200 learners on the sample content (findings with
    their options' shares, every check, a forgetting curve per skill, lessons, the holdout)."""
    axe_source()
    sample = sample_content()
    clock.set(REVIEW_NOW)
    lee = (await seed_review(store, sample)).lee

    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=sample, issuer=issuer, clock=clock)

    with serving(make_app, database_url) as base:
        found: list[str] = []
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE), ("320px", NARROW)):
            page = await (await browser.new_context(viewport=viewport)).new_page()
            await sign_in(page, base, await link_for(store, lee, REVIEW_NOW))
            await page.goto(base + REVIEW_PAGE)
            assert await page.locator("#findings li.finding").count() > 0 and await page.locator("section.curve").count() > 0
            found += await checked(page, f"review ({name})")
        assert found == [], "\n".join(found)
