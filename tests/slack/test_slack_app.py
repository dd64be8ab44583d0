"""The Slack adapter at the wire: the real slack-bolt AsyncApp inside the project's ASGI app,
sent correctly signed Events API, interactivity and slash-command requests over HTTP, posting to
a fake Slack Web API on 127.0.0.1 (fakes/slack_api.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.slack.app import SlackBot, SlackSettings
from adapters.slack.http import events_router
from bot.clock import ManualClock
from bot.core import Core
from bot.events import Event, LearnerRef
from bot.replies import Home, Reply
from bot.store.store import SqlStore
from content.model import Curriculum
from fakes import slack_signing as signing
from fakes.slack_api import FakeSlack, running_fake_slack
from tests.integration.test_issuing_on_award import issuer_for
from tests.slack.client import AppClient, SlackUser
from tests.support import found
from web.app import create_app

TOKEN = "xoxb-test-token"
SECRET = "8f742231b10e8888abcd99yez67291ff"
TEAM_CHANNEL = "C0TEAM"
PUBLIC_URL = "https://learn.example.com"
PROJECT_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with running_fake_slack(bot_token=TOKEN) as fake:
        fake.add_user("U0ANA", name="ana", real_name="Ana Lima", display_name="Ana", tz="America/Chicago")
        yield fake


def slack_bot(fake: FakeSlack, core: Core, store: SqlStore, clock: ManualClock | None = None, **options: Any) -> SlackBot:
    """The app as `serve` makes it (Slack's pacing of one message a second per channel, short
    bursts), against a fake that enforces Slack's limits. `store`: the core's database."""
    settings = SlackSettings(bot_token=TOKEN, signing_secret=SECRET, api_url=fake.api_url, announce_channel=TEAM_CHANNEL)
    return SlackBot(core=core, store=store, settings=settings, clock=clock, **options)


async def serving(bot: SlackBot, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path) -> AppClient:
    """The project's web app with the Slack endpoint, for signed requests over ASGI."""
    app = create_app(
        store=store, curriculum=curriculum, issuer=issuer_for(tmp_path), clock=clock, platform_routers=[events_router(bot.app, SECRET)]
    )
    return AppClient(bot.join, transport=httpx.ASGITransport(app=app), base_url="https://learn.example.com")


@pytest.fixture
async def http(fake: FakeSlack, core: Core, store, curriculum, clock, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    async with await serving(slack_bot(fake, core, store, clock), store, curriculum, clock, tmp_path) as client:
        yield client


@pytest.fixture
def ana(fake: FakeSlack, http: httpx.AsyncClient, core: Core) -> SlackUser:
    return SlackUser(fake, http, SECRET, core)


async def test_the_first_dm_greets_in_the_learners_own_timezone(ana: SlackUser, store: SqlStore):
    [greeting] = await ana.says("hi")
    assert "Hi Ana!" in greeting and "09:00 (America/Chicago)" in greeting
    assert ana.with_button("Start now")
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("slack", "U0ANA"))
        assert (learner.timezone, learner.timezone_confirmed) == ("America/Chicago", True)


async def test_a_whole_lesson_with_checks_and_the_answered_check_cannot_be_answered_again(ana: SlackUser, fake: FakeSlack):
    await ana.says("hi")
    said = await ana.presses("Start now")
    assert "Two tides a day" in said[-1]
    await ana.presses("Next")
    said = await ana.presses("Next")
    assert "How many high tides do most coasts see in a day?" in said[-1]
    question, _ = ana.with_button("2)")
    [next_check] = await ana.presses("2) Two")
    assert next_check.startswith("❓"), "the one new message: the next check"
    answered = found(fake.message(ana.channel, question["ts"]))
    assert not [b for b in answered["blocks"] if b["type"] == "actions"], "no buttons left on the answered check"
    # The answer and its feedback show on the answered check (an update of it, not a new message).
    shown = str(answered["blocks"])
    assert shown.index("Your answer: 2) Two") < shown.index("✅ *Correct!*") and "two highs and two lows" in shown
    # The multiple-answer check: tick boxes, submit.
    checkboxes = ana.messages()[-1].response["ts"]
    [done] = await ana.ticks_and_submits([0, 1])
    assert "Lesson complete" in done
    assert "✅ *Correct!*" in str(found(fake.message(ana.channel, checkboxes))["blocks"])
    assert all(c.ok for c in fake.calls), fake.dump()


