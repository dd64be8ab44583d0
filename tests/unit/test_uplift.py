"""The statistics of bot/uplift.py against published values, and the comparisons it draws from a
trail whose answers are known: which moments count, on which side, and whether the learner came
back within 24 hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.analytics_records import TrailMoment, moment
from bot.records import Holdout, TrailEvent
from bot.uplift import Arm, Comparison, compare, held_out, newcombe, wilson
from bot.vocabulary import EventKind


def test_the_wilson_interval_of_newcombes_example():
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion", 81/263 and 0/10.
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=5e-5)
    assert wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=5e-5)
    with pytest.raises(ValueError):
        wilson(1, 0)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Newcombe (1998), "Interval estimation for the difference between independent
        # proportions", Table II, method 10 (the hybrid score interval).
        ((56, 70, 48, 80), (0.2000, 0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.6000, 0.1705, 0.8090)),
        ((5, 56, 0, 29), (0.0893, -0.0381, 0.1926)),
        ((0, 10, 0, 20), (0.0, -0.1611, 0.2775)),
        ((0, 10, 0, 10), (0.0, -0.2775, 0.2775)),
    ],
)
def test_the_difference_of_two_proportions_gives_newcombes_published_intervals(counts, expected):
    assert newcombe(*counts) == pytest.approx(expected, abs=5e-5)


def test_an_arm_and_a_comparison_say_their_figures():
    nudged, held = Arm("nudged", 70, 20, 56), Arm("held out", 80, 22, 48)
    assert nudged.rate == 0.8 and nudged.describe() == "56 of 70 days (80%, 95% CI 69% to 88%; 20 learners)"
    comparison = Comparison(nudged, held)
    assert comparison.describe() == "+20.0 points (95% CI +5.2 points to +33.4 points)"
    assert Comparison(nudged, Arm("held out", 0, 0, 0)).difference is None
    assert Arm("none", 0, 0, 0).describe() == "none"


MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def event(kind: EventKind, learner: int, at: datetime, **payload: object) -> TrailMoment:
    """As the store reads it for the uplift (bot.analytics_records.moment of the trail's event)."""
    return moment(TrailEvent(kind, at, at.date(), payload=dict(payload), learner_id=learner))


def learned(learner: int, at: datetime) -> TrailMoment:
    return event(EventKind.CARD_VIEWED, learner, at)


def test_daily_offers_and_reminders_against_comparable_days_without_a_nudge():
    day = timedelta(days=1)
    trail = [
        learned(1, MONDAY - 5 * day),  # active before the period
        event(EventKind.NUDGED, 1, MONDAY),  # Monday: came back an hour later
        learned(1, MONDAY + timedelta(hours=1)),
        event(EventKind.REMINDED, 1, MONDAY + timedelta(hours=3)),  # nothing in the 24 hours after it
        event(EventKind.NUDGED, 1, MONDAY + day),  # Tuesday: nothing within 24 hours
        event(EventKind.NUDGED, 1, MONDAY + 2 * day),  # Wednesday: came back
        learned(1, MONDAY + 2 * day + timedelta(hours=23)),
        # Thursday and Friday: not nudged, but not days on which she is nudged as a rule.
        # Monday 9: not nudged; came back at noon. Tuesday 10 and Wednesday 11: did not.
        learned(1, MONDAY + 7 * day + timedelta(hours=4)),
        # Bo was not active before his first offer: it does not count. He learned after it, so
        # the next Monday (his weekday, not nudged) is a comparable day: he did not come back.
        event(EventKind.NUDGED, 2, MONDAY),
        learned(2, MONDAY + timedelta(hours=2)),
        # Cy learns but is never offered anything: not someone who gets daily offers.
        learned(3, MONDAY - day),
        learned(3, MONDAY + 7 * day),
    ]
    found = compare(trail, [], MONDAY, MONDAY + 14 * day, now=MONDAY + 30 * day)
    assert (found.daily.nudged.units, found.daily.nudged.came_back, found.daily.nudged.learners) == (3, 2, 1)
    assert (found.reminders.nudged.units, found.reminders.nudged.came_back) == (1, 0)
    days = found.daily.not_nudged
    assert (days.units, days.came_back, days.learners) == (4, 1, 2), "hers: Mon 9 (came back), Tue 10, Wed 11; his: Mon 9"
    assert found.daily.difference == pytest.approx(newcombe(2, 3, 1, 4))
    assert found.holdouts == ()
    # A moment whose 24 hours are not over yet does not count.
    early = compare(trail, [], MONDAY, MONDAY + 14 * day, now=MONDAY + 2 * day + timedelta(hours=12))
    assert early.daily.nudged.units == 2


def test_a_comparable_day_ends_at_the_next_offer_and_needs_20_hours_without_one():
    day, second = timedelta(days=1), timedelta(seconds=1)
    trail = [
        learned(4, MONDAY - 7 * day),
        event(EventKind.NUDGED, 4, MONDAY - 6 * day),  # she is nudged on Tuesdays and Thursdays too
        event(EventKind.NUDGED, 4, MONDAY - 4 * day),
        event(EventKind.NUDGED, 4, MONDAY + 5 * second),  # Monday 08:00:05
        # Tuesday: not nudged, compared at 08:00:05; Wednesday's offer comes 3 seconds sooner
        # than 24 hours later, and what she does after it is that offer's, not Tuesday's.
        event(EventKind.NUDGED, 4, MONDAY + 2 * day + 2 * second),
        learned(4, MONDAY + 2 * day + 3 * second),
        # Thursday: not nudged; a reminder at 02:00 on Friday leaves 18 hours: not comparable.
        event(EventKind.REMINDED, 4, MONDAY + 3 * day + timedelta(hours=18)),
    ]
    found = compare(trail, [], MONDAY, MONDAY + 4 * day, now=MONDAY + 30 * day)
    days = found.daily.not_nudged
    assert (days.units, days.came_back) == (1, 0), "Tuesday only, and she did not come back before Wednesday's offer"
    assert (found.daily.nudged.units, found.daily.nudged.came_back) == (2, 1)


def test_a_holdout_compares_the_nudged_with_the_held_out_inside_its_period():
    holdout = Holdout(7, 0.5, "seed", MONDAY, MONDAY + timedelta(days=10), MONDAY)
    out = [n for n in range(1, 200) if held_out(n, holdout)][:4]
    kept = [n for n in range(1, 200) if not held_out(n, holdout)][:5]
    assert len(out) == 4 and len(kept) == 5
    trail: list[TrailMoment] = []
    for i, learner in enumerate(kept):  # 5 learners x 2 days nudged; 6 of those days came back
        for d in range(2):
            at = MONDAY + timedelta(days=d, hours=1)
            trail.append(event(EventKind.NUDGED, learner, at, nudge=1))
            if i * 2 + d < 6:
                trail.append(learned(learner, at + timedelta(hours=5)))
    for i, learner in enumerate(out):  # 4 learners x 2 days held out; 2 of those days came back
        for d in range(2):
            at = MONDAY + timedelta(days=d, hours=1)
            trail.append(event(EventKind.HELD_OUT, learner, at, holdout=7, nudge=2))
            if i * 2 + d < 2:
                trail.append(learned(learner, at + timedelta(hours=20)))
    trail.append(event(EventKind.NUDGED, kept[0], MONDAY + timedelta(days=12)))  # after it ended: not counted
    trail.append(event(EventKind.HELD_OUT, out[0], MONDAY + timedelta(days=1), holdout=99))  # another holdout's
    found = compare(trail, [holdout], MONDAY - timedelta(days=7), MONDAY + timedelta(days=28), now=MONDAY + timedelta(days=40))
    [result] = found.holdouts
    assert (result.start, result.end) == (MONDAY, MONDAY + timedelta(days=10))
    nudged, withheld = result.comparison.nudged, result.comparison.not_nudged
    assert (nudged.units, nudged.learners, nudged.came_back) == (10, 5, 6)
    assert (withheld.units, withheld.learners, withheld.came_back) == (8, 4, 2)
    difference, low, high = newcombe(6, 10, 2, 8)
    assert result.comparison.difference == (difference, low, high)
    rows = dict(found.rows())
    assert rows["holdout 7"] == "50% of learners without daily offers, 2026-03-02 08:00 UTC to 2026-03-12 08:00 UTC"
    assert rows["holdout 7: uplift"] == f"+35.0 points (95% CI {low * 100:+.1f} points to {high * 100:+.1f} points)"
    # A report for a period the holdout does not touch leaves it out.
    later = compare(trail, [holdout], MONDAY + timedelta(days=20), MONDAY + timedelta(days=28), now=MONDAY + timedelta(days=40))
    assert later.holdouts == ()
    # Half a day into it, nothing can be counted yet.
    early = compare(trail, [holdout], MONDAY, MONDAY + timedelta(days=28), now=MONDAY + timedelta(hours=12))
    assert dict(early.rows())["holdout 7: counted"] == "nothing yet (a day counts once its 24 hours are over)"
    assert early.holdouts[0].comparison.nudged.units == 0


def test_who_a_holdout_holds_out_is_stable_and_near_its_share():
    holdout = Holdout(1, 0.1, "a3f9", MONDAY, MONDAY + timedelta(days=28), MONDAY)
    chosen = {n for n in range(1, 10_001) if held_out(n, holdout)}
    assert chosen == {n for n in range(1, 10_001) if held_out(n, holdout)}
    assert 900 <= len(chosen) <= 1100
    other = Holdout(2, 0.1, "b7c1", MONDAY, MONDAY + timedelta(days=28), MONDAY)
    assert chosen != {n for n in range(1, 10_001) if held_out(n, other)}, "another seed draws others"
