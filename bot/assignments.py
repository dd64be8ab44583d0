"""The programme: who must earn which credential (or finish which pathway) by when, and where
each person stands, now or as of any past date.

Assignments come from a manager or admin (chat, dashboard), from L&D's spreadsheet, from a job
role (content/roles/<id>.md: its required credentials, due `complete_within_days` after the role
was given) and from the bot itself before a held credential expires (recertification). They are
never rewritten: assigning the same thing again adds one, and the latest one assigned and not
withdrawn is the one that counts. Standing is worked out from the awards (awarded, valid until,
revoked: each with its time) and the lessons started, so the same functions answer "now" for the
learner and "on 14 March" for an auditor."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.ports import UnitOfWork
from bot.records import Assignment, Award, JobRoleHeld, Learner, TrailEvent
from bot.schedule import Rhythm, next_reachable
from bot.streaks import Hold
from bot.suspension import lapses
from bot.vocabulary import EventKind, NudgeKind, Nudges, Target
from content.model import CredentialKind, Curriculum, Lesson

EXPIRING_WITHIN = timedelta(days=30)  # the matrix's "expiring soon", unless asked otherwise


class Origin(StrEnum):
    """Who or what assigned it (`assignments.origin`; a job role's is `role:<id>`)."""

    MANAGER = "manager"  # in chat, by a manager or admin
    DASHBOARD = "dashboard"
    CSV = "csv"  # L&D's spreadsheet
    RECERTIFICATION = "recertification"  # the bot, before a held credential expires


ROLE_PREFIX = "role:"


def role_origin(role_id: str) -> str:
    return f"{ROLE_PREFIX}{role_id}"


class Standing(StrEnum):
    """Where a person stands on one required credential (a cell of the compliance matrix), or
    on an assigned pathway (DONE instead of VALID)."""

    VALID = "valid"
    EXPIRING = "expiring"  # valid, but expires within the window asked for
    EXPIRED = "expired"  # held once, no longer valid (expired, or a certificate whose badge lapsed)
    OVERDUE = "overdue"  # assigned, not met, and the due date has passed
    IN_PROGRESS = "in_progress"  # a lesson toward it started
    NOT_STARTED = "not_started"
    DONE = "done"  # an assigned pathway finished

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# --- reading the record as of a moment ---------------------------------------------------------
def awards_as_of(awards: Iterable[Award], at: datetime) -> list[Award]:
    """The awards as they stood at `at`: those awarded by then, a revocation after it undone."""
    return [
        award if award.revoked_at is None or award.revoked_at <= at else replace(award, revoked_at=None, revocation_reason=None)
        for award in awards
        if award.awarded_at <= at
    ]


def valid_at(award: Award, at: datetime) -> bool:
    return (
        award.awarded_at <= at
        and (award.revoked_at is None or award.revoked_at > at)
        and (award.valid_until is None or award.valid_until > at)
    )


def current(assignments: Iterable[Assignment], at: datetime) -> dict[tuple[Target, str], Assignment]:
    """The assignment that counts for each target at `at`: the latest assigned by then and not
    withdrawn by then."""
    found: dict[tuple[Target, str], Assignment] = {}
    for assignment in sorted(assignments, key=lambda a: (a.assigned_at, a.id)):
        if assignment.assigned_at > at:
            continue
        key = (assignment.target_kind, assignment.target_id)
        if assignment.withdrawn_at is not None and assignment.withdrawn_at <= at:
            found.pop(key, None)
        else:
            found[key] = assignment
    return found


def roles_at(held: Iterable[JobRoleHeld], at: datetime) -> set[str]:
    return {h.role_id for h in held if h.since <= at and (h.until is None or h.until > at)}


def local_date(at: datetime, timezone: str) -> date:
    try:
        return at.astimezone(ZoneInfo(timezone)).date()
    except (KeyError, ValueError):
        return at.date()


def end_of_day(day: date, timezone: str) -> datetime:
    """The first instant after `day` in `timezone`: a due date's deadline."""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)


