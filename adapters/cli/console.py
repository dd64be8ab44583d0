"""`console` (the default): the bot in this terminal, as a local learner."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Mapping

from adapters.cli.shared import build_or_report
from bot.config import Settings


async def run(settings: Settings, learner_name: str | None, language: str | None = None) -> int:
    from tzlocal import get_localzone_name

    from adapters.console.app import PLATFORM, ConsoleBot
    from adapters.wiring import in_use
    from bot.events import LearnerRef

    app = await build_or_report(settings)
    if app is None:
        return 1
    print("\n".join(in_use(settings, app.issuer)), file=sys.stderr)  # not in the conversation on stdout
    name = learner_name or getpass.getuser()
    bot = ConsoleBot(
        core=app.core,
        learner=LearnerRef(PLATFORM, name, name, language=language or terminal_language(os.environ)),
        stdin=sys.stdin,
        stdout=sys.stdout,
        timezone=local_timezone(get_localzone_name),
        interactive=sys.stdin.isatty(),
    )
    try:
        await bot.run()
    finally:
        await app.close()
    return 0


def terminal_language(environ: Mapping[str, str]) -> str | None:
    """The terminal's language as POSIX looks it up (LC_ALL, then LC_MESSAGES, then LANG), e.g.
    `de_AT.UTF-8`; None when unset or the `C`/`POSIX` locale, which say nothing of a language."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip()
        if value:
            return None if value.split(".")[0] in ("C", "POSIX") else value
    return None


def local_timezone(lookup: Callable[[], str | None]) -> str:
    try:
        return lookup() or "UTC"
    except Exception:  # no zone configured on this machine
        return "UTC"
