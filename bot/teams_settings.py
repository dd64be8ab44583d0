"""Microsoft Teams' settings, read from the environment with the rest of the configuration
(bot/config.py `Settings`), so that the adapter never reads the environment itself.

TEAMS_APP_ID, TEAMS_APP_PASSWORD (the bot's Microsoft Entra app registration and its client
secret) and TEAMS_TENANT_ID (a single-tenant bot's tenant; unset: multi-tenant) configure Teams;
TEAMS_ANNOUNCE_CONVERSATION is the team channel badges are announced in. TEAMS_SERVICE_URL,
TEAMS_LOGIN_URL and TEAMS_OPENID_METADATA_URL point the bot at another Bot Connector (the tests'
fake on 127.0.0.1); production leaves them unset and gets Microsoft's public cloud."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.config_errors import ConfigError, shown

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CONVERSATION = re.compile(r"19:[^\s]{1,200}")  # a channel's conversation id: 19:...@thread.tacv2
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams"


def _given(env: Mapping[str, str], name: str) -> str | None:
    return (env.get(name) or "").strip() or None


@dataclass(frozen=True)
class TeamsSettings:
    app_id: str
    app_password: str = field(repr=False)  # secrets never show in a repr (a log line, a traceback)
    tenant_id: str | None = None  # None: a multi-tenant bot
    announce_conversation: str | None = None  # TEAMS_ANNOUNCE_CONVERSATION: a channel's id (19:...)
    service_url: str = DEFAULT_SERVICE_URL  # where proactive sends go before a learner's own is known
    login_url: str | None = None  # the token endpoint's host: TEAMS_LOGIN_URL (tests only)
    openid_metadata_url: str | None = None  # the Bot Connector's keys: TEAMS_OPENID_METADATA_URL (tests only)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TeamsSettings | None:
        """None unless TEAMS_APP_ID is set; with it, TEAMS_APP_PASSWORD is required."""
        app_id, password = _given(env, "TEAMS_APP_ID"), _given(env, "TEAMS_APP_PASSWORD")
        others = ("TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID", "TEAMS_ANNOUNCE_CONVERSATION")
        if app_id is None:
            named = next((name for name in others if _given(env, name)), None)
            if named:
                raise ConfigError(f"{named} is set but TEAMS_APP_ID is not: set the bot's app id (Teams Developer Portal, Bot management)")
            return None
        if not _GUID.fullmatch(app_id):
            raise ConfigError(
                f"TEAMS_APP_ID must be the bot's Microsoft app id, a GUID such as 00000000-0000-0000-0000-000000000000, not {shown(app_id)}"
            )
        if password is None:
            raise ConfigError("TEAMS_APP_ID is set but TEAMS_APP_PASSWORD is not: set the client secret of the bot's app registration")
        if _given(env, "CLIENT_SECRET"):
            # The Teams SDK reads CLIENT_SECRET when it is set and then signs in with it (MSAL) instead
            # of the bot's own token request with TEAMS_APP_PASSWORD: a variable of another program's
            # would decide how this bot authenticates.
            raise ConfigError(
                "CLIENT_SECRET is set in the environment: the Teams SDK would sign the bot in with it instead of "
                "TEAMS_APP_PASSWORD; unset it (this bot's Teams settings are all named TEAMS_*)"
            )
        tenant = _given(env, "TEAMS_TENANT_ID")
        if tenant is not None and not _GUID.fullmatch(tenant):
            raise ConfigError(f"TEAMS_TENANT_ID must be the Microsoft Entra tenant's id, a GUID, not {shown(tenant)}")
        announce = _given(env, "TEAMS_ANNOUNCE_CONVERSATION")
        if announce is not None and not _CONVERSATION.fullmatch(announce):
            raise ConfigError(
                f"TEAMS_ANNOUNCE_CONVERSATION must be a team channel's conversation id (19:...@thread.tacv2), not {shown(announce)}"
            )
        return cls(
            app_id=app_id,
            app_password=password,
            tenant_id=tenant,
            announce_conversation=announce,
            service_url=_url(env, "TEAMS_SERVICE_URL") or DEFAULT_SERVICE_URL,
            login_url=_url(env, "TEAMS_LOGIN_URL"),
            openid_metadata_url=_url(env, "TEAMS_OPENID_METADATA_URL"),
        )


def _url(env: Mapping[str, str], name: str) -> str | None:
    value = _given(env, name)
    if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).hostname):
        raise ConfigError(f"{name} must be an http(s):// address, not {shown(value)}")
    return value.rstrip("/") if value else None
