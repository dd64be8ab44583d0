"""The programme's rhythm at Slack's wire: the real slack-bolt app inside the project's web app,
the fake Slack Web API enforcing Slack's limits, and the nudge dispatcher sending through the
app on a manual clock. Ana works in Berlin, Max (her manager) in Tokyo; Slack tells the bot both
timezones. Her overdue assignment reminds her in her DM at her daily time; Max is told once in
his own DM, inside his waking hours in Tokyo; his weekly digest lists it, says what was done,
and links the dashboard."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import httpx
import pytest

from adapters.slack.app import SlackBot
from bot import assignments
from bot.assignments import Origin
from bot.clock import ManualClock
from bot.core import Core
from bot.nudges import NudgeDispatcher
from bot.replies import Reply
from bot.store.store import SqlStore
from bot.vocabulary import Role, Target
from content.model import Curriculum
from fakes.slack_api import FakeSlack, running_fake_slack
from tests.slack.client import SlackUser
from tests.slack.test_slack_app import SECRET, TOKEN, serving, slack_bot
from tests.support import found
from tests.unit.test_programme import waking

BERLIN, TOKYO = "Europe/Berlin", "Asia/Tokyo"
PUBLIC_URL = "https://learn.example.com"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with running_fake_slack(bot_token=TOKEN) as fake:
        fake.add_user("U0ANA", name="ana", real_name="Ana Lima", display_name="Ana", tz=BERLIN)
        fake.add_user("U0MAX", name="max", real_name="Max Mori", display_name="Max", tz=TOKYO)
        yield fake


@pytest.fixture
def bot(fake: FakeSlack, core: Core, store: SqlStore, clock: ManualClock) -> SlackBot:
    return slack_bot(fake, core, store, clock)


@pytest.fixture
async def http(bot: SlackBot, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    async with await serving(bot, store, curriculum, clock, tmp_path) as client:
        yield client


class Timed:
    """The app's own sender, noting on the test's clock when each message went out, to whom."""

    def __init__(self, bot: SlackBot, clock: ManualClock) -> None:
        self.bot, self.clock = bot, clock
        self.at: list[tuple[str, str, datetime]] = []

    async def send(self, user_id: str, replies: list[Reply]) -> None:
        await self.bot.send_to_user(user_id, replies)
        self.at.append((user_id, getattr(replies[0], "text", ""), self.clock.now()))

    def when(self, user: str, starting: str) -> list[datetime]:
        return [at for who, text, at in self.at if who == user and text.startswith(starting)]


async def test_the_reminder_reaches_the_learner_and_the_escalation_and_digest_the_manager_in_their_own_hours(
    fake: FakeSlack, http: httpx.AsyncClient, bot: SlackBot, core: Core, store: SqlStore, clock: ManualClock
):
    ana, max_ = SlackUser(fake, http, SECRET, core, "U0ANA"), SlackUser(fake, http, SECRET, core, "U0MAX")
    await ana.says("hi")
    await max_.says("hi")
    async with store.transaction() as tx:
        her, him = found(await tx.learners.find("slack", "U0ANA")), found(await tx.learners.find("slack", "U0MAX"))
        assert (her.timezone, him.timezone) == (BERLIN, TOKYO), "as Slack's profiles say"
        team = (await tx.teams.ids_by_name(["Deck crew"]))["Deck crew"]
        her.team_id, him.role = team, Role.MANAGER
        await tx.learners.save(her)
        await tx.learners.save(him)
        await tx.teams.set_managed(him.id, [team])
        await assignments.assign(
            tx, her, Target.CREDENTIAL, "deckhand", due_on=date(2026, 3, 2), origin=Origin.MANAGER, by=him.id, now=clock.now()
        )
    timed = Timed(bot, clock)
    dispatcher = NudgeDispatcher(store=store, core=core, clock=clock, senders={"slack": timed.send}, worker="w", web_url=PUBLIC_URL)
    seen_ana, seen_max = len(ana.messages()), len(max_.messages())
    for _ in range(24 * 8):  # Monday 2 March to Tuesday 10 March, a round an hour
        clock.advance(hours=1)
        await dispatcher.run_round()
    reminders = [t for t in ana.texts(seen_ana) if "verdue" in t.splitlines()[0]]
    assert len(reminders) == 2 and "Deckhand" in reminders[0] and "due Mon 2 Mar (assigned by Max)" in reminders[0]
    [escalation] = [t for t in max_.texts(seen_max) if t.startswith("⚠️")]
    assert "Ana" in escalation and "Deckhand" in escalation and "I reminded them twice" in escalation
    [digest] = [t for t in max_.texts(seen_max) if "weekly digest" in t.splitlines()[0] and "Overdue* (1)" in t]
    assert "reminded twice, you were told on" in digest and f"{PUBLIC_URL}/dashboard/signin?token=" in digest
    # Each on their own clock: Ana at her daily time (09:00 in Berlin), Max inside his waking hours in Tokyo.
    reminded = [at.astimezone(ZoneInfo(BERLIN)) for at in timed.when("U0ANA", "⏰ **")]
    assert [(at.date(), at.time()) for at in reminded] == [(date(2026, 3, 3), time(9)), (date(2026, 3, 5), time(9))]
    [told] = timed.when("U0MAX", "⚠️")
    assert waking(told, TOKYO) and told > reminded[-1]
    assert all(waking(at, BERLIN if who == "U0ANA" else TOKYO) for who, _, at in timed.at)
    assert fake.messages_in("C0TEAM") == [], "nothing about anyone's overdue work in a channel"
    assert all(c.ok for c in fake.calls), fake.dump()
