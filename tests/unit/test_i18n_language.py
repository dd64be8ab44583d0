"""Which of the bot's languages a platform's language tag means."""

from __future__ import annotations

import pytest

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
