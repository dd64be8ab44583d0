"""The item analytics' statistics (bot/analytics.py) on small records whose figures are worked out
by hand: rates, option shares, discrimination, time to answer, recall windows, the wording that
keeps a rewritten check's history apart, the forgetting curve beside FSRS, where lessons stop,
and which findings are made at which sample size."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.analytics import (
    CurvePoint,
    ItemStats,
    Recall,
    SkillCurve,
    calibration_error,
    findings,
    item_findings,
    item_table,
    point_biserial,
    recall_window,
    review,
    skill_finding,
)
from bot.analytics_records import AnalyticsRecord, AnswerRecord, SessionRecord
from bot.mastery import MasteryModel
from bot.snapshot import step_to_json
from bot.spreadsheet import csv_text
from bot.wording import wording_hash, wording_of_check, wording_of_step
from content.model import Check, Curriculum, Option, Source

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def check(key: str = "tides:1", question: str = "Which way is north?", right: int = 0) -> Check:
    options = tuple(Option(text, i == right) for i, text in enumerate(("Up", "Left", "Down")))
    return Check(key, question, options, "Because.", Source(Path("content/lessons/tides.md"), 12))


def session(session_id: int, learner: int, steps: list[Check], at: datetime, **fields) -> SessionRecord:
    return SessionRecord(
        id=session_id,
        learner_id=learner,
        kind=fields.pop("kind", "lesson"),
        status=fields.pop("status", "completed"),
        position=fields.pop("position", len(steps)),
        started_at=at,
        updated_at=fields.pop("updated_at", at),
        steps=tuple(step_to_json(s, ("navigation",)) for s in steps),
        lesson_id=fields.pop("lesson_id", "tides"),
        completed_at=fields.pop("completed_at", None),
        **fields,
    )


def answer(learner: int, at: datetime, choice: int, *, key: str = "tides:1", right: int = 0, session_id: int | None = None, n: int = 0):
    return AnswerRecord(learner, at, key, choice == right, (choice,), session_id, "lesson", None, n)


# --- statistics --------------------------------------------------------------------------------
def test_point_biserial_matches_the_pearson_correlation_of_a_0_1_variable():
    correct = [True, True, False, False, True]
    scores = [0.9, 0.7, 0.2, 0.4, 0.5]
    mean_c = sum(correct) / 5
    mean_s = sum(scores) / 5
    cov = sum((c - mean_c) * (s - mean_s) for c, s in zip(correct, scores, strict=True)) / 5
    sd_c = math.sqrt(sum((c - mean_c) ** 2 for c in correct) / 5)
    sd_s = math.sqrt(sum((s - mean_s) ** 2 for s in scores) / 5)
    assert point_biserial(correct, scores) == pytest.approx(cov / (sd_c * sd_s))


def test_point_biserial_is_undefined_when_nobody_or_everybody_is_right_or_scores_do_not_vary():
    assert point_biserial([True, True, True], [0.1, 0.5, 0.9]) is None
    assert point_biserial([False, False], [0.1, 0.9]) is None
    assert point_biserial([True, False], [0.5, 0.5]) is None
    assert point_biserial([True], [1.0]) is None


def test_a_check_right_for_half_of_each_score_level_does_not_discriminate():
    scores = [0.2, 0.2, 0.5, 0.5, 0.8, 0.8]
    assert point_biserial([True, False, False, True, True, False], scores) == pytest.approx(0.0)
    assert point_biserial([False, False, False, True, True, True], scores) == pytest.approx(math.sqrt(2 / 3))  # (0.7 - 0.3) / 0.245 * 0.5


def test_calibration_error_weighs_each_days_gap_by_its_rechecks():
    points = [CurvePoint(1, 30, 0.9, 0.95), CurvePoint(7, 10, 0.5, 0.8)]
    assert calibration_error(points) == pytest.approx((30 * 0.05 + 10 * 0.3) / 40)
    assert calibration_error([]) is None


def test_recall_windows_are_about_one_seven_and_thirty_days():
    assert [recall_window(d) for d in (0.2, 1, 3, 4, 9, 13.9, 14, 30, 59, 61)] == [
        None,
        "1d",
        "1d",
        "7d",
        "7d",
        "7d",
        "30d",
        "30d",
        "30d",
        None,
    ]


# --- the wording ---------------------------------------------------------------------------------
def test_the_wording_changes_with_the_question_an_option_or_the_right_answer_not_the_explanation():
    base = check()
    assert wording_of_check(base) == wording_of_step(step_to_json(base, ()))
    assert wording_of_check(check(question="Which way is north? ")) == wording_of_check(base)  # spaces around
    assert wording_of_check(check(question="Which way is south?")) != wording_of_check(base)
    assert wording_of_check(check(right=1)) != wording_of_check(base)
    reworded = Check(base.key, base.question, (Option("Up!", True), *base.options[1:]), base.explanation, base.source)
    assert wording_of_check(reworded) != wording_of_check(base)
    explained = Check(base.key, base.question, base.options, "Another explanation.", base.source)
    assert wording_of_check(explained) == wording_of_check(base)
    assert len(wording_hash("q", [("a", True)])) == 16


def test_answers_to_an_earlier_wording_are_kept_apart_from_the_current_ones(curriculum: Curriculum):
    current = next(c for lesson in curriculum.lessons.values() for c in lesson.checks)
    old = Check(current.key, "An earlier question?", current.options, current.explanation, current.source)
    right = min(current.correct_indices)
    wrong = next(i for i in range(len(current.options)) if i not in current.correct_indices)
    sessions = [
        session(1, 1, [old], T0, lesson_id=current.key.rpartition(":")[0]),
        session(2, 2, [current], T0 + timedelta(days=1), lesson_id=current.key.rpartition(":")[0]),
    ]
    answers = [
        AnswerRecord(1, T0 + timedelta(seconds=20), current.key, False, (wrong,), 1, "lesson", wording_of_check(old), 1),
        AnswerRecord(2, T0 + timedelta(days=1, seconds=20), current.key, True, (right,), 2, "lesson", wording_of_check(current), 2),
        AnswerRecord(3, T0 + timedelta(days=1, seconds=30), current.key, False, (wrong,), None, "", None, 3),  # no wording known
    ]
    result = review(AnalyticsRecord(answers, sessions), curriculum, now=T0 + timedelta(days=2))
    rows = {(i.wording, i.current): i for i in result.items}
    assert set(rows) == {(wording_of_check(old), False), (wording_of_check(current), True), ("", False)}
    assert rows[(wording_of_check(current), True)].first_try_rate == 1.0
    assert rows[(wording_of_check(old), False)].first_try_rate == 0.0
    assert rows[(wording_of_check(old), False)].question == "An earlier question?"  # from the session that showed it
    assert result.current(current.key) == rows[(wording_of_check(current), True)]


# --- per check -----------------------------------------------------------------------------------
def test_a_checks_rates_shares_time_to_answer_and_recall_from_its_answers():
    c = check()
    sessions = [session(n, n, [c], T0, completed_at=T0 + timedelta(minutes=2)) for n in (1, 2, 3, 4)]
    sessions.append(session(5, 1, [c], T0 + timedelta(days=2), kind="review", lesson_id=None))
    answers = [
        answer(1, T0 + timedelta(seconds=30), 1, session_id=1, n=1),  # wrong, then right 2 days later
        answer(2, T0 + timedelta(seconds=10), 0, session_id=2, n=2),
        answer(3, T0 + timedelta(seconds=50), 1, session_id=3, n=3),
        answer(4, T0 + timedelta(seconds=20), 2, session_id=4, n=4),
        answer(1, T0 + timedelta(days=2, seconds=5), 0, session_id=5, n=5),
    ]
    views = [(1, T0 + timedelta(seconds=10))]  # a card shown in session 1: its answer took 20 s
    item = review(AnalyticsRecord(answers, sessions, views), None, now=T0 + timedelta(days=3)).items[0]
    assert (item.attempts, item.learners) == (5, 4)
    assert item.first_try_rate == 0.25 and item.final_rate == 0.5
    assert item.option_shares == (0.25, 0.5, 0.25)
    assert item.median_seconds == 20  # 20, 10, 50, 20, 5
    assert item.recall == (Recall("1d", 1, 1.0), Recall("7d", 0, None), Recall("30d", 0, None))
    assert not item.current  # no curriculum given


def _item(**figures) -> ItemStats:
    base = {
        "check_key": "tides:1",
        "wording": "w",
        "current": True,
        "question": "Which way is north?",
        "options": ("Up", "Left", "Down"),
        "correct_options": frozenset({0}),
        "attempts": 200,
        "learners": 200,
        "first_try_rate": 0.6,
        "final_rate": 0.8,
        "option_shares": (0.6, 0.2, 0.2),
        "discrimination": 0.4,
        "discrimination_learners": 200,
        "median_seconds": 12.0,
        "recall": (),
    }
    return ItemStats(**{**base, **figures})


def test_each_finding_names_its_figure_the_threshold_and_the_sample():
    assert item_findings(_item()) == []
    assert item_findings(_item(first_try_rate=0.25, option_shares=(0.25, 0.4, 0.35))) == [
        "too hard: 25% right at the first try (threshold: below 30%; 200 learners)",
        'distractor: option 2 "Left" chosen by 40% at the first try, more than the right answer (25%)'
        " (threshold: more than the right answer; 200 learners)",
    ]
    assert item_findings(_item(first_try_rate=0.97, option_shares=(0.97, 0.02, 0.01))) == [
        "too easy: 97% right at the first try (threshold: above 95%; 200 learners)"
    ]
    assert item_findings(_item(discrimination=0.05)) == [
        "does not tell strong learners from weak: discrimination 0.05 (threshold: below 0.10; 200 learners)"
    ]


def test_no_finding_below_the_minimum_sample():
    assert item_findings(_item(learners=29, first_try_rate=0.1, option_shares=(0.1, 0.8, 0.1))) == []
    assert item_findings(_item(learners=30, first_try_rate=0.1, option_shares=(0.1, 0.8, 0.1)))  # at the minimum
    assert item_findings(_item(learners=59, first_try_rate=1.0, option_shares=(1.0, 0.0, 0.0))) == []
    assert item_findings(_item(discrimination=0.0, discrimination_learners=99)) == []


def test_a_skill_is_reported_only_when_its_week_recall_is_far_below_and_beyond_chance():
    def curve(observed: float, predicted: float, n: int) -> SkillCurve:
        return SkillCurve("navigation", (), n, None, n, observed, predicted)

    assert skill_finding(curve(0.5, 0.85, 200)) == (
        'skill "navigation" is forgotten faster than predicted: 50% recalled about 7 days after the last review,'
        " FSRS predicted 85% (threshold: 15 points below and beyond chance; 200 re-checks)"
    )
    assert skill_finding(curve(0.75, 0.85, 200)) is None  # 10 points: not far
    assert skill_finding(curve(0.5, 0.85, 29)) is None  # too few re-checks
    assert skill_finding(curve(0.95, 0.85, 200)) is None  # better than predicted


# --- per skill and per lesson ---------------------------------------------------------------------
def test_the_forgetting_curve_sets_each_recheck_beside_fsrs_replayed_as_the_bot_did():
    c = check()
    model = MasteryModel()
    first = model.review(None, correct=True, at=T0)
    predicted = model.recall(first.card_json, T0 + timedelta(days=7))
    answers = [answer(1, T0, 0, n=1), answer(1, T0 + timedelta(days=7), 1, n=2)]
    sessions = [session(1, 1, [c], T0)]
    curve = review(AnalyticsRecord([replace_session(a, 1) for a in answers], sessions), None, now=T0 + timedelta(days=8)).skills[0]
    assert curve.skill == "navigation"
    (point,) = curve.points
    assert (point.days, point.rechecks, point.observed) == (7, 1, 0.0) and point.predicted == pytest.approx(predicted)
    assert (curve.week_rechecks, curve.week_observed) == (1, 0.0)
    assert curve.calibration_error == pytest.approx(predicted)


def replace_session(a: AnswerRecord, session_id: int) -> AnswerRecord:
    return a._replace(session_id=session_id)


def test_where_learners_stop_a_lesson_and_how_long_it_takes():
    c = check()
    now = T0 + timedelta(days=3)
    sessions = [
        session(1, 1, [c, c, c], T0, completed_at=T0 + timedelta(minutes=3)),
        session(2, 2, [c, c, c], T0, completed_at=T0 + timedelta(minutes=5)),
        session(3, 3, [c, c, c], T0, status="active", position=1),  # stopped at step 2
        session(4, 4, [c, c, c], now, status="active", position=1, updated_at=now),  # still going
        session(5, 5, [c], T0, kind="review", lesson_id=None),
    ]
    (lesson,) = review(AnalyticsRecord([], sessions), None, now=now).lessons
    assert (lesson.lesson_id, lesson.started, lesson.completed, lesson.in_progress) == ("tides", 4, 2, 1)
    assert lesson.stopped_at == ((2, 1),)
    assert lesson.median_minutes == 4


def test_the_table_has_a_row_per_check_and_wording_and_is_formula_safe(curriculum: Curriculum):
    current = next(c for lesson in curriculum.lessons.values() for c in lesson.checks)
    old = Check(current.key, "=HYPERLINK(1)", current.options, current.explanation, current.source)
    sessions = [session(1, 1, [old], T0, lesson_id=current.key.rpartition(":")[0])]
    answers = [AnswerRecord(1, T0 + timedelta(seconds=5), current.key, False, (0,), 1, "lesson", wording_of_check(old), 1)]
    rows = item_table(review(AnalyticsRecord(answers, sessions), curriculum, now=T0), curriculum)
    assert rows[0][:5] == ["check", "path", "line", "wording", "current"]
    assert rows[1][0] == current.key and rows[1][4] == "no" and rows[1][2] == current.source.line
    assert "'=HYPERLINK(1)" in csv_text(rows)
    assert findings(review(AnalyticsRecord(answers, sessions), curriculum, now=T0), curriculum) == []
