"""The mastery model: FSRS per item, BKT per skill."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.mastery import MasteryModel, guess_probability

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def practise(model: MasteryModel, schedule: list[tuple[float, bool]], p_guess: float = 0.25) -> tuple[float, str]:
    """Answer one item at the given day offsets (at least one); return (p_known, card)."""
    p_known, card = model.p_init, None
    for day, correct in schedule:
        at = T0 + timedelta(days=day)
        recalls: list[float] = [model.recall(card, at)] if card else []
        p_known = model.update_skill(model.current(p_known, recalls), correct=correct, p_guess=p_guess)
        card = model.review(card, correct=correct, at=at).card_json
    assert card is not None, "no answer given"
    return p_known, card


def mastery_at(model: MasteryModel, p_known: float, card: str, day: float) -> float:
    return model.current(p_known, [model.recall(card, T0 + timedelta(days=day))])


def test_correct_answers_raise_mastery_and_wrong_ones_lower_it():
    model = MasteryModel()
    right, _ = practise(model, [(0, True), (2, True)])
    then_wrong, _ = practise(model, [(0, True), (2, True), (5, False)])
    then_right, _ = practise(model, [(0, True), (2, True), (5, True)])
    assert model.p_init < right
    assert then_wrong < right < then_right


def test_answers_spread_over_separate_days_build_more_mastery_than_crammed_ones():
    model = MasteryModel()
    crammed = practise(model, [(0, True), (0.01, True), (0.02, True)])
    spaced = practise(model, [(0, True), (2, True), (7, True)])
    assert mastery_at(model, *spaced, day=21) > mastery_at(model, *crammed, day=21) + 0.1


def test_mastery_decays_when_not_practised():
    model = MasteryModel()
    p_known, card = practise(model, [(0, True), (2, True)])
    week, month, year = (mastery_at(model, p_known, card, d) for d in (9, 32, 367))
    assert week > month > year
    assert year < 0.5, "a year without practice leaves the skill far from mastered"


def test_a_wrong_answer_brings_the_item_back_sooner_than_a_right_one():
    model = MasteryModel()
    right = model.review(None, correct=True, at=T0)
    wrong = model.review(None, correct=False, at=T0)
    assert T0 < wrong.due < right.due
    assert wrong.due - T0 <= timedelta(days=1)


def test_spaced_success_pushes_the_next_recheck_further_out():
    model = MasteryModel()
    first = model.review(None, correct=True, at=T0)
    second = model.review(first.card_json, correct=True, at=first.due)
    assert (second.due - first.due) > (first.due - T0)


@pytest.mark.parametrize(
    ("options", "correct", "expected"),
    [(2, 1, 0.5), (4, 1, 0.25), (3, 2, 1 / 7)],
)
def test_guessing_chance_follows_the_shape_of_the_check(options, correct, expected):
    assert guess_probability(options, correct) == pytest.approx(expected)
