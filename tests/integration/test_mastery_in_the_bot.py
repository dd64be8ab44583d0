"""Mastery as the learner sees it in /progress: up with spaced success, down without practice."""

from __future__ import annotations

import re

from tests.support import Chat, found


async def mastery_of(chat: Chat, skill_name: str) -> int:
    await chat.command("progress")
    line = next(shown for shown in chat.text.splitlines() if shown.endswith(skill_name))
    return int(found(re.search(r"(\d+)% ", line)).group(1))


async def test_mastery_decays_without_practice_and_recovers_with_a_recheck(core, clock):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    fresh = await mastery_of(chat, "Reading tides")
    clock.advance(days=60)
    faded = await mastery_of(chat, "Reading tides")
    assert faded < fresh - 15
    await chat.next()  # the due re-checks
    assert "Quick re-check" in chat.text
    await chat.answer_correctly()
    await chat.answer_correctly()
    assert await mastery_of(chat, "Reading tides") > faded


async def test_wrong_answers_give_lower_mastery_than_right_ones(core, clock):
    right, wrong = Chat(core, "ana"), Chat(core, "ben")
    for chat, correct in ((right, True), (wrong, False)):
        await chat.start()
        await chat.take_next_lesson(right=correct)
    assert await mastery_of(wrong, "Reading tides") < await mastery_of(right, "Reading tides")
