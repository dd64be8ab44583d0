"""A card's pictures reach the learner through the core: in the neutral reply, frozen with the
lesson a learner started, and in the terminal as words and a file path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from adapters.console.render import render
from bot.clock import ManualClock
from bot.core import Core
from bot.replies import LessonCard, Picture, reply_from_json, reply_to_json
from bot.snapshot import step_from_json, step_to_json
from content.model import Card
from tests.memory_store import MemoryStore
from tests.pictures import CHART_ALT, CHART_CAPTION, curriculum_with_pictures
from tests.support import Chat


async def test_a_card_with_a_picture_is_a_lesson_card_with_its_picture(tmp_path: Path) -> None:
    curriculum = curriculum_with_pictures(tmp_path / "content")
    chat = Chat(Core(curriculum=curriculum, store=MemoryStore(), clock=ManualClock(datetime(2026, 3, 2, 8, tzinfo=UTC))))
    await chat.start()
    await chat.press("Start now")
    card = chat.last[-1]
    assert isinstance(card, LessonCard)
    assert card.body == "Most coasts see two high tides and two low tides each day."
    [picture] = card.pictures
    assert picture == Picture(
        path="media/tide-chart.png",
        alt=CHART_ALT,
        caption=CHART_CAPTION,
        media_type="image/png",
        width=900,
        height=600,
        digest=curriculum.lessons["tides"].cards[0].pictures[0].digest,
    )
    await chat.press("Next")
    second = chat.last[-1]
    assert isinstance(second, LessonCard)
    assert [(p.path, p.media_type, p.caption) for p in second.pictures] == [
        ("media/spring-tide.jpg", "image/jpeg", "Spring tide"),
        ("media/neap-tide.png", "image/png", ""),
    ]
    assert reply_from_json(reply_to_json(second)) == second  # kept in the delivery journal as JSON


def test_a_started_lesson_keeps_its_pictures_and_an_old_snapshot_has_none(tmp_path: Path) -> None:
    card = curriculum_with_pictures(tmp_path / "content").lessons["tides"].cards[0]
    thawed = step_from_json(step_to_json(card, ("tides",)))
    assert isinstance(thawed, Card)
    assert [(p.path, p.alt, p.caption, p.width, p.height, p.digest) for p in thawed.pictures] == [
        (p.path, p.alt, p.caption, p.width, p.height, p.digest) for p in card.pictures
    ]
    old = step_from_json({"type": "card", "title": "Two tides a day", "body": "Most coasts..."})  # frozen before pictures
    assert isinstance(old, Card) and old.pictures == ()


def test_the_terminal_prints_the_alt_text_caption_and_file_of_each_picture() -> None:
    pictures = (
        Picture("media/tide-chart.png", CHART_ALT, CHART_CAPTION, "image/png", 900, 600, "0123456789ab"),
        Picture("media/neap-tide.png", "The moon at a right angle to the sun", "", "image/png", 800, 600, "0123456789ab"),
    )
    text = render(LessonCard("Tides", "Two tides a day", "Most coasts see two.", 1, 4, pictures=pictures)).text
    assert text.split("\n")[1:] == [
        "[1/4] Two tides a day",
        "",
        "Most coasts see two.",
        "",
        f"🖼  Picture: {CHART_ALT}",
        f"   Caption: {CHART_CAPTION}",
        "   File: media/tide-chart.png (in the content folder)",
        "",
        "🖼  Picture: The moon at a right angle to the sun",
        "   File: media/neap-tide.png (in the content folder)",
    ]
