"""Slack reads the one command table (bot/commands.py) at the wire: a word written to the app in
its DM is the command of that name, as `/learn word` always was (a DM used to greet for any
word but a few)."""

from __future__ import annotations

import pytest

from tests.slack.client import SlackUser
from tests.slack.test_slack_app import ana, fake, http  # noqa: F401

STOPPED = "Okay: I will not message you until you say /resume. Your progress stays; /next any time."
RESUMED = "Welcome back! Your daily lesson comes at 09:00 (America/Chicago), Monday to Friday."
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_stop_and_resume_written_in_the_dm_are_the_commands(ana: SlackUser):
    await ana.says("hi")
    assert await ana.says("stop") == [STOPPED], "not a greeting: stop is a command like next"
    assert await ana.says("Resume") == [RESUMED]
