"""When a badge or certificate is earned: pure rules over a learner's evidence.

A badge is scarce: its lessons are done, each skill it demands has reached its mastery, and
the learner has shown *durable recall* of each of those skills: correct answers on spaced
re-checks on at least two separate days, the last at least two days after the lesson that
taught the skill. A certificate is earned when every badge it stacks is held and valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from content.model import CredentialDefinition, CredentialKind

RECHECK_DAYS_REQUIRED = 2  # separate days with a correct spaced re-check, per skill
MIN_DAYS_AFTER_LESSON = 2  # the last of them at least this long after the lesson


@dataclass(frozen=True)
class Evidence:
    """What a learner has shown, in their own calendar."""

    completed: dict[str, date]  # lesson id -> first local date it was completed
    mastery: dict[str, float]  # skill id -> mastery now
    recheck_days: dict[str, frozenset[date]]  # skill id -> days with a correct spaced re-check
    skill_lessons: dict[str, frozenset[str]] = field(default_factory=dict)  # skill -> lessons teaching it
    valid_badges: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Verdict:
    earned: bool
    missing: tuple[str, ...]  # plain words, for the learner and the audit trail


def evaluate(definition: CredentialDefinition, evidence: Evidence) -> Verdict:
    missing: list[str] = []
    for lesson_id in definition.lessons:
        if lesson_id not in evidence.completed:
            missing.append(f"complete lesson {lesson_id}")
    for requirement in definition.skills:
        skill = requirement.skill
        if evidence.mastery.get(skill, 0.0) < requirement.mastery:
            missing.append(f"{skill} mastery {requirement.mastery:.0%}")
        if not durable_recall(skill, evidence):
            missing.append(f"{skill}: correct spaced re-checks on {RECHECK_DAYS_REQUIRED} separate days")
    if definition.kind is CredentialKind.CERTIFICATE:
        for badge_id in definition.stacks:
            if badge_id not in evidence.valid_badges:
                missing.append(f"hold a valid {badge_id} badge")
    return Verdict(earned=not missing, missing=tuple(missing))


def durable_recall(skill: str, evidence: Evidence) -> bool:
    days = sorted(evidence.recheck_days.get(skill, frozenset()))
    if len(days) < RECHECK_DAYS_REQUIRED:
        return False
    taught = [evidence.completed[lesson] for lesson in evidence.skill_lessons.get(skill, ()) if lesson in evidence.completed]
    if not taught:
        return False
    return days[-1] >= min(taught) + timedelta(days=MIN_DAYS_AFTER_LESSON)
