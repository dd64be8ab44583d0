"""Scheduling rules as pure functions: working days, holds, quiet hours, DST and reminders.

Calendar used (2026): Mon 2 March, Fri 6 March, Mon 9 March. DST: the US springs forward on
8 March, the EU on 29 March and falls back on 25 October; Sydney and Chatham leave DST on 5 April.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from bot.schedule import (
    REMINDER_DELAYS,
    Rhythm,
    next_daily,
    next_reachable,
    reachable,
    reminder_at,
)
from bot.store.models import LearnerRow
from bot.streaks import Hold


class QuietHours(TypedDict):
    quiet_start: time
    quiet_end: time


NO_QUIET: QuietHours = {"quiet_start": time(0), "quiet_end": time(0)}


def rhythm(zone: str = "Europe/Berlin", daily: str = "09:00", days: str = "12345", holds: tuple[Hold, ...] = (), **quiet: time) -> Rhythm:
    return Rhythm(zone, time.fromisoformat(daily), frozenset(int(d) for d in days), holds, **quiet)


def local(zone: str, iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=ZoneInfo(zone))


def utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC)


def wall(instant: datetime | None, zone: str) -> datetime:
    """The local wall clock, naive, for readable comparisons (of an instant that must be there)."""
    assert instant is not None, "no instant"
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def seen(r: Rhythm, instant: datetime | None) -> datetime:
    """The learner's wall clock at `instant`."""
    return wall(instant, r.timezone)


def clock_at(r: Rhythm, iso: str) -> datetime:
    """A wall time on the learner's clock."""
    return local(r.timezone, iso)


# --- the daily nudge ---------------------------------------------------------------------------


def test_next_daily_later_the_same_weekday():
    nudge = next_daily(rhythm(), local("Europe/Berlin", "2026-03-02 07:00"))
    assert nudge == utc("2026-03-02 08:00")
    assert nudge.tzinfo is UTC


def test_next_daily_is_strictly_after_the_given_instant():
    assert next_daily(rhythm(), utc("2026-03-02 08:00")) == utc("2026-03-03 08:00")
    assert next_daily(rhythm(), utc("2026-03-02 07:59:59")) == utc("2026-03-02 08:00")


@pytest.mark.parametrize(
    ("zone", "friday_evening", "monday_nudge_utc"),
    [
        ("Europe/Berlin", "2026-03-06 18:00", "2026-03-09 08:00"),
        ("America/New_York", "2026-03-06 18:00", "2026-03-09 13:00"),  # already EDT on Monday
        ("Asia/Tokyo", "2026-03-06 18:00", "2026-03-09 00:00"),
        ("Asia/Kolkata", "2026-03-06 18:00", "2026-03-09 03:30"),
        ("Australia/Sydney", "2026-03-06 18:00", "2026-03-08 22:00"),  # Sunday in UTC
        ("Pacific/Chatham", "2026-03-06 18:00", "2026-03-08 19:15"),  # +13:45
    ],
)
def test_friday_evening_moves_to_monday(zone, friday_evening, monday_nudge_utc):
    nudge = next_daily(rhythm(zone), local(zone, friday_evening))
    assert nudge == utc(monday_nudge_utc)
    assert wall(nudge, zone) == datetime(2026, 3, 9, 9, 0)


def test_working_days_are_the_learners_local_days_not_utc_days():
    # Sydney's Monday 09:00 is Sunday 22:00 UTC; a Sunday in UTC must not count as a day off.
    nudge = next_daily(rhythm("Australia/Sydney"), utc("2026-03-08 12:00"))
    assert nudge == utc("2026-03-08 22:00") and nudge.isoweekday() == 7


def test_after_may_be_given_in_any_timezone():
    same_instant = (utc("2026-03-02 06:00"), local("Asia/Tokyo", "2026-03-02 15:00"), local("America/New_York", "2026-03-02 01:00"))
    assert {next_daily(rhythm(), after) for after in same_instant} == {utc("2026-03-02 08:00")}


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        next_daily(rhythm(), datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError):
        reachable(rhythm(), datetime(2026, 3, 2, 9, 0))


def test_a_hold_shifts_the_nudge_to_the_first_working_day_after_it():
    hold = Hold(date(2026, 3, 3), date(2026, 3, 5))  # Tue..Thu
    nudge = next_daily(rhythm(holds=(hold,)), local("Europe/Berlin", "2026-03-02 10:00"))
    assert wall(nudge, "Europe/Berlin") == datetime(2026, 3, 6, 9, 0)


