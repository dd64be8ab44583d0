"""Secrets never reach a log line: every record (message and traceback) has them masked.
Installed on the root handlers by `serve`, so libraries' logs (httpx prints request URLs,
and Telegram's URLs carry the bot token) are covered too."""

from __future__ import annotations

import logging
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


def install(secrets: Iterable[str]) -> RedactSecrets:
    """Mask `secrets` in everything the root logger's handlers write."""
    redactor = RedactSecrets(secrets)
    root = logging.getLogger()
    if not root.handlers:
        configure(None)  # one line per record, control characters escaped
    for handler in root.handlers:
        handler.addFilter(redactor)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per API call is noise
    return redactor
