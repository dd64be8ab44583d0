"""The learner's language: which of the bot's languages a platform's language tag means, and
which language a learner is spoken to in, and the translators that say the bot's texts in it.

Platforms give a BCP 47 tag (Telegram `de`, Slack `de-DE`, Teams `de-at`, a terminal's
`de_AT.UTF-8`); the bot speaks the languages it has catalogs for, and English to everyone else."""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import date as calendar_date  # `date` is also a Translator method's name
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from bot.records import Learner

ENGLISH = "en"
GERMAN = "de"
LANGUAGES: tuple[str, ...] = (ENGLISH, GERMAN)  # the bot's own texts are complete in each
DEFAULT = ENGLISH
LOCALE_DIR = Path(__file__).parent / "locale"  # <language>/LC_MESSAGES/messages.po (Babel's layout)


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


def N_(message: str) -> str:
    """Marks a text for the catalogs where it is defined; it is translated where it is said."""
    return message


@dataclass(frozen=True)
class Translator:
    """The bot's texts, plurals, dates and times in one language. Texts are the English source
    (gettext's msgid); placeholders are str.format's `{name}`, filled after translating."""

    language: str
    catalog: gettext.NullTranslations = field(default_factory=gettext.NullTranslations, repr=False)

    def gettext(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    def percent(self, share: float) -> str:
        """A share as a whole percent, as this language writes it: 45% (English), 45 % (German).
        Rounded as Python's round() does, so every language shows the same figure."""
        return format_percent(Decimal(round(share * 100)) / 100, locale=self.language)

    def decimal(self, value: float, digits: int = 2) -> str:
        """A figure to `digits` places, as this language writes it: 0.05 (English), 0,05 (German)."""
        return format_decimal(Decimal(f"{value:.{digits}f}"), "0." + "0" * digits, locale=self.language)

    def date(self, day: date | datetime) -> str:
        """A calendar day, as people write it in this language (English: 2026-12-07)."""
        # Translators: a Unicode date pattern (babel.dates), e.g. dd.MM.yyyy
        return format_date(day, self.gettext("yyyy-MM-dd"), locale=self.language)

    def moment(self, instant: datetime, timezone: str) -> str:
        """A moment on the learner's clock: `Mon 07 Dec, 09:00`."""
        # Translators: a Unicode date-time pattern (babel.dates), e.g. EEE, d. MMM, HH:mm
        return format_datetime(instant, self.gettext("EEE dd MMM, HH:mm"), tzinfo=ZoneInfo(timezone), locale=self.language)

    def day_month(self, day: calendar_date, *, with_year: bool = False) -> str:
        """`Fri 13 Mar` (`Fri 13 Mar 2027` `with_year`), as this language writes it."""
        # Translators: Unicode date patterns (babel.dates), e.g. EEE, d. MMM
        pattern = self.gettext("EEE d MMM yyyy") if with_year else self.gettext("EEE d MMM")
        return format_date(day, pattern, locale=self.language)

    def day_name(self, iso_weekday: int, *, short: bool = True) -> str:
        """Monday is 1, as `learners.working_days` counts."""
        return str(get_day_names("abbreviated" if short else "wide", locale=self.language)[iso_weekday - 1])


@dataclass(frozen=True)
class Translators:
    """A translator per language, read from bot/locale/<language>/LC_MESSAGES/messages.po once at
    start (`load`), and handed to whatever speaks (the core, its turns)."""

    by_language: Mapping[str, Translator]

    def of(self, language: str | None) -> Translator:
        return self.by_language.get(language or DEFAULT) or self.by_language[DEFAULT]

    def of_learner(self, learner: Learner) -> Translator:
        return self.of(language_of(learner))

    @classmethod
    def english(cls) -> Translators:
        """English only: the source texts as written (tests of wording, tools)."""
        return cls({ENGLISH: Translator(ENGLISH)})

    @classmethod
    def load(cls, locale_dir: Path = LOCALE_DIR) -> Translators:
        """Every language's catalog. The .po files ship as they are (no compile step in the build):
        read with Babel and turned into gettext's catalog in memory."""
        by_language = {ENGLISH: Translator(ENGLISH)}
        for language in LANGUAGES:
            if language != ENGLISH:
                by_language[language] = Translator(language, read_catalog(locale_dir / language / "LC_MESSAGES" / "messages.po"))
        return cls(by_language)


def read_catalog(po_file: Path) -> gettext.GNUTranslations:
    with po_file.open("rb") as source:
        catalog = read_po(source)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy (unchecked) translation is not said
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


SOURCE = Translator(ENGLISH)  # the texts as written: for what is not said to one learner (logs, operators' tools)