def test_a_hold_ending_on_friday_resumes_on_monday():
    hold = Hold(date(2026, 3, 2), date(2026, 3, 6))
    nudge = next_daily(rhythm("Asia/Kolkata", holds=(hold,)), local("Asia/Kolkata", "2026-03-01 20:00"))
    assert wall(nudge, "Asia/Kolkata") == datetime(2026, 3, 9, 9, 0)


def test_custom_working_days_monday_wednesday_friday():
    r = rhythm("America/New_York", days="135")
    nudge = next_daily(r, local("America/New_York", "2026-03-02 09:30"))
    assert wall(nudge, "America/New_York") == datetime(2026, 3, 4, 9, 0)
    nudge = next_daily(r, local("America/New_York", "2026-03-06 09:30"))
    assert wall(nudge, "America/New_York") == datetime(2026, 3, 9, 9, 0)


def test_weekend_workers_are_nudged_on_saturday_and_sunday_only():
    r = rhythm("Asia/Tokyo", days="67")
    assert seen(r, next_daily(r, clock_at(r, "2026-03-02 10:00"))) == datetime(2026, 3, 7, 9, 0)
    assert seen(r, next_daily(r, clock_at(r, "2026-03-07 10:00"))) == datetime(2026, 3, 8, 9, 0)
    assert seen(r, next_daily(r, clock_at(r, "2026-03-08 10:00"))) == datetime(2026, 3, 14, 9, 0)


def test_no_working_days_gives_none():
    assert next_daily(rhythm(days=""), utc("2026-03-02 00:00")) is None


def test_a_hold_covering_the_whole_search_range_gives_none():
    hold = Hold(date(2026, 1, 1), date(2028, 1, 1))
    assert next_daily(rhythm(holds=(hold,)), utc("2026-03-02 00:00")) is None
    assert next_reachable(rhythm(holds=(hold,)), utc("2026-03-02 00:00")) is None


def test_rhythm_of_reads_a_learner_row():
    row = LearnerRow(timezone="Asia/Kolkata", daily_time="07:30", working_days="135")
    hold = Hold(date(2026, 3, 2), date(2026, 3, 2))
    r = Rhythm.of(row, [hold])
    assert r == Rhythm("Asia/Kolkata", time(7, 30), frozenset({1, 3, 5}), (hold,))
    assert (r.quiet_start, r.quiet_end) == (time(20, 0), time(8, 0))


def test_unknown_timezone_and_weekday_are_refused():
    with pytest.raises(ZoneInfoNotFoundError):
        rhythm("Mars/Olympus_Mons")
    with pytest.raises(ValueError):
        rhythm(days="08")


# --- DST ---------------------------------------------------------------------------------------


def test_spring_forward_gap_moves_the_daily_time_forward_by_the_gap():
    # Berlin, Sunday 29 March 2026: 02:00 -> 03:00, so 02:30 does not exist.
    r = rhythm(daily="02:30", days="1234567", **NO_QUIET)
    nudge = next_daily(r, local("Europe/Berlin", "2026-03-29 00:00"))
    assert wall(nudge, "Europe/Berlin") == datetime(2026, 3, 29, 3, 30)
    assert nudge == utc("2026-03-29 01:30")
    # the next day the chosen time is back
    assert wall(next_daily(r, nudge), "Europe/Berlin") == datetime(2026, 3, 30, 2, 30)


def test_spring_forward_gap_in_chatham_is_also_shifted_by_its_length():
    # Chatham, Sunday 27 September 2026: 02:45 -> 03:45 (+12:45 -> +13:45).
    r = rhythm("Pacific/Chatham", daily="03:00", days="7", **NO_QUIET)
    nudge = next_daily(r, local("Pacific/Chatham", "2026-09-26 12:00"))
    assert wall(nudge, "Pacific/Chatham") == datetime(2026, 9, 27, 4, 0)


def test_fall_back_takes_the_first_occurrence_and_not_the_second():
    # Berlin, Sunday 25 October 2026: 03:00 CEST -> 02:00 CET, so 02:30 happens twice.
    r = rhythm(daily="02:30", days="1234567", **NO_QUIET)
    nudge = next_daily(r, local("Europe/Berlin", "2026-10-25 00:00"))
    assert nudge == utc("2026-10-25 00:30")  # 02:30 CEST
    # Between the two occurrences the next nudge is tomorrow's: one nudge per day.
    assert next_daily(r, utc("2026-10-25 00:45")) == utc("2026-10-26 01:30")


