"""Did the nudges work? (issue 16 point 4): how many learners came back within 24 hours of a daily
offer or a reminder, against learners who were not nudged, with a 95% confidence interval of
the difference.

Two comparisons, from the audit trail alone (so they can be told for any past period):

- **Observational** (every period): each daily offer sent (`nudged`) and each reminder sent
  (`reminded`) to a learner who was *active in the 14 days before it* is one unit; it counts as
  "came back" when the learner has a learning event (bot.vocabulary LEARNING: a card viewed, a
  check answered, a lesson completed) in the 24 hours after it. The comparison units are
  *comparable days without a nudge*: a learner who gets daily offers (at least one in the trail),
  on a weekday on which they got one at some other time (one of their working days), with no
  offer, reminder or withheld offer that UTC day, compared at the time of day of their latest
  offer before (else their first one), active in the 14 days before that moment. Its window ends
  at their next offer when that comes within the 24 hours (the next day's, a few seconds early);
  a day with an offer less than 20 hours after its moment is not comparable. Why a learner was
  not nudged on such a day (a vacation hold, dormant after ignoring offers, /stop, an overdue
  reminder instead) also changes whether they come back: this difference is a description, not
  the effect of the nudge.
- **Holdout** (bot/holdout.py): while a holdout runs, the learners it holds out get no daily
  offer; where one would have gone, the trail records `held_out` instead. Every `nudged` of a
  learner the holdout did not hold out, inside its period, is a unit of the nudged arm; every
  `held_out` of that holdout a unit of the held-out arm, with the same 24-hour outcome and no
  activity condition (the draw is random, so the arms are alike but for the nudge). This
  difference is the uplift the nudge causes.

Only moments whose 24 hours are over by `now` count. The interval of a difference of two
proportions is Newcombe's hybrid score interval (method 10 of Newcombe 1998), built from the
Wilson score interval of each proportion: good coverage at small counts and near 0% or 100%,
never outside [-1, 1], and computed, not drawn (the same counts always give the same interval).
A learner contributes one unit per day they were offered (or would have been): those are not
independent draws, so with few learners the interval is somewhat too narrow; the number of
learners in each arm is reported next to it."""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.analytics_records import TrailMoment
from bot.i18n import SOURCE, Translator
from bot.ports import UnitOfWork
from bot.records import Holdout
from bot.vocabulary import LEARNING, EventKind

WINDOW = timedelta(hours=24)  # "came back within 24 hours"
CLEAR = timedelta(hours=20)  # a comparable day: no offer for at least this long after its moment
ACTIVE_BEFORE = timedelta(days=14)  # "active in the previous 14 days" (the observational comparison)
Z95 = 1.959963984540054  # the normal quantile of a two-sided 95% interval
NUDGES = (EventKind.NUDGED, EventKind.REMINDED, EventKind.HELD_OUT)
KINDS = (*LEARNING, *NUDGES)


# --- the statistics ---------------------------------------------------------------------------------
def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion."""
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials > 0, got {successes} of {trials}")
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """The difference p1 - p2 of two independent proportions and its hybrid score interval
    (Newcombe 1998, method 10): (difference, low, high)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, z)
    l2, u2 = wilson(k2, n2, z)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return difference, max(-1.0, low), min(1.0, high)


# --- the holdout's draw --------------------------------------------------------------------------------
def held_out(learner_id: int, holdout: Holdout) -> bool:
    """Whether the holdout holds this learner out: a hash of the holdout's seed and the learner's
    id, read as a number in [0, 1), below the share. Stable (the same answer in every process, at
    every moment, after the holdout ended) and independent of anything the learner did."""
    digest = hashlib.sha256(f"{holdout.seed}:{learner_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < holdout.share


# --- what is reported ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Arm:
    """One side of a comparison: `units` moments (learner-days), of `learners` learners, of which
    `came_back` were followed by a learning event within 24 hours."""

    label: str
    units: int
    learners: int
    came_back: int

    @property
    def rate(self) -> float | None:
        return self.came_back / self.units if self.units else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.came_back, self.units) if self.units else None

    def describe(self, t: Translator = SOURCE) -> str:
        """`t`: the reader's language (the report keeps English; the L&D page passes the viewer's)."""
        if not self.units:
            return t.gettext("none")
        low, high = wilson(self.came_back, self.units)
        days = t.ngettext("{came_back} of {units} day", "{came_back} of {units} days", self.units)
        people = t.ngettext("{learners} learner", "{learners} learners", self.learners).format(learners=self.learners)
        figures = t.gettext("{days} ({rate}, 95% CI {low} to {high}; {people})")
        rate = self.came_back / self.units
        return figures.format(
            days=days.format(came_back=self.came_back, units=self.units),
            rate=f"{rate:.0%}",
            low=f"{low:.0%}",
            high=f"{high:.0%}",
            people=people,
        )


