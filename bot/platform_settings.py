"""The chat platforms' and the LRS's settings, read from the environment with the rest of the
configuration (bot/config.py `Settings`), so that no adapter reads the environment itself.
Plain values: each adapter takes its own, and a platform that is not configured is None."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.config_errors import ConfigError, positive, shown

_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_TELEGRAM_CHAT = re.compile(r"-?[0-9]{1,20}|@[A-Za-z0-9_]{4,32}")
MAX_LRS_ENDPOINT = 300  # the forwarding cursor's key column


def _given(env: Mapping[str, str], name: str) -> str | None:
    return (env.get(name) or "").strip() or None


@dataclass(frozen=True)
class Announcements:
    """Where each platform announces badges: its own setting, so that with both platforms on,
    neither sends to an id only the other knows. ANNOUNCE_CHANNEL, the one setting of old, still
    means the configured platform's when exactly one is configured."""

    telegram: str | None = None  # TELEGRAM_ANNOUNCE_CHAT: a group's chat id (-100...) or @channelname
    slack: str | None = None  # SLACK_ANNOUNCE_CHANNEL: a channel id (C0123ABC)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Announcements:
        telegram_on = _given(env, "TELEGRAM_BOT_TOKEN") is not None
        slack_on = _given(env, "SLACK_BOT_TOKEN") is not None and _given(env, "SLACK_SIGNING_SECRET") is not None
        shared = _given(env, "ANNOUNCE_CHANNEL")
        if shared and telegram_on and slack_on:
            raise ConfigError(
                "ANNOUNCE_CHANNEL is set but both Telegram and Slack are configured: set "
                "TELEGRAM_ANNOUNCE_CHAT (the Telegram group's chat id) and SLACK_ANNOUNCE_CHANNEL "
                "(the Slack channel's id) instead"
            )
        telegram = _given(env, "TELEGRAM_ANNOUNCE_CHAT") or (shared if telegram_on else None)
        if telegram is not None and not _TELEGRAM_CHAT.fullmatch(telegram):
            name = "TELEGRAM_ANNOUNCE_CHAT" if _given(env, "TELEGRAM_ANNOUNCE_CHAT") else "ANNOUNCE_CHANNEL"
            raise ConfigError(
                f"{name} must be a Telegram group's chat id (such as -1001234567890) or a channel's @username, not {shown(telegram)}"
            )
        return cls(telegram=telegram, slack=_given(env, "SLACK_ANNOUNCE_CHANNEL") or (shared if slack_on else None))


