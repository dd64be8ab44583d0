"""Which of the bot's languages a platform's language tag means."""

from __future__ import annotations

import pytest

from adapters.cli.console import terminal_language
from bot.i18n import Translators, supported


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


@pytest.mark.parametrize(
    ("share", "english", "german"),
    [(0.45, "45%", "45\u00a0%"), (1.0, "100%", "100\u00a0%"), (0.0, "0%", "0\u00a0%"), (0.285, "28%", "28\u00a0%")],
)
def test_a_share_is_a_whole_percent_as_each_language_writes_it(share: float, english: str, german: str) -> None:
    """The same figure in every language (Python's rounding of share * 100), written as each writes it."""
    translators = Translators.load()
    assert translators.of("en").percent(share) == english == f"{round(share * 100)}%"
    assert translators.of("de").percent(share) == german


def test_a_decimal_keeps_its_places_and_its_sign_as_each_language_writes_it() -> None:
    translators = Translators.load()
    assert [translators.of("en").decimal(v) for v in (0.05, -0.001, 0.456)] == ["0.05", "-0.00", "0.46"]
    assert [translators.of("de").decimal(v) for v in (0.05, -0.001, 0.456)] == ["0,05", "-0,00", "0,46"]
