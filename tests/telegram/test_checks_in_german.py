"""Issue 17 at the wire on Telegram: what the adapter puts around a check and its feedback (the
hint under the options, the verdict) is in the learner's language, as the core chose it; an
English learner reads what they always read."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.telegram.bot import TelegramBot, TelegramSettings
from bot.clock import ManualClock
from bot.core import Core
from bot.store.store import SqlStore
from content.model import Curriculum
from fakes.telegram_api import FakeTelegram
from tests.integration.test_issuing_on_award import issuer_for
from tests.support import found
from tests.telegram.client import TelegramUser, _text_of
from tests.telegram.test_telegram_bot import GROUP, PUBLIC_URL, TOKEN, fake, fast_limiter  # noqa: F401

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


async def first_check(
    fake: FakeTelegram, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path, words: dict[str, str]
) -> tuple[TelegramBot, TelegramUser, list[str]]:
    """Onboarded, and through the first lesson's cards to its first check (one answer: buttons)."""
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, PUBLIC_URL))
    settings = TelegramSettings(token=TOKEN, api_base_url=fake.base_url, announce_chat=GROUP, poll_timeout=1)
    bot = TelegramBot(core=core, rate_limiter=fast_limiter(), settings=settings)
    await bot.start()
    ana = TelegramUser(fake, core)
    await ana.says("/start")
    for label in (words["region"], "Berlin", "08:00"):
        await ana.presses(label)
    said = await ana.says("/next")
    while not ana.asks_a_question():
        said = await ana.presses(words["next"])
    return bot, ana, said


async def wrong_answer(learner: TelegramUser) -> str:
    """Presses 1) One (the answer is Two); the feedback goes into the check's message: its text
    as it reads then."""
    question, _ = learner.with_button("1)")
    await learner.presses("1)")
    return _text_of(found(learner.fake.message(learner.id, question["message_id"])))


async def test_a_german_learners_check_and_feedback_are_in_german(
    fake: FakeTelegram, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
) -> None:
    fake.user_speaks(4242, "de")
    bot, ana, said = await first_check(fake, store, curriculum, clock, tmp_path, {"region": "Europa", "next": "Weiter"})
    try:
        assert said[-1].splitlines()[-1] == "Tippe auf deine Antwort."
        answered = await wrong_answer(ana)
        assert "❌ Nicht ganz. Die Antwort: Zwei" in answered.splitlines()
        said = await ana.answers_poll([0, 1])  # the multiple-answer check, a poll: right
        assert said[0].splitlines()[0] == "✅ Richtig!"
    finally:
        await bot.stop()


async def test_an_english_learner_reads_what_they_always_read(
    fake: FakeTelegram, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
) -> None:
    bot, ana, said = await first_check(fake, store, curriculum, clock, tmp_path, {"region": "Europe", "next": "Next"})
    try:
        assert said[-1].splitlines()[-1] == "Tap your answer."
        answered = await wrong_answer(ana)
        assert "❌ Not quite. The answer: Two" in answered.splitlines()
        said = await ana.answers_poll([0, 1])
        assert said[0].splitlines()[0] == "✅ Correct!"
    finally:
        await bot.stop()
