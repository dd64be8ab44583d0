"""Log lines through the handlers `run_bot.py` configures: one record is one line, whatever it
carries (a value from a request must not forge a line of its own), and secrets are masked."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure

FORGED = "abc\nERROR adapters.slack.app: admin signed in"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def test_a_newline_in_a_value_cannot_forge_a_text_log_line(capsys):
    configure("text")
    logging.getLogger("adapters.slack.http").warning("Unsigned request refused (trigger_id %s)", FORGED)
    assert capsys.readouterr().err.splitlines() == [
        "WARNING adapters.slack.http: Unsigned request refused (trigger_id abc\\nERROR adapters.slack.app: admin signed in)",
    ]


def test_every_control_character_and_line_separator_is_escaped_in_text(capsys):
    configure(None)
    logging.getLogger("x").error("a\rb\tc\x1b[2Jd\x85e\u2028f\u2029g\x00h\x7fi")
    assert capsys.readouterr().err == "ERROR x: a\\rb\\tc\\x1b[2Jd\\x85e\\u2028f\\u2029g\\x00h\\x7fi\n"


def test_a_traceback_is_part_of_its_one_text_line(capsys):
    configure("text")
    try:
        raise ValueError(FORGED)
    except ValueError:
        logging.getLogger("x").exception("Failed")
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("ERROR x: Failed\\nTraceback (most recent call last):\\n  File ")
    assert line.endswith("\\nValueError: abc\\nERROR adapters.slack.app: admin signed in")


def test_json_lines_stay_one_line_for_line_readers_and_read_back_as_logged(capsys):
    configure("json")
    text = "abc\n\u2028\u2029\x85 end"
    try:
        raise ValueError(text)
    except ValueError:
        logging.getLogger("x").exception("value %s", text)
    output = capsys.readouterr().err
    [line] = output.splitlines()  # str.splitlines() also breaks at U+2028, U+2029 and U+0085
    entry = json.loads(line)
    assert entry["message"] == f"value {text}"
    assert entry["exception"].endswith(f"ValueError: {text}")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_secrets_are_masked_in_messages_and_tracebacks(capsys, log_format):
    token = "123456:SECRET-TOKEN-abcdefghijk"
    configure(log_format, secrets=[token, "db-password-1"])
    try:
        raise RuntimeError(f"The token `{token}` was rejected")
    except RuntimeError:
        logging.getLogger("x").exception("connect to postgresql://bot:db-password-1@db/bot")
    output = capsys.readouterr().err
    assert token not in output and "db-password-1" not in output
    assert "postgresql://bot:[redacted]@db/bot" in output and "The token `[redacted]` was rejected" in output