@dataclass(frozen=True)
class Comparison:
    """The nudged against the not nudged: the difference of their rates in percentage points
    (as a fraction: 0.12 is 12 points), with its 95% interval (Newcombe), when both have units."""

    nudged: Arm
    not_nudged: Arm

    @property
    def difference(self) -> tuple[float, float, float] | None:
        a, b = self.nudged, self.not_nudged
        return newcombe(a.came_back, a.units, b.came_back, b.units) if a.units and b.units else None

    def describe(self, t: Translator = SOURCE) -> str:
        found = self.difference
        if found is None:
            return t.gettext("not enough data (each side needs at least one day)")
        difference, low, high = found
        return t.gettext("{difference} (95% CI {low} to {high})").format(
            difference=_points(difference, t), low=_points(low, t), high=_points(high, t)
        )


@dataclass(frozen=True)
class HoldoutResult:
    holdout: Holdout
    start: datetime  # the part of the holdout counted: inside the report's period, 24 hours over
    end: datetime
    comparison: Comparison


@dataclass(frozen=True)
class Uplift:
    """Everything the report's section (and an L&D page) shows, as plain values."""

    start: datetime
    end: datetime
    daily: Comparison  # daily offers against comparable days without a nudge (observational)
    reminders: Comparison  # reminders against the same comparable days (observational)
    holdouts: tuple[HoldoutResult, ...]  # each holdout that overlaps the period

    def rows(self, t: Translator = SOURCE) -> list[tuple[str, str]]:
        """(metric, value) rows, as bot.report's, for the terminal and CSV (English) and the L&D
        page (`t`: the viewer's language)."""
        rows = [
            (t.gettext("nudges: daily offers (learners active in the 14 days before)"), self.daily.nudged.describe(t)),
            (t.gettext("nudges: reminders (learners active in the 14 days before)"), self.reminders.nudged.describe(t)),
            (t.gettext("nudges: comparable days without a nudge"), self.daily.not_nudged.describe(t)),
            (
                t.gettext("nudges: daily offers against comparable days"),
                t.gettext("{uplift}, observational: not the effect of the nudge").format(uplift=self.daily.describe(t)),
            ),
            (
                t.gettext("nudges: reminders against comparable days"),
                t.gettext("{uplift}, observational").format(uplift=self.reminders.describe(t)),
            ),
        ]
        if not self.holdouts:
            none = t.gettext("none in this period (run_bot.py nudges holdout --share 0.1 --days 28 starts one)")
            rows.append((t.gettext("holdout"), none))
        for result in self.holdouts:
            h = result.holdout
            name = t.gettext("holdout {id}").format(id=h.id)
            held = t.gettext("{share} of learners without daily offers, {start} to {end}")
            counted = (
                t.gettext("{start} to {end}").format(start=_day(result.start), end=_day(result.end))
                if result.end > result.start
                else t.gettext("nothing yet (a day counts once its 24 hours are over)")
            )
            rows += [
                (name, held.format(share=f"{h.share:.0%}", start=_day(h.starts_at), end=_day(h.ends_at))),
                (t.gettext("{holdout}: counted").format(holdout=name), counted),
                (t.gettext("{holdout}: nudged").format(holdout=name), result.comparison.nudged.describe(t)),
                (t.gettext("{holdout}: held out").format(holdout=name), result.comparison.not_nudged.describe(t)),
                (t.gettext("{holdout}: uplift").format(holdout=name), result.comparison.describe(t)),
            ]
        return rows


# --- from the trail --------------------------------------------------------------------------------------
async def measure(tx: UnitOfWork, start: datetime, end: datetime, now: datetime) -> Uplift:
    """The comparisons for moments in [start, end), read from the trail and the holdouts."""
    events, holdouts = await read(tx, start, end, now)
    return compare(events, holdouts, start, end, now)


async def read(tx: UnitOfWork, start: datetime, end: datetime, now: datetime) -> tuple[list[TrailMoment], list[Holdout]]:
    """What `compare` needs for [start, end): the trail as moments (who, what, when: four weeks of
    a large organisation's learning events are hundreds of thousands of them) and the holdouts."""
    events = await tx.analytics.moments(KINDS, start - ACTIVE_BEFORE, min(end, now) + WINDOW)
    return events, await tx.holdouts.all()


