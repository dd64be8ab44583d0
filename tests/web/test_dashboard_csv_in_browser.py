"""CSV exports downloaded from the dashboard in headless Chromium: names people chose that a
spreadsheet would run as formulas (a learner called =HYPERLINK(...), a team called
+cmd|' /C calc'!A0) arrive as text, quoted the way spreadsheets show as written."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.core import Core
from bot.events import LearnerRef
from bot.people import import_people, read_people
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.support import Chat
from tests.web.dashboard_support import sign_in, team_link
from tests.web.server import serving
from web.app import create_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
LEARNER = '=HYPERLINK("https://evil.example","x")'
TEAM = "+cmd|' /C calc'!A0"
OTHERS = ["-2+3", "@SUM(A1:A2)"]  # the other starts OWASP names (a tab or CR is trimmed off names on import)


def read_csv(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


async def download(page: Any, link_name: str) -> list[list[str]]:
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=link_name, exact=True).click()
    return await asyncio.to_thread(read_csv, await (await download_info.value).path())


async def test_names_that_look_like_formulas_download_as_text(
    browser: Any,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
    rows = [
        ["platform", "user_id", "name", "team", "role", "manages"],
        ["console", "mallory", LEARNER, TEAM, "learner", ""],
        *[["console", f"other{i}", name, TEAM, "learner", ""] for i, name in enumerate(OTHERS)],
        ["telegram", "900", "Maria Manager", "", "manager", TEAM],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    people, problems = read_people(out.getvalue())
    assert problems == []
    await import_people(store, people, now=clock.now())
    mallory = Chat(core, "mallory", platform="console")
    await mallory.start()
    await mallory.take_next_lesson()
    link = await team_link(core, LearnerRef("telegram", "900", "Maria"), "team-1")

    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=curriculum, issuer=issuer, clock=clock)

    with serving(make_app, database_url) as base:
        page = await browser.new_page()
        await sign_in(page, base, link)
        # On the page the names read exactly as typed.
        assert await page.locator("#teams tbody td a").all_inner_texts() == [TEAM]
        overview = await download(page, "Export CSV")
        assert overview[1] == ["'" + TEAM, "3", "1", "1", "1", "1", "0"]

        await page.get_by_role("link", name=TEAM).click()
        assert await page.locator("h1").inner_text() == TEAM
        team = await download(page, "Export CSV")
        by_name = {row[0]: row[1:6] for row in team[1:]}
        assert by_name["'" + LEARNER] == ["1", "0", "yes", "no", "1"], "the name quoted, the figures numbers"
        assert sorted(by_name) == sorted("'" + name for name in [LEARNER, *OTHERS])
