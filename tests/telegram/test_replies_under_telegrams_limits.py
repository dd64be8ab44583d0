"""The learner's side of Telegram's limits, at the wire: the fake Bot API enforces Telegram's
published limits (30 messages a second per bot, about one a second per chat after a short burst,
20 a minute per group; edits and answers to presses do not count) and the bot runs with the
DeliveryLimiter `serve` uses.

- A step of a lesson costs one message: a lesson's header and its first card, feedback and the
  next step share one; an answer given by button shows its feedback on the question's message
  (an edit); a poll is a message of its own.
- Only messages are paced, and a learner waiting for a reply goes ahead of queued nudges: the
  pressed button is answered and its keyboard closed at once, the next card comes next.
- A flood wait in the team group holds up the group only, not a learner's reply.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from adapters.telegram.bot import TelegramBot, TelegramSettings
from adapters.telegram.delivery import DeliveryLimiter
from bot.core import Core
from bot.replies import Announcement, Text
from fakes.telegram_api import FakeTelegram, running_fake_telegram
from tests.support import found
from tests.telegram.client import TelegramUser
from tests.telegram.test_telegram_bot import GROUP, TOKEN, onboard

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

NUDGED = range(5000, 5040)  # 40 other learners, each due a nudge


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with running_fake_telegram(TOKEN) as fake:
        fake.enforce_rate_limits()  # Telegram's published limits, as they are
        yield fake


async def started(fake: FakeTelegram, core: Core, limiter: DeliveryLimiter | None = None) -> TelegramBot:
    settings = TelegramSettings(token=TOKEN, api_base_url=fake.base_url, announce_chat=GROUP, poll_timeout=1)
    bot = TelegramBot(core=core, settings=settings, rate_limiter=limiter)  # None: the limiter `serve` uses
    await bot.start()
    return bot


def lines(text: str) -> list[str]:
    return text.split("\n")


async def test_each_step_of_a_lesson_is_one_message_and_a_poll_is_its_own(fake: FakeTelegram, core: Core):
    bot = await started(fake, core)
    ana = TelegramUser(fake, core, quiet=1.5)  # the bot paces a chat: a message every 1.1 s after a burst
    try:
        await onboard(ana)
        start = await ana.presses("Start now")
        second_card = await ana.presses("Next")
        question = await ana.presses("Next")
        answered = ana.last_message()
        poll = await ana.presses("2) Two")
        end = await ana.answers_poll([0, 1])
    finally:
        await bot.stop()
    assert [len(said) for said in (start, second_card, question, poll, end)] == [1, 1, 1, 1, 1]
    [header_and_card] = start
    assert lines(header_and_card)[0].startswith("📘 Tides")
    assert header_and_card.index("\n\nTwo tides a day (1/4)\n\n") > 0, "the header, a blank line, then the card"
    shown = found(fake.message(ana.id, answered["message_id"]))["text"]
    assert shown.endswith("\n\n➡️ 2) Two\n\n✅ Correct!\nMost coasts have a semi-diurnal tide: two highs and two lows a day."), (
        "the answer and its feedback, on the question"
    )
    assert poll[0].startswith("📊 ")
    [summary] = end
    parts = [lines(part) for part in summary.split("\n\n")]
    assert parts[0][0] == "✅ Correct!" and parts[1][0] == "✅ Lesson complete: Tides. 2 of 2 correct."
    assert parts[2] == ["Next in Seamanship L1: Knots (2 min)."]
    assert [b["text"] for row in ana.last_message()["reply_markup"]["inline_keyboard"] for b in row] == ["Start now", "Later"]
    assert fake.too_many_requests == 0, "Telegram never had to refuse a message"


async def test_a_learner_who_presses_a_button_is_served_ahead_of_queued_nudges(fake: FakeTelegram, core: Core):
    """40 nudges queue behind the bot's overall rate (5 a second here: 8 s of them). A learner
    who presses Next meanwhile sees the button answered and its keyboard closed at once (edits
    and answers do not count against Telegram's limits), and gets the next card ahead of the
    nudges still waiting."""
    bot = await started(fake, core, DeliveryLimiter(overall_per_second=5))
    ana = TelegramUser(fake, core, quiet=1.5)
    nudges: list[asyncio.Task[None]] = []
    try:
        await onboard(ana)
        await ana.presses("Start now")
        card, data = ana.with_button("Next")
        nudges = [asyncio.create_task(bot.send_to_user(str(user), [Text(f"Nudge for {user}")])) for user in NUDGED]
        await fake.wait_for(lambda f: any(c.chat_id in NUDGED for c in f.sent("sendMessage")))
        fake.user_presses(ana.id, card, data)
        await fake.wait_for(lambda f: "Spring and neap (2/4)" in ana.texts()[-1], timeout=20)
    finally:
        for nudge in nudges:
            nudge.cancel()
        await asyncio.gather(*nudges, return_exceptions=True)
        await bot.stop()
    calls = fake.sent()
    nudged = [i for i, c in enumerate(calls) if c.method == "sendMessage" and c.chat_id in NUDGED]

    def nudges_before(method: str) -> int:
        at = next(i for i, c in enumerate(calls) if c.method == method and c.chat_id in (ana.id, None) and i > nudged[0])
        return sum(1 for i in nudged if i < at)

    for method in ("answerCallbackQuery", "editMessageReplyMarkup", "sendMessage"):
        assert nudges_before(method) <= len(NUDGED) // 2, f"{method} for the learner waited behind the nudges"
    assert fake.too_many_requests == 0


async def test_a_flood_wait_in_the_team_group_does_not_hold_up_a_learners_reply(fake: FakeTelegram, core: Core):
    bot = await started(fake, core)
    ana = TelegramUser(fake, core)
    try:
        fake.fail_next("sendMessage", 1, status=429, retry_after=5)  # Telegram: the group must wait 5 s
        announcing = asyncio.create_task(bot.send(ana.id, [Announcement("🎉 Ana earned the **Deckhand** badge!")]))
        await fake.wait_for(lambda f: f.too_many_requests == 1)
        [greeting] = await ana.says("/start")
        assert greeting.startswith("Hi Ana!")
        await announcing
    finally:
        await bot.stop()
    [refused] = [c for c in fake.calls if c.status == 429]
    greeting_sent, announced = fake.sent("sendMessage")
    assert greeting_sent.chat_id == ana.id and greeting_sent.at < refused.at + 5, "the learner did not wait for the group"
    assert announced.chat_id == GROUP and announced.at >= refused.at + 5, "the group waited its 5 s"
    assert announced.result["text"] == "🎉 Ana earned the Deckhand badge!"
