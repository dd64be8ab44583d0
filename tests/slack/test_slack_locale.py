"""Slack at the wire: the learner's language comes from their Slack locale (users.info with
include_locale), and the bot speaks it from the first DM; a choice in /settings is kept."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.core import Core
from bot.store.store import SqlStore
from fakes.slack_api import FakeSlack, running_fake_slack
from tests.slack.client import SlackUser
from tests.slack.test_slack_app import SECRET, TOKEN, serving, slack_bot
from tests.support import found

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with running_fake_slack(bot_token=TOKEN) as fake:
        fake.add_user("U0BEA", name="bea", real_name="Bea Wolf", display_name="Bea", tz="Europe/Vienna", locale="de-AT")
        yield fake


@pytest.fixture
async def http(fake: FakeSlack, core: Core, store, curriculum, clock, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    async with await serving(slack_bot(fake, core, store, clock), store, curriculum, clock, tmp_path) as client:
        yield client


async def test_a_learner_whose_slack_is_in_german_is_greeted_in_german_and_may_choose_english(
    fake: FakeSlack, http: httpx.AsyncClient, core: Core, store: SqlStore
) -> None:
    bea = SlackUser(fake, http, SECRET, core, user_id="U0BEA")
    [greeting] = await bea.says("hi")
    assert greeting.startswith("Hallo Bea! Ich bin dein Lernbegleiter")
    assert "Tägliche Lektion:* 09:00 (Europe/Vienna), Montag bis Freitag." in greeting
    assert bea.with_button("Jetzt starten")
    [info] = [call for call in fake.calls if call.method == "users.info"]
    assert str(info.params.get("include_locale")).lower() in ("1", "true"), "the locale is asked for"

    said = await bea.says("/settings language en")
    assert said[-1] == "I will speak English with you from now on. Your streak, mastery and badges stay as they are."
    [progress] = await bea.says("/progress")  # Slack still says de-AT: the choice stays
    assert progress.startswith("*Your progress*")
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("slack", "U0BEA"))
    assert (learner.language, learner.language_chosen) == ("en", True)