def lessons_toward(curriculum: Curriculum, target_kind: Target, target_id: str) -> set[str]:
    """The lessons that move a person toward a target: a credential's lessons and those teaching
    its skills (a certificate's: its badges'), or a pathway's lessons."""
    if target_kind is Target.PATHWAY:
        pathway = next((p for p in curriculum.pathways if p.id == target_id), None)
        return set(pathway.lessons) if pathway is not None else set()
    definition = curriculum.credentials.get(target_id)
    if definition is None:
        return set()
    skills = {r.skill for r in definition.skills}
    found = set(definition.lessons) | {lesson.id for lesson in curriculum.lessons.values() if skills & set(lesson.skills)}
    for badge_id in definition.stacks if definition.kind is CredentialKind.CERTIFICATE else ():
        if badge_id != target_id:
            found |= lessons_toward(curriculum, Target.CREDENTIAL, badge_id)
    return found


def _valid_holding(curriculum: Curriculum, definition_id: str, awards: list[Award], at: datetime) -> Award | None:
    """The award of `definition_id` valid at `at` that lasts longest (a certificate counts only
    while its badges do), from awards already read as of `at`."""
    held = [a for a in awards if a.definition_id == definition_id and valid_at(a, at)]
    held = [a for a in held if not lapses(a, awards, curriculum, now=at)] if held and _is_certificate(curriculum, definition_id) else held
    return max(held, key=lambda a: (a.valid_until or datetime.max.replace(tzinfo=at.tzinfo), a.id), default=None)


def _is_certificate(curriculum: Curriculum, definition_id: str) -> bool:
    definition = curriculum.credentials.get(definition_id)
    return definition is not None and definition.kind is CredentialKind.CERTIFICATE


def is_met(
    curriculum: Curriculum,
    assignment: Assignment,
    *,
    awards: list[Award],
    completed: Collection[str],
    at: datetime,
    timezone: str,
) -> bool:
    """Whether the assignment asks nothing more at `at`: the credential is held and stays valid
    past the due date (so a recertification is met only by a renewal), or every lesson of the
    pathway is done."""
    if assignment.target_kind is Target.PATHWAY:
        lessons = lessons_toward(curriculum, Target.PATHWAY, assignment.target_id)
        return bool(lessons) and lessons <= set(completed)
    holding = _valid_holding(curriculum, assignment.target_id, awards_as_of(awards, at), at)
    return holding is not None and (holding.valid_until is None or holding.valid_until >= end_of_day(assignment.due_on, timezone))


def standing(
    curriculum: Curriculum,
    target_kind: Target,
    target_id: str,
    *,
    assignment: Assignment | None,
    awards: list[Award],
    completed: Collection[str],
    started: Collection[str],
    at: datetime,
    timezone: str,
    expiring_within: timedelta = EXPIRING_WITHIN,
) -> Standing:
    """Where a person stands on one target at `at`, from what was true then: their awards (all of
    them; those after `at` are ignored), the lessons they had completed and started by then, and
    the assignment that counted then (`current`)."""
    today = local_date(at, timezone)
    overdue = assignment is not None and today > assignment.due_on
    if target_kind is Target.PATHWAY:
        lessons = lessons_toward(curriculum, target_kind, target_id)
        if lessons and lessons <= set(completed):
            return Standing.DONE
        if overdue:
            return Standing.OVERDUE
        return Standing.IN_PROGRESS if lessons & (set(started) | set(completed)) else Standing.NOT_STARTED
    then = awards_as_of(awards, at)
    holding = _valid_holding(curriculum, target_id, then, at)
    if holding is not None:
        if holding.valid_until is not None and holding.valid_until - at <= expiring_within:
            return Standing.EXPIRING
        return Standing.VALID
    if overdue:
        return Standing.OVERDUE
    if any(a.definition_id == target_id and a.revoked_at is None for a in then):
        return Standing.EXPIRED
    toward = lessons_toward(curriculum, target_kind, target_id)
    return Standing.IN_PROGRESS if toward & (set(started) | set(completed)) else Standing.NOT_STARTED


# --- what the learner does next ------------------------------------------------------------------
@dataclass(frozen=True)
class Due:
    """An assignment the learner still has to meet, with what it is called."""

    assignment: Assignment
    title: str
    overdue: bool
    by: str | None = None  # the name of who assigned it, when a person did


def open_assignments(
    curriculum: Curriculum, assignments: list[Assignment], *, awards: list[Award], completed: Collection[str], now: datetime, timezone: str
) -> list[Due]:
    """What is assigned and not met yet, the most urgent first (earliest due date)."""
    today = local_date(now, timezone)
    found = []
    for assignment in current(assignments, now).values():
        title = title_of(curriculum, assignment.target_kind, assignment.target_id)
        if title is None:
            continue  # its content was removed: nothing to do toward it
        if is_met(curriculum, assignment, awards=awards, completed=completed, at=now, timezone=timezone):
            continue
        found.append(Due(assignment, title, overdue=today > assignment.due_on))
    return sorted(found, key=lambda d: (d.assignment.due_on, d.assignment.id))


