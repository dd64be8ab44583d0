"""Translated content: the file layout, each language's view of the curriculum, and what
`content check` says about a translation that cannot stand in for its source."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from adapters.cli.authoring import check
from content.loader import load_curriculum, load_lesson
from content.model import Card, Check, Curriculum
from tests.conftest import FIXTURE_CONTENT

BROKEN = Path(__file__).parent.parent / "fixtures" / "translations"


def said(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = check(root)
    captured = capsys.readouterr()
    return code, [line.replace(f"{root}/", "") for line in captured.out.splitlines()] + captured.err.splitlines()


def set_aside(root: Path, translation: Path) -> list[str]:
    """The warnings of a content folder whose one translation `translation` is set aside, after
    the line saying so; the curriculum loads, and learners of the language read the source lesson."""
    result = load_curriculum(root)
    assert result.problems == () and result.curriculum is not None
    language, lesson_id = translation.parent.name, translation.stem
    assert result.curriculum.in_language(language).lessons[lesson_id] is result.curriculum.lessons[lesson_id]
    first, *rest = [str(warning) for warning in result.warnings]
    assert first == (
        f"{translation}:1: warning: this translation is set aside until it is fixed as said below: meanwhile learners reading "
        f"'{language}' get the whole source lesson ({translation.parent.parent / translation.name})"
    )
    return rest


def loaded(root: Path) -> Curriculum:
    result = load_curriculum(root)
    assert result.problems == ()
    assert result.curriculum is not None
    return result.curriculum


def test_broken_translations_are_each_named_at_their_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = said(BROKEN, capsys)
    source = "lessons/isolation.md"  # paths are shown relative to the folder checked
    aside = "warning: this translation is set aside until it is fixed as said below: meanwhile learners reading"
    assert code == 1
    assert lines == [
        # A folder that names no language is the one error: nobody could be said to read the source instead.
        "lessons/Deutsch:1: 'Deutsch' is not a language code: name a translation folder after its language in lowercase (BCP 47), "
        "for example 'de', 'es' or 'pt-br'",
        # Every other problem only sets its translation aside.
        f"credentials/de/isolator.md:1: {aside} 'de' get the source credential (credentials/isolator.md)",
        "credentials/de/isolator.md:4: warning: missing criteria: add a '## Criteria' section saying what a learner did to earn "
        "this (it is printed on the credential)",
        f"lessons/de/isolation.md:1: {aside} 'de' get the whole source lesson ({source})",
        f"lessons/de/isolation.md:3: warning: 'minutes' is not translated: it is the source's ({source}); a translation gives "
        "only its 'title' in the front matter, so remove this line",
        f"lessons/de/isolation.md:6: warning: 1 card before the first check where the source ({source}) has 2: 'Stored energy' "
        "(line 8), 'Your own lock' (line 11); translate every card of the source, in the same order, and add none of your own",
        f"lessons/de/isolation.md:12: warning: option 1 of check 1 is marked wrong ('[ ]') here but correct ('[x]') in the "
        f"source ({source}:17): mark the same options correct as the source, and keep its order of options",
        f"lessons/de/isolation.md:20: warning: check 2 has 2 options where its source ({source}:25) has 3: translate every "
        "option, in the source's order",
        "lessons/de/removed.md:1: warning: a translation of lessons/removed.md, which does not exist: name a translation exactly "
        "like its source lesson file, or delete it if the lesson was removed",
        f"lessons/es/isolation.md:1: {aside} 'es' get the whole source lesson ({source})",
        f"lessons/es/isolation.md:19: warning: the source's 2nd check ({source}:25) is not translated: add a '## Check' section "
        "for it (the heading stays '## Check' in every language), in the same place among the cards",
        f"pathways/de/basics.md:1: {aside} 'de' get the source pathway (pathways/basics.md)",
        "pathways/de/basics.md:4: warning: missing description: translate the source's description below the front matter",
        "skills.de.yml:4: warning: unknown skill 'safty' (it is not in skills.yml): check the spelling or remove it",
        f"1 problem(s) found in {BROKEN}",
    ]


def test_a_source_edited_ahead_of_its_translation_publishes_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_of_fixture(tmp_path)
    tides = root / "lessons" / "tides.md"  # an author removes a card; the German translation still has it
    tides.write_text(tides.read_text().replace("## Spring and neap\nSpring tides are the biggest; neap tides the smallest.\n\n", ""))
    assert said(root, capsys) == (
        0,
        [
            "lessons/de/tides.md:1: warning: this translation is set aside until it is fixed as said below: meanwhile learners "
            "reading 'de' get the whole source lesson (lessons/tides.md)",
            "lessons/de/tides.md:5: warning: 2 cards before the first check where the source (lessons/tides.md) has 1: "
            "'Two tides a day' (line 9); translate every card of the source, in the same order, and add none of your own",
            f"{root}: OK. 2 lessons, 3 checks, 1 pathways, 2 credentials, 0 roles. 2 warning(s) above.",
            f"{root}: de: 1 of 2 lessons, 1 of 1 pathways, 1 of 2 credentials, 1 of 2 skills translated.",
        ],
    )
    curriculum = loaded(root)
    german = curriculum.in_language("de")
    assert german.lessons["tides"] is curriculum.lessons["tides"]  # the whole source lesson, in English
    assert [card.title for card in german.lessons["tides"].cards] == ["Two tides a day"]
    assert german.lessons["knots"].title == "Knoten"  # the rest of the translation still reads in German
    assert german.pathways[0].title == "Seemannschaft L1"


def test_a_learner_reading_german_gets_the_german_lesson_with_the_source_items() -> None:
    curriculum = loaded(FIXTURE_CONTENT)
    german = curriculum.in_language("de-AT")
    tides, source = german.lessons["tides"], curriculum.lessons["tides"]
    assert (german.language, tides.language, tides.title) == ("de", "de", "Gezeiten")
    assert [card.title for card in tides.cards] == ["Zwei Tiden am Tag", "Springtide und Nipptide"]
    assert tides.checks[1].question == "Welche Tiden haben den größten Tidenhub? Wähle alle zutreffenden Antworten."
    # What is not translated is the source's: ids, keys, options' order, the correct ones, skills, version.
    assert (tides.id, tides.skills, tides.minutes, tides.requires, tides.version) == (
        source.id,
        source.skills,
        source.minutes,
        source.requires,
        source.version,
    )
    for mine, original in zip(tides.checks, source.checks, strict=True):
        assert (mine.key, mine.correct_indices, mine.kind, mine.original) == (
            original.key,
            original.correct_indices,
            original.kind,
            original,
        )
    assert str(tides.checks[0].source) == f"{FIXTURE_CONTENT / 'lessons' / 'de' / 'tides.md'}:11"
    assert german.find_check("tides:2") == tides.checks[1]


def test_what_is_not_translated_is_read_in_the_source_language() -> None:
    curriculum = loaded(FIXTURE_CONTENT)
    german = curriculum.in_language("de")
    assert [p.title for p in german.pathways] == ["Seemannschaft L1"]
    assert (german.credentials["deckhand"].title, german.credentials["deckhand"].criteria) == (
        "Decksmann",
        "Hat beide Lektionen abgeschlossen und die Gezeiten dauerhaft behalten.",
    )
    assert german.credentials["deckhand"].skills == curriculum.credentials["deckhand"].skills  # what it requires stays
    assert german.credentials["mariner"] is curriculum.credentials["mariner"]  # no file: the source's
    assert (german.skills["tides"].name, german.skills["knots"].name) == ("Gezeiten lesen", "Tying knots")
    assert german.skills["tides"].alignments == curriculum.skills["tides"].alignments


@pytest.mark.parametrize("tag", [None, "", "en", "en-GB", "fr", "FR-ca"])
def test_other_languages_read_the_source(tag: str | None) -> None:
    curriculum = loaded(FIXTURE_CONTENT)
    assert curriculum.in_language(tag) is curriculum
    assert curriculum.in_language("de").in_language(tag) is curriculum  # from any view
    assert curriculum.languages == ("en", "de")


def test_a_curriculum_changed_in_code_is_read_with_its_changes_in_every_language() -> None:
    curriculum = loaded(FIXTURE_CONTENT)
    deckhand = dataclasses.replace(curriculum.credentials["deckhand"], retired=True)
    changed = dataclasses.replace(curriculum, credentials={**curriculum.credentials, "deckhand": deckhand})
    assert changed.in_language("en") is changed
    german = changed.in_language("de")
    assert (german.credentials["deckhand"].title, german.credentials["deckhand"].retired) == ("Decksmann", True)
    assert curriculum.in_language("de").credentials["deckhand"].retired is False
    assert german.in_language(None) is changed


def test_content_check_says_how_much_each_language_has_translated(capsys: pytest.CaptureFixture[str]) -> None:
    assert said(FIXTURE_CONTENT, capsys) == (
        0,
        [
            f"{FIXTURE_CONTENT}: OK. 2 lessons, 3 checks, 1 pathways, 2 credentials, 0 roles.",
            f"{FIXTURE_CONTENT}: de: 2 of 2 lessons, 1 of 1 pathways, 1 of 2 credentials, 1 of 2 skills translated.",
        ],
    )


def copy_of_fixture(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


def test_a_check_the_source_does_not_have_sets_the_translation_aside_at_its_heading(tmp_path: Path) -> None:
    root = copy_of_fixture(tmp_path)
    knots = root / "lessons" / "de" / "knots.md"
    knots.write_text(knots.read_text() + "\n## Check: noch eine\nNoch eine Frage?\n\n- [x] Ja\n- [ ] Nein\n\n> Darum.\n")
    assert set_aside(root, knots) == [
        f"{knots}:16: warning: the source ({root / 'lessons' / 'knots.md'}) has 1 check and this is a 2nd: a translation has exactly the "
        "checks of its source, so remove it (or add the check to the source first)"
    ]


def test_a_card_of_its_own_after_the_last_check_is_reported(tmp_path: Path) -> None:
    root = copy_of_fixture(tmp_path)
    knots = root / "lessons" / "de" / "knots.md"
    knots.write_text(knots.read_text() + "\n## Noch ein Tipp\nÜbe den Palstek mit geschlossenen Augen.\n")
    assert set_aside(root, knots) == [
        f"{knots}:16: warning: 1 card after check 1 where the source ({root / 'lessons' / 'knots.md'}) has 0: none; translate every card "
        "of the source, in the same order, and add none of your own"
    ]


def test_a_translated_card_over_the_length_of_a_phone_message_is_reported(tmp_path: Path) -> None:
    root = copy_of_fixture(tmp_path)
    knots = root / "lessons" / "de" / "knots.md"
    knots.write_text(knots.read_text().replace("Ein Palstek bildet", "Lang " * 220 + "Ein Palstek bildet"))
    assert set_aside(root, knots) == [
        f"{knots}:5: warning: the card 'Der Palstek' is 1193 characters long: keep a card to 1,000 characters or fewer "
        "(one phone message); shorten the translation"
    ]


def test_a_translation_reading_longer_than_the_source_s_minutes_is_reported(tmp_path: Path) -> None:
    root = copy_of_fixture(tmp_path)
    knots = root / "lessons" / "de" / "knots.md"
    knots.write_text(knots.read_text().replace("> Ein Palstek hält", "> " + "Wort " * 400 + "Ein Palstek hält"))
    assert set_aside(root, knots) == [
        f"{knots}:2: warning: the translation reads in about 3 minutes (444 words at 200 words a minute) but its source's 'minutes' "
        f"({root / 'lessons' / 'knots.md'}:5) says 2: shorten the translation, or raise 'minutes' in the source"
    ]


def test_a_true_false_check_translated_keeps_which_one_is_right(tmp_path: Path) -> None:
    root = copy_of_fixture(tmp_path)
    knots = root / "lessons" / "de" / "knots.md"
    knots.write_text(knots.read_text().replace("- [ ] Richtig\n- [x] Falsch", "- [x] Falsch\n- [ ] Richtig"))
    assert set_aside(root, knots) == [
        f"{knots}:11: warning: option 1 of check 1 is marked correct ('[x]') here but wrong ('[ ]') in the source "
        f"({root / 'lessons' / 'knots.md'}:15): mark the same options correct as the source, and keep its order of options"
    ]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        (b"---\ntitle: Knoten\n---\n\n## Der Palstek\nEin \xfcberall bekannter Knoten.\n", "{knots}:6: warning: this file is not UTF-8"),
        (b"---\ntitle: [Knoten\n---\n\n## Der Palstek\nEin Knoten.\n", "{knots}:2: warning: the front matter is not valid YAML"),
    ],
    ids=["not UTF-8", "front matter broken"],
)
def test_a_translation_that_cannot_be_read_is_set_aside_too(tmp_path: Path, written: bytes, said: str) -> None:
    root = copy_of_fixture(tmp_path)
    knots = root / "lessons" / "de" / "knots.md"
    knots.write_bytes(written)
    (warning,) = set_aside(root, knots)
    assert warning.startswith(said.format(knots=knots))


def test_a_skill_translated_with_a_problem_is_set_aside_alone(tmp_path: Path) -> None:
    root = copy_of_fixture(tmp_path)
    skills = root / "skills.de.yml"
    skills.write_text(skills.read_text() + "knots:\n  description: Knoten binden, die halten.\n")
    result = load_curriculum(root)
    assert result.problems == () and result.curriculum is not None
    assert [str(p) for p in result.warnings] == [
        f"{skills}:4: warning: the translation of skill 'knots' is set aside until it is fixed as said below: meanwhile learners "
        f"reading 'de' get the source's name and description of 'knots' ({root / 'skills.yml'})",
        f"{skills}:4: warning: missing 'name': add a line like 'name: Tying knots' to skill 'knots'",
    ]
    german = result.curriculum.in_language("de")
    assert (german.skills["tides"].name, german.skills["knots"].name) == ("Gezeiten lesen", "Tying knots")


def test_a_translation_folder_named_for_the_source_language_is_reported(tmp_path: Path) -> None:
    root = copy_of_fixture(tmp_path)
    (root / "pathways" / "en").mkdir()
    (root / "pathways" / "en" / "seamanship.md").write_text("---\ntitle: Seamanship\n---\n\nThe sea.\n")
    assert [str(p) for p in load_curriculum(root).problems] == [
        f"{root / 'pathways' / 'en'}:1: the files in {root / 'pathways'} are the source, in 'en': a translation folder is named "
        "after another language (for example 'de'); move these files to the source or delete the folder"
    ]


def test_the_shipped_curriculum_is_translated_into_german_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    content = Path(__file__).parent.parent.parent / "content"
    curriculum = loaded(content)
    german = curriculum.in_language("de")
    for lesson_id, lesson in curriculum.lessons.items():
        translated = german.lessons[lesson_id]
        assert translated.language == "de", f"{lesson_id} is not translated"
        assert [type(step) for step in translated.steps] == [type(step) for step in lesson.steps]
        for mine, theirs in zip(translated.steps, lesson.steps, strict=True):
            if isinstance(mine, Check):
                assert isinstance(theirs, Check) and mine.original == theirs
            else:
                assert isinstance(mine, Card) and isinstance(theirs, Card)
                assert [(p.path, p.width, p.digest) for p in mine.pictures] == [(p.path, p.width, p.digest) for p in theirs.pictures]
                assert all(p.alt != q.alt and p.caption != q.caption for p, q in zip(mine.pictures, theirs.pictures, strict=True))
                assert mine.title != theirs.title, f"{lesson_id}: '{mine.title}' left in English"
    check(content)
    coverage = capsys.readouterr().out.splitlines()[-1]
    assert coverage == f"{content}: de: 10 of 10 lessons, 2 of 2 pathways, 4 of 4 credentials, 2 of 2 roles, 10 of 10 skills translated."


def test_a_translation_can_be_previewed_on_its_own_against_its_source() -> None:
    path = Path(__file__).parent.parent.parent / "content" / "lessons" / "de" / "safe-lifting.md"
    lesson, problems = load_lesson(path)
    assert problems == []
    assert lesson is not None
    assert (lesson.id, lesson.title, lesson.language, lesson.minutes) == ("safe-lifting", "Sicher heben und tragen", "de", 4)
    assert [(p.path, p.caption) for card in lesson.cards for p in card.pictures] == [
        ("media/lifting-posture.png", "Beug die Knie, nicht den Rücken")
    ]
    assert all(p.width > 0 for card in lesson.cards for p in card.pictures)


def test_previewing_a_broken_translation_names_its_problems_and_shows_nothing() -> None:
    lesson, problems = load_lesson(BROKEN / "lessons" / "de" / "isolation.md")
    assert lesson is None
    assert problems[0].message == (
        "this translation is set aside until it is fixed as said below: meanwhile learners reading 'de' get the whole source "
        f"lesson ({BROKEN / 'lessons' / 'isolation.md'})"
    )
    assert [f"{p.path.relative_to(BROKEN)}:{p.line}" for p in problems] == [
        "lessons/de/isolation.md:1",
        "lessons/de/isolation.md:3",
        "lessons/de/isolation.md:6",
        "lessons/de/isolation.md:12",
        "lessons/de/isolation.md:20",
    ]
