"""Streaks through the whole bot: real events, the learner's own calendar."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.vocabulary import NudgeKind
from tests.support import Chat


async def learn_a_bit(chat: Chat) -> None:
    """One learning action: read a card or answer a check."""
    replies = await chat.next()
    if any(type(r).__name__ == "Question" for r in replies):
        await chat.answer(0)


async def streak(chat: Chat) -> int:
    await chat.command("progress")
    line = next(shown for shown in chat.text.splitlines() if "Streak" in shown)
    return int(line.split("Streak: ")[1].split()[0])


async def test_streak_survives_a_weekend_and_breaks_on_a_missed_weekday(core, clock):
    chat = Chat(core)
    await chat.start(timezone="Europe/Berlin")
    for day in (5, 6, 9):  # Thu, Fri, Mon
        clock.set(datetime(2026, 3, day, 12, tzinfo=UTC))
        await learn_a_bit(chat)
    assert await streak(chat) == 3
    clock.set(datetime(2026, 3, 11, 12, tzinfo=UTC))  # Tuesday 10 missed
    assert await streak(chat) == 0


async def test_streak_survives_the_dst_switch(core, clock):
    chat = Chat(core)
    await chat.start(timezone="Europe/Berlin")
    # Fri 27 and Mon 30 March 2026 around the spring-forward Sunday, late in the evening local time.
    clock.set(datetime(2026, 3, 27, 22, 30, tzinfo=UTC))  # 23:30 CET, Friday
    await learn_a_bit(chat)
    clock.set(datetime(2026, 3, 30, 21, 30, tzinfo=UTC))  # 23:30 CEST, Monday
    await learn_a_bit(chat)
    assert await streak(chat) == 2


async def test_a_change_of_timezone_keeps_the_days_already_learned(core, clock):
    chat = Chat(core)
    await chat.start(timezone="Asia/Tokyo")
    clock.set(datetime(2026, 3, 2, 1, tzinfo=UTC))  # Mon 10:00 in Tokyo
    await learn_a_bit(chat)
    await chat.command("settings", "timezone America/New_York")
    assert "Timezone set to America/New_York" in chat.text
    # Mon 21:00 in New York is Tue 11:00 in Tokyo: still Monday for the learner now, and the
    # Monday already learned in Tokyo neither moves nor counts twice.
    clock.set(datetime(2026, 3, 3, 2, tzinfo=UTC))
    await learn_a_bit(chat)
    assert await streak(chat) == 1
    clock.set(datetime(2026, 3, 3, 14, tzinfo=UTC))  # Tue 09:00 New York
    await learn_a_bit(chat)
    assert await streak(chat) == 2
    clock.set(datetime(2026, 3, 4, 4, tzinfo=UTC))  # Tue 23:00 New York, Wed in Tokyo
    assert await streak(chat) == 2


async def test_a_vacation_hold_keeps_the_streak_through_missed_weekdays(core, clock):
    chat = Chat(core)
    await chat.start(timezone="Europe/Berlin")
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    await learn_a_bit(chat)
    await chat.command("settings", "hold 2026-03-03 2026-03-06")
    assert "Vacation hold from 2026-03-03 to 2026-03-06" in chat.text
    clock.set(datetime(2026, 3, 9, 9, tzinfo=UTC))
    await learn_a_bit(chat)
    assert await streak(chat) == 2


async def test_bad_settings_get_specific_errors(core):
    from adapters.console.render import plain  # what the learner reads: typed text shown as typed

    chat = Chat(core)
    await chat.start()
    await chat.command("settings", "timezone Mars/Olympus")
    assert plain(chat.text).startswith("'Mars/Olympus' is not a timezone I know")
    await chat.command("settings", "time 25:00")
    assert plain(chat.text).startswith("'25:00' is not a time")
    await chat.command("settings", "timezone [x](https://evil.example)")
    assert plain(chat.text).startswith("'[x](https://evil.example)' is not a timezone I know"), "typed text is not a link"
    await chat.command("settings", "hold 2026-03-10 2026-03-01")
    assert "must not be before" in chat.text
    await chat.command("settings", "days funday")
    assert "not a list of days" in chat.text


async def test_the_days_nudge_says_when_a_streak_is_at_risk(core, clock):
    chat = Chat(core)
    await chat.start(timezone="Europe/Berlin")
    for day in (5, 6):  # Thu, Fri
        clock.set(datetime(2026, 3, day, 12, tzinfo=UTC))
        await learn_a_bit(chat)

    async def offer(kind: NudgeKind = NudgeKind.DAILY) -> str:
        [reply] = await core.nudge(chat.learner, kind)
        return reply.text

    clock.set(datetime(2026, 3, 7, 9, tzinfo=UTC))  # Saturday: not a required day
    assert "streak" not in await offer()
    clock.set(datetime(2026, 3, 9, 8, tzinfo=UTC))  # Monday 09:00: ends tonight unless...
    assert "🔥 Five minutes today keep your 2-day streak going." in await offer()
    assert "2-day streak" in await offer(NudgeKind.REMINDER1)
    await learn_a_bit(chat)
    assert "streak" not in await offer(NudgeKind.REMINDER1), "learned today: nothing at risk"
    await chat.command("settings", "hold 2026-03-10 2026-03-13")
    clock.set(datetime(2026, 3, 10, 8, tzinfo=UTC))  # on hold: the streak waits
    assert "streak" not in await offer()


async def test_a_hold_or_new_working_days_over_missed_days_mend_the_streak(core, clock):
    chat = Chat(core)
    await chat.start(timezone="Europe/Berlin")
    for day in (2, 3, 6):  # Mon, Tue, then Fri: Wed 4 and Thu 5 missed
        clock.set(datetime(2026, 3, day, 12, tzinfo=UTC))
        await learn_a_bit(chat)
    assert await streak(chat) == 1
    await chat.command("settings", "days mon,tue,fri")
    assert await streak(chat) == 3, "Wednesday and Thursday no working days: nothing was missed"
    await chat.command("settings", "days mon-fri")
    assert await streak(chat) == 1, "Wednesday and Thursday are required again"
    await chat.command("settings", "hold 2026-03-04 2026-03-05")
    assert "is already over" in chat.text, "a hold entirely in the past is refused: it cannot mend a streak"
    assert await streak(chat) == 1
    await chat.command("settings", "hold 2026-03-04 2026-03-06")
    assert await streak(chat) == 3, "a hold reaching back from today holds Wednesday and Thursday"
    clock.set(datetime(2026, 3, 9, 12, tzinfo=UTC))  # Monday
    await learn_a_bit(chat)
    assert await streak(chat) == 4
