"""Log lines for people (the default) or for machines (`LOG_FORMAT=json`: one JSON object per
line, for a log collector). What is logged never includes tokens (see adapters/redaction.py)
or personal data: learners appear by platform and internal ids, never by name or chat id.

Every record is exactly one line, whatever it carries: a value from a request (a Slack
`trigger_id`, a user name) with a line break in it must not be able to forge a log line of its
own. The text format escapes control characters (`\\n`, `\\r`, other C0 and C1 characters, and
the Unicode line and paragraph separators) in the message and in the traceback; JSON escapes
them in its strings."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime

TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Everything str.splitlines() or a terminal would take as a line break or a control sequence.
_CONTROL = {
    code: _NAMED.get(chr(code), f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}
# json.dumps escapes C0 characters; these it leaves as they are although line readers split on them.
_JSON_EXTRA = {code: f"\\u{code:04x}" for code in (*range(0x7F, 0xA0), 0x2028, 0x2029)}


def one_line(text: str) -> str:
    """`text` with every control character escaped, so it cannot end a line or move the cursor."""
    return text.translate(_CONTROL)


MIN_SECRET = 4  # shorter values would mask ordinary words; no message prints a secret on purpose anyway


class Masking:
    """Replaces every secret in a text by [redacted]."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first: a secret that contains another is masked whole.
        self._secrets = tuple(sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True))

    def mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


class TextFormatter(logging.Formatter):
    """`LEVEL logger: message`, traceback included, on one line; secrets masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(TEXT_FORMAT)
        self._masking = Masking(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return one_line(self._masking.mask(super().format(record)))


class JsonFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._masking = Masking(secrets)

    def format(self, record: logging.LogRecord) -> str:
        mask = self._masking.mask
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = mask(record.exc_text)
        if record.stack_info:
            entry["stack"] = mask(record.stack_info)
        return json.dumps(entry, ensure_ascii=False).translate(_JSON_EXTRA)


def operator_line(message: str, log_format: str | None, secrets: Iterable[str] = ()) -> str:
    """What a command tells the operator on stderr when it stops: one plain line, or under
    LOG_FORMAT=json one JSON object like every other line there; secrets masked."""
    if (log_format or "").lower() == "json":
        record = logging.LogRecord("run_bot", logging.ERROR, "", 0, message, None, None)
        return JsonFormatter(secrets).format(record)
    return one_line(Masking(secrets).mask(message))


def formatter(log_format: str | None, secrets: Iterable[str] = ()) -> logging.Formatter:
    return JsonFormatter(secrets) if (log_format or "").lower() == "json" else TextFormatter(secrets)


def configure(log_format: str | None, level: int = logging.WARNING, secrets: Iterable[str] = ()) -> None:
    """Every log line to stderr, in `log_format`, with `secrets` masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
