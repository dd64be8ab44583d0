"""When the bot may reach a learner on its own: the daily nudge, reminders and quiet hours.

Pure functions, no I/O. Every rule is read on the learner's own clock (their IANA timezone):

- The daily nudge comes once per working day (ISO weekdays, Monday to Friday by default) at the
  learner's daily time, and never on a day inside a vacation hold. Held days are skipped, not made
  up for: after a hold the schedule simply resumes, so nothing piles up.
- Quiet hours (20:00-08:00 by default) hold back everything the bot starts itself; replies to the
  learner's own actions are not scheduled here and ignore them. The window may wrap midnight
  (20:00-08:00) or not (13:00-14:00); equal start and end means no quiet hours.
- A daily nudge that would fall in quiet hours is sent at the end of the quiet hours on the same
  local day: 06:30 becomes 08:00, and 21:00 becomes 08:00 that morning. Staying on the same day
  keeps the nudge on the working day it belongs to, instead of sliding into a perhaps free one.
- Daylight saving time: the wall time stays the chosen one, so its UTC instant moves by an hour.
  A time that does not exist that day (the spring-forward gap, e.g. 02:30 in Berlin on the last
  Sunday of March) is moved forward by the length of the gap (03:30); a time that occurs twice
  (fall back) is taken at its first occurrence.
- An unanswered nudge gets at most len(REMINDER_DELAYS) reminders, 3 hours and 24 hours after it,
  each moved to the next moment the learner is reachable. A reminder is dropped when it would not
  come before the next daily nudge, or would come together with the reminder before it (both
  waiting out the same weekend). After the last one the bot waits for the learner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.streaks import Hold

UTC = UTC
REMINDER_DELAYS = (timedelta(hours=3), timedelta(hours=24))
# Any weekday pattern repeats within a week; the rest covers holds. Past this we give up.
SEARCH_DAYS = 370


class LearnerLike(Protocol):
    """What `Rhythm.of` reads from a learner (a `LearnerRow` fits)."""

    @property
    def timezone(self) -> str: ...

    @property
    def daily_time(self) -> str: ...  # "HH:MM"

    @property
    def working_days(self) -> str: ...  # ISO weekday digits, "12345" = Monday to Friday


@dataclass(frozen=True)
class Rhythm:
    """A learner's schedule: when the daily nudge is due and when they may be reached at all."""

    timezone: str
    daily_time: time
    working_days: frozenset[int]  # ISO weekdays, Monday = 1
    holds: tuple[Hold, ...] = ()
    quiet_start: time = time(20, 0)
    quiet_end: time = time(8, 0)

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # an unknown zone fails here, not at the first nudge
        if not self.working_days <= set(range(1, 8)):
            raise ValueError(f"working days must be ISO weekdays 1..7, got {sorted(self.working_days)}")

    @classmethod
    def of(cls, learner: LearnerLike, holds: Iterable[Hold] = ()) -> Rhythm:
        return cls(
            timezone=learner.timezone,
            daily_time=time.fromisoformat(learner.daily_time),
            working_days=frozenset(int(d) for d in learner.working_days),
            holds=tuple(holds),
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches one instance per key

    def is_quiet(self, wall: time) -> bool:
        """Whether a local wall time lies in quiet hours (start inclusive, end exclusive)."""
        start, end = self.quiet_start, self.quiet_end
        if start <= end:
            return start <= wall < end
        return wall >= start or wall < end  # the window wraps midnight

    def is_open(self, day: date) -> bool:
        """A local day on which the bot may reach out: a working day outside every hold."""
        return day.isoweekday() in self.working_days and not any(h.covers(day) for h in self.holds)


def next_daily(rhythm: Rhythm, after: datetime) -> datetime | None:
    """The first daily nudge strictly after `after` (aware, any timezone), in UTC.

    None when no day in the next SEARCH_DAYS is open (no working days, or holds cover them all)."""
    first = _local(rhythm, after).date()
    for offset in range(SEARCH_DAYS + 1):
        day = first + timedelta(days=offset)
        if rhythm.is_open(day):
            nudge = _daily_on(rhythm, day)
            if nudge > after:
                return nudge
    return None


def reachable(rhythm: Rhythm, at: datetime) -> bool:
    """Whether the bot may start a message at `at`: an open day, outside quiet hours."""
    local = _local(rhythm, at)
    return rhythm.is_open(local.date()) and not rhythm.is_quiet(local.time())


def next_reachable(rhythm: Rhythm, at: datetime) -> datetime | None:
    """`at` (in UTC) if reachable, else the earliest reachable instant after it; None if there is
    none within SEARCH_DAYS."""
    if reachable(rhythm, at):
        return at.astimezone(UTC)
    local = _local(rhythm, at)
    today = local.date()
    # Only quiet hours keep an open day closed; those before their end reopen later today.
    if rhythm.is_open(today) and local.time() < rhythm.quiet_end:
        return _instant(rhythm, today, rhythm.quiet_end)
    for offset in range(1, SEARCH_DAYS + 1):
        day = today + timedelta(days=offset)
        if rhythm.is_open(day):
            opening = rhythm.quiet_end if rhythm.is_quiet(time(0)) else time(0)
            return _instant(rhythm, day, opening)
    return None


def reminder_at(rhythm: Rhythm, nudged_at: datetime, reminders_sent: int, *, next_daily_at: datetime | None) -> datetime | None:
    """When to send the next reminder for a nudge sent at `nudged_at`, or None: the bound is
    reached, it would not come before `next_daily_at`, or it would coincide with the previous one."""
    if reminders_sent < 0:
        raise ValueError("reminders_sent cannot be negative")
    if reminders_sent >= len(REMINDER_DELAYS):
        return None
    at = _reminder_slot(rhythm, nudged_at, reminders_sent)
    if at is None or (next_daily_at is not None and at >= next_daily_at):
        return None
    if reminders_sent > 0:
        previous = _reminder_slot(rhythm, nudged_at, reminders_sent - 1)
        if previous is not None and at <= previous:
            return None
    return at


def _reminder_slot(rhythm: Rhythm, nudged_at: datetime, index: int) -> datetime | None:
    # Add the delay in UTC: aware arithmetic in a local zone would add wall time, not elapsed time.
    return next_reachable(rhythm, nudged_at.astimezone(UTC) + REMINDER_DELAYS[index])


def _daily_on(rhythm: Rhythm, day: date) -> datetime:
    nudge = _instant(rhythm, day, rhythm.daily_time)
    # Judge quiet hours by the clock the learner will actually see, after any DST shift.
    if rhythm.is_quiet(nudge.astimezone(rhythm.zone).time()):
        return _instant(rhythm, day, rhythm.quiet_end)
    return nudge


def _instant(rhythm: Rhythm, day: date, wall: time) -> datetime:
    """The UTC instant of a local wall time. fold=0 (the default) takes the first of two
    occurrences, and reads a time inside a spring-forward gap with the offset from before the
    gap, which puts it the length of the gap later on the clock: 02:30 becomes 03:30."""
    return datetime.combine(day, wall, tzinfo=rhythm.zone).astimezone(UTC)


def _local(rhythm: Rhythm, instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("naive datetime; pass a timezone-aware one")
    return instant.astimezone(rhythm.zone)