def test_berlin_keeps_the_wall_time_while_the_utc_offset_changes():
    r = rhythm()
    friday = next_daily(r, local("Europe/Berlin", "2026-03-27 00:00"))
    assert friday is not None
    monday = next_daily(r, friday)
    assert friday == utc("2026-03-27 08:00")  # CET, +01:00
    assert monday == utc("2026-03-30 07:00")  # CEST, +02:00
    assert wall(friday, "Europe/Berlin").time() == wall(monday, "Europe/Berlin").time() == time(9, 0)


def test_the_weeks_between_us_and_eu_dst_changes():
    # New York switched on 8 March, Berlin not until 29 March: 5 hours apart instead of 6.
    monday = utc("2026-03-09 00:00")
    berlin = next_daily(rhythm("Europe/Berlin"), monday)
    new_york = next_daily(rhythm("America/New_York"), monday)
    assert (berlin, new_york) == (utc("2026-03-09 08:00"), utc("2026-03-09 13:00"))
    friday_before = utc("2026-03-06 00:00")
    assert next_daily(rhythm("America/New_York"), friday_before) == utc("2026-03-06 14:00")
    assert next_daily(rhythm("Europe/Berlin"), friday_before) == utc("2026-03-06 08:00")


@pytest.mark.parametrize(
    ("zone", "friday_utc", "monday_utc"),
    [
        ("Australia/Sydney", "2026-04-02 22:00", "2026-04-05 23:00"),  # +11:00 -> +10:00
        ("Pacific/Chatham", "2026-04-02 19:15", "2026-04-05 20:15"),  # +13:45 -> +12:45
    ],
)
def test_southern_hemisphere_leaves_dst_in_april(zone, friday_utc, monday_utc):
    friday = next_daily(rhythm(zone), local(zone, "2026-04-03 00:00"))
    assert friday is not None
    assert (friday, next_daily(rhythm(zone), friday)) == (utc(friday_utc), utc(monday_utc))


# --- quiet hours -------------------------------------------------------------------------------


def test_a_daily_time_in_evening_quiet_hours_moves_to_their_end_that_same_morning():
    # The documented choice: the nudge stays on its own working day, so Friday's never slides
    # into Saturday.
    r = rhythm(daily="21:00")
    nudge = next_daily(r, local("Europe/Berlin", "2026-03-06 07:00"))
    assert nudge is not None
    assert wall(nudge, "Europe/Berlin") == datetime(2026, 3, 6, 8, 0)
    assert wall(next_daily(r, nudge), "Europe/Berlin") == datetime(2026, 3, 9, 8, 0)


def test_a_daily_time_in_morning_quiet_hours_moves_to_their_end():
    nudge = next_daily(rhythm("Asia/Kolkata", daily="06:30"), local("Asia/Kolkata", "2026-03-02 00:00"))
    assert wall(nudge, "Asia/Kolkata") == datetime(2026, 3, 2, 8, 0)


def test_a_daily_time_in_a_midday_quiet_window_moves_to_its_end():
    r = rhythm(daily="13:30", quiet_start=time(13, 0), quiet_end=time(14, 0))
    nudge = next_daily(r, local("Europe/Berlin", "2026-03-02 00:00"))
    assert wall(nudge, "Europe/Berlin") == datetime(2026, 3, 2, 14, 0)


def test_a_dst_shift_into_quiet_hours_is_moved_out_of_them():
    # 02:30 does not exist on 29 March and would become 03:30, inside 03:00-04:00.
    r = rhythm(daily="02:30", days="7", quiet_start=time(3, 0), quiet_end=time(4, 0))
    nudge = next_daily(r, local("Europe/Berlin", "2026-03-28 12:00"))
    assert nudge is not None
    assert wall(nudge, "Europe/Berlin") == datetime(2026, 3, 29, 4, 0)
    assert reachable(r, nudge)


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        ("19:59", True),
        ("20:00", False),
        ("23:59", False),
        ("00:00", False),
        ("07:59", False),
        ("08:00", True),
    ],
)
def test_reachable_around_midnight(clock, expected):
    assert reachable(rhythm(), local("Europe/Berlin", f"2026-03-03 {clock}")) is expected


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        ("12:59", True),
        ("13:00", False),
        ("13:59", False),
        ("14:00", True),
        ("23:00", True),
        ("03:00", True),
    ],
)
def test_reachable_with_a_window_that_does_not_wrap(clock, expected):
    r = rhythm(quiet_start=time(13, 0), quiet_end=time(14, 0))
    assert reachable(r, local("Europe/Berlin", f"2026-03-03 {clock}")) is expected


