"""The bot's texts in every language: each text the source says (gettext, ngettext, N_ in bot/)
has a German translation in bot/locale/de/LC_MESSAGES/messages.po, with the same placeholders;
and the translators say them, their plurals, dates and times."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALE_DIR, SOURCE, Translators

PROJECT = Path(__file__).resolve().parents[2]
Message = str | tuple[str, ...]  # a text, or its singular and plural


def source_messages() -> dict[Message, str]:
    """Every text bot/ marks for translation, as `pybabel extract -F babel.cfg` finds it, with
    where it is (path:line)."""
    with (PROJECT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[Message, str] = {}
    for filename, line, message, _comments, _context in extract_from_dir(PROJECT, method_map, options_map):
        found.setdefault(message if isinstance(message, str) else tuple(message), f"{filename}:{line}")
    return found


def catalog(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po)


def placeholders(text: str) -> set[str]:
    """The names str.format fills in `text` (`{name}`, `{share:.0%}` -> name, share)."""
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def problems(messages: dict[Message, str], translated: Catalog) -> list[str]:
    """What is wrong with `translated` for these source texts, one line each: a text not
    translated (or only fuzzily), or a translation (each plural form) whose placeholders are not
    the source's, so that filling it would drop a value or fail."""
    found: list[str] = []
    for message, where in messages.items():
        forms_of_source = (message,) if isinstance(message, str) else message
        entry = translated.get(forms_of_source[0])
        string = None if entry is None else entry.string
        forms = tuple(str(form) for form in (string if isinstance(string, (tuple, list)) else (string,)) if form)
        if entry is None or entry.fuzzy or not forms:
            found.append(f"{where}: {forms_of_source[0]!r} is not translated")
            continue
        wanted = set().union(*(placeholders(text) for text in forms_of_source))
        for form in forms:
            if placeholders(form) != wanted:
                has, source = sorted(placeholders(form)), sorted(wanted)
                found.append(f"{where}: {forms_of_source[0]!r}: the translation {form!r} has {has}, the source {source}")
    return found


def test_every_text_of_the_bot_has_a_german_translation_with_the_same_placeholders() -> None:
    messages = source_messages()
    assert len(messages) > 200, "the extraction found the bot's texts"
    assert problems(messages, catalog("de")) == []


def test_a_translation_that_drops_or_invents_a_placeholder_is_found() -> None:
    messages: dict[Message, str] = {"Hi {name}!": "bot/x.py:1", ("{count} lesson", "{count} lessons"): "bot/x.py:2", "Bye": "bot/x.py:3"}
    po = io.BytesIO(
        "\n".join(
            [
                'msgid ""',
                'msgstr "Language: de\\nPlural-Forms: nplurals=2; plural=(n != 1);\\n"',
                "",
                'msgid "Hi {name}!"',
                'msgstr "Hallo!"',
                "",
                'msgid "{count} lesson"',
                'msgid_plural "{count} lessons"',
                'msgstr[0] "{count} Lektion"',
                'msgstr[1] "{anzahl} Lektionen"',
            ]
        ).encode()
    )
    found = problems(messages, read_po(po))
    assert found == [
        "bot/x.py:1: 'Hi {name}!': the translation 'Hallo!' has [], the source ['name']",
        "bot/x.py:2: '{count} lesson': the translation '{anzahl} Lektionen' has ['anzahl'], the source ['count']",
        "bot/x.py:3: 'Bye' is not translated",
    ]


def test_the_catalogs_hold_no_text_the_bot_no_longer_says() -> None:
    """Old texts would only mislead a translator (`pybabel update` keeps them as obsolete)."""
    said = {m if isinstance(m, str) else m[0] for m in source_messages()}
    for language in LANGUAGES[1:]:
        kept = {entry.id if isinstance(entry.id, str) else entry.id[0] for entry in catalog(language) if entry.id}
        assert sorted(kept - said) == []
        assert not catalog(language).obsolete


@pytest.fixture(scope="module")
def translators() -> Translators:
    return Translators.load()


def test_the_german_translator_says_texts_plurals_dates_and_times(translators: Translators) -> None:
    de = translators.of("de")
    assert de.gettext("Continue") == "Weiter"
    assert de.ngettext("Streak: {days} learning day", "Streak: {days} learning days", 1).format(days=1) == "Serie: 1 Lerntag"
    assert de.ngettext("Streak: {days} learning day", "Streak: {days} learning days", 5).format(days=5) == "Serie: 5 Lerntage"
    assert de.date(date(2026, 12, 7)) == "07.12.2026"
    assert de.moment(datetime(2026, 12, 7, 8, tzinfo=UTC), "Europe/Berlin") == "Mo., 7. Dez., 09:00"
    assert de.day_month(date(2026, 3, 13)) == "Fr., 13. März"
    assert [de.day_name(d) for d in (1, 5)] == ["Mo.", "Fr."]


def test_english_is_the_source_as_written(translators: Translators) -> None:
    en = translators.of("en")
    assert en.gettext("Continue") == "Continue"
    assert en.date(date(2026, 12, 7)) == SOURCE.date(date(2026, 12, 7)) == "2026-12-07"
    assert en.moment(datetime(2026, 12, 7, 8, tzinfo=UTC), "Europe/Berlin") == "Mon 07 Dec, 09:00"
    assert translators.of(None) is translators.of("en") is translators.of("xx")
