"""The programme's rhythm at Telegram's wire: the real python-telegram-bot Application against the
fake Bot API server, the nudge dispatcher sending through it on a manual clock. Ana learns in
Berlin; Max, her manager, is in New York. Her overdue assignment reminds her twice, at 08:00 on
her clock; Max is told once, at 08:00 on his; his weekly digest lists it with a dashboard link
that signs him in once; Ana's Start on the reminder starts the lesson that moves it forward."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import httpx
import pytest

from adapters.telegram.bot import TelegramBot
from bot import assignments
from bot.assignments import Origin
from bot.clock import ManualClock
from bot.core import Core
from bot.nudges import NudgeDispatcher
from bot.replies import Reply
from bot.store.store import SqlStore
from bot.vocabulary import Role, Target
from fakes.telegram_api import FakeTelegram, running_fake_telegram
from tests.integration.test_issuing_on_award import issuer_for
from tests.support import found
from tests.telegram.client import TelegramUser
from tests.telegram.test_telegram_bot import TOKEN, started
from tests.unit.test_programme import waking
from web.app import create_app

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
PUBLIC_URL = "https://learn.example.com"
ANA, MAX = 4242, 7777


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with running_fake_telegram(TOKEN) as fake:
        fake.enforce_rate_limits(per_chat_per_second=1000, chat_burst=1000)  # Telegram's limits but a person's reading pace
        yield fake


@pytest.fixture
async def telegram(fake: FakeTelegram, core: Core) -> AsyncIterator[TelegramBot]:
    bot = await started(fake, core)
    yield bot
    await bot.stop()


class Timed:
    """The bot's own sender, noting on the test's clock when each message went out, to whom."""

    def __init__(self, bot: TelegramBot, clock: ManualClock) -> None:
        self.bot, self.clock = bot, clock
        self.at: list[tuple[str, str, datetime]] = []  # to whom, what it began with, when

    async def send(self, user_id: str, replies: list[Reply]) -> None:
        await self.bot.send_to_user(user_id, replies)
        self.at.append((user_id, getattr(replies[0], "text", ""), self.clock.now()))

    def when(self, user: int, starting: str) -> list[datetime]:
        return [at for who, text, at in self.at if who == str(user) and text.startswith(starting)]


async def team_in_two_timezones(fake: FakeTelegram, core: Core, store: SqlStore, clock: ManualClock) -> tuple[TelegramUser, TelegramUser]:
    ana, max_ = TelegramUser(fake, core, ANA, "Ana"), TelegramUser(fake, core, MAX, "Max")
    for person, region, place, daily in ((ana, "Europe", "Berlin", "08:00"), (max_, "Americas", "New York", "09:00")):
        await person.says("/start")
        await person.presses(region)
        await person.presses(place)
        await person.presses(daily)
    async with store.transaction() as tx:
        her, him = found(await tx.learners.find("telegram", str(ANA))), found(await tx.learners.find("telegram", str(MAX)))
        assert (her.timezone, him.timezone) == (BERLIN, NEW_YORK)
        team = (await tx.teams.ids_by_name(["Deck crew"]))["Deck crew"]
        her.team_id, him.role = team, Role.MANAGER
        await tx.learners.save(her)
        await tx.learners.save(him)
        await tx.teams.set_managed(him.id, [team])
        await assignments.assign(
            tx, her, Target.CREDENTIAL, "deckhand", due_on=date(2026, 3, 2), origin=Origin.MANAGER, by=him.id, now=clock.now()
        )
    return ana, max_


async def test_the_overdue_reminder_reaches_the_learner_and_the_escalation_the_manager_each_in_their_waking_hours(
    telegram: TelegramBot, fake: FakeTelegram, core: Core, store: SqlStore, clock: ManualClock, curriculum, tmp_path
):
    ana, max_ = await team_in_two_timezones(fake, core, store, clock)
    timed = Timed(telegram, clock)
    dispatcher = NudgeDispatcher(store=store, core=core, clock=clock, senders={"telegram": timed.send}, worker="w", web_url=PUBLIC_URL)
    seen_ana, seen_max = len(ana.messages()), len(max_.messages())
    for _ in range(24 * 7 + 5):  # Monday 2 March, 09:00 in Berlin, to Monday 9 March, 09:00 in New York: a round an hour
        clock.advance(hours=1)
        await dispatcher.run_round()
    said_to_ana, said_to_max = ana.texts(seen_ana), max_.texts(seen_max)
    reminders = [t for t in said_to_ana if t.startswith(("⏰ Overdue", "⏰ Still overdue"))]
    assert len(reminders) == 2 and reminders[0].startswith("⏰ Overdue") and reminders[1].startswith("⏰ Still overdue")
    assert "Deckhand, due Mon 2 Mar (assigned by Max)" in reminders[0]
    [escalation] = [t for t in said_to_max if t.startswith("⚠️")]
    assert "Ana: Deckhand, due Mon 2 Mar; I reminded them twice" in escalation
    digests = [t for t in said_to_max if t.startswith("📋")]
    assert "Ana: Deckhand, due Mon 2 Mar (reminded twice, you were told on Fri 6 Mar)" in digests[-1]
    # When each went out, on each person's own clock: inside waking hours, on a working day.
    assert all(waking(at, BERLIN if who == str(ANA) else NEW_YORK) for who, _, at in timed.at)
    reminded_at = [at.astimezone(ZoneInfo(BERLIN)) for at in timed.when(ANA, "⏰ **")]
    assert [(at.date(), at.time()) for at in reminded_at] == [(date(2026, 3, 3), time(8)), (date(2026, 3, 5), time(8))], (
        "at her daily time, the day after the due date and two days later"
    )
    told_at = [at.astimezone(ZoneInfo(NEW_YORK)) for at in timed.when(MAX, "⚠️")]
    assert [(at.date(), at.time()) for at in told_at] == [(date(2026, 3, 6), time(8))], "Friday, 08:00 in New York"
    # The digest's link (just sent, at 09:00 in New York) signs Max in to the dashboard, once.
    link = next(word for word in digests[-1].split() if word.startswith(f"{PUBLIC_URL}/dashboard/signin?token="))
    web = create_app(store=store, curriculum=curriculum, issuer=issuer_for(tmp_path, PUBLIC_URL), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url=PUBLIC_URL) as browser:
        page = await browser.get(link.removeprefix(PUBLIC_URL))
        assert page.status_code == 200 and "This link signs you in as <strong>Max</strong>" in page.text
        form = dict(re.findall(r'name="(token|nonce)" value="([^"]+)"', page.text))
        signed_in = await browser.post("/dashboard/signin", data=form, headers={"Origin": PUBLIC_URL}, follow_redirects=True)
        assert signed_in.status_code == 200 and "Deck crew" in signed_in.text
        again = await browser.post("/dashboard/signin", data=form, headers={"Origin": PUBLIC_URL})
        assert again.status_code == 403, "the link works once"
    # Start on the (last) reminder starts the lesson toward the assignment.
    [*_, call] = [c for c in ana.messages() if c.result.get("text", "").startswith("⏰ Still overdue")]
    reminder = found(fake.message(ANA, call.result["message_id"]))
    buttons = {b["text"]: b["callback_data"] for row in reminder["reply_markup"]["inline_keyboard"] for b in row}
    assert set(buttons) == {"Start", "Later"}
    before = len(ana.messages())
    fake.user_presses(ANA, reminder, buttons["Start"])
    await ana.settle(before)
    assert any("Tides" in t for t in ana.texts(before))
    assert all(c.ok for c in fake.calls if c.method != "getUpdates"), "Telegram accepted every call"


async def test_a_manager_turns_the_weekly_digest_off_in_telegram(
    telegram: TelegramBot, fake: FakeTelegram, core: Core, store: SqlStore, clock: ManualClock
):
    _, max_ = await team_in_two_timezones(fake, core, store, clock)
    dispatcher = NudgeDispatcher(store=store, core=core, clock=clock, senders={"telegram": telegram.send_to_user}, worker="w")
    [said] = await max_.says("/settings digest off")
    assert "Weekly digest off" in said
    seen = len(max_.messages())
    for _ in range(24 * 8):
        clock.advance(hours=1)
        await dispatcher.run_round()
    assert not [t for t in max_.texts(seen) if t.startswith("📋")], "no digest"
    assert [t for t in max_.texts(seen) if t.startswith("⚠️")], "escalations still come"