def test_reachable_uses_the_learners_clock_and_days():
    kolkata = rhythm("Asia/Kolkata")
    assert reachable(kolkata, utc("2026-03-03 02:30")) is True  # 08:00 IST
    assert reachable(kolkata, utc("2026-03-03 02:29")) is False  # 07:59 IST
    assert reachable(rhythm(), local("Europe/Berlin", "2026-03-07 12:00")) is False  # Saturday
    held = rhythm(holds=(Hold(date(2026, 3, 3), date(2026, 3, 3)),))
    assert reachable(held, local("Europe/Berlin", "2026-03-03 12:00")) is False


def test_no_quiet_hours_when_start_equals_end():
    assert reachable(rhythm(**NO_QUIET), local("Europe/Berlin", "2026-03-03 03:00")) is True


def test_next_reachable_is_the_instant_itself_when_reachable():
    at = local("Asia/Tokyo", "2026-03-03 12:00")
    assert next_reachable(rhythm("Asia/Tokyo"), at) == at


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-03-03 06:00", datetime(2026, 3, 3, 8, 0)),  # Tuesday early morning: later today
        ("2026-03-03 21:00", datetime(2026, 3, 4, 8, 0)),  # Tuesday evening: tomorrow morning
        ("2026-03-03 23:59", datetime(2026, 3, 4, 8, 0)),
        ("2026-03-06 21:00", datetime(2026, 3, 9, 8, 0)),  # Friday evening: Monday
        ("2026-03-07 12:00", datetime(2026, 3, 9, 8, 0)),  # Saturday
        ("2026-03-08 07:00", datetime(2026, 3, 9, 8, 0)),  # Sunday morning
    ],
)
def test_next_reachable_in_new_york(at, expected):
    zone = "America/New_York"
    assert wall(next_reachable(rhythm(zone), local(zone, at)), zone) == expected


def test_next_reachable_skips_a_hold():
    r = rhythm(holds=(Hold(date(2026, 3, 9), date(2026, 3, 10)),))
    assert seen(r, next_reachable(r, clock_at(r, "2026-03-06 21:00"))) == datetime(2026, 3, 11, 8, 0)


def test_next_reachable_over_the_dst_weekend_keeps_the_wall_time():
    # Saturday 28 March CET -> Monday 30 March 08:00 CEST, which is 06:00 UTC.
    assert next_reachable(rhythm(), local("Europe/Berlin", "2026-03-28 12:00")) == utc("2026-03-30 06:00")


def test_next_reachable_with_a_midday_window_opens_at_midnight_of_the_next_working_day():
    r = rhythm(quiet_start=time(13, 0), quiet_end=time(14, 0))
    assert seen(r, next_reachable(r, clock_at(r, "2026-03-03 13:30"))) == datetime(2026, 3, 3, 14, 0)
    assert seen(r, next_reachable(r, clock_at(r, "2026-03-07 15:00"))) == datetime(2026, 3, 9, 0, 0)


def test_next_reachable_for_weekend_workers_on_friday_is_saturday_morning():
    r = rhythm("Australia/Sydney", days="67")
    assert seen(r, next_reachable(r, clock_at(r, "2026-03-06 12:00"))) == datetime(2026, 3, 7, 8, 0)


# --- reminders ---------------------------------------------------------------------------------


def test_reminders_are_bounded_and_spaced_further_apart():
    assert len(REMINDER_DELAYS) == 2
    assert REMINDER_DELAYS[1] - REMINDER_DELAYS[0] > REMINDER_DELAYS[0]


def test_first_reminder_three_hours_after_the_nudge():
    r = rhythm()
    nudged = utc("2026-03-03 08:00")  # Tuesday 09:00 Berlin
    assert reminder_at(r, nudged, 0, next_daily_at=next_daily(r, nudged)) == utc("2026-03-03 11:00")


def test_second_reminder_a_day_after_the_nudge():
    r = rhythm(days="1234567")
    nudged = utc("2026-03-03 08:00")
    assert reminder_at(r, nudged, 0, next_daily_at=None) == nudged + timedelta(hours=3)
    assert reminder_at(r, nudged, 1, next_daily_at=None) == nudged + timedelta(hours=24)


