"""`serve`: the web app on HOST:PORT, with every platform whose tokens are set. An install without a
platform's packages (they are extras: `pip install 'microbadge[telegram]'`) is told which to add,
in one line, before anything starts."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable

from adapters.cli.shared import build_or_report, say
from bot.config import Settings

log = logging.getLogger("run_bot")
# What each part of `serve` imports, and the extra that installs it (pyproject.toml).
WEB = ("fastapi", "uvicorn", "jinja2", "PIL", "httpx")
TELEGRAM = ("telegram", "aiolimiter")
SLACK = ("slack_bolt", "slack_sdk", "aiohttp")
TEAMS = ("microsoft_teams",)


def missing_extra(settings: Settings, installed: Callable[[str], bool]) -> str | None:
    """Why `serve` cannot start with the packages installed here, naming the extra to install;
    None when everything it needs for the configured platforms is there."""

    def lacking(modules: tuple[str, ...]) -> str | None:
        return next((module for module in modules if not installed(module)), None)

    if module := lacking(WEB):
        return f"the web app's packages are not installed ({module} is missing): pip install 'microbadge[web]'"
    if settings.telegram is not None and (module := lacking(TELEGRAM)):
        return (
            f"TELEGRAM_BOT_TOKEN is set but Telegram's packages are not installed ({module} is missing): pip install 'microbadge[telegram]'"
        )
    if settings.slack is not None and (module := lacking(SLACK)):
        return f"SLACK_BOT_TOKEN is set but Slack's packages are not installed ({module} is missing): pip install 'microbadge[slack]'"
    if settings.teams is not None and (module := lacking(TEAMS)):
        return f"TEAMS_APP_ID is set but Teams' packages are not installed ({module} is missing): pip install 'microbadge[teams]'"
    return None


def is_installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


async def run(settings: Settings) -> int:
    from adapters.wiring import in_use

    lacking = missing_extra(settings, is_installed)
    if lacking is not None:  # before the database is touched: nothing is written
        say(f"Cannot start: {lacking}.", settings.secrets)
        return 1
    from adapters.service import PlatformUnavailable, serve

    app = await build_or_report(settings)
    if app is None:
        return 1
    for line in in_use(settings, app.issuer):
        log.warning("%s", line)  # a log line (JSON under LOG_FORMAT=json), like the rest of serve's
    try:
        await serve(settings, app)
    except PlatformUnavailable as error:
        say(f"Cannot start: {error}.", settings.secrets)
        return 1
    finally:
        await app.close()
    return 0
