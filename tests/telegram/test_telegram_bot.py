"""The Telegram adapter at the wire: the real python-telegram-bot Application, long polling a
fake Bot API server on 127.0.0.1 (fakes/telegram_api.py), and a learner tapping buttons."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.telegram.bot import SORRY, PollMemory, TelegramBot, TelegramSettings
from adapters.telegram.delivery import DeliveryLimiter
from bot.clock import ManualClock
from bot.core import Core
from bot.events import Event
from bot.published import BakedImages
from bot.replies import Reply, Text
from bot.store.database import create_engine
from bot.store.polls import SentPolls
from bot.store.store import SqlStore
from content.model import Curriculum
from fakes.telegram_api import FakeTelegram, running_fake_telegram
from tests.integration.test_issuing_on_award import issuer_for
from tests.support import found
from tests.telegram.client import TelegramUser

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnop"
GROUP = -1001234567890
PUBLIC_URL = "https://learn.example.com"
# The adapter's behaviour does not depend on the database; the store is covered on PostgreSQL elsewhere.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def fast_limiter() -> DeliveryLimiter:
    """Telegram's real limits, except the per-chat pace, which would make a test learner wait."""
    return DeliveryLimiter(chat_burst=1000, chat_period=1.0, backoff=0.05)


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with running_fake_telegram(TOKEN) as fake:
        # Telegram's published limits, except the per-chat pace: a test learner taps faster than
        # a person reads (fast_limiter does not pace a chat either; that pace is tested on its own).
        fake.enforce_rate_limits(per_chat_per_second=1000, chat_burst=1000)
        yield fake


async def started(fake: FakeTelegram, core: Core, polls: PollMemory | None = None, **settings: Any) -> TelegramBot:
    """A bot on the fake; `settings` are more TelegramSettings fields."""
    options: dict[str, Any] = {"api_base_url": fake.base_url, "announce_chat": GROUP, "poll_timeout": 1} | settings
    bot = TelegramBot(core=core, settings=TelegramSettings(token=TOKEN, **options), rate_limiter=fast_limiter(), polls=polls)
    await bot.start()
    return bot


@pytest.fixture
async def telegram(fake: FakeTelegram, core: Core) -> AsyncIterator[TelegramBot]:
    bot = await started(fake, core)
    yield bot
    await bot.stop()


@pytest.fixture
def ana(fake: FakeTelegram, core: Core) -> TelegramUser:
    return TelegramUser(fake, core)


async def onboard(ana: TelegramUser) -> None:
    await ana.says("/start")
    await ana.presses("Europe")
    await ana.presses("Berlin")
    await ana.presses("08:00")


async def test_commands_are_registered_and_onboarding_asks_timezone_and_time_with_buttons(
    telegram: TelegramBot, fake: FakeTelegram, ana: TelegramUser, store: SqlStore
):
    [commands] = [call for call in fake.sent("setMyCommands") if "language_code" not in call.params]  # the default menu
    assert [(c["command"], c["description"]) for c in commands.params["commands"]] == [
        ("start", "Begin, or pick up where you left off"),
        ("next", "Continue where you are (or start the next lesson)"),
        ("path", "Your pathway map: what is done, what is next, what each badge needs"),
        ("progress", "Your streak and mastery per skill"),
        ("badges", "Your badges and what the next one needs"),
        ("settings", "Your timezone, daily time, working days, vacation hold and language"),
        ("stop", "No more reminders from me (until /resume)"),
        ("resume", "Your daily lesson offers again, after /stop"),
        ("help", "This list"),
    ], "what anyone may type, as /help says it; /team (managers) is not offered to everyone"
    [greeting] = await ana.says("/start")
    assert "Hi Ana!" in greeting and "where are you?" in greeting
    [zones] = await ana.presses("Europe")
    assert "pick the place whose clock matches yours" in zones
    [times] = await ana.presses("Berlin")
    assert "When would you like your daily five-minute lesson?" in times
    # The confirmation and the first lesson's offer share one message (its buttons the offer's).
    [confirmation_and_offer] = await ana.presses("08:00")
    confirmed = confirmation_and_offer.index("Daily lesson at 08:00 (Europe/Berlin), Monday to Friday")
    assert confirmed < confirmation_and_offer.index("First up: Tides")
    # Every press was acknowledged, and each pressed keyboard removed.
    assert len(fake.sent("answerCallbackQuery")) == 3
    assert len(fake.sent("editMessageReplyMarkup")) == 3
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("telegram", str(ana.id)))
        assert (learner.timezone, learner.daily_time, learner.display_name) == ("Europe/Berlin", "08:00", "Ana")