def test_second_reminder_on_a_free_day_waits_for_the_next_working_morning():
    r = rhythm(days="1")  # Mondays only
    nudged = next_daily(r, utc("2026-03-01 00:00"))  # Monday 2 March 09:00
    assert nudged is not None
    following = next_daily(r, nudged)  # Monday 9 March 09:00
    at = reminder_at(r, nudged, 1, next_daily_at=following)
    assert wall(at, "Europe/Berlin") == datetime(2026, 3, 9, 8, 0)


def test_no_reminder_after_the_bound_is_reached():
    r = rhythm(days="1")
    nudged = next_daily(r, utc("2026-03-01 00:00"))
    assert nudged is not None
    assert reminder_at(r, nudged, 2, next_daily_at=None) is None
    assert reminder_at(r, nudged, 5, next_daily_at=None) is None
    with pytest.raises(ValueError):
        reminder_at(r, nudged, -1, next_daily_at=None)


def test_a_reminder_on_or_after_the_next_daily_nudge_is_dropped():
    r = rhythm()
    nudged = utc("2026-03-03 08:00")
    following = next_daily(r, nudged)  # Wednesday 09:00, exactly 24 hours later
    assert reminder_at(r, nudged, 1, next_daily_at=following) is None
    assert reminder_at(r, nudged, 0, next_daily_at=nudged + timedelta(hours=2)) is None
    assert reminder_at(r, nudged, 0, next_daily_at=nudged + timedelta(hours=3)) is None


def test_a_reminder_in_quiet_hours_waits_for_the_morning():
    r = rhythm(daily="18:00")
    nudged = next_daily(r, local("Europe/Berlin", "2026-03-03 00:00"))  # Tuesday 18:00
    assert nudged is not None
    at = reminder_at(r, nudged, 0, next_daily_at=next_daily(r, nudged))
    assert wall(at, "Europe/Berlin") == datetime(2026, 3, 4, 8, 0)


def test_friday_reminders_wait_out_the_weekend_and_do_not_double_up():
    r = rhythm("America/New_York", daily="18:00")
    nudged = next_daily(r, local("America/New_York", "2026-03-06 00:00"))  # Friday 18:00
    assert nudged is not None
    following = next_daily(r, nudged)  # Monday 18:00
    first = reminder_at(r, nudged, 0, next_daily_at=following)
    assert wall(first, "America/New_York") == datetime(2026, 3, 9, 8, 0)
    # +24h is Saturday 18:00, which also waits for Monday 08:00: sent once, not twice.
    assert reminder_at(r, nudged, 1, next_daily_at=following) is None


def test_no_reminder_during_a_hold():
    r = rhythm(daily="18:00", holds=(Hold(date(2026, 3, 4), date(2026, 3, 8)),))
    nudged = next_daily(r, local("Europe/Berlin", "2026-03-03 00:00"))  # Tuesday, hold starts Wednesday
    assert nudged is not None
    following = next_daily(r, nudged)
    assert wall(following, "Europe/Berlin") == datetime(2026, 3, 9, 18, 0)
    first = reminder_at(r, nudged, 0, next_daily_at=following)
    assert wall(first, "Europe/Berlin") == datetime(2026, 3, 9, 8, 0)
    assert reminder_at(r, nudged, 1, next_daily_at=following) is None


def test_reminder_delays_are_elapsed_time_even_across_dst():
    # Given in Berlin time the day before spring forward: 24 real hours, not 24 wall hours.
    r = rhythm(days="1234567", **NO_QUIET)
    nudged = local("Europe/Berlin", "2026-03-28 10:00")
    assert reminder_at(r, nudged, 1, next_daily_at=None) == utc("2026-03-29 09:00")  # 11:00 CEST


# --- properties over random learners -----------------------------------------------------------

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "America/Sao_Paulo",
    "UTC",
)
QUIET_WINDOWS = (
    (time(20, 0), time(8, 0)),
    (time(0), time(0)),
    (time(13, 0), time(14, 0)),
    (time(22, 30), time(6, 15)),
    (time(0), time(7, 0)),
)


@cache
def transition_days(zone: str) -> tuple[date, ...]:
    tz = ZoneInfo(zone)
    days = (date(2025, 1, 1) + timedelta(days=n) for n in range(3 * 365))
    return tuple(d for d in days if datetime.combine(d, time(0), tz).utcoffset() != datetime.combine(d, time(23, 59), tz).utcoffset())


