"""Secrets never reach a log line: every record (message and traceback) has them masked.
Installed on the root handlers by `serve`, so libraries' logs (httpx prints request URLs,
and Telegram's URLs carry the bot token) are covered too. Links that carry a one-time token of
their own (a wallet claim, a dashboard sign-in link) have it masked in uvicorn's access log: whoever
reads the log must not be able to claim a learner's credential or sign in as a manager."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bot.logs import configure


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s and len(s) >= 8)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), ()
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


# `/wallet/claim/<token>` (bot/wallet_claims.py) and any `token=` query parameter (the dashboard's
# sign-in link, /dashboard/signin?token=...).
_LINK_TOKENS = re.compile(r"(?P<keep>/wallet/claim/|[?&]token=)[^/?&#\s\"]+")


def hide_link_tokens(path: str) -> str:
    return _LINK_TOKENS.sub(r"\g<keep>[redacted]", path)


class HideLinkTokens(logging.Filter):
    """For uvicorn's access log, whose record's arguments are (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(hide_link_tokens(a) if isinstance(a, str) else a for a in record.args)
        return True


def install(secrets: Iterable[str]) -> RedactSecrets:
    """Mask `secrets` in everything the root logger's handlers write."""
    redactor = RedactSecrets(secrets)
    root = logging.getLogger()
    if not root.handlers:
        configure(None)  # one line per record, control characters escaped
    for handler in root.handlers:
        handler.addFilter(redactor)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per API call is noise
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, HideLinkTokens) for f in access.filters):
        access.addFilter(HideLinkTokens())
    return redactor
