"""Every page a person can reach, checked by axe-core in headless Chromium on a desktop and on a
phone: no serious or critical accessibility violation (contrast, names of links, buttons, form
fields and images, landmarks, headings, the language, tables' headers, ...). The data is the
compliance programme of tests/compliance_support.py (1 June 2026) beside a learner who earned the
Deckhand badge and the Mariner certificate through the bot, so that every page has something in
each of its parts: an admin signs in with a dashboard link and opens each page."""

from __future__ import annotations

from typing import Any

import pytest

from bot.clock import ManualClock
from bot.store.store import SqlStore
from bot.team import signin_link
from bot.wallet_claims import claim_link
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.compliance_support import NOW, seed, with_roles
from tests.web.accessibility import Violation, axe_source, blocking
from tests.web.conftest import Earned
from tests.web.dashboard_support import sign_in
from tests.web.server import serving
from web.app import create_app

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}


async def link_for(store: SqlStore, learner_id: int) -> str:
    async with store.transaction() as tx:
        viewer = await tx.learners.by_id(learner_id)
        assert viewer is not None
        return await signin_link(tx, viewer, "", NOW)


# One browser over SQLite is enough: the pages' database behaviour is covered by the request tests.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
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
    signin = await link_for(store, people.lee)
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
            "a used claim link": f"/wallet/claim/{'0' * 64}",
            "not signed in": "/dashboard",
            "sign-in": signin,
        }
        for name, path in public.items():
            await page.goto(base + path)
            found += await blocking(page, name)
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
            found += await blocking(page, name)
        await page.get_by_role("button", name="Sign out").click()
        await page.wait_for_url(f"{base}/dashboard/signed-out")
        found += await blocking(page, "signed out")
    assert found == [], "\n".join(found)


def test_a_violation_names_its_rule_and_elements():
    found = Violation(rule="color-contrast", impact="serious", help="Elements must meet contrast", targets=("a.x", "p"))
    assert str(found) == "serious color-contrast (Elements must meet contrast): a.x, p"
