"""Streak rules as pure functions: weekends, holds, DST and timezone changes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

import pytest

from bot.streaks import Hold, Run, at_risk_now, current_streak, local_date, run_after, run_of, streak_now


class Calendar(TypedDict):
    """What run_after and run_of take besides the days."""

    timezone: str
    working_days: frozenset[int]
    holds: list[Hold]


def days(*isodates: str) -> set[date]:
    return {date.fromisoformat(d) for d in isodates}


def test_consecutive_weekdays_count():
    # Mon 2 .. Wed 4 March 2026
    assert current_streak(days("2026-03-02", "2026-03-03", "2026-03-04"), today=date(2026, 3, 4)) == 3


def test_today_not_yet_learned_does_not_break_the_streak():
    assert current_streak(days("2026-03-02", "2026-03-03"), today=date(2026, 3, 4)) == 2


def test_a_missed_working_day_breaks_the_streak():
    assert current_streak(days("2026-03-02", "2026-03-04"), today=date(2026, 3, 4)) == 1
    assert current_streak(days("2026-03-02", "2026-03-03"), today=date(2026, 3, 5)) == 0


def test_streak_survives_a_weekend():
    # Thu 5, Fri 6, (Sat, Sun off), Mon 9 March 2026
    learned = days("2026-03-05", "2026-03-06", "2026-03-09")
    assert current_streak(learned, today=date(2026, 3, 9)) == 3
    assert current_streak(days("2026-03-05", "2026-03-06"), today=date(2026, 3, 9)) == 2


def test_learning_on_a_weekend_counts_as_a_day():
    learned = days("2026-03-06", "2026-03-07", "2026-03-09")
    assert current_streak(learned, today=date(2026, 3, 9)) == 3


def test_custom_working_days_make_saturday_required():
    learned = days("2026-03-06", "2026-03-09")
    assert current_streak(learned, today=date(2026, 3, 9), working_days=frozenset({1, 2, 3, 4, 5, 6})) == 1


def test_a_vacation_hold_keeps_the_streak():
    learned = days("2026-03-02", "2026-03-03", "2026-03-16")
    hold = Hold(date(2026, 3, 4), date(2026, 3, 13))
    assert current_streak(learned, today=date(2026, 3, 16), holds=[hold]) == 3
    assert current_streak(learned, today=date(2026, 3, 16)) == 1


def test_no_learning_means_no_streak():
    assert current_streak(set(), today=date(2026, 3, 4)) == 0


def test_local_date_follows_dst_in_the_learners_zone():
    # Berlin switches to summer time on 29 March 2026 at 01:00 UTC.
    assert local_date(datetime(2026, 3, 28, 22, 30, tzinfo=UTC), "Europe/Berlin") == date(2026, 3, 28)
    assert local_date(datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "Europe/Berlin") == date(2026, 3, 30)


def test_streak_across_the_dst_switch_has_no_gap_or_double_day():
    # Learning every evening at 23:30 Berlin time through the spring-forward weekend.
    zone = "Europe/Berlin"
    instants = []
    day = datetime(2026, 3, 23, 22, 30, tzinfo=UTC)  # Mon 23:30 CET
    for _ in range(10):
        instants.append(day)
        day += timedelta(days=1)
    # After the switch 22:30 UTC is 00:30 CEST next day: a real learner keeps 23:30 local.
    learned = {local_date(t if t < datetime(2026, 3, 29, 1, tzinfo=UTC) else t - timedelta(hours=1), zone) for t in instants}
    assert len(learned) == 10
    assert current_streak(learned, today=date(2026, 4, 1)) == 10


@pytest.mark.parametrize("seed", range(40))
def test_the_run_kept_day_by_day_gives_the_streak_the_whole_history_gives(seed: int):
    """The bot keeps each learner's run as they learn (`run_after`) and reads streaks from it
    (`streak_now`, `at_risk_now`); whatever the calendar, that is the streak of the whole history."""
    rng = random.Random(seed)
    zone = rng.choice(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])
    start = date(2026, 1, 5)
    working = frozenset(rng.sample(range(1, 8), rng.randint(1, 7)))
    holds = [
        Hold(start + timedelta(days=d), start + timedelta(days=d + rng.randint(0, 9))) for d in rng.sample(range(120), rng.randint(0, 3))
    ]
    learned = sorted(start + timedelta(days=d) for d in range(120) if rng.random() < rng.choice((0.5, 0.8, 0.95)))
    if learned and rng.random() < 0.3:  # after a move westwards: a day before the last one comes late
        learned.append(learned[-1] - timedelta(days=1))
    calendar: Calendar = {"timezone": zone, "working_days": working, "holds": holds}
    run, history = Run(), set()
    for day in learned:
        history.add(day)
        run = run_after(run, day, **calendar) or run_of(history, **calendar)
        assert run == run_of(history, **calendar)
        for today in (day, day + timedelta(days=1), day + timedelta(days=rng.randint(2, 12))):
            for hour in (0, 12, 23):  # early, midday and late on that day, the learner's time
                now = datetime.combine(today, time(hour, 30), tzinfo=ZoneInfo(zone))
                learner = Kept(zone, run.days, run.ends_at)
                expected = current_streak(history, today=today, working_days=working, holds=holds)
                assert streak_now(learner, now) == expected
                # At risk exactly when today is required, not yet learned, and there is a streak.
                required = today.isoweekday() in working and not any(h.covers(today) for h in holds)
                at_risk = required and today not in history and today >= max(history) and expected > 0
                assert at_risk_now(learner, now) == (expected if at_risk else 0)


@dataclass(frozen=True)
class Kept:
    """What a learner keeps of their run (as `LearnerRow` does)."""

    timezone: str
    streak_days: int
    streak_ends_at: datetime | None


def test_a_hold_set_afterwards_over_days_already_missed_restores_the_run():
    history = days("2026-03-02", "2026-03-03", "2026-03-06")  # Mon, Tue, (Wed, Thu missed), Fri
    assert run_of(history, timezone="UTC").days == 1
    assert run_of(history, timezone="UTC", holds=[Hold(date(2026, 3, 4), date(2026, 3, 5))]).days == 3


def test_a_run_ends_at_midnight_after_the_next_required_day_in_the_learners_zone():
    friday = date(2026, 3, 27)  # the weekend before Berlin moves its clocks forward
    run = run_of({friday}, timezone="Europe/Berlin")
    assert run.ends_at == datetime(2026, 3, 30, 22, 0, tzinfo=UTC), "Monday ends at 00:00 CEST (22:00 UTC)"
    held = run_of({friday}, timezone="Europe/Berlin", holds=[Hold(date(2026, 3, 30), date(2026, 4, 3))])
    assert held.ends_at == datetime(2026, 4, 6, 22, 0, tzinfo=UTC), "a week held: the Monday after"