async def test_a_whole_lesson_with_checks_by_buttons_and_by_poll(telegram: TelegramBot, fake: FakeTelegram, ana: TelegramUser):
    await onboard(ana)
    said = await ana.presses("Start now")
    assert "Two tides a day (1/4)" in said[-1], said
    await ana.presses("Next")
    said = await ana.presses("Next")
    assert "How many high tides do most coasts see in a day?" in said[-1]
    question, _ = ana.with_button("2)")
    [next_check] = await ana.presses("2) Two")
    assert next_check.startswith("📊 "), "the one new message: the next check"
    # The answered question shows the answer and its feedback (an edit, not a new message), and
    # has no buttons left to press twice.
    answered = found(fake.message(ana.id, question["message_id"]))
    assert "reply_markup" not in answered
    assert answered["text"].endswith("\n\n➡️ 2) Two\n\n✅ Correct!\nMost coasts have a semi-diurnal tide: two highs and two lows a day.")
    # A multiple-answer check comes as a poll that allows several answers.
    poll = ana.last_message()["poll"]
    assert poll["allows_multiple_answers"] and not poll["is_anonymous"] and poll["type"] == "regular"
    done = await ana.answers_poll([0, 1])
    assert done[0].startswith("✅ Correct!") and any("Lesson complete" in t for t in done)
    assert found(fake.poll(poll["id"]))["is_closed"], "the poll is closed once answered"
    assert all(c.ok for c in fake.calls if c.method != "getUpdates"), "Telegram accepted every call"


async def test_single_answer_checks_as_quiz_polls(fake: FakeTelegram, core: Core, ana: TelegramUser):
    bot = await started(fake, core, quiz_polls=True)
    try:
        await onboard(ana)
        await ana.presses("Start now")
        await ana.presses("Next")
        await ana.presses("Next")
        poll = ana.last_message()["poll"]
        assert poll["type"] == "quiz" and poll["question"] == "How many high tides do most coasts see in a day?"
        assert poll.get("correct_option_ids", [poll.get("correct_option_id")]) == [1]
        [feedback, *_] = await ana.answers_poll([0])
        assert feedback.startswith("❌ Not quite. The answer: Two")
    finally:
        await bot.stop()


async def test_a_restarted_bot_resumes_mid_lesson(fake: FakeTelegram, core: Core, ana: TelegramUser):
    bot = await started(fake, core)
    await onboard(ana)
    await ana.presses("Start now")
    await ana.presses("Next")
    await bot.stop()
    bot = await started(fake, core)
    try:
        [card] = await ana.says("/next")
        assert "Check (3/4)" in card or "How many high tides" in card
    finally:
        await bot.stop()


