"""Where a learner stands on the pathway and what comes next. Pure functions of the curriculum
and the set of completed lessons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import N_
from content.model import CredentialDefinition, CredentialKind, Curriculum, Lesson, Pathway
from credentials.awarding import RECHECK_DAYS_REQUIRED


class LessonStatus(StrEnum):
    DONE = "done"
    IN_PROGRESS = "in_progress"
    NEXT = "next"
    AVAILABLE = "available"
    LOCKED = "locked"  # a prerequisite is not done yet


@dataclass(frozen=True)
class LessonOnMap:
    lesson: Lesson
    status: LessonStatus
    missing: tuple[str, ...]  # titles of prerequisites not yet done


@dataclass(frozen=True)
class PathwayOnMap:
    pathway: Pathway
    lessons: tuple[LessonOnMap, ...]

    @property
    def done(self) -> int:
        return sum(1 for item in self.lessons if item.status is LessonStatus.DONE)


@dataclass(frozen=True)
class Need:
    """One requirement of a credential and whether it is met. `label` and `detail` are texts to
    translate (bot/i18n.py), filled with `values` once translated."""

    label: str
    met: bool
    detail: str = ""
    values: tuple[tuple[str, object], ...] = ()

    def said(self, translate: Callable[[str], str]) -> str:
        """`Lockout mastery 80% (now 40%)`, in the language `translate` speaks."""
        values = dict(self.values)
        label = translate(self.label).format(**values)
        return f"{label} ({translate(self.detail).format(**values)})" if self.detail else label


@dataclass(frozen=True)
class CredentialOnMap:
    definition: CredentialDefinition
    needs: tuple[Need, ...]

    @property
    def ready(self) -> bool:
        return all(need.met for need in self.needs)


def next_lesson(curriculum: Curriculum, completed: set[str]) -> Lesson | None:
    """The first lesson in pathway order that is not done and whose prerequisites are."""
    for lesson in curriculum.lessons_in_order():
        if lesson.id not in completed and all(r in completed for r in lesson.requires):
            return lesson
    return None


def pathway_map(
    curriculum: Curriculum, completed: set[str], in_progress: str | None = None, *, upcoming: Lesson | None = None
) -> tuple[PathwayOnMap, ...]:
    """Each pathway's lessons with their status. `upcoming`: the lesson marked next (the one that
    moves an assignment forward, bot/assigned_view.py); by default the next in pathway order."""
    upcoming = upcoming or next_lesson(curriculum, completed)
    result = []
    for pathway in curriculum.pathways:
        items = []
        for lesson_id in pathway.lessons:
            lesson = curriculum.lessons[lesson_id]
            missing = tuple(curriculum.lessons[r].title for r in lesson.requires if r not in completed)
            if lesson_id in completed:
                status = LessonStatus.DONE
            elif lesson_id == in_progress:
                status = LessonStatus.IN_PROGRESS
            elif upcoming is not None and lesson_id == upcoming.id and in_progress is None:
                status = LessonStatus.NEXT
            elif missing:
                status = LessonStatus.LOCKED
            else:
                status = LessonStatus.AVAILABLE
            items.append(LessonOnMap(lesson, status, missing))
        result.append(PathwayOnMap(pathway, tuple(items)))
    return tuple(result)


def credential_needs(
    curriculum: Curriculum,
    definition: CredentialDefinition,
    *,
    completed: set[str],
    mastery: dict[str, float],
    held: set[str],
    recheck_days: dict[str, int] | None = None,
) -> CredentialOnMap:
    needs: list[Need] = []
    for lesson_id in definition.lessons:
        title = curriculum.lessons[lesson_id].title
        needs.append(Need(N_("Complete {title}"), lesson_id in completed, values=(("title", title),)))
    for requirement in definition.skills:
        skill = curriculum.skills[requirement.skill]
        current = mastery.get(requirement.skill, 0.0)
        needs.append(
            Need(
                N_("{skill} mastery {needed:.0%}"),
                current >= requirement.mastery,
                N_("now {current:.0%}"),
                (("skill", skill.name), ("needed", requirement.mastery), ("current", current)),
            )
        )
        days = (recheck_days or {}).get(requirement.skill, 0)
        needs.append(
            Need(
                N_("{skill}: correct re-checks on {needed} separate days"),
                days >= RECHECK_DAYS_REQUIRED,
                N_("{days} so far"),
                (("skill", skill.name), ("needed", RECHECK_DAYS_REQUIRED), ("days", days)),
            )
        )
    if definition.kind is CredentialKind.CERTIFICATE:
        for badge_id in definition.stacks:
            needs.append(Need(N_("Hold {title}"), badge_id in held, values=(("title", curriculum.credentials[badge_id].title),)))
    return CredentialOnMap(definition, tuple(needs))
