"""A translated check frozen into a session: its answers count for the source check's wording,
so item analytics keep one history per check whatever the language it was answered in."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from bot.analytics import review
from bot.analytics_records import AnalyticsRecord, AnswerRecord, SessionRecord
from bot.snapshot import step_from_json, step_to_json
from bot.wording import wording_of_check, wording_of_step
from content.loader import load_curriculum
from content.model import Check
from tests.conftest import FIXTURE_CONTENT


def checks() -> tuple[Check, Check]:
    curriculum = load_curriculum(FIXTURE_CONTENT).curriculum
    assert curriculum is not None
    german = curriculum.in_language("de").lessons["tides"].checks[1]
    return german, curriculum.lessons["tides"].checks[1]


def test_a_german_check_is_frozen_with_the_source_s_wording() -> None:
    german, source = checks()
    step = step_to_json(german, ("tides",))
    assert step["question"] == "Welche Tiden haben den größten Tidenhub? Wähle alle zutreffenden Antworten."
    assert step["source_wording"] == wording_of_check(source) != wording_of_check(german)
    assert wording_of_step(step) == wording_of_check(source)


def test_the_learner_answers_the_german_wording_against_the_source_s_correct_options() -> None:
    german, source = checks()
    shown = step_from_json(step_to_json(german, ("tides",)))
    assert isinstance(shown, Check)
    assert (shown.key, shown.correct_indices, [o.text for o in shown.options]) == (
        source.key,
        source.correct_indices,
        ["Springtiden", "Tiden um Vollmond", "Nipptiden"],
    )


def test_a_source_check_is_frozen_as_it_always_was() -> None:
    _, source = checks()
    step = step_to_json(source, ("tides",))
    assert "source_wording" not in step
    assert wording_of_step(step) == wording_of_check(source)


def test_an_older_wording_is_shown_to_l_and_d_in_the_source_s_words_even_if_a_german_session_came_first() -> None:
    german, source = checks()
    older = dataclasses.replace(source, question="Which tides are the biggest? Choose all that apply.")
    german_of_older = dataclasses.replace(german, original=older)
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)

    def session(session_id: int, check: Check) -> SessionRecord:
        step = step_to_json(check, ("tides",))
        return SessionRecord(session_id, session_id, "lesson", "completed", 1, at, at, (step,), "tides", "1", at)

    wording = wording_of_check(older)
    answers = [AnswerRecord(n, at, source.key, n == 1, (0, 1) if n == 1 else (2,), n, "lesson", wording, n) for n in (1, 2)]
    record = AnalyticsRecord(answers, [session(1, german_of_older), session(2, older)])
    curriculum = load_curriculum(FIXTURE_CONTENT).curriculum
    (item,) = review(record, curriculum, now=at).items
    assert (item.wording, item.current, item.learners) == (wording, False, 2)
    assert (item.question, item.options) == (older.question, ("Spring tides", "Tides near a full moon", "Neap tides"))
