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
from zoneinfo import ZoneInfo

DEFAULT_WORKING_DAYS = frozenset({1, 2, 3, 4, 5})  # ISO weekdays, Monday = 1


@dataclass(frozen=True)
class Hold:
    """A vacation hold: the days from `start` to `end` (inclusive) are not required."""

    start: date
    end: date

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


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

    def required(d: date) -> bool:
        return d.isoweekday() in working_days and not any(h.covers(d) for h in holds)

    streak = 0
    first = min(days)
    if day not in days:
        day -= timedelta(days=1)  # today is still open
    while day >= first:
        if day in days:
            streak += 1
        elif required(day):
            break
        day -= timedelta(days=1)
    return streak