async def test_app_home_shows_the_pathway_and_starts_the_next_step(ana: SlackUser, fake: FakeSlack):
    await ana.says("hi")
    response = await ana.send(signing.event_callback(signing.app_home_opened(ana.id)))
    assert response.status_code == 200
    await fake.wait_for(lambda f: f.home_of(ana.id) is not None)
    home = found(fake.home_of(ana.id))
    text = str(home["blocks"])
    for title in ("Next step", "Pathway", "Streak and mastery", "Badges"):
        assert title in text
    assert "Tides" in text and "Deckhand" in text
    start = next(e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == "Start now")
    before = len(ana.messages())
    body = signing.block_actions(ana.id, "", "", start["action_id"], start["value"], label="Start now", in_home_view=home)
    assert (await ana.send(body)).status_code == 200
    await ana.settle(before)
    assert any("Two tides a day" in t for t in ana.texts(before)), "the lesson arrives in the DM"
    await fake.wait_for(lambda f: "You are in the middle of" in str(found(f.home_of(ana.id))["blocks"]))


async def test_a_restarted_app_resumes_mid_lesson_by_slash_command(
    ana: SlackUser, fake: FakeSlack, core: Core, store, curriculum, clock, tmp_path
):
    await ana.says("hi")
    await ana.presses("Start now")
    await ana.presses("Next")
    async with await serving(slack_bot(fake, core, store, clock), store, curriculum, clock, tmp_path) as restarted:
        again = SlackUser(fake, restarted, SECRET, core)
        before = len(again.messages())
        response = await again.slash("next")
        assert response.status_code == 200
        await again.settle(before)
        assert "How many high tides" in again.texts(before)[-1] or "(3/4)" in again.texts(before)[-1]


async def test_a_badge_is_awarded_with_image_and_links_and_announced_in_the_channel(
    fake: FakeSlack, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
):
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, PUBLIC_URL))
    fake.enforce_rate_limits(per_channel_per_second=1000, burst=1000)  # 30 days of lessons: not about pacing
    async with await serving(slack_bot(fake, core, store, clock, channel_burst=1000), store, curriculum, clock, tmp_path) as http:
        ana = SlackUser(fake, http, SECRET, core)
        await ana.says("hi")
        for _ in range(30):
            said = await ana.says("next")
            while ana.asks_a_question():
                said += await ana.answers_correctly()
            if any("You earned the Deckhand badge" in t for t in said):
                break
            clock.advance(days=1)
        else:
            raise AssertionError("no badge in 30 days")
    award = next(ana.current(c) for c in ana.messages() if "You earned the Deckhand badge" in str(ana.current(c)["blocks"]))
    images = [b for b in award["blocks"] if b["type"] == "image"]
    assert images and images[0]["image_url"].startswith(f"{PUBLIC_URL}/credentials/") and images[0]["image_url"].endswith("/image.png")
    links = [e["url"] for b in award["blocks"] if b["type"] == "actions" for e in b["elements"] if "url" in e]
    assert links[0].startswith(f"{PUBLIC_URL}/credentials/") and links[1].startswith("https://www.linkedin.com/profile/add?")
    team = [c.params.get("text", "") for c in fake.messages_in(TEAM_CHANNEL)]
    assert len(team) == 2 and "Deckhand" in team[0] and "Mariner Certificate" in team[1]
    assert "Two" not in str([c.params for c in fake.messages_in(TEAM_CHANNEL)]), "the channel never sees answers"