def compare(events: Iterable[TrailMoment], holdouts: Sequence[Holdout], start: datetime, end: datetime, now: datetime) -> Uplift:
    """Pure: `events` are learning events, offers, reminders and withheld offers (any order);
    bot.analytics_records.moment turns a TrailEvent into one."""
    learning: dict[int, list[datetime]] = defaultdict(list)
    offers: dict[int, list[TrailMoment]] = defaultdict(list)
    for e in events:
        (learning[e.learner_id].append(e.occurred_at) if e.kind in LEARNING else offers[e.learner_id].append(e))
    for times in learning.values():
        times.sort()
    for made in offers.values():
        made.sort(key=lambda e: e.occurred_at)
    last = min(end, now - WINDOW)  # a moment counts once its 24 hours are over

    def came_back(learner: int, at: datetime, until: datetime) -> bool:
        times = learning.get(learner, [])
        i = bisect_right(times, at)
        return i < len(times) and times[i] <= until

    def was_active(learner: int, at: datetime) -> bool:
        times = learning.get(learner, [])
        i = bisect_left(times, at - ACTIVE_BEFORE)
        return i < len(times) and times[i] < at

    def arm(label: str, moments: Collection[tuple[int, datetime, datetime]]) -> Arm:
        return Arm(label, len(moments), len({who for who, _, _ in moments}), sum(came_back(*moment) for moment in moments))

    def sent(kind: EventKind) -> list[tuple[int, datetime, datetime]]:
        return [
            (who, e.occurred_at, e.occurred_at + WINDOW)
            for who, made in offers.items()
            for e in made
            if e.kind == kind and start <= e.occurred_at < last and was_active(who, e.occurred_at)
        ]

    comparable = _comparable_days(offers, start, last, was_active)
    daily = Comparison(arm("daily offers", sent(EventKind.NUDGED)), arm("comparable days", comparable))
    reminders = Comparison(arm("reminders", sent(EventKind.REMINDED)), daily.not_nudged)
    results = []
    for h in sorted(holdouts, key=lambda h: h.starts_at):
        first, until = max(start, h.starts_at), min(last, h.ends_at)
        if h.starts_at >= end or h.ends_at <= start:
            continue
        nudged = [
            (who, e.occurred_at, e.occurred_at + WINDOW)
            for who, made in offers.items()
            if not held_out(who, h)
            for e in made
            if e.kind == EventKind.NUDGED and first <= e.occurred_at < until
        ]
        withheld = [
            (who, e.occurred_at, e.occurred_at + WINDOW)
            for who, made in offers.items()
            for e in made
            if e.kind == EventKind.HELD_OUT and e.holdout == h.id and first <= e.occurred_at < until
        ]
        results.append(HoldoutResult(h, first, max(first, until), Comparison(arm("nudged", nudged), arm("held out", withheld))))
    return Uplift(start, end, daily, reminders, tuple(results))


def _comparable_days(
    offers: dict[int, list[TrailMoment]], start: datetime, last: datetime, was_active: Callable[[int, datetime], bool]
) -> list[tuple[int, datetime, datetime]]:
    """(learner, moment, end of its window) of each comparable day without a nudge (see the
    module's docstring): the window ends at the next offer if that comes within 24 hours."""
    found = []
    for who, made in offers.items():
        daily = [e for e in made if e.kind == EventKind.NUDGED]
        if not daily:
            continue  # never offered anything: not someone who gets daily offers
        weekdays = {e.local_date.isoweekday() for e in daily}
        busy_days = {e.occurred_at.astimezone(UTC).date() for e in made}
        moments = sorted(e.occurred_at for e in made)
        day = start.astimezone(UTC).date()
        while datetime.combine(day, time(), UTC) < last:
            if day.isoweekday() in weekdays and day not in busy_days:
                at = datetime.combine(day, _time_of_day(daily, day), UTC)
                i = bisect_right(moments, at)
                until = min(moments[i], at + WINDOW) if i < len(moments) else at + WINDOW
                if start <= at < last and until - at >= CLEAR and was_active(who, at):
                    found.append((who, at, until))
            day += timedelta(days=1)
    return found


def _time_of_day(daily: list[TrailMoment], day: date) -> time:
    """The UTC time of day of the learner's latest daily offer before `day`, else of their first."""
    before = [e for e in daily if e.occurred_at.astimezone(UTC).date() < day]
    chosen = before[-1] if before else daily[0]
    return chosen.occurred_at.astimezone(UTC).time().replace(tzinfo=None)


def _points(fraction: float, t: Translator = SOURCE) -> str:
    return t.gettext("{points} points").format(points=f"{fraction * 100:+.1f}")


def _day(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