async def test_a_poll_answered_after_a_restart_or_at_another_process_counts(
    fake: FakeTelegram, core: Core, ana: TelegramUser, store: SqlStore, database_url: str, clock: ManualClock
):
    """`serve` keeps the polls it sent in the database: the answer is understood by a process
    that did not send the poll (several behind one webhook, or this one restarted)."""
    engine = create_engine(database_url)
    try:
        sender = await started(fake, core, polls=SentPolls(engine, "telegram", clock))
        await onboard(ana)
        await ana.presses("Start now")
        await ana.presses("Next")
        await ana.presses("Next")
        await ana.presses("2) Two")
        poll = ana.last_message()["poll"]  # the multiple-answer check, sent by this process
        await sender.stop()
        other = await started(fake, core, polls=SentPolls(engine, "telegram", clock))  # a fresh process
        try:
            done = await ana.answers_poll([0, 1])
        finally:
            await other.stop()
    finally:
        await engine.dispose()
    assert done[0].startswith("✅ Correct!") and any("Lesson complete" in t for t in done), done
    assert found(fake.poll(poll["id"]))["is_closed"], "the other process closed the poll it did not send"


async def test_a_badge_is_awarded_with_its_image_and_announced_in_the_group(
    fake: FakeTelegram, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
):
    issuer = issuer_for(tmp_path, PUBLIC_URL)
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
    bot = TelegramBot(
        core=core,
        images=BakedImages(store).png,
        rate_limiter=fast_limiter(),
        settings=TelegramSettings(token=TOKEN, api_base_url=fake.base_url, announce_chat=GROUP, poll_timeout=1),
    )
    await bot.start()
    ana = TelegramUser(fake, core)
    try:
        await onboard(ana)
        for _day in range(30):
            said = await ana.says("/next")
            while ana.asks_a_question():
                said += await ana.answers_correctly()
            if any("You earned the Deckhand badge" in t for t in said):
                break
            clock.advance(days=1)
        else:
            raise AssertionError("no badge in 30 days")
    finally:
        await bot.stop()
    [badge_photo, _certificate_photo] = fake.sent("sendPhoto", chat_id=ana.id)
    assert "You earned the Deckhand badge!" in badge_photo.result["caption"]
    upload = badge_photo.params["photo"]
    assert upload.data.startswith(b"\x89PNG"), "the baked PNG is uploaded"
    buttons = [b for row in badge_photo.params["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[0]["url"].startswith(f"{PUBLIC_URL}/credentials/")
    assert buttons[1]["url"].startswith("https://www.linkedin.com/profile/add?")
    group = [c.result.get("text", "") for c in fake.messages_to(GROUP)]
    assert group == ["🎉 Ana earned the Deckhand badge!", "🎉 Ana earned the Mariner Certificate certificate!"]
    assert "Two" not in " ".join(group), "the group never sees answers"


async def test_duplicate_updates_change_nothing(telegram: TelegramBot, fake: FakeTelegram, ana: TelegramUser, store: SqlStore):
    await onboard(ana)
    await ana.presses("Start now")
    await ana.presses("Next")
    await ana.presses("Next")
    message, data = ana.with_button("2)")
    press = fake.make_callback_update(ana.id, message, data)
    before = len(ana.messages())
    fake.queue_raw_update(press)
    await ana.settle(before)
    fake.queue_raw_update(press)  # the same update_id again
    fake.queue_raw_update(fake.make_callback_update(ana.id, message, data))  # a second tap on the old message
    await fake.wait_for(lambda f: not f.pending_updates)
    await asyncio.sleep(1)  # time enough for any (wrong) second feedback to arrive
    # The feedback shows once, on the answered question; the second tap only hears it was not counted.
    assert found(fake.message(ana.id, message["message_id"]))["text"].endswith(
        "➡️ 2) Two\n\n✅ Correct!\nMost coasts have a semi-diurnal tide: two highs and two lows a day."
    )
    shown = [(fake.message(ana.id, c.result["message_id"]) or {}).get("text", "") for c in ana.messages()]
    assert sum(text.count("✅ Correct!") for text in shown) == 1
    assert ana.texts(before)[-1] == "That question was already answered, so this answer was not counted. /next continues."
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("telegram", str(ana.id)))
        answered = [e for e in await tx.trail.of(learner.id) if e.kind == "answered"]
    assert len(answered) == 1


async def test_a_429_storm_delays_messages_but_loses_and_repeats_none(telegram: TelegramBot, fake: FakeTelegram, ana: TelegramUser):
    await onboard(ana)
    fake.fail_next("sendMessage", 3, status=429, retry_after=1)
    [header_and_card] = await ana.presses("Start now")
    assert header_and_card.startswith("📘 Tides") and "Two tides a day (1/4)" in header_and_card
    assert fake.too_many_requests == 3
    fake.fail_next("sendMessage", 2, status=502)
    said = await ana.presses("Next")
    assert len(said) == 1 and "Spring and neap (2/4)" in said[0]
    sent = [c.result["text"] for c in fake.sent("sendMessage", chat_id=ana.id)]
    assert len(sent) == len(set(sent)), "nothing sent twice"


async def test_a_message_over_4096_characters_is_split_not_rejected(telegram: TelegramBot, fake: FakeTelegram, ana: TelegramUser):
    long_text = "\n\n".join(f"**Part {i}.** " + "A tide table lists highs & lows. " * 40 for i in range(10))
    await telegram.send(ana.id, [Text(long_text)])
    parts = [c for c in fake.sent("sendMessage", chat_id=ana.id)]
    assert len(parts) == 4 and all(c.ok for c in parts)
    assert all(len(c.result["text"]) <= 4096 for c in parts)
    joined = " ".join(c.result["text"] for c in parts)
    assert joined.count("Part ") == 10 and "highs & lows" in joined


async def test_group_chats_get_no_lessons_only_a_pointer_to_a_private_chat(
    telegram: TelegramBot, fake: FakeTelegram, ana: TelegramUser, store: SqlStore
):
    fake.user_sends_text(ana.id, "/next@microbadge_bot", chat_id=GROUP, chat_type="supergroup")
    fake.user_sends_text(ana.id, "/next@some_other_bot", chat_id=GROUP, chat_type="supergroup")
    fake.user_sends_text(ana.id, "what is a neap tide?", chat_id=GROUP, chat_type="supergroup")
    await fake.wait_for(lambda f: len(f.messages_to(GROUP)) >= 1 and not f.pending_updates)
    await asyncio.sleep(1)  # time enough for any (wrong) second answer to arrive
    [pointer] = fake.messages_to(GROUP)
    assert "I teach in private chats" in pointer.result["text"]
    async with store.transaction() as tx:
        assert await tx.learners.find("telegram", str(ana.id)) is None, "nothing about the learner was started in a group"


class FailingCore:
    """A core that fails on /progress, as a bug would."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.curriculum = core.curriculum
        self.translators = core.translators

    async def handle(self, event: Event) -> list[Reply]:
        if getattr(event, "name", "") == "progress":
            raise RuntimeError(f"boom in the core while handling {TOKEN}")
        return await self._core.handle(event)


async def test_a_failure_gets_a_friendly_reply_and_is_logged_with_the_update_id_not_the_token(
    fake: FakeTelegram, core: Core, ana: TelegramUser, caplog: pytest.LogCaptureFixture
):
    from adapters import redaction

    redactor = redaction.RedactSecrets([TOKEN])
    caplog.handler.addFilter(redactor)
    bot = await started(fake, FailingCore(core))  # type: ignore[arg-type]  # FailingCore stands in for a Core
    try:
        with caplog.at_level(logging.INFO):
            update = fake.user_sends_text(ana.id, "/progress")
            await fake.wait_for(lambda f: any(c.params.get("text") == SORRY for c in f.sent("sendMessage")))
    finally:
        await bot.stop()
        caplog.handler.removeFilter(redactor)
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert failures and str(update["update_id"]) in failures[0].getMessage()
    assert TOKEN not in caplog.text


async def test_unknown_commands_and_free_text_get_specific_answers(telegram: TelegramBot, ana: TelegramUser):
    await onboard(ana)
    [unknown] = await ana.says("/teleport")
    assert unknown.startswith("I don't know the command /teleport.")
    [free] = await ana.says("x" * 5000)
    assert "tap one above, or send /next" in free