async def test_forged_and_replayed_requests_are_refused_and_leave_no_trace(ana: SlackUser, fake: FakeSlack, store: SqlStore):
    body = signing.event_callback(signing.message_im(ana.id, "hi", channel=ana.channel))
    forged = await signing.post(ana.http, "/slack/events", body, "not-the-secret")
    old = await ana.send(body, timestamp=int(time.time()) - 6 * 60)
    assert (forged.status_code, old.status_code) == (401, 401)
    await asyncio.sleep(0.3)
    assert fake.messages_in(ana.channel) == []
    async with store.transaction() as tx:
        assert await tx.learners.find("slack", ana.id) is None


async def test_a_retried_event_changes_nothing(ana: SlackUser, fake: FakeSlack):
    body = signing.event_callback(signing.message_im(ana.id, "hi", channel=ana.channel))
    assert (await ana.send(body)).status_code == 200
    await ana.settle(0)
    retry = await ana.send(body, retry_num=1, retry_reason="http_timeout")
    assert retry.status_code == 200
    await asyncio.sleep(0.5)
    assert len(ana.messages()) == 1


async def test_a_429_storm_delays_messages_but_loses_and_repeats_none(ana: SlackUser, fake: FakeSlack):
    await ana.says("hi")
    fake.fail_next("chat.postMessage", 3, status=429, retry_after=1)
    said = await ana.presses("Start now")
    assert fake.ratelimited == 3
    assert len(said) == 1 and said[0].startswith("📘") and "Two tides a day" in said[0], "the header with the first card"
    texts = [c.params.get("text") for c in ana.messages()]
    assert len(texts) == len(set(texts)), "nothing posted twice"


class SlowCore:
    """A core that takes 4 seconds per event, longer than Slack waits for an ack."""

    def __init__(self, core: Core) -> None:
        self._core, self.curriculum = core, core.curriculum

    async def handle(self, event: Event) -> list[Reply]:
        await asyncio.sleep(4)
        return await self._core.handle(event)

    async def home(self, who: LearnerRef) -> Home:
        return await self._core.home(who)


async def test_slash_commands_are_acknowledged_at_once_and_answered_in_the_dm(
    fake: FakeSlack, core: Core, store, curriculum, clock, tmp_path
):
    # SlowCore stands in for a Core (its handle and home, slower): not a Core by type
    async with await serving(slack_bot(fake, SlowCore(core), store, clock), store, curriculum, clock, tmp_path) as http:  # type: ignore[arg-type]
        ana = SlackUser(fake, http, SECRET, core)
        started = time.monotonic()
        response = await ana.slash("progress", channel="C0GENERAL")
        assert time.monotonic() - started < 1.5, "acknowledged well within Slack's 3 seconds"
        assert response.status_code == 200 and "direct messages" in response.text
        await fake.wait_for(lambda f: len(ana.messages()) == 1, timeout=15)
    assert fake.messages_in("C0GENERAL") == [], "nothing about a learner is posted in a channel"


async def test_nudges_wait_while_the_learner_has_do_not_disturb_on(fake: FakeSlack, core: Core, store: SqlStore, clock: ManualClock):
    from bot.nudges import NotNow
    from bot.replies import Text as TextReply

    bot = slack_bot(fake, core, store, clock)
    now = int(time.time())
    fake.set_dnd("U0ANA", window=(now - 15 * 60, now + 45 * 60))  # DND hours (a snooze is visible only to Ana)
    with pytest.raises(NotNow) as waiting:
        await bot.send_to_user("U0ANA", [TextReply("⏰ 5-minute lesson: **Tides**")])
    assert 44 * 60 <= (waiting.value.until.timestamp() - time.time()) <= 45 * 60 + 5
    assert fake.messages_in(fake.dm_channel("U0ANA")) == [], "nothing sent during Do Not Disturb"
    fake.set_dnd("U0ANA", window=(now + 23 * 3600, now + 24 * 3600))  # tomorrow's DND hours
    bot = slack_bot(fake, core, store, clock)  # another process: it has not asked yet
    await bot.send_to_user("U0ANA", [TextReply("⏰ 5-minute lesson: **Tides**")])
    assert len(fake.messages_in(fake.dm_channel("U0ANA"))) == 1
