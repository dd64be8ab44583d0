"""Which of the bot's languages a platform's language tag means."""

from __future__ import annotations

import pytest

from adapters.cli.console import terminal_language
from bot.i18n import supported


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("de", "de"),  # Telegram's language_code
        ("de-AT", "de"),  # Slack's locale, BCP 47
        ("de-at", "de"),  # Teams' locale
        ("de_AT.UTF-8", "de"),  # a terminal's $LANG
        ("DE", "de"),
        ("en-US", "en"),
        ("en", "en"),
        ("fr-FR", "en"),  # a language the bot has no texts in: English
        ("C", "en"),
        (None, None),  # the platform did not say
        ("", None),
        ("  ", None),
    ],
)
def test_a_platform_tag_means_one_of_the_bots_languages(tag: str | None, language: str | None) -> None:
    assert supported(tag) == language


@pytest.mark.parametrize(
    ("environ", "tag"),
    [
        ({"LANG": "de_AT.UTF-8"}, "de_AT.UTF-8"),
        ({"LC_ALL": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}, "de_DE.UTF-8"),  # LC_ALL wins, as POSIX says
        ({"LC_MESSAGES": "de_CH", "LANG": "en_GB.UTF-8"}, "de_CH"),
        ({"LANG": "C.UTF-8"}, None),  # says nothing of a language
        ({"LANG": "POSIX"}, None),
        ({}, None),
    ],
)
def test_the_console_takes_the_terminals_language(environ: dict[str, str], tag: str | None) -> None:
    assert terminal_language(environ) == tag
