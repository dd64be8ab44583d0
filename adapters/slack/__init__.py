"""Slack adapter (slack-bolt AsyncApp)."""
