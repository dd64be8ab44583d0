"""Lesson pictures in Slack, at the wire: a card's pictures are image blocks whose image_url is
the web app's public /media/ address, which the fake Slack downloads (from the web app served on
loopback) before it accepts the message, as Slack does; where Slack could not fetch a picture (no
https PUBLIC_URL, or the file is gone) it is said in words, so the card is never refused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.media import MediaFolder, MediaLinks
from adapters.slack.app import SlackBot
from bot.clock import ManualClock
from bot.core import Core
from bot.store.store import SqlStore
from content.loader import load_curriculum
from content.media_rules import read_media
from content.model import Curriculum
from fakes.serving import serving_in_thread
from fakes.slack_api import FakeSlack
from tests.integration.test_issuing_on_award import issuer_for
from tests.memory_store import MemoryStore
from tests.pictures import CHART_ALT, CHART_CAPTION, content_with_pictures
from tests.slack.client import SlackUser
from tests.slack.test_slack_app import PUBLIC_URL, SECRET, fake, serving, slack_bot  # noqa: F401
from web.app import create_app

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return content_with_pictures(tmp_path / "content")


@pytest.fixture
def pictured(content: Path) -> Curriculum:
    result = load_curriculum(content)
    assert result.curriculum is not None
    return result.curriculum


@pytest.fixture
def web(content: Path, pictured: Curriculum, clock: ManualClock, tmp_path: Path, fake: FakeSlack) -> Iterator[str]:
    """The web app on loopback, standing in for PUBLIC_URL when the fake Slack downloads a picture."""
    app = create_app(store=MemoryStore(), curriculum=pictured, issuer=issuer_for(tmp_path, PUBLIC_URL), clock=clock, content_dir=content)
    with serving_in_thread(app, "public-web") as port:
        local = f"http://127.0.0.1:{port}"

        def fetch(url: str) -> tuple[int, str]:
            response = httpx.get(url.replace(PUBLIC_URL, local, 1), timeout=30)
            return response.status_code, response.headers.get("content-type", "")

        fake.fetch_images(fetch)
        yield local


async def learner(
    fake: FakeSlack, store: SqlStore, pictured: Curriculum, clock: ManualClock, tmp_path: Path, links: MediaLinks
) -> AsyncIterator[SlackUser]:
    core = Core(curriculum=pictured, store=store, clock=clock)
    bot: SlackBot = slack_bot(fake, core, store, clock, pictures=links.url)
    async with await serving(bot, store, pictured, clock, tmp_path) as http:
        yield SlackUser(fake, http, SECRET, core)


def blocks_of(ana: SlackUser, kind: str) -> list[dict[str, Any]]:
    return [block for block in ana.messages()[-1].params["blocks"] if block["type"] == kind]


@BOTH_DATABASES
async def test_a_cards_pictures_are_image_blocks_slack_downloads_from_the_public_address(
    fake: FakeSlack, store: SqlStore, pictured: Curriculum, clock: ManualClock, tmp_path: Path, content: Path, web: str
) -> None:
    links = MediaLinks(base_url=PUBLIC_URL, folder=MediaFolder(content))
    async for ana in learner(fake, store, pictured, clock, tmp_path, links):
        await ana.says("hi")
        await ana.presses("Start now")
        digest = read_media(content / "media" / "tide-chart.png").digest
        [chart] = blocks_of(ana, "image")
        assert chart == {
            "type": "image",
            "image_url": f"{PUBLIC_URL}/media/tide-chart.png?v={digest}",
            "alt_text": CHART_ALT,
            "title": {"type": "plain_text", "text": CHART_CAPTION, "emoji": True},
        }
        kinds = [block["type"] for block in ana.messages()[-1].params["blocks"]]
        assert kinds.index("section") < kinds.index("image") < kinds.index("actions"), "text, picture, then Next"
        await ana.presses("Next")
        assert [(block["alt_text"], block.get("title", {}).get("text")) for block in blocks_of(ana, "image")] == [
            ("A full moon and the sun in line with the earth", "Spring tide"),
            ("The moon at a right angle to the sun", None),
        ]
        assert {url.split("?")[0] for url in fake.images_fetched} == {
            f"{PUBLIC_URL}/media/{name}" for name in ("tide-chart.png", "spring-tide.jpg", "neap-tide.png")
        }
        assert all(call.ok for call in fake.calls), fake.dump()


def words(ana: SlackUser) -> list[str]:
    return [element["text"] for block in blocks_of(ana, "context") for element in block["elements"]]


@BOTH_DATABASES
async def test_without_an_https_public_url_a_picture_is_said_in_words(
    fake: FakeSlack, store: SqlStore, pictured: Curriculum, clock: ManualClock, tmp_path: Path, content: Path, web: str
) -> None:
    links = MediaLinks(base_url="http://127.0.0.1:8000", folder=MediaFolder(content))  # no address Slack could fetch
    async for ana in learner(fake, store, pictured, clock, tmp_path, links):
        await ana.says("hi")
        await ana.presses("Start now")
        assert blocks_of(ana, "image") == []
        assert f"🖼 {CHART_ALT} (Two highs &amp; two lows &lt;in a day&gt;)" in words(ana)
        assert fake.images_fetched == [] and all(call.ok for call in fake.calls), fake.dump()


@BOTH_DATABASES
async def test_a_picture_whose_file_is_gone_is_said_in_words_and_the_card_is_not_refused(
    fake: FakeSlack, store: SqlStore, pictured: Curriculum, clock: ManualClock, tmp_path: Path, content: Path, web: str
) -> None:
    (content / "media" / "neap-tide.png").unlink()  # removed since the curriculum was read
    links = MediaLinks(base_url=PUBLIC_URL, folder=MediaFolder(content))
    async for ana in learner(fake, store, pictured, clock, tmp_path, links):
        await ana.says("hi")
        await ana.presses("Start now")
        await ana.presses("Next")
        assert [block["alt_text"] for block in blocks_of(ana, "image")] == ["A full moon and the sun in line with the earth"]
        assert "🖼 The moon at a right angle to the sun" in words(ana)
        assert all(call.ok for call in fake.calls), fake.dump()


async def test_slack_refuses_a_message_whose_picture_it_cannot_download(fake: FakeSlack, web: str) -> None:
    """The fake holds the bot to what Slack does: one picture it cannot fetch refuses the message."""
    blocks = [{"type": "image", "image_url": f"{PUBLIC_URL}/media/missing.png", "alt_text": "Gone"}]
    headers = {"Authorization": f"Bearer {fake.bot_token}"}
    async with httpx.AsyncClient() as client:
        posted = await client.post(f"{fake.api_url}chat.postMessage", json={"channel": "U0ANA", "blocks": blocks}, headers=headers)
    answer = posted.json()
    assert answer["ok"] is False and answer["errors"] == ["downloading image failed [json-pointer:/blocks/0/image_url]"]
