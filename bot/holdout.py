"""A holdout: L&D sets a share of learners who get no daily offer for a number of days, so that
the uplift of the nudge is measured against them (bot/uplift.py), not guessed.

- Who is held out is drawn once per holdout, by a hash of the learner's id and the holdout's
  random seed (`bot.uplift.held_out`): stable in every process and at every moment, the same for
  people who join during it, and still answerable after it ended (the holdout is kept).
- Held out means: no daily lesson offer and none of its follow-ups (the reminders). Where a daily
  offer would have gone (every other rule said send), the trail records `held_out` instead, so
  the report compares like with like. Once a held-out learner has let DORMANT_AFTER such offers
  pass without learning, no more are recorded until they learn again: a nudged learner who
  ignores that many goes dormant and gets none either (the held-out one is not made dormant).
- Never held back: what bot/programme.py sends about assigned training (the ASSIGNED notice,
  overdue reminders and their Later, escalations to managers, digests, the next step after a
  unit), a snooze the learner asked for (Later), anything the learner asks for themselves.
- One holdout at a time. `run_bot.py nudges holdout --share 0.1 --days 28` starts one now;
  `--end` ends it early; without options it says who is held out, how many, and until when
  (as does `run_bot.py status`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import SOURCE, Translator
from bot.ports import UnitOfWork
from bot.records import Holdout, Learner
from bot.uplift import held_out
from bot.vocabulary import Nudges

MAX_SHARE = 0.5  # more than half the organisation without nudges is not a holdout
MAX_DAYS = 366


class HoldoutRefused(ValueError):
    """What L&D asked for cannot be done; the message says why."""


@dataclass(frozen=True)
class HoldoutView:
    """A holdout and whom it holds out now: people who have not left, by id."""

    holdout: Holdout
    held_out: list[Learner]
    among: int  # everyone who has not left
    nudges_on: int  # of the held out, those with daily offers on (the others get none anyway)

    def summary(self, now: datetime, t: Translator = SOURCE) -> str:
        """In `t`'s language (the L&D page's); English as written for the command line."""
        h = self.holdout
        if h.running(now):
            when = t.gettext("Holdout {id} runs until {end} UTC (from {start} UTC)")
        elif now < h.starts_at:
            when = t.gettext("Holdout {id} starts until {end} UTC (from {start} UTC)")
        else:
            when = t.gettext("Holdout {id} ended on {end} UTC (from {start} UTC)")
        who = t.gettext(
            "{share} of learners get no daily offer; {held} of {among} held out ({on} of them with daily offers on). "
            "Assignment notices, overdue reminders and escalations still go to everyone."
        )
        start, end = f"{h.starts_at:%Y-%m-%d %H:%M}", f"{h.ends_at:%Y-%m-%d %H:%M}"
        return (
            when.format(id=h.id, end=end, start=start)
            + ": "
            + who.format(share=f"{h.share:.0%}", held=len(self.held_out), among=self.among, on=self.nudges_on)
        )


async def running(tx: UnitOfWork, now: datetime) -> Holdout | None:
    """The holdout running at `now`, if any."""
    return next((h for h in await tx.holdouts.all() if h.running(now)), None)


async def holds_out(tx: UnitOfWork, learner_id: int, now: datetime) -> Holdout | None:
    """The running holdout that holds this learner out, if any."""
    holdout = await running(tx, now)
    return holdout if holdout is not None and held_out(learner_id, holdout) else None


async def start(tx: UnitOfWork, *, share: float, days: int, now: datetime, seed: str | None = None) -> Holdout:
    """A holdout from now for `days` days. Refused while another one runs."""
    if not 0 < share <= MAX_SHARE:
        raise HoldoutRefused(f"--share is a fraction of learners above 0 and at most {MAX_SHARE} (0.1 is 10%), got {share}")
    if not 1 <= days <= MAX_DAYS:
        raise HoldoutRefused(f"--days is between 1 and {MAX_DAYS}, got {days}")
    current = await running(tx, now)
    if current is not None:
        raise HoldoutRefused(
            f"holdout {current.id} runs until {current.ends_at:%Y-%m-%d %H:%M} UTC: end it first (run_bot.py nudges holdout --end)"
        )
    return await tx.holdouts.add(
        share=share, seed=seed or secrets.token_hex(16), starts_at=now, ends_at=now + timedelta(days=days), created_at=now
    )


async def end(tx: UnitOfWork, now: datetime) -> Holdout:
    """The running holdout, ended now."""
    current = await running(tx, now)
    if current is None:
        raise HoldoutRefused("no holdout is running")
    await tx.holdouts.end(current.id, now)
    return next(h for h in await tx.holdouts.all() if h.id == current.id)


async def view(tx: UnitOfWork, holdout: Holdout) -> HoldoutView:
    people = await tx.holdouts.people()
    out = [p for p in people if held_out(p.id, holdout)]
    return HoldoutView(holdout, out, len(people), sum(1 for p in out if p.nudges == Nudges.ON))


async def latest(tx: UnitOfWork, now: datetime) -> HoldoutView | None:
    """The running holdout, else the latest one, with whom it holds out."""
    holdouts = await tx.holdouts.all()
    if not holdouts:
        return None
    return await view(tx, next((h for h in holdouts if h.running(now)), holdouts[-1]))
