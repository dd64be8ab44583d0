"""Badge announcements with Telegram and Slack both configured, at the wire: each platform reads
its own setting (TELEGRAM_ANNOUNCE_CHAT, SLACK_ANNOUNCE_CHANNEL) from the environment as `serve`
does, so a Telegram learner's badge is announced in the Telegram group and a Slack learner's in
the Slack channel, and neither platform is ever sent the other's id ("Chat not found")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.slack.app import SlackBot, SlackSettings
from adapters.telegram.bot import TelegramBot, TelegramSettings
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.store.store import SqlStore
from content.model import Curriculum
from fakes.slack_api import FakeSlack, running_fake_slack
from fakes.telegram_api import FakeTelegram, running_fake_telegram
from tests.integration.test_issuing_on_award import issuer_for
from tests.slack.client import SlackUser
from tests.slack.test_slack_app import SECRET, serving
from tests.support import found
from tests.telegram.client import TelegramUser
from tests.telegram.test_telegram_bot import fast_limiter, onboard

TELEGRAM_TOKEN = "123456:BOTH-PLATFORMS-abcdefghijklmnop"
SLACK_TOKEN = "xoxb-both-platforms"
TELEGRAM_GROUP = "-1009876543210"
SLACK_CHANNEL = "C0CREW"
PUBLIC_URL = "https://learn.example.com"
EARNED = "You earned the Deckhand badge"


@pytest.fixture
def telegram_fake() -> Iterator[FakeTelegram]:
    with running_fake_telegram(TELEGRAM_TOKEN) as fake:
        yield fake


@pytest.fixture
def slack_fake() -> Iterator[FakeSlack]:
    with running_fake_slack(bot_token=SLACK_TOKEN) as fake:
        fake.add_user("U0BEA", name="bea", real_name="Bea Costa", display_name="Bea", tz="Europe/Lisbon")
        fake.lift_rate_limits()  # thirty days of lessons: Slack's pacing is not what this is about
        yield fake


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the store is not what this is about
async def test_each_platform_announces_a_badge_in_its_own_team_chat(
    telegram_fake: FakeTelegram,
    slack_fake: FakeSlack,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    tmp_path: Path,
):
    env = {
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_API_BASE_URL": telegram_fake.base_url,
        "TELEGRAM_ANNOUNCE_CHAT": TELEGRAM_GROUP,
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_fake.api_url,
        "SLACK_ANNOUNCE_CHANNEL": SLACK_CHANNEL,
        "DATA_DIR": str(tmp_path / "data"),
    }
    Settings.from_env(env)  # what every command checks first: both settings are accepted
    telegram_settings, slack_settings = TelegramSettings.from_env(env), SlackSettings.from_env(env)
    assert telegram_settings is not None and slack_settings is not None
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, PUBLIC_URL))
    telegram = TelegramBot(core=core, settings=telegram_settings, rate_limiter=fast_limiter())
    slack = SlackBot(core=core, store=store, settings=slack_settings, clock=clock, channel_burst=1000)
    await telegram.start()
    try:
        async with await serving(slack, store, curriculum, clock, tmp_path) as http:
            ana = TelegramUser(telegram_fake, core, first_name="Ana")
            bea = SlackUser(slack_fake, http, SECRET, core, user_id="U0BEA")
            await onboard(ana)
            await bea.says("hi")
            ana_earned = bea_earned = False
            for _ in range(30):
                if not ana_earned:
                    ana_earned = await learns_a_day(ana, "/next")
                if not bea_earned:
                    bea_earned = await learns_a_day(bea, "next")
                if ana_earned and bea_earned:
                    break
                clock.advance(days=1)
            assert ana_earned and bea_earned, "both learners earn the badge within 30 days"
            # The badge and the certificate it completes, each announced once in each team chat.
            await telegram_fake.wait_for(lambda f: len(f.messages_to(TELEGRAM_GROUP)) == 2, timeout=15)
            await slack_fake.wait_for(lambda f: len(f.messages_in(SLACK_CHANNEL)) == 2, timeout=15)
    finally:
        await telegram.stop()

    assert [m.result["text"] for m in telegram_fake.messages_to(TELEGRAM_GROUP)] == [
        "🎉 Ana earned the Deckhand badge!",
        "🎉 Ana earned the Mariner Certificate certificate!",
    ]
    assert [c.params["text"] for c in slack_fake.messages_in(SLACK_CHANNEL)] == [
        "🎉 Bea earned the Deckhand badge!",
        "🎉 Bea earned the Mariner Certificate certificate!",
    ]
    telegram_chats = {str(c.params.get("chat_id")) for c in telegram_fake.calls if "chat_id" in c.params}
    slack_channels = {str(c.params.get("channel")) for c in slack_fake.calls if "channel" in c.params}
    assert telegram_chats == {str(ana.id), TELEGRAM_GROUP}, "Telegram is sent only its own chats"
    assert SLACK_CHANNEL in slack_channels and not slack_channels & {TELEGRAM_GROUP, str(ana.id)}, "Slack is never sent a Telegram id"
    assert not [c for c in telegram_fake.calls if not c.ok], "Telegram refused nothing (no 'chat not found')"
    assert not [c for c in slack_fake.calls if not c.ok], "Slack refused nothing (no 'channel_not_found')"


async def learns_a_day(learner: TelegramUser | SlackUser, next_command: str) -> bool:
    """A day's learning: continue, answer every check right. Whether the badge was earned."""
    said = await learner.says(next_command)
    while learner.asks_a_question():
        said += await learner.answers_correctly()
    return any(EARNED in text for text in said)


@pytest.mark.parametrize(
    ("platform", "env"),
    [
        ("telegram", {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN}),
        ("slack", {"SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SECRET}),
    ],
)
def test_announce_channel_still_means_the_one_configured_platforms(platform: str, env: dict[str, str]):
    """Deployments with one platform keep their ANNOUNCE_CHANNEL; the other platform's own
    setting, set beside it, wins for that platform."""
    env = {**env, "ANNOUNCE_CHANNEL": "-100555" if platform == "telegram" else "C0OLD"}
    Settings.from_env(env)
    telegram, slack = TelegramSettings.from_env(env), SlackSettings.from_env(env)
    if platform == "telegram":
        assert telegram is not None and slack is None and telegram.announce_chat == -100555
        assert found(TelegramSettings.from_env({**env, "TELEGRAM_ANNOUNCE_CHAT": "@crew_news"})).announce_chat == "@crew_news"
    else:
        assert slack is not None and telegram is None and slack.announce_channel == "C0OLD"
        assert found(SlackSettings.from_env({**env, "SLACK_ANNOUNCE_CHANNEL": "C0NEW"})).announce_channel == "C0NEW"
