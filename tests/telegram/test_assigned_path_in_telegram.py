"""What is assigned, as a learner reads it in Telegram at the wire (the real python-telegram-bot
Application on the fake Bot API server, which stores each message as Telegram shows it): /path
opens with the assignment, who gave it (a name as typed, never formatting) and the due date in
the learner's own calendar, and its Continue button goes straight into the lesson toward it."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.telegram.bot import TelegramBot
from bot import assignments
from bot.assignments import Origin
from bot.clock import ManualClock
from bot.store.store import SqlStore
from bot.vocabulary import Target
from fakes.telegram_api import FakeTelegram
from tests.support import found
from tests.telegram.client import TelegramUser
from tests.telegram.test_telegram_bot import ana, fake, onboard, telegram  # noqa: F401

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # as the other Telegram wire tests
MANAGER = "Maria *Boss* <b>Silva</b>"


async def test_a_learner_sees_the_due_date_in_path_and_presses_through_to_the_lesson(
    telegram: TelegramBot, fake: FakeTelegram, ana: TelegramUser, store: SqlStore, clock: ManualClock
):
    await onboard(ana)  # Berlin; it is Monday 2 March
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("telegram", str(ana.id)))
        manager, _ = await tx.learners.person("telegram", "7001", MANAGER, now=clock.now())
        await tx.learners.save(manager)
        await assignments.assign(
            tx, learner, Target.CREDENTIAL, "deckhand", due_on=date(2026, 3, 6), origin=Origin.MANAGER, by=manager.id, now=clock.now()
        )
        await assignments.assign(
            tx, learner, Target.PATHWAY, "seamanship", due_on=date(2026, 2, 27), origin=Origin.CSV, by=None, now=clock.now()
        )
    [path] = await ana.says("/path")
    assert path.split("\n")[:4] == [
        "Assigned to you",
        "⚠️ Seamanship L1 (pathway): due Fri 27 Feb (overdue by 3 days) · from L&D",
        f"📌 Deckhand (badge): due Fri 6 Mar (in 4 days) · from {MANAGER}",
        "",
    ]
    message, _ = ana.with_button("Continue")
    assert ("bold", "Assigned to you") in _entities(message)
    assert not any(kind == "bold" and "Boss" in text for kind, text in _entities(message)), "a name is text, never formatting"
    said = await ana.presses("Continue")
    assert said[0].startswith("📘 Tides · 2 min · Seamanship L1 (lesson 1 of 2)"), said
    assert "Two tides a day (1/4)" in said[-1]


def _entities(message: dict) -> list[tuple[str, str]]:
    text = (message.get("text") or "").encode("utf-16-le")
    return [(e["type"], text[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")) for e in message.get("entities", [])]
