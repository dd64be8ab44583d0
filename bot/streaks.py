"""Streaks: consecutive learning days, counted in the learner's own calendar.

Learning days are stored as the learner's *local* date at the moment they learned, so a later
change of timezone or a DST switch never moves a past day. Only working days (Mon-Fri by default)
and days outside a vacation hold are required to keep a streak; learning on any other day still
counts towards it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_WORKING_DAYS = frozenset({1, 2, 3, 4, 5})  # ISO weekdays, Monday = 1


@dataclass(frozen=True)
class Hold:
    """A vacation hold: the days from `start` to `end` (inclusive) are not required."""

    start: date
    end: date

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


class HasWorkingDays(Protocol):
    @property
    def working_days(self) -> str: ...  # ISO weekday digits, "12345" = Monday to Friday


def working_days(learner: HasWorkingDays) -> frozenset[int]:
    return _weekdays(learner.working_days)


@lru_cache(maxsize=128)
def _weekdays(digits: str) -> frozenset[int]:  # a few distinct patterns, read for every team member
    return frozenset(int(d) for d in digits)


class StreakCalendar(HasWorkingDays, Protocol):
    """What a learner's streak depends on besides holds (a `LearnerRow` fits)."""

    @property
    def timezone(self) -> str: ...

    @property
    def streak_days(self) -> int: ...

    @property
    def streak_last_day(self) -> date | None: ...


def streak_now(learner: StreakCalendar, now: datetime, holds: Iterable[Hold] = ()) -> int:
    """The learner's streak at `now`, as they see it, from the run kept with them."""
    return streak_on(Run(learner.streak_days or 0, learner.streak_last_day), local_date(now, learner.timezone),
                     working_days=working_days(learner), holds=holds)


def at_risk_now(learner: StreakCalendar, now: datetime, holds: Iterable[Hold] = ()) -> int:
    """The learner's streak that ends tonight unless they learn today (0: none at risk)."""
    return streak_at_risk(Run(learner.streak_days or 0, learner.streak_last_day), local_date(now, learner.timezone),
                          working_days=working_days(learner), holds=holds)


def local_date(instant: datetime, timezone: str) -> date:
    return instant.astimezone(ZoneInfo(timezone)).date()


def current_streak(
    learning_days: Iterable[date],
    *,
    today: date,
    working_days: frozenset[int] = DEFAULT_WORKING_DAYS,
    holds: Iterable[Hold] = (),
) -> int:
    """Number of learning days in the unbroken run that reaches `today`.

    Today itself is not yet required: the streak breaks only when a required day has fully
    passed without learning."""
    days = set(learning_days)
    holds = tuple(holds)
    if not days:
        return 0
    # After a move westwards the newest learning day can be "tomorrow" in the new zone.
    day = max(today, max(days))

    streak = 0
    first = min(days)
    if day not in days:
        day -= timedelta(days=1)  # today is still open
    while day >= first:
        if day in days:
            streak += 1
        elif _required(day, working_days, holds):
            break
        day -= timedelta(days=1)
    return streak


@dataclass(frozen=True)
class Run:
    """A learner's latest run of learning days, kept with the learner so that a streak is read
    without their history: how many learning days, and the last one. Invariant: `days` is
    `current_streak(history, today=last_day)` under the learner's present working days and holds."""

    days: int = 0
    last_day: date | None = None


def streak_on(
    run: Run, today: date, *, working_days: frozenset[int] = DEFAULT_WORKING_DAYS, holds: Iterable[Hold] = ()
) -> int:
    """The streak as the learner sees it on `today` (`current_streak` of their history): the run,
    unless a required day has fully passed since its last day."""
    if run.last_day is None:
        return 0
    day = today - timedelta(days=1)
    if day <= run.last_day:
        return run.days  # learned today or yesterday: no day in between to miss
    holds = tuple(holds)
    while day > run.last_day:
        if _required(day, working_days, holds):
            return 0
        day -= timedelta(days=1)
    return run.days


def run_after(
    run: Run, day: date, *, working_days: frozenset[int] = DEFAULT_WORKING_DAYS, holds: Iterable[Hold] = ()
) -> Run | None:
    """The run once the learner learned on `day`; None when only the history can tell (a day
    before the run's last one, after a move westwards: it may or may not be new)."""
    if run.last_day is not None and day <= run.last_day:
        return run if day == run.last_day else None
    return Run(streak_on(run, day, working_days=working_days, holds=holds) + 1, day)


def run_of(
    learning_days: Iterable[date], *, working_days: frozenset[int] = DEFAULT_WORKING_DAYS, holds: Iterable[Hold] = ()
) -> Run:
    """The latest run, from the whole history of learning days."""
    days = set(learning_days)
    if not days:
        return Run()
    last = max(days)
    return Run(current_streak(days, today=last, working_days=working_days, holds=holds), last)


def streak_at_risk(
    run: Run, today: date, *, working_days: frozenset[int] = DEFAULT_WORKING_DAYS, holds: Iterable[Hold] = ()
) -> int:
    """The streak that ends tonight unless the learner learns today: 0 when there is none, today
    is already a learning day, or today is not required (a weekend, a hold)."""
    holds = tuple(holds)
    if run.last_day is not None and run.last_day >= today or not _required(today, working_days, holds):
        return 0
    return streak_on(run, today, working_days=working_days, holds=holds)


def _required(day: date, working_days: frozenset[int], holds: tuple[Hold, ...]) -> bool:
    """A day the streak needs learning on: a working day outside any hold."""
    return day.isoweekday() in working_days and not any(h.covers(day) for h in holds)
