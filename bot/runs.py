"""Keeping each learner's latest run of learning days up to date as they learn (bot/streaks.py
has the rules; this applies them to a learner and reads what a recount needs)."""

from __future__ import annotations

from datetime import date, datetime

from bot.ports import UnitOfWork
from bot.records import Learner
from bot.streaks import Run, run_after, run_of, working_days


async def learned_on(tx: UnitOfWork, learner: Learner, day: date, at: datetime) -> None:
    """The learner learned on `day` (their local date) at `at`: it joins their run."""
    learner.last_learned_at = max(at, learner.last_learned_at) if learner.last_learned_at else at
    if learner.streak_last_day == day:
        return  # the day is already counted: no query
    kept = Run(learner.streak_days, learner.streak_last_day, learner.streak_ends_at)
    run = run_after(kept, day, timezone=learner.timezone, working_days=working_days(learner), holds=await tx.holds.of(learner.id))
    if run is None:  # a day before the run's last one: only the whole history tells
        await recount(tx, learner)
    else:
        _keep(learner, run)


async def recount(tx: UnitOfWork, learner: Learner) -> None:
    """Count the learner's run again from their whole history: after a change to what was
    required (working days, holds) or to their timezone."""
    _keep(
        learner,
        run_of(
            await tx.trail.learning_days(learner.id),
            timezone=learner.timezone,
            working_days=working_days(learner),
            holds=await tx.holds.of(learner.id),
        ),
    )


def _keep(learner: Learner, run: Run) -> None:
    learner.streak_days, learner.streak_last_day, learner.streak_ends_at = run.days, run.last_day, run.ends_at
