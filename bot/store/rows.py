"""Rows into records and back: the only place that knows both bot/store/models.py and
bot/records.py. A record the core may change (a learner, a session) is remembered as it was
read, so that saving it writes only what changed."""

from __future__ import annotations

import copy
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Row

from bot.records import Award, ItemMemory, Learner, LessonSession, Nudge, SkillMemory, Team, TrailEvent
from bot.store.models import AwardRow, EventRow, ItemStateRow, LearnerRow, NudgeRow, SessionRow, SkillStateRow, TeamRow
from bot.vocabulary import EventKind, NudgeKind, Nudges, NudgeStatus, Role, SessionKind, SessionStatus

R = TypeVar("R")


def learner(row: LearnerRow) -> Learner:
    return Learner(
        id=row.id,
        platform=row.platform,
        platform_user_id=row.platform_user_id,
        display_name=row.display_name,
        timezone=row.timezone,
        timezone_confirmed=row.timezone_confirmed,
        daily_time=row.daily_time,
        working_days=row.working_days,
        announce=row.announce,
        nudges=Nudges(row.nudges),
        team_id=row.team_id,
        role=Role(row.role),
        created_at=row.created_at,
        streak_days=row.streak_days or 0,
        streak_last_day=row.streak_last_day,
        streak_ends_at=row.streak_ends_at,
        last_learned_at=row.last_learned_at,
        subject_id=row.subject_id,
        name_on_credentials=row.name_on_credentials,
        kept_source=row.kept_source,
        kept_replies=row.kept_replies,
        language=row.language,
        language_chosen=row.language_chosen,
    )


def session(row: SessionRow | Row[Any]) -> LessonSession:
    return LessonSession(
        id=row.id,
        learner_id=row.learner_id,
        kind=SessionKind(row.kind),
        title=row.title,
        steps=row.steps,
        position=row.position,
        correct_count=row.correct_count,
        status=SessionStatus(row.status),
        started_at=row.started_at,
        updated_at=row.updated_at,
        lesson_id=row.lesson_id,
        lesson_version=row.lesson_version,
        credential_id=row.credential_id,
        completed_at=row.completed_at,
    )


def item(row: ItemStateRow | Row[Any]) -> ItemMemory:
    return ItemMemory(
        check_key=row.check_key,
        card=row.card,
        skills=tuple(row.skills),
        due=row.due,
        reviews=row.reviews,
        last_correct=row.last_correct,
        last_review=row.last_review,
    )


def skill(row: SkillStateRow) -> SkillMemory:
    return SkillMemory(skill_id=row.skill_id, p_known=row.p_known, updated_at=row.updated_at)


def remembered(row: Row[Any]) -> ItemMemory | SkillMemory:
    """A row of a learner's whole memory (bot/store/memory.py MEMORY): an item or a skill."""
    if row.kind == "item":
        return ItemMemory(
            check_key=row.key,
            card=row.card,
            skills=tuple(row.skills),
            due=row.due,
            reviews=row.reviews,
            last_correct=row.last_correct,
            last_review=row.last_review,
        )
    return SkillMemory(skill_id=row.key, p_known=row.p_known, updated_at=row.updated_at)


def award(row: AwardRow | Row[Any]) -> Award:
    return Award(
        id=row.id,
        public_id=row.public_id,
        learner_id=row.learner_id,
        definition_id=row.definition_id,
        kind=row.kind,
        renewal=row.renewal,
        awarded_at=row.awarded_at,
        valid_until=row.valid_until,
        evidence=row.evidence or {},
        revoked_at=row.revoked_at,
        revocation_reason=row.revocation_reason,
        credential=row.credential,
    )


def trail_event(row: EventRow | Row[Any]) -> TrailEvent:
    return TrailEvent(
        id=row.id,
        learner_id=row.learner_id,
        source_id=row.source_id,
        kind=EventKind(row.kind),
        occurred_at=row.occurred_at,
        local_date=row.local_date,
        lesson_id=row.lesson_id,
        lesson_version=row.lesson_version,
        check_key=row.check_key,
        correct=row.correct,
        payload=row.payload or {},
    )


def team(row: TeamRow) -> Team:
    return Team(id=row.id, name=row.name)


def nudge(row: NudgeRow) -> Nudge:
    return Nudge(
        id=row.id,
        learner_id=row.learner_id,
        kind=NudgeKind(row.kind),
        due_at=row.due_at,
        status=NudgeStatus(row.status),
        attempts=row.attempts,
        claimed_by=row.claimed_by,
        lease_until=row.lease_until,
        done_at=row.done_at,
        error=row.error,
    )


class Snapshots:
    """Records as they were read in this transaction, by kind and id; and one learner record
    per learner (an identity map): read twice, as the turn's learner and as a team member, a
    learner is one record, so a change made through one is not undone by saving the other."""

    def __init__(self) -> None:
        self._seen: dict[tuple[type, int], dict[str, Any]] = {}
        self._learners: dict[int, Learner] = {}

    def learner(self, row: LearnerRow) -> Learner:
        known = self._learners.get(row.id)
        if known is None:
            known = self._learners[row.id] = self.keep(learner(row))
        return known

    def keep(self, record: R) -> R:
        self._seen[(type(record), record.id)] = {  # type: ignore[attr-defined]
            f.name: _copied(getattr(record, f.name))
            for f in fields(record)  # type: ignore[arg-type]
        }
        return record

    def changes(self, record: Any) -> dict[str, Any]:
        """The fields of `record` that differ from when it was read (all of them if never read)."""
        before = self._seen.get((type(record), record.id))
        now = {f.name: getattr(record, f.name) for f in fields(record)}
        if before is None:
            return now
        return {name: value for name, value in now.items() if before.get(name) != value}

    def saved(self, record: Any, changes: dict[str, Any]) -> None:
        """`changes` (from `changes`) were written: the record is now as kept."""
        seen = self._seen.setdefault((type(record), record.id), {})
        seen.update((name, _copied(value)) for name, value in changes.items())


def _copied(value: Any) -> Any:
    """A value as it is now: lists and dicts (a session's steps) copied, so that a change made
    inside them later is seen; everything else a record holds is immutable. (dataclasses.asdict
    did this for every field, and took a quarter of a millisecond for a lesson's steps.)"""
    return copy.deepcopy(value) if isinstance(value, (list, dict)) else value


def aware(instant: datetime | str | None) -> datetime | None:
    """Aggregates bypass the column type: SQLite hands back naive UTC (or text)."""
    if instant is None:
        return None
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
