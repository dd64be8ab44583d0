"""A learner's standing: streak, mastery per skill, due re-checks. Read from the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.mastery import MasteryModel
from bot.ports import UnitOfWork
from bot.records import Learner
from bot.streaks import streak_now


@dataclass(frozen=True)
class Standing:
    streak: int
    completed: frozenset[str]
    mastery: dict[str, float]  # skill id -> mastery now, 0..1
    due_checks: int
    next_due: datetime | None


async def skill_mastery(tx: UnitOfWork, model: MasteryModel, learner_id: int, now: datetime) -> dict[str, float]:
    """Mastery now for every skill the learner has evidence for."""
    items = await tx.memory.items(learner_id)
    recalls: dict[str, list[float]] = {}
    for item in items.values():
        for skill in item.skills:
            recalls.setdefault(skill, []).append(model.recall(item.card, now))
    states = await tx.memory.skills(learner_id)
    return {skill: model.current(state.p_known, recalls.get(skill, [])) for skill, state in states.items()}


async def standing(tx: UnitOfWork, model: MasteryModel, learner: Learner, now: datetime) -> Standing:
    streak = streak_now(learner, now)
    items = await tx.memory.items(learner.id)
    due = [item for item in items.values() if item.due <= now]
    upcoming = [item.due for item in items.values() if item.due > now]
    return Standing(
        streak=streak,
        completed=frozenset(await tx.sessions.completed_lessons(learner.id)),
        mastery=await skill_mastery(tx, model, learner.id, now),
        due_checks=len(due),
        next_due=min(upcoming) if upcoming else None,
    )
