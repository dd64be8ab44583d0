"""`/assign` in Telegram at the wire: a manager types it to the real python-telegram-bot app on
the fake Bot API server; the learner gets the notice the bot starts (through the nudge
dispatcher, at a moment the nudge rules allow), with what, from whom and the due date, and
starts from its button. A learner typing /assign is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime

import pytest

from adapters.telegram.bot import TelegramBot
from bot.clock import ManualClock
from bot.core import Core
from bot.nudges import NudgeDispatcher
from bot.people import Person, import_people
from bot.store.store import SqlStore
from bot.vocabulary import NudgeKind, NudgeStatus
from fakes.telegram_api import FakeTelegram, running_fake_telegram
from tests.support import found
from tests.telegram.client import TelegramUser
from tests.telegram.test_telegram_bot import TOKEN, onboard, started

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # as the other Telegram wire tests
MARIA, ANA, BO = 7001, 4242, 5151


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with running_fake_telegram(TOKEN) as fake:
        fake.enforce_rate_limits(per_chat_per_second=1000, chat_burst=1000)
        yield fake


@pytest.fixture
async def telegram(fake: FakeTelegram, core: Core) -> AsyncIterator[TelegramBot]:
    bot = await started(fake, core)
    yield bot
    await bot.stop()


async def test_a_manager_assigns_in_telegram_and_the_learner_is_told_with_the_due_date_in_waking_hours(
    telegram: TelegramBot, fake: FakeTelegram, core: Core, store: SqlStore, clock: ManualClock
):
    ana = TelegramUser(fake, core, user_id=ANA, first_name="Ana")
    await onboard(ana)  # Europe/Berlin, daily lesson at 08:00
    await import_people(
        store,
        [
            Person("telegram", str(MARIA), "Maria Boss", None, "manager", ("Deck",)),
            Person("telegram", str(ANA), "Ana Lima", "Deck", "learner", ()),
            Person("telegram", str(BO), "Bo Chen", "Engine", "learner", ()),
        ],
        now=clock.now(),
    )
    maria = TelegramUser(fake, core, user_id=MARIA, first_name="Maria")
    [usage] = await maria.says("/assign")
    assert "/assign CREDENTIAL-OR-PATHWAY to WHO by YYYY-MM-DD" in usage and "deckhand (Deckhand)" in usage
    assert "Your teams: Deck" in usage

    [refused] = await maria.says("/assign deckhand to Bo Chen by 2026-03-31")
    assert refused.startswith("No one called “Bo Chen” in the teams you manage.")

    clock.set(datetime(2026, 3, 2, 20, 30, tzinfo=UTC))  # 21:30 in Berlin: Ana's quiet hours
    [reply] = await maria.says("/assign Deckhand to ana lima by 2026-03-31")
    assert reply.split("\n") == [
        "📌 Assigned Deckhand (badge) to Ana Lima, due Tue 31 Mar (in 29 days).",
        "They will see it at the top of /path, and I will tell them in chat at the next moment I may message them.",
    ]
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("telegram", str(ANA)))
        [assignment] = await tx.assignments.of(learner.id)
        [notice] = [n for n in await tx.nudges.all(learner.id) if n.kind == NudgeKind.ASSIGNED]
    assert (assignment.target_id, assignment.due_on, assignment.origin) == ("deckhand", date(2026, 3, 31), "manager")
    assert notice.due_at == datetime(2026, 3, 3, 7, 0, tzinfo=UTC), "08:00 in Berlin, when quiet hours end"

    dispatcher = NudgeDispatcher(store=store, core=core, clock=clock, senders={"telegram": telegram.send_to_user}, worker="w")
    before = len(ana.messages())
    assert (await dispatcher.deliver_due())[0] == 0, "nothing in quiet hours"
    clock.set(datetime(2026, 3, 3, 7, 0, tzinfo=UTC))
    await dispatcher.deliver_due()
    await ana.settle(before)
    [told] = ana.texts(before)
    assert told.split("\n") == [
        "📌 New for you: Deckhand (badge), due Tue 31 Mar (in 28 days) · from Maria Boss.",
        "It is at the top of /path, and the next lesson I offer moves it forward.",
    ]
    async with store.transaction() as tx:
        assert [n.status for n in await tx.nudges.all(learner.id) if n.kind == NudgeKind.ASSIGNED] == [NudgeStatus.SENT]
    started_lesson = await ana.presses("Start")
    assert "Two tides a day" in started_lesson[-1], started_lesson
    await dispatcher.deliver_due()
    assert not any("New for you" in t for t in ana.texts(before + 1)), "told once"

    [not_for_her] = await ana.says("/assign deckhand to team Deck by 2026-03-31")
    assert not_for_her == "/assign is for managers. Ask your L&D team if you should have access."
