"""Streaks: consecutive learning days, counted in the learner's own calendar.

Learning days are stored as the learner's *local* date at the moment they learned, so a later
change of timezone or a DST switch never moves a past day. Only working days (Mon-Fri by default)
and days outside a vacation hold are required to keep a streak; learning on any other day still
counts towards it.

`current_streak` defines a streak from the whole history. The bot does not read the history to
show one: each learner keeps their latest `Run` (how many learning days, the last one, and the
instant it ends unless they learn again), updated as they learn and counted again from the
history whenever what was required changes (working days, holds, timezone). A streak is then the
run's length before its end and 0 after it, for one learner or for every team at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_WORKING_DAYS = frozenset({1, 2, 3, 4, 5})  # ISO weekdays, Monday = 1
# Holds of at most three months each could chain; a run that no required day ends within this
# many days (every day held) ends then.
SEARCH_DAYS = 800


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
    return frozenset(int(d) for d in learner.working_days)


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
    """A learner's latest run of learning days: how many, the last one (a local date), and when
    it ends unless they learn again (UTC: the end of the first required day after the last one,
    in their timezone). Invariant: `days` is `current_streak(history, today=last_day)`."""

    days: int = 0
    last_day: date | None = None
    ends_at: datetime | None = None


def run_after(
    run: Run,
    day: date,
    *,
    timezone: str,
    working_days: frozenset[int] = DEFAULT_WORKING_DAYS,
    holds: Iterable[Hold] = (),
) -> Run | None:
    """The run once the learner learned on `day`; None when only the history can tell (a day
    before the run's last one, after a move westwards: it may or may not be new)."""
    holds = tuple(holds)
    if run.last_day is not None and day <= run.last_day:
        return run if day == run.last_day else None
    alive = run.last_day is not None and day <= _next_required_after(run.last_day, working_days, holds)
    return _run(run.days + 1 if alive else 1, day, timezone, working_days, holds)


def run_of(
    learning_days: Iterable[date],
    *,
    timezone: str,
    working_days: frozenset[int] = DEFAULT_WORKING_DAYS,
    holds: Iterable[Hold] = (),
) -> Run:
    """The latest run, from the whole history of learning days."""
    days = set(learning_days)
    if not days:
        return Run()
    holds = tuple(holds)
    last = max(days)
    return _run(current_streak(days, today=last, working_days=working_days, holds=holds), last, timezone, working_days, holds)


class StreakCalendar(Protocol):
    """What a learner's streak is read from (a `LearnerRow` fits)."""

    @property
    def timezone(self) -> str: ...

    @property
    def streak_days(self) -> int: ...

    @property
    def streak_ends_at(self) -> datetime | None: ...


def streak_now(learner: StreakCalendar, now: datetime) -> int:
    """The learner's streak at `now`, as they see it (`current_streak` of their history)."""
    ends_at = learner.streak_ends_at
    return learner.streak_days if ends_at is not None and now < ends_at else 0


def at_risk_now(learner: StreakCalendar, now: datetime) -> int:
    """The streak that ends tonight unless the learner learns today: 0 when there is none, today
    is already a learning day, or today is not required (a weekend, a hold)."""
    ends_at = learner.streak_ends_at
    if ends_at is None or local_date(ends_at, learner.timezone) - timedelta(days=1) != local_date(now, learner.timezone):
        return 0
    return streak_now(learner, now)


def _run(days: int, last_day: date, timezone: str, working_days: frozenset[int], holds: tuple[Hold, ...]) -> Run:
    required = _next_required_after(last_day, working_days, holds)
    # The end of that day is the next local midnight (zoneinfo resolves a midnight that a
    # clock change skips to a nearby real instant).
    ends_at = datetime.combine(required + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    return Run(days, last_day, ends_at.astimezone(UTC))


def _next_required_after(day: date, working_days: frozenset[int], holds: tuple[Hold, ...]) -> date:
    for _ in range(SEARCH_DAYS):
        day += timedelta(days=1)
        if _required(day, working_days, holds):
            return day
    return day


def _required(day: date, working_days: frozenset[int], holds: tuple[Hold, ...]) -> bool:
    """A day the streak needs learning on: a working day outside any hold."""
    return day.isoweekday() in working_days and not any(h.covers(day) for h in holds)