def random_case(rng: random.Random) -> tuple[Rhythm, datetime]:
    zone = rng.choice(ZONES)
    near_dst = bool(transition_days(zone)) and rng.random() < 0.3
    if near_dst:  # early-morning times in the days before a switch, to land in gaps and folds
        base = rng.choice(transition_days(zone)) - timedelta(days=1)
        daily = time(rng.randint(1, 3), rng.choice((0, 15, 30, 45, 59)))
        every_day = rng.random() < 0.7
        days = frozenset(range(1, 8) if every_day else rng.sample(range(1, 8), rng.randint(1, 7)))
        quiet = QUIET_WINDOWS[1] if rng.random() < 0.7 else rng.choice(QUIET_WINDOWS)
    else:
        base = date(2025, 1, 1) + timedelta(days=rng.randint(0, 3 * 365 - 10))
        daily = time(rng.randint(0, 23), rng.randint(0, 59))
        days = frozenset(rng.sample(range(1, 8), rng.randint(1, 7)))
        quiet = rng.choice(QUIET_WINDOWS)
    holds = []
    for _ in range(rng.randint(0, 2)):
        start = base + timedelta(days=rng.randint(-5, 20))
        holds.append(Hold(start, start + timedelta(days=rng.randint(0, 21))))
    after_zone = ZoneInfo(rng.choice((zone, "UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago")))
    span = timedelta(days=1 if near_dst else 2) * rng.random()
    after = (datetime.combine(base, time(0), ZoneInfo(zone)) + span).astimezone(after_zone)
    return Rhythm(zone, daily, days, tuple(holds), *quiet), after


def resolved_wall(day: date, clock: time, zone: str) -> time:
    """What the local clock shows at `clock` on `day`, once DST has had its say."""
    return datetime.combine(day, clock, ZoneInfo(zone)).astimezone(UTC).astimezone(ZoneInfo(zone)).time()


def test_next_daily_properties_over_random_learners():
    rng = random.Random(20260302)
    gaps = quiet_moves = 0
    for _ in range(2000):
        r, after = random_case(rng)
        nudge = next_daily(r, after)
        assert nudge is not None, (r, after)
        assert nudge > after and nudge.utcoffset() == timedelta(0)
        day = nudge.astimezone(r.zone).date()
        shown = nudge.astimezone(r.zone).time()
        assert day.isoweekday() in r.working_days and not any(h.covers(day) for h in r.holds), (r, after)
        assert reachable(r, nudge), (r, after, nudge)
        # The wall time is the daily time, unless it fell in a DST gap or in quiet hours.
        expected = resolved_wall(day, r.daily_time, r.timezone)
        if expected != r.daily_time:
            gaps += 1
            requested = datetime.combine(day, r.daily_time, r.zone)
            after_gap, before_gap = requested.replace(fold=1).utcoffset(), requested.utcoffset()
            assert after_gap is not None and before_gap is not None  # aware: r.zone is a ZoneInfo
            gap = after_gap - before_gap
            assert datetime.combine(day, expected) - datetime.combine(day, r.daily_time) == gap > timedelta(0)
        if r.is_quiet(expected):
            quiet_moves += 1
            expected = resolved_wall(day, r.quiet_end, r.timezone)
        assert shown == expected, (r, after, nudge)
        # Nothing earlier would do: every open day in between had its nudge at or before `after`.
        d = after.astimezone(r.zone).date()
        while d < day:
            if r.is_open(d):
                earlier = next_daily(r, datetime.combine(d, time(0), r.zone) - timedelta(seconds=1))
                assert earlier is not None and earlier <= after, (r, after, d)
            d += timedelta(days=1)
    # The random cases did exercise the rules they claim to check.
    assert gaps > 20 and quiet_moves > 100


def test_next_reachable_properties_over_random_learners():
    rng = random.Random(7)
    for _ in range(2000):
        r, at = random_case(rng)
        found = next_reachable(r, at)
        assert found is not None and found >= at and reachable(r, found), (r, at, found)
        # `>` not `!=`: PEP 495 makes == between zones False for an ambiguous (fold) time.
        if found > at:  # and it is the earliest: a moment before it is not reachable
            assert not reachable(r, found - timedelta(seconds=1)), (r, at, found)
