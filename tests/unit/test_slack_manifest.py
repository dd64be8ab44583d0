"""The app manifest an admin pastes into Slack declares everything the app listens to."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot import commands
from bot.vocabulary import Platform

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_the_manifest_declares_what_the_app_listens_to():
    manifest = yaml.safe_load((PROJECT_DIR / "adapters" / "slack" / "manifest.yml").read_text())
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_home_opened", "message.im"}
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/learn"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "im:history", "im:write", "users:read", "commands"} <= scopes


def test_the_manifest_lets_an_admin_name_a_channel_and_read_its_members():
    manifest = yaml.safe_load((PROJECT_DIR / "adapters" / "slack" / "manifest.yml").read_text())
    [learn] = manifest["features"]["slash_commands"]
    assert learn["should_escape"] is True, "`/learn team sync #channel @manager` needs <#C…> and <@U…>"
    assert {"channels:read", "groups:read"} <= set(manifest["oauth_config"]["scopes"]["bot"])


def test_the_usage_hint_of_learn_lists_the_command_tables_slack_commands():
    """The manifest is pasted into Slack by hand, so it cannot read bot/commands.py: it is checked."""
    manifest = yaml.safe_load((PROJECT_DIR / "adapters" / "slack" / "manifest.yml").read_text())
    [learn] = manifest["features"]["slash_commands"]
    assert learn["usage_hint"] == commands.usage_hint(Platform.SLACK)
    assert learn["usage_hint"] == "[start | next | path | progress | badges | settings | stop | resume | team | team sync | assign | help]"