@dataclass(frozen=True)
class TelegramSettings:
    token: str = field(repr=False)  # secrets never show in a repr (a log line, a traceback)
    webhook_url: str | None = None  # set: webhook mode; unset: long polling
    webhook_secret: str | None = field(default=None, repr=False)  # default: derived from the token
    api_base_url: str | None = None  # a self-hosted Bot API server, e.g. http://localhost:8081/bot
    announce_chat: int | str | None = None  # TELEGRAM_ANNOUNCE_CHAT: a group id or @channelname
    quiz_polls: bool = False  # single-answer checks as quiz polls instead of buttons
    poll_timeout: int = 10  # seconds of getUpdates long polling
    # The bot's overall send rate (Telegram allows about 30 messages a second per bot). On
    # PostgreSQL every `serve` process takes turns from one shared budget at this rate; with
    # SQLite there is one process and the rate is its own.
    messages_per_second: float = 29.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TelegramSettings | None:
        """None when TELEGRAM_BOT_TOKEN is not set: Telegram is not configured."""
        for name in ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET"):
            if _given(env, name) and not _given(env, "TELEGRAM_BOT_TOKEN"):
                raise ConfigError(f"{name} is set but TELEGRAM_BOT_TOKEN is not: set the token from @BotFather too")
        webhook = _given(env, "TELEGRAM_WEBHOOK_URL")
        if webhook:
            parts = urlsplit(webhook)
            if parts.scheme != "https" or not parts.hostname:
                raise ConfigError(
                    f"TELEGRAM_WEBHOOK_URL must be an https:// address (Telegram sends webhooks over "
                    f"HTTPS only), such as https://bot.example.com/telegram/webhook, not {shown(webhook)}"
                )
        secret = _given(env, "TELEGRAM_WEBHOOK_SECRET")
        if secret and not _WEBHOOK_SECRET.fullmatch(secret):
            raise ConfigError(
                "TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule); its value is not shown"
            )
        api = _http_url(env, "TELEGRAM_API_BASE_URL")
        rate = positive(env, "TELEGRAM_MESSAGES_PER_SECOND", 29.0)
        announce = Announcements.from_env(env).telegram or ""
        token = _given(env, "TELEGRAM_BOT_TOKEN")
        if token is None:
            return None
        return cls(
            token=token,
            webhook_url=webhook,
            webhook_secret=secret,
            api_base_url=api,
            announce_chat=int(announce) if announce.lstrip("-").isdigit() else (announce or None),
            quiz_polls=(env.get("TELEGRAM_QUIZ_POLLS") or "").strip().lower() in ("1", "true", "yes", "on"),
            messages_per_second=rate,
        )

    @property
    def secret(self) -> str:
        """X-Telegram-Bot-Api-Secret-Token: 1-256 characters of A-Z, a-z, 0-9, _ and -."""
        if self.webhook_secret:
            return self.webhook_secret
        return hmac.new(self.token.encode(), b"telegram-webhook", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)  # set: Socket Mode instead of HTTP
    api_url: str | None = None  # SLACK_API_URL: the Web API elsewhere (the SDK's base_url)
    announce_channel: str | None = None  # SLACK_ANNOUNCE_CHANNEL: a channel id

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackSettings | None:
        """None unless SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set (one without the other is
        refused)."""
        pair = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
        token, secret = _given(env, pair[0]), _given(env, pair[1])
        if (token is None) != (secret is None):
            have, lack = pair if token else pair[::-1]
            raise ConfigError(
                f"{have} is set but {lack} is not: Slack needs both (the bot token and, from the app's "
                "Basic Information, the signing secret)"
            )
        if _given(env, "SLACK_APP_TOKEN") and token is None:
            raise ConfigError("SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not: Socket Mode needs all three")
        api = _http_url(env, "SLACK_API_URL")
        announce = Announcements.from_env(env).slack
        if token is None or secret is None:
            return None
        return cls(bot_token=token, signing_secret=secret, app_token=_given(env, "SLACK_APP_TOKEN"), api_url=api, announce_channel=announce)


@dataclass(frozen=True)
class LrsSettings:
    """Forwarding the learning record to an LRS (XAPI_*)."""

    endpoint: str  # without a trailing slash
    username: str
    password: str = field(repr=False)
    batch: int = 100  # statements per POST
    timeout: float = 30.0  # seconds for one POST, from connecting to the last byte of the answer
    interval: float = 5.0  # seconds between looks for new events when there was less than a batch

    @property
    def statements_url(self) -> str:
        return f"{self.endpoint}/statements"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LrsSettings | None:
        """None when XAPI_ENDPOINT is not set: forwarding is off. ValueError when it is unusable."""
        endpoint = (env.get("XAPI_ENDPOINT") or "").strip().rstrip("/")
        if not endpoint:
            return None
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("XAPI_ENDPOINT must be an http(s) URL, e.g. https://lrs.example.com/xapi/")
        if parts.username or parts.password:
            raise ValueError("XAPI_ENDPOINT must not contain credentials: set XAPI_USERNAME and XAPI_PASSWORD")
        if len(endpoint) > MAX_LRS_ENDPOINT:
            raise ValueError(f"XAPI_ENDPOINT is longer than {MAX_LRS_ENDPOINT} characters")
        try:
            batch = int(env.get("XAPI_BATCH") or 100)
            interval = float(env.get("XAPI_INTERVAL_SECONDS") or 5)
        except ValueError:
            raise ValueError("XAPI_BATCH and XAPI_INTERVAL_SECONDS must be numbers") from None
        if not 1 <= batch <= 1000:
            raise ValueError("XAPI_BATCH must be between 1 and 1000")
        if not interval > 0:
            raise ValueError("XAPI_INTERVAL_SECONDS must be positive")
        return cls(
            endpoint=endpoint, username=env.get("XAPI_USERNAME", ""), password=env.get("XAPI_PASSWORD", ""), batch=batch, interval=interval
        )


def _http_url(env: Mapping[str, str], name: str) -> str | None:
    value = _given(env, name)
    if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).hostname):
        raise ConfigError(f"{name} must be an http(s):// address, not {shown(value)}")
    return value
