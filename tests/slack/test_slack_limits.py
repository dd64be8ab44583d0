"""The Slack app under Slack's real limits, at the wire: signed requests to the real bolt app,
which calls the fake Slack Web API (fakes/slack_api.py), strict by default: every method's
tier per workspace, about one message a second per channel, a response_url used at most 5
times, 429 with Retry-After, and a record of any request sent again too early."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from adapters.inbox import Entry, Inbox
from adapters.slack.inbound import POINTER
from bot.clock import ManualClock
from bot.core import Core
from bot.events import Event, LearnerRef
from bot.ports import StoreUnavailable
from bot.replies import Home, Reply
from bot.replies import Text as TextReply
from bot.store.store import SqlStore
from content.model import Curriculum
from fakes import slack_signing as signing
from fakes.slack_api import FakeSlack
from tests.slack.client import AppClient, SlackUser, text_of
from tests.slack.test_slack_app import SECRET, ana, fake, http, serving, slack_bot  # noqa: F401
from tests.support import found

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
BOTH = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)  # what the bot keeps in the database


def calls_of(fake: FakeSlack, method: str) -> list:
    return [call for call in fake.calls if call.method == method]


def actions_of(message: dict) -> list[dict]:
    return [block for block in message.get("blocks") or [] if block["type"] == "actions"]


@SQLITE
async def test_twenty_learners_pressing_buttons_get_every_reply_within_slacks_limits(fake: FakeSlack, http, core: Core):
    learners = []
    for n in range(20):
        fake.add_user(f"U0L{n:02d}", f"learner{n}", tz="Europe/Lisbon")
        learners.append(SlackUser(fake, http, SECRET, core, user_id=f"U0L{n:02d}"))

    async def learn(learner: SlackUser) -> tuple[dict, list[str]]:
        assert "Hi learner" in (await learner.says("hi"))[0]
        assert "Two tides a day" in (await learner.presses("Start now"))[-1]
        await learner.presses("Next")
        assert "How many high tides" in (await learner.presses("Next"))[-1]
        question, _ = learner.with_button("2)")
        return question, await learner.presses("2) Two")

    answered = await asyncio.gather(*map(learn, learners))

    for learner, (question, said) in zip(learners, answered, strict=True):
        assert len(said) == 1 and said[0].startswith("❓"), said
        shown = learner.current(next(c for c in learner.messages() if c.response["ts"] == question["ts"]))
        assert actions_of(shown) == [] and "Your answer: 2) Two" in text_of(shown), "answered, and cannot be answered again"
        assert "✅ *Correct!*" in text_of(shown), "its feedback on it"
    assert calls_of(fake, "chat.update") == [], "clicked messages are updated through their response_url"
    assert len(fake.responses) == 20 * 4 and all(post.ok for post in fake.responses)
    assert calls_of(fake, "conversations.open") == [], "posting to a user id opens their DM"
    assert len(calls_of(fake, "users.info")) == 20, "each profile asked of Slack once"
    assert fake.early_retries == []
    posts = calls_of(fake, "chat.postMessage")
    assert {(c.params.get("unfurl_links"), c.params.get("unfurl_media")) for c in posts} == {(False, False)}
    assert all(c.ok for c in posts if c.status != 429), fake.dump()


@BOTH
async def test_a_learner_is_asked_of_slack_once_across_restarts_then_daily_after_the_reply(
    fake: FakeSlack, core: Core, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
):
    async with await serving(slack_bot(fake, core, store, clock), store, curriculum, clock, tmp_path) as first:
        assert "Hi Ana!" in (await SlackUser(fake, first, SECRET, core).says("hi"))[0]
    async with await serving(slack_bot(fake, core, store, clock), store, curriculum, clock, tmp_path) as restarted:
        ana = SlackUser(fake, restarted, SECRET, core)  # another process: nothing in its memory
        await ana.says("next")
        assert len(calls_of(fake, "users.info")) == 1 and calls_of(fake, "conversations.open") == []

        fake.add_user("U0ANA", name="ana", real_name="Ana Lima", display_name="Ana L.", tz="America/Chicago")
        clock.advance(hours=25)
        before = len(fake.calls)
        await ana.says("progress")
        await fake.wait_for(lambda f: len(calls_of(f, "users.info")) == 2)
        later = [call.method for call in fake.calls[before:]]
        assert later.index("chat.postMessage") < later.index("users.info"), "read again after the reply, not before"
        async with store.transaction() as tx:
            assert found(await tx.learners.find("slack", "U0ANA")).display_name == "Ana L."
        clock.advance(hours=2)
        await ana.says("progress")
    assert len(calls_of(fake, "users.info")) == 2, "at most daily"


async def open_home(user: SlackUser) -> None:
    """Open the App Home tab: Slack sends the view it shows (none before the first publish)."""
    event = signing.app_home_opened(user.id, view=user.fake.home_of(user.id))
    assert (await user.send(signing.event_callback(event))).status_code == 200
    assert isinstance(user.http, AppClient), "an app served in the test's loop"
    await user.http.idle()


@BOTH
async def test_the_app_home_is_published_only_when_what_it_shows_changed(ana: SlackUser, fake: FakeSlack):
    await ana.says("hi")
    for _ in range(3):
        await open_home(ana)
    assert len(calls_of(fake, "views.publish")) == 1
    home = found(fake.home_of(ana.id))
    start = next(e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == "Start now")
    body = signing.block_actions(ana.id, "", "", start["action_id"], start["value"], label="Start now", in_home_view=home)
    assert (await ana.send(body)).status_code == 200
    await ana.settle(1)
    assert "You are in the middle of" in str(found(fake.home_of(ana.id))["blocks"])
    await open_home(ana)
    assert len(calls_of(fake, "views.publish")) == 2, "published again once it changed, and then not"


@SQLITE
async def test_every_429_is_waited_out_for_its_retry_after_until_the_message_is_delivered(ana: SlackUser, fake: FakeSlack):
    await ana.says("hi")
    fake.fail_next("chat.postMessage", 25, retry_after=0)  # more often than slack-sdk's handler would try
    said = await ana.presses("Start now")
    assert fake.ratelimited == 25 and "Two tides a day" in said[-1]

    fake.fail_next("chat.postMessage", retry_after=2)
    said = await ana.presses("Next")
    assert "Spring and neap" in said[-1]
    refused = next(c for c in fake.calls if c.status == 429 and c.params.get("text", "").startswith("Spring"))
    delivered = next(c for c in fake.calls if c.ok and c.params == refused.params)
    assert delivered.at - refused.at >= 2, "never before its Retry-After"
    assert fake.early_retries == []
    texts = [c.params.get("text") for c in ana.messages()]
    assert len(texts) == len(set(texts)), "nothing posted twice"


@SQLITE
async def test_a_pressed_message_is_updated_by_chat_update_only_when_its_response_url_cannot_be_used(ana: SlackUser, fake: FakeSlack):
    await ana.says("hi")
    await ana.presses("Start now")
    assert calls_of(fake, "chat.update") == [] and len(fake.responses) == 1
    # A press handled late (kept while the database was away, say): its response_url has expired.
    message, button = ana.with_button("Next")
    body = signing.block_actions(
        ana.id,
        ana.channel,
        message["ts"],
        button["action_id"],
        button["value"],
        message=message,
        label="Next",
        response_url=fake.response_url_for(ana.channel, message["ts"], age=31 * 60),
    )
    assert (await ana.send(body)).status_code == 200
    await ana.settle(len(ana.messages()))
    assert fake.responses[-1].status == 404 and len(calls_of(fake, "chat.update")) == 1
    assert actions_of(found(fake.message(ana.channel, message["ts"]))) == []


class HeldInbox(Inbox):
    """The journal, with the worker held before it starts (a busy machine, say)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.release = asyncio.Event()

    async def waiting_before(self, entry: Entry) -> list[Entry]:
        await self.release.wait()
        return await super().waiting_before(entry)


