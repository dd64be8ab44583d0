"""Lesson pictures in Microsoft Teams, at the wire: a card's pictures are Adaptive Card `Image`
elements whose url is the web app's public /media/ address (Teams' clients fetch it from there; the
web app serves it), each with its alt text, and its caption under it; where no client could fetch
it (no https PUBLIC_URL, or the file is gone) the picture is said in words."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.media import MediaFolder, MediaLinks
from adapters.teams.bot import TeamsBot
from bot.clock import ManualClock
from bot.core import Core
from bot.store.store import SqlStore
from bot.store.teams_conversations import SqlTeamsConversations
from content.loader import load_curriculum
from content.media_rules import read_media
from content.model import Curriculum
from fakes.teams_connector import FakeConnector, card_of
from tests.integration.test_issuing_on_award import issuer_for
from tests.pictures import CHART_ALT, CHART_CAPTION, content_with_pictures
from tests.teams.client import TeamsUser
from tests.teams.test_teams_app import conversations, held_clock, settings_for  # noqa: F401
from web.app import create_app

PUBLIC_URL = "https://learn.example.com"
pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return content_with_pictures(tmp_path / "content")


@pytest.fixture
def pictured(content: Path) -> Curriculum:
    result = load_curriculum(content)
    assert result.curriculum is not None
    return result.curriculum


async def learner(
    fake: FakeConnector,
    conversations: SqlTeamsConversations,
    store: SqlStore,
    pictured: Curriculum,
    clock: ManualClock,
    tmp_path: Path,
    content: Path,
    base_url: str,
) -> AsyncIterator[tuple[TeamsUser, httpx.AsyncClient]]:
    """A learner in Teams, and the web app (PUBLIC_URL) that serves the content's pictures."""
    core = Core(curriculum=pictured, store=store, clock=clock)
    links = MediaLinks(base_url=base_url, folder=MediaFolder(content))
    bot = TeamsBot(core=core, settings=settings_for(fake), conversations=conversations, patience=held_clock(fake), pictures=links.url)
    await bot.start()
    issuer = issuer_for(tmp_path, PUBLIC_URL)
    app = create_app(
        store=store, curriculum=pictured, issuer=issuer, clock=clock, platform_routers=[bot.adapter.router], content_dir=content
    )
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as http:
            yield TeamsUser(fake, http, bot), http
    finally:
        await bot.close()


def elements(ana: TeamsUser, kind: str) -> list[dict[str, Any]]:
    card = card_of(ana.activities()[-1])
    assert card is not None
    return [element for element in card["body"] if element["type"] == kind]


async def test_a_cards_pictures_are_images_teams_fetches_from_the_web_apps_public_address(
    fake: FakeConnector,
    conversations: SqlTeamsConversations,
    store: SqlStore,
    pictured: Curriculum,
    clock: ManualClock,
    tmp_path: Path,
    content: Path,
) -> None:
    async for ana, http in learner(fake, conversations, store, pictured, clock, tmp_path, content, PUBLIC_URL):
        await ana.says("hi")
        await ana.presses("Start now")
        digest = read_media(content / "media" / "tide-chart.png").digest
        [chart] = elements(ana, "Image")
        assert chart == {"type": "Image", "url": f"{PUBLIC_URL}/media/tide-chart.png?v={digest}", "altText": CHART_ALT, "size": "Stretch"}
        body = card_of(ana.activities()[-1])["body"]  # type: ignore[index]
        at = body.index(chart)
        assert body[at + 1] == {"type": "TextBlock", "text": CHART_CAPTION, "wrap": True, "size": "Small", "isSubtle": True}
        fetched = await http.get(chart["url"])  # what a Teams client does with it
        assert (fetched.status_code, fetched.headers["content-type"]) == (200, "image/png")
        await ana.presses("Next")
        assert [image["altText"] for image in elements(ana, "Image")] == [
            "A full moon and the sun in line with the earth",
            "The moon at a right angle to the sun",
        ]


async def test_without_an_https_public_url_a_picture_is_said_in_words(
    fake: FakeConnector,
    conversations: SqlTeamsConversations,
    store: SqlStore,
    pictured: Curriculum,
    clock: ManualClock,
    tmp_path: Path,
    content: Path,
) -> None:
    # No address a Teams client could fetch:
    async for ana, _ in learner(fake, conversations, store, pictured, clock, tmp_path, content, "http://127.0.0.1:8000"):
        await ana.says("hi")
        await ana.presses("Start now")
        assert elements(ana, "Image") == []
        texts = [block["text"] for block in elements(ana, "TextBlock")]
        assert f"🖼 {CHART_ALT}" in texts and CHART_CAPTION in texts
