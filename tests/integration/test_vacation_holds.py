"""Vacation holds as a learner sets and ends them: a hold already over is refused, and ending a
hold that has not started cancels it (the learner never left, so no "Welcome back")."""

from __future__ import annotations

from datetime import date

from tests.support import Chat

# The clock fixture: Monday 2 March 2026, 09:00 in Berlin.


async def holds_of(store, chat: Chat) -> list[tuple[date, date]]:
    async with store.transaction() as tx:
        learner = await tx.learners.find(chat.learner.platform, chat.learner.user_id)
        return [(hold.start, hold.end) for hold in await tx.holds.of(learner.id)]


async def test_a_hold_entirely_in_the_past_is_refused_and_one_ending_today_is_taken(core, store):
    chat = Chat(core)
    await chat.start(timezone="Europe/Berlin")
    await chat.command("settings", "hold 2026-02-16 2026-02-20")
    assert chat.text == (
        "A vacation hold is for days to come: 2026-02-16 to 2026-02-20 is already over (today is 2026-03-02). "
        "Give today or a later day as the last day, for example /settings hold 2026-03-02 2026-03-08"
    )
    assert await holds_of(store, chat) == []
    await chat.command("settings", "hold 2026-02-27 2026-03-02")  # reaching back, but not over yet
    assert chat.text == "Vacation hold from 2026-02-27 to 2026-03-02: your streak waits for you. Enjoy!"
    assert await holds_of(store, chat) == [(date(2026, 2, 27), date(2026, 3, 2))]


async def test_hold_off_before_the_hold_starts_cancels_it(core, store):
    chat = Chat(core)
    await chat.start(timezone="Europe/Berlin")
    await chat.command("settings", "hold 2026-03-09 2026-03-13")
    await chat.command("settings", "hold off")
    assert chat.text == ("Your vacation hold from 2026-03-09 to 2026-03-13 is cancelled: your daily lessons carry on as usual.")
    assert await holds_of(store, chat) == []


async def test_resume_before_the_hold_starts_cancels_it(core, store):
    chat = Chat(core)
    await chat.start(timezone="Europe/Berlin")
    await chat.command("settings", "hold 2026-03-09 2026-03-13")
    await chat.command("settings")
    await chat.press("Resume")
    assert chat.text == ("Your vacation hold from 2026-03-09 to 2026-03-13 is cancelled: your daily lessons carry on as usual.")
    assert await holds_of(store, chat) == []


async def test_resume_during_a_pause_welcomes_back_and_cancels_a_later_hold(core, store):
    chat = Chat(core)
    await chat.start(timezone="Europe/Berlin")
    await chat.command("settings", "hold 2026-04-06 2026-04-10")
    await chat.command("settings")
    await chat.press("Pause")
    await chat.press("1 week")
    await chat.command("settings")
    await chat.press("Resume")
    assert chat.text == (
        "Welcome back! Your pause is over; /next continues where you are. Your vacation hold from "
        "2026-04-06 to 2026-04-10 is cancelled: your daily lessons carry on as usual."
    )
    assert await holds_of(store, chat) == [(date(2026, 3, 2), date(2026, 3, 2))], "today stays held"


async def test_hold_off_without_a_hold_changes_nothing_and_says_so(core, store):
    chat = Chat(core)
    await chat.start(timezone="Europe/Berlin")
    await chat.command("settings", "hold off")
    assert chat.text == "You have no vacation hold or pause to end. /settings shows your settings."