def title_of(curriculum: Curriculum, target_kind: Target, target_id: str) -> str | None:
    if target_kind is Target.PATHWAY:
        return next((p.title for p in curriculum.pathways if p.id == target_id), None)
    definition = curriculum.credentials.get(target_id)
    return definition.title if definition is not None else None


def next_lesson_toward(curriculum: Curriculum, due: Iterable[Due], completed: Collection[str]) -> tuple[Lesson, Due] | None:
    """The lesson that moves the most urgent assignment forward: the first in pathway order,
    not done, whose prerequisites are done, among the lessons toward it and their prerequisites.
    An assignment with no such lesson left (its lessons done, mastery still to show on re-checks)
    gives way to the next."""
    done = set(completed)
    for item in due:
        wanted = _with_prerequisites(curriculum, lessons_toward(curriculum, item.assignment.target_kind, item.assignment.target_id))
        for lesson in curriculum.lessons_in_order():
            if lesson.id in wanted and lesson.id not in done and all(r in done for r in lesson.requires):
                return lesson, item
    return None


def _with_prerequisites(curriculum: Curriculum, lesson_ids: set[str]) -> set[str]:
    found, stack = set(), list(lesson_ids)
    while stack:
        lesson_id = stack.pop()
        if lesson_id in found or lesson_id not in curriculum.lessons:
            continue
        found.add(lesson_id)
        stack.extend(curriculum.lessons[lesson_id].requires)
    return found


# --- assigning -------------------------------------------------------------------------------------
def due_date(learner: Learner, now: datetime, *, on: date | None = None, days: int | None = None, after_joining: bool = False) -> date:
    """An absolute date, or `days` after today (after the day they joined, with `after_joining`),
    in the learner's timezone."""
    if on is not None:
        return on
    start = local_date(learner.created_at if after_joining else now, learner.timezone)
    return start + timedelta(days=days or 0)


async def assign(
    tx: UnitOfWork,
    learner: Learner,
    target_kind: Target,
    target_id: str,
    *,
    due_on: date,
    origin: str,
    by: int | None,
    now: datetime,
    notify: bool = True,
) -> Assignment:
    """Assign, record it in the learner's trail (the learning record's "assigned") and, with
    `notify`, tell the learner in chat (`schedule_notice`) whoever assigned it: a manager in chat,
    the dashboard, L&D's file, a job role, a recertification."""
    assignment = await tx.assignments.add(
        Assignment(learner.id, target_kind, target_id, due_on, origin, now, assigned_by=by),
    )
    await tx.trail.add(
        learner.id,
        TrailEvent(
            EventKind.ASSIGNED,
            now,
            local_date(now, learner.timezone),
            payload={
                "assignment": assignment.id,
                "target_kind": target_kind.value,
                "target": target_id,
                "due_on": due_on.isoformat(),
                "origin": origin,
                "by": by,  # a learner id: no platform ids in the trail
            },
        ),
    )
    if notify:
        await schedule_notice(tx, learner, await tx.holds.of(learner.id), now)
    return assignment


async def schedule_notice(tx: UnitOfWork, learner: Learner, holds: Sequence[Hold], now: datetime) -> None:
    """Tell the learner of what was just assigned at the next moment the bot may message them
    (quiet hours, working days, holds: bot/schedule.py); nothing for someone who said /stop.
    Assignments made together share one notice (bot/assigning.py `assigned_notice` tells every
    assignment not told yet)."""
    if learner.nudges == Nudges.STOPPED or learner.left:
        return
    at = next_reachable(Rhythm.of(learner, holds), now)
    if at is not None:
        await tx.nudges.schedule(learner.id, NudgeKind.ASSIGNED, at)


async def withdraw(tx: UnitOfWork, learner: Learner, assignment: Assignment, *, by: int | None, now: datetime) -> bool:
    if not await tx.assignments.withdraw(assignment.id, at=now):
        return False
    await tx.trail.add(
        learner.id,
        TrailEvent(
            EventKind.ASSIGNMENT_WITHDRAWN,
            now,
            local_date(now, learner.timezone),
            payload={"assignment": assignment.id, "target_kind": assignment.target_kind.value, "target": assignment.target_id, "by": by},
        ),
    )
    # Told with the next notice, if they were told of it (bot/assigning.py `notice`).
    await schedule_notice(tx, learner, await tx.holds.of(learner.id), now)
    return True


