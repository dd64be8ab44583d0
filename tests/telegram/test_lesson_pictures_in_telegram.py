"""Lesson pictures in Telegram, at the wire: the fake Bot API records each upload. A card with one
picture is one photo message with the card as its caption and the Next button under it; a card
with several is an album (sendMediaGroup), then its text; a picture is uploaded once and sent by
Telegram's file id after that; a picture whose file is gone is said in words."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.media import MediaFolder
from adapters.telegram.bot import TelegramBot, TelegramSettings
from bot.clock import ManualClock
from bot.core import Core
from bot.store.store import SqlStore
from fakes.telegram_api import FakeTelegram, Upload
from tests.pictures import CHART_ALT, CHART_CAPTION, content_with_pictures, curriculum_with_pictures
from tests.telegram.client import TelegramUser
from tests.telegram.test_telegram_bot import GROUP, TOKEN, fake, fast_limiter, onboard  # noqa: F401

# The lesson's header goes into the picture's caption with the card: one message, not two.
CARD_ONE = (
    "📘 Tides · 2 min · Seamanship L1 (lesson 1 of 2)\n\n"
    f"Two tides a day (1/4)\n\nMost coasts see two high tides and two low tides each day.\n\n🖼 {CHART_CAPTION}"
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return content_with_pictures(tmp_path / "content")


@pytest.fixture
async def core(store: SqlStore, clock: ManualClock, tmp_path: Path) -> Core:
    return Core(curriculum=curriculum_with_pictures(tmp_path / "read"), store=store, clock=clock)


@pytest.fixture
async def telegram(fake: FakeTelegram, core: Core, content: Path) -> AsyncIterator[TelegramBot]:
    settings = TelegramSettings(token=TOKEN, api_base_url=fake.base_url, announce_chat=GROUP, poll_timeout=1)
    bot = TelegramBot(core=core, settings=settings, rate_limiter=fast_limiter(), media=MediaFolder(content))
    await bot.start()
    yield bot
    await bot.stop()


async def test_a_card_with_a_picture_is_one_photo_with_the_card_as_caption_and_an_album_for_several(
    telegram: TelegramBot, fake: FakeTelegram, core: Core, content: Path
) -> None:
    ana = TelegramUser(fake, core)
    await onboard(ana)
    said = await ana.presses("Start now")
    assert said == [CARD_ONE]
    [photo] = fake.sent("sendPhoto")
    upload = photo.params["photo"]
    assert isinstance(upload, Upload) and upload.data == (content / "media" / "tide-chart.png").read_bytes()
    shown = photo.result
    assert (shown["photo"][-1]["width"], shown["photo"][-1]["height"]) == (900, 600)
    assert [button["text"] for row in shown["reply_markup"]["inline_keyboard"] for button in row] == ["Next ▶"]
    assert [entity["type"] for entity in shown["caption_entities"]] == ["bold", "bold", "italic", "italic"]

    said = await ana.presses("Next")
    [album] = fake.sent("sendMediaGroup")
    pictures = album.result
    assert [message["caption"] for message in pictures] == ["🖼 Spring tide", "🖼 The moon at a right angle to the sun"]
    assert len({message["media_group_id"] for message in pictures}) == 1
    uploads = [album.params[item["media"].removeprefix("attach://")] for item in album.params["media"]]
    assert [upload.data for upload in uploads] == [
        (content / "media" / "spring-tide.jpg").read_bytes(),
        (content / "media" / "neap-tide.png").read_bytes(),
    ]
    card = ana.last_message()
    assert card["text"] == "Spring and neap (2/4)\n\nSpring tides are the biggest; neap tides the smallest."
    assert "reply_markup" in card, "the Next button is under the text, after the pictures"
    assert said == [card["text"]]
    assert all(call.ok for call in fake.calls if call.method != "getUpdates"), "Telegram accepted every call"


async def test_a_picture_is_uploaded_once_then_sent_by_its_file_id_and_a_missing_one_is_said_in_words(
    telegram: TelegramBot, fake: FakeTelegram, core: Core, content: Path
) -> None:
    ana, bea = TelegramUser(fake, core), TelegramUser(fake, core, user_id=4343, first_name="Bea")
    for learner in (ana, bea):
        await onboard(learner)
    await ana.presses("Start now")
    said = await bea.presses("Start now")
    assert said[-1] == CARD_ONE
    first, again = fake.sent("sendPhoto")
    assert isinstance(first.params["photo"], Upload)
    assert again.params["photo"] == first.result["photo"][-1]["file_id"], "not uploaded a second time"

    (content / "media" / "neap-tide.png").unlink()  # removed before anyone was sent it
    said = await ana.presses("Next")
    spring = fake.sent("sendPhoto")[-1]
    assert isinstance(spring.params["photo"], Upload) and spring.result["caption"] == "🖼 Spring tide"
    assert said == [
        "🖼 Spring tide",
        "🖼 The moon at a right angle to the sun",
        "Spring and neap (2/4)\n\nSpring tides are the biggest; neap tides the smallest.",
    ]
    assert fake.sent("sendMediaGroup") == [], "one picture left: a photo, not an album"
    assert all(call.ok for call in fake.calls if call.method != "getUpdates")


async def test_without_a_media_folder_a_picture_is_said_in_words(fake: FakeTelegram, core: Core) -> None:
    settings = TelegramSettings(token=TOKEN, api_base_url=fake.base_url, announce_chat=GROUP, poll_timeout=1)
    bot = TelegramBot(core=core, settings=settings, rate_limiter=fast_limiter())
    await bot.start()
    try:
        ana = TelegramUser(fake, core)
        await onboard(ana)
        said = await ana.presses("Start now")
    finally:
        await bot.stop()
    assert said[-1] == CARD_ONE.replace(f"🖼 {CHART_CAPTION}", f"🖼 {CHART_ALT}\n{CHART_CAPTION}")
    assert fake.sent("sendPhoto") == [] and "reply_markup" in ana.last_message()