@SQLITE
async def test_learn_is_acknowledged_before_any_web_api_call_or_database_work(
    fake: FakeSlack, core: Core, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
):
    inbox = HeldInbox()
    async with await serving(slack_bot(fake, core, store, clock, inbox=inbox), store, curriculum, clock, tmp_path) as http:
        ana = SlackUser(fake, http, SECRET, core)
        response = await ana.slash("progress", channel="C0GENERAL")
        assert (response.status_code, response.json()) == (200, {"response_type": "ephemeral", "text": POINTER})
        assert fake.calls == [], "no Web API call before the ack"
        async with store.transaction() as tx:
            assert await tx.learners.find("slack", ana.id) is None, "no database work before the ack"
        inbox.release.set()
        await ana.settle(0)
    assert "Streak" in ana.texts()[-1] or "streak" in ana.texts()[-1]
    assert fake.messages_in("C0GENERAL") == [], "nothing about a learner is posted in a channel"


@SQLITE
async def test_nudges_ask_do_not_disturb_for_many_learners_in_one_call(fake: FakeSlack, core: Core, store: SqlStore, clock: ManualClock):
    people = [f"U0N{n:02d}" for n in range(60)]
    now = int(time.time())
    for n, user in enumerate(people):
        fake.add_user(user, f"n{n}")
        if n % 10 == 0:
            fake.set_dnd(user, window=(now - 60, now + 3600))
    bot = slack_bot(fake, core, store, clock)
    outcomes = await asyncio.gather(
        *(bot.send_to_user(user, [TextReply("⏰ 5-minute lesson: **Tides**")]) for user in people), return_exceptions=True
    )
    waiting = [user for user, outcome in zip(people, outcomes, strict=True) if outcome is not None]
    assert waiting == people[::10], outcomes
    assert calls_of(fake, "dnd.info") == [] and len(calls_of(fake, "dnd.teamInfo")) == 2  # 50 + 10 learners
    assert all(len(fake.messages_in(fake.dm_channel(user))) == 1 for user in people if user not in waiting)
    assert fake.ratelimited == 0


