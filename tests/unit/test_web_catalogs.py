"""The web pages' texts in every language: each text the pages say (templates' {% trans %} and
_(), web/*.py's gettext and N_) has a German translation in web/locale/de/LC_MESSAGES/web.po with
the same placeholders (Jinja's `%(name)s`, Python's `{name}`), and the catalog holds nothing the
pages no longer say."""

from __future__ import annotations

import re
from pathlib import Path
from string import Formatter

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES
from web.i18n import DOMAIN, LOCALE_DIR, WebTexts

PROJECT = Path(__file__).resolve().parents[2]
Message = str | tuple[str, ...]


def source_messages() -> dict[Message, str]:
    """Every text web/ marks, as `pybabel extract -F web/locale/babel.cfg -k _ -k N_` finds it."""
    with (LOCALE_DIR / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: dict[Message, str] = {}
    for filename, line, message, _comments, _context in extract_from_dir(PROJECT, method_map, options_map, keywords=keywords):
        found.setdefault(message if isinstance(message, str) else tuple(message), f"{filename}:{line}")
    return found


def catalog(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        return read_po(po)


def placeholders(text: str) -> set[str]:
    """`%(name)s` (templates) and `{name}` (Python) in `text`; `%%` is a percent sign."""
    jinja = set(re.findall(r"%\((\w+)\)s", text))
    try:
        python = {name for _, name, _, _ in Formatter().parse(text) if name}
    except ValueError:  # a brace that is not a placeholder
        python = set()
    return jinja | python


def test_every_text_of_the_pages_has_a_german_translation_with_the_same_placeholders() -> None:
    messages = source_messages()
    assert len(messages) > 100, "the extraction found the pages' texts"
    translated = catalog("de")
    problems = []
    for message, where in messages.items():
        forms_of_source = (message,) if isinstance(message, str) else message
        entry = translated.get(forms_of_source[0])
        string = None if entry is None else entry.string
        forms = tuple(str(f) for f in (string if isinstance(string, (tuple, list)) else (string,)) if f)
        if entry is None or entry.fuzzy or not forms:
            problems.append(f"{where}: {forms_of_source[0]!r} is not translated")
            continue
        wanted = set().union(*(placeholders(text) for text in forms_of_source))
        problems += [
            f"{where}: {form!r} has {sorted(placeholders(form))}, not {sorted(wanted)}" for form in forms if placeholders(form) != wanted
        ]
    assert problems == []


def test_the_catalog_holds_no_text_the_pages_no_longer_say() -> None:
    said = {m if isinstance(m, str) else m[0] for m in source_messages()}
    for language in LANGUAGES[1:]:
        kept = {entry.id if isinstance(entry.id, str) else entry.id[0] for entry in catalog(language) if entry.id}
        assert sorted(kept - said) == []
        assert not catalog(language).obsolete


def test_the_pages_translator_says_german_and_english_as_written() -> None:
    texts = WebTexts.load()
    assert texts.of("de").gettext("Revoked") == "Widerrufen"
    assert texts.of("en").gettext("Revoked") == "Revoked"
    assert texts.of("xx") is texts.of(None) is texts.of("en")
