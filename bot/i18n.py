"""The learner's language: which of the bot's languages a platform's language tag means, and
which language a learner is spoken to in.

Platforms give a BCP 47 tag (Telegram `de`, Slack `de-DE`, Teams `de-at`, a terminal's
`de_AT.UTF-8`); the bot speaks the languages it has catalogs for, and English to everyone else."""

from __future__ import annotations

from bot.records import Learner

ENGLISH = "en"
GERMAN = "de"
LANGUAGES: tuple[str, ...] = (ENGLISH, GERMAN)  # the bot's own texts are complete in each
DEFAULT = ENGLISH


def supported(tag: str | None) -> str | None:
    """The bot's language for a platform's tag: `de-AT` -> `de`, an unknown one -> `en`; no tag
    (the platform did not say) -> None."""
    if not tag or not tag.strip():
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].split(".", 1)[0].lower()
    return primary if primary in LANGUAGES else DEFAULT


def language_of(learner: Learner) -> str:
    """The language the learner is spoken to in: theirs when known, else English."""
    return learner.language if learner.language in LANGUAGES else DEFAULT


def heard(learner: Learner, tag: str | None) -> None:
    """The platform told us the learner's language: remembered, unless they chose one in
    /settings (their choice stays whatever their client says)."""
    language = supported(tag)
    if language is not None and not learner.language_chosen:
        learner.language = language


def choose(learner: Learner, language: str) -> None:
    """The learner chose `language` (one of LANGUAGES) in /settings: kept from now on."""
    learner.language, learner.language_chosen = language, True