class OutageCore:
    """The core, while its database is away (`down`): nothing can be recorded."""

    def __init__(self, core: Core) -> None:
        self._core, self.curriculum, self.down = core, core.curriculum, False
        self.translators = core.translators  # what the app says itself, in the learner's language

    async def handle(self, event: Event) -> list[Reply]:
        if self.down:
            raise StoreUnavailable("the database cannot be reached: ConnectionRefusedError")
        return await self._core.handle(event)

    async def handle_taken_over(self, event: Event) -> list[Reply]:
        if self.down:
            raise StoreUnavailable("the database cannot be reached: ConnectionRefusedError")
        return await self._core.handle_taken_over(event)

    async def home(self, who: LearnerRef) -> Home:
        return await self._core.home(who)

    async def may_set_teams(self, who: LearnerRef) -> bool:
        return await self._core.may_set_teams(who)


@SQLITE
async def test_a_press_while_the_database_is_away_is_kept_and_counts_once_it_is_back(
    fake: FakeSlack, core: Core, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
):
    outage = OutageCore(core)
    bot = slack_bot(fake, outage, store, clock)  # type: ignore[arg-type]  # OutageCore stands in for a Core
    async with await serving(bot, store, curriculum, clock, tmp_path) as http:
        ana = SlackUser(fake, http, SECRET, core)
        await ana.says("hi")
        outage.down = True
        said = await ana.presses("Start now")
        assert said == [
            "Got it. I can't reach my records for a moment, so I have kept what you sent: it will count "
            "as soon as they are back, and I will carry on from there."
        ]
        greeting, _ = ana.with_button("Start now")
        assert actions_of(greeting), "not shown as accepted: it was not recorded"
        before = len(ana.messages())
        assert (await ana.send(signing.event_callback(signing.message_im(ana.id, "next", channel=ana.channel)))).status_code == 200
        await http.idle()
        assert len(ana.messages()) == before, "told once per outage, not at every press"
        outage.down = False
        stopping = asyncio.Event()
        redelivering = asyncio.create_task(bot.redeliver(stopping, every=0.2))
        try:
            await fake.wait_for(lambda f: any("Two tides a day" in t for t in ana.texts(before)), timeout=20)
            await http.idle()
        finally:
            stopping.set()
            await redelivering
    assert actions_of(found(fake.message(ana.channel, greeting["ts"]))) == [], "the press counted: its buttons are gone"
    assert [t for t in ana.texts(before) if "Two tides a day" in t], ana.texts(before)