@dataclass(frozen=True)
class RolesChanged:
    given: tuple[str, ...]
    ended: tuple[str, ...]
    assigned: int  # credentials newly assigned by the roles given


async def set_job_roles(
    tx: UnitOfWork, curriculum: Curriculum, learner: Learner, role_ids: Collection[str], *, by: int | None, now: datetime
) -> RolesChanged:
    """Make `role_ids` the learner's job roles. A role given assigns each credential it requires
    (due `complete_within_days` from today), unless that credential is assigned already; a role
    ended withdraws what it assigned and no role they keep requires. Unknown role ids are the
    caller's to refuse: they are ignored here."""
    wanted = {r for r in role_ids if r in curriculum.roles}
    holding = roles_at(await tx.job_roles.of(learner.id), now)
    given = sorted(wanted - holding)
    ended = sorted(holding - wanted)
    for role_id in ended:
        await tx.job_roles.end(learner.id, role_id, at=now)
    for role_id in given:
        await tx.job_roles.give(learner.id, role_id, at=now)
    assigned = 0
    counting = current(await tx.assignments.of(learner.id), now)
    still_required = {c for r in wanted for c in curriculum.roles[r].requires}
    # What a role assigned and no role they keep requires (a credential two roles share keeps the
    # origin of the role that first assigned it, so any role's origin counts here).
    for key, assignment in list(counting.items()) if ended else ():
        if assignment.origin.startswith(ROLE_PREFIX) and key[1] not in still_required:
            await withdraw(tx, learner, assignment, by=by, now=now)
            del counting[key]
    for role_id in given:
        role = curriculum.roles[role_id]
        for credential_id in role.requires:
            if (Target.CREDENTIAL, credential_id) in counting:
                continue
            due_on = due_date(learner, now, days=role.complete_within_days)
            counting[(Target.CREDENTIAL, credential_id)] = await assign(
                tx, learner, Target.CREDENTIAL, credential_id, due_on=due_on, origin=role_origin(role_id), by=by, now=now
            )
            assigned += 1
    if given or ended:
        await tx.trail.add(
            learner.id,
            TrailEvent(
                EventKind.JOB_ROLES_CHANGED,
                now,
                local_date(now, learner.timezone),
                payload={"given": given, "ended": ended, "by": by},
            ),
        )
    return RolesChanged(tuple(given), tuple(ended), assigned)


async def recertify(tx: UnitOfWork, curriculum: Curriculum, learner: Learner, *, now: datetime) -> list[Assignment]:
    """Assign again what the learner must keep and is about to lose: each credential a job role
    of theirs requires, or that was assigned to them before, whose valid award expires within its
    `recertify_days_before` and that is not assigned again since it was awarded. Due on the last
    day it is valid. Retired credentials are not recertified (nothing renews them)."""
    awards = await tx.awards.of(learner.id)
    assignments = await tx.assignments.of(learner.id)
    counting = current(assignments, now)
    roles = roles_at(await tx.job_roles.of(learner.id), now)
    kept = {c for r in roles if r in curriculum.roles for c in curriculum.roles[r].requires}
    kept |= {a.target_id for a in assignments if a.target_kind is Target.CREDENTIAL}
    made = []
    for credential_id in sorted(kept):
        definition = curriculum.credentials.get(credential_id)
        if definition is None or definition.retired:
            continue
        holding = _valid_holding(curriculum, credential_id, awards_as_of(awards, now), now)
        if holding is None or holding.valid_until is None:
            continue
        if holding.valid_until - timedelta(days=definition.recertify_lead_days) > now:
            continue
        existing = counting.get((Target.CREDENTIAL, credential_id))
        if existing is not None and existing.assigned_at >= holding.awarded_at:
            continue  # assigned since it was awarded: this one or an earlier recertification
        last_day = local_date(holding.valid_until - timedelta(microseconds=1), learner.timezone)
        made.append(
            await assign(tx, learner, Target.CREDENTIAL, credential_id, due_on=last_day, origin=Origin.RECERTIFICATION, by=None, now=now)
        )
    return made
