"""The store in memory (bot/ports.py), for unit tests of the core's flows in milliseconds.

Each transaction works on a copy of everything and replaces the original only when it ends
without an error, so a failed turn leaves nothing behind, as a database transaction does. Records
are handed out as copies and written back only by `save` (and each learner is one record per
transaction, as in the SQL store), so a flow that forgets to save is caught here too.
tests/integration/test_store_contract.py holds it to the same behaviour as the SQL store."""

from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.analytics import wordings_shown
from bot.analytics_columns import ReviewColumns, of_record
from bot.analytics_records import AnalyticsRecord, AnswerRecord, SessionRecord, TrailMoment, moment
from bot.events import LearnerRef
from bot.ports import DuplicateEvent
from bot.records import (
    Assignment,
    Award,
    DeliveryStatus,
    Holdout,
    ItemMemory,
    JobRoleHeld,
    Learner,
    LessonSession,
    MatrixPerson,
    MatrixRecord,
    MatrixScope,
    Nudge,
    SkillMemory,
    SlackLearner,
    Team,
    TeamFigures,
    TrailEvent,
    WalletClaim,
)
from bot.streaks import Hold
from bot.vocabulary import (
    BOTS_OWN,
    LEARNING,
    AccessKind,
    EventKind,
    NudgeKind,
    Nudges,
    NudgeStatus,
    Platform,
    Role,
    SessionKind,
    SessionStatus,
    Target,
)

OVERDUE = timedelta(minutes=5)


@dataclass
class _Token:
    learner_id: int
    kind: AccessKind
    expires_at: datetime
    used_at: datetime | None = None


@dataclass
class _Claim:
    award_id: int
    expires_at: datetime
    used_at: datetime | None = None
    holder: str | None = None


@dataclass
class _Data:
    """Everything the store holds: what a database's tables would."""

    ids: Any = field(default_factory=lambda: itertools.count(1))
    learners: dict[int, Learner] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)
    managed: set[tuple[int, int]] = field(default_factory=set)  # (learner, team)
    tokens: dict[str, _Token] = field(default_factory=dict)
    trail: list[TrailEvent] = field(default_factory=list)
    sessions: dict[int, LessonSession] = field(default_factory=dict)
    items: dict[tuple[int, str], ItemMemory] = field(default_factory=dict)
    skills: dict[tuple[int, str], SkillMemory] = field(default_factory=dict)
    awards: dict[int, Award] = field(default_factory=dict)
    stale: set[int] = field(default_factory=set)  # award ids whose subject is to be renewed
    holds: list[tuple[int, Hold]] = field(default_factory=list)
    nudges: dict[int, Nudge] = field(default_factory=dict)
    slack: dict[int, tuple[datetime | None, str | None]] = field(default_factory=dict)
    claims: dict[str, _Claim] = field(default_factory=dict)  # wallet claim links by token hash
    assignments: dict[int, Assignment] = field(default_factory=dict)
    job_roles: list[JobRoleHeld] = field(default_factory=list)
    holdouts: list[Holdout] = field(default_factory=list)

    def next_id(self) -> int:
        return int(next(self.ids))


class MemoryStore:
    def __init__(self) -> None:
        self._data = _Data()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[MemoryUnitOfWork]:
        working = copy.deepcopy(self._data)
        yield MemoryUnitOfWork(working)
        self._data = working  # only reached without an error: a failed turn changes nothing

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[MemoryUnitOfWork]:
        yield MemoryUnitOfWork(copy.deepcopy(self._data))  # the data as it is now; nothing done in it is kept


class MemoryUnitOfWork:
    def __init__(self, data: _Data) -> None:
        seen: dict[int, Learner] = {}  # one record per learner in this transaction
        self.learners = _Learners(data, seen)
        self.teams = _Teams(data, seen)
        self.access = _Access(data, seen)
        self.trail = _Trail(data)
        self.sessions = _Sessions(data)
        self.memory = _Memory(data)
        self.awards = _Awards(data, seen)
        self.holds = _Holds(data)
        self.nudges = _Nudges(data, seen)
        self.slack = _Slack(data)
        self.wallet = _WalletClaims(data)
        self.assignments = _Assignments(data)
        self.job_roles = _JobRoles(data)
        self.compliance = _Compliance(data)
        self.holdouts = _Holdouts(data)
        self.analytics = _Analytics(data)

    async def ping(self) -> None:
        pass


def _handed(data: _Data, seen: dict[int, Learner], learner_id: int) -> Learner:
    if learner_id not in seen:
        seen[learner_id] = copy.deepcopy(data.learners[learner_id])
    return seen[learner_id]


class _Learners:
    def __init__(self, data: _Data, seen: dict[int, Learner]) -> None:
        self._data, self._seen = data, seen

    async def locked(self, ref: LearnerRef, *, now: datetime) -> tuple[Learner, bool]:
        found = await self.find(ref.platform, ref.user_id)
        if found is not None:
            return found, False
        learner_id = self._data.next_id()
        self._data.learners[learner_id] = Learner(
            id=learner_id,
            platform=ref.platform,
            platform_user_id=ref.user_id,
            display_name=ref.display_name,
            timezone=ref.timezone or "UTC",
            timezone_confirmed=ref.timezone is not None,
            daily_time="09:00",
            working_days="12345",
            announce=True,
            nudges=Nudges.ON,
            team_id=None,
            role=Role.LEARNER,
            created_at=now,
            subject_id=f"memory-subject-{learner_id}",
        )
        return _handed(self._data, self._seen, learner_id), True

    async def find(self, platform: str, user_id: str) -> Learner | None:
        for learner in self._data.learners.values():
            if learner.platform == platform and learner.platform_user_id == user_id:
                return _handed(self._data, self._seen, learner.id)
        return None

    async def by_id(self, learner_id: int) -> Learner | None:
        return _handed(self._data, self._seen, learner_id) if learner_id in self._data.learners else None

    async def person(self, platform: str, user_id: str, name: str, *, now: datetime) -> tuple[Learner, bool]:
        learner, created = await self.locked(LearnerRef(platform, user_id, name), now=now)
        if name:
            learner.display_name = name
        return learner, created

    async def save(self, learner: Learner) -> None:
        self._data.learners[learner.id] = copy.deepcopy(learner)


class _Teams:
    def __init__(self, data: _Data, seen: dict[int, Learner]) -> None:
        self._data, self._seen = data, seen

    async def ids_by_name(self, names: Collection[str]) -> dict[str, int]:
        by_name = {name: team_id for team_id, name in self._data.teams.items()}
        for name in names:
            if name not in by_name:
                by_name[name] = self._data.next_id()
                self._data.teams[by_name[name]] = name
        return {name: by_name[name] for name in names}

    async def set_managed(self, learner_id: int, team_ids: Collection[int]) -> None:
        self._data.managed = {(owner, t) for owner, t in self._data.managed if owner != learner_id} | {(learner_id, t) for t in team_ids}

    async def all(self, team_ids: Collection[int] | None = None) -> list[Team]:
        teams = [Team(i, name) for i, name in self._data.teams.items() if team_ids is None or i in team_ids]
        return sorted(teams, key=lambda t: t.name)

    async def managed_ids(self, learner_id: int) -> set[int]:
        return {t for owner, t in self._data.managed if owner == learner_id}

    async def managed_names(self, learner_id: int) -> list[str]:
        return sorted(self._data.teams[t] for t in await self.managed_ids(learner_id))

    async def members(self, team_id: int) -> list[Learner]:
        members = [person for person in self._data.learners.values() if person.team_id == team_id and not person.left]
        return [
            _handed(self._data, self._seen, person.id) for person in sorted(members, key=lambda person: (person.display_name, person.id))
        ]

    async def name_of(self, learner_id: int) -> str | None:
        team_id = self._data.learners[learner_id].team_id
        return self._data.teams.get(team_id) if team_id is not None else None

    async def figures(self, team_ids: Collection[int], now: datetime, active_since: datetime) -> dict[int, TeamFigures]:
        figures = {}
        for team_id in team_ids:
            members = [person for person in self._data.learners.values() if person.team_id == team_id and not person.left]
            streaking = [person for person in members if person.streak_ends_at is not None and person.streak_ends_at > now]
            ids = {person.id for person in members}
            figures[team_id] = TeamFigures(
                learners=len(members),
                active=sum(1 for person in members if person.last_learned_at is not None and person.last_learned_at >= active_since),
                on_a_streak=len(streaking),
                longest_streak=max((person.streak_days for person in streaking), default=0),
                lessons_done=sum(
                    1
                    for s in self._data.sessions.values()
                    if s.learner_id in ids and s.kind == SessionKind.LESSON and s.status == SessionStatus.COMPLETED
                ),
                credentials=sum(1 for a in self._data.awards.values() if a.learner_id in ids and a.revoked_at is None),
            )
        return figures

    async def activity_counts(self, learner_ids: Collection[int]) -> dict[int, tuple[int, int]]:
        return {
            i: (
                len({e.lesson_id for e in self._data.trail if e.learner_id == i and e.kind == EventKind.LESSON_COMPLETED}),
                sum(1 for a in self._data.awards.values() if a.learner_id == i and a.revoked_at is None),
            )
            for i in learner_ids
        }


class _Access:
    def __init__(self, data: _Data, seen: dict[int, Learner]) -> None:
        self._data, self._seen = data, seen

    async def add(self, token_hash: str, learner_id: int, kind: AccessKind, expires_at: datetime) -> None:
        self._data.tokens[token_hash] = _Token(learner_id, kind, expires_at)

    async def use_signin(self, token_hash: str, now: datetime) -> int | None:
        token = self._data.tokens.get(token_hash)
        if token is None or token.kind != AccessKind.SIGNIN or token.used_at is not None or token.expires_at <= now:
            return None
        token.used_at = now
        return token.learner_id

    async def signin_learner(self, token_hash: str, now: datetime) -> Learner | None:
        token = self._data.tokens.get(token_hash)
        if token is None or token.kind != AccessKind.SIGNIN or token.used_at is not None:
            return None
        return self._valid(token, now)

    async def session_learner(self, token_hash: str, now: datetime) -> Learner | None:
        token = self._data.tokens.get(token_hash)
        return self._valid(token, now) if token is not None and token.kind == AccessKind.SESSION else None

    def _valid(self, token: _Token, now: datetime) -> Learner | None:
        learner = self._data.learners.get(token.learner_id)
        if token.expires_at <= now or learner is None or learner.left:
            return None
        return _handed(self._data, self._seen, learner.id)

    async def end_session(self, token_hash: str) -> None:
        if (token := self._data.tokens.get(token_hash)) is not None and token.kind == AccessKind.SESSION:
            del self._data.tokens[token_hash]

    async def end_all(self, learner_id: int) -> int:
        ended = [h for h, t in self._data.tokens.items() if t.learner_id == learner_id]
        for token_hash in ended:
            del self._data.tokens[token_hash]
        return len(ended)

    async def purge_expired(self, now: datetime) -> int:
        expired = [h for h, t in self._data.tokens.items() if t.expires_at <= now]
        for token_hash in expired:
            del self._data.tokens[token_hash]
        return len(expired)


class _Trail:
    def __init__(self, data: _Data) -> None:
        self._data = data

    async def add(self, learner_id: int, event: TrailEvent) -> None:
        if event.source_id is not None and any(e.learner_id == learner_id and e.source_id == event.source_id for e in self._data.trail):
            raise DuplicateEvent(event.source_id)
        self._data.trail.append(replace(event, learner_id=learner_id, id=self._data.next_id()))

    def _of(self, learner_id: int, *kinds: EventKind) -> list[TrailEvent]:
        return [e for e in self._data.trail if e.learner_id == learner_id and (not kinds or e.kind in kinds)]

    async def of(self, learner_id: int) -> list[TrailEvent]:
        return self._of(learner_id)

    async def after(self, last_id: int, limit: int) -> list[TrailEvent]:
        return [e for e in self._data.trail if e.id > last_id][:limit]

    async def count(self) -> int:
        return len(self._data.trail)

    async def for_report(self, before: datetime) -> list[TrailEvent]:
        kinds = (*LEARNING, EventKind.AWARDED)
        return sorted((e for e in self._data.trail if e.occurred_at < before and e.kind in kinds), key=lambda e: (e.occurred_at, e.id))

    async def learning_days(self, learner_id: int) -> set[date]:
        return {e.local_date for e in self._of(learner_id, *LEARNING)}

    async def recent(self, learner_id: int, kinds: Collection[EventKind], limit: int) -> list[TrailEvent]:
        found = [e for e in self._of(learner_id) if e.kind in kinds]
        return sorted(found, key=lambda e: (e.occurred_at, e.id), reverse=True)[:limit]

    async def lesson_completions(self, learner_id: int) -> dict[str, datetime]:
        first: dict[str, datetime] = {}
        for e in self._of(learner_id, EventKind.LESSON_COMPLETED):
            if e.lesson_id and (e.lesson_id not in first or e.occurred_at < first[e.lesson_id]):
                first[e.lesson_id] = e.occurred_at
        return first

    async def completion_days(self, learner_id: int) -> dict[str, date]:
        first: dict[str, date] = {}
        for e in self._of(learner_id, EventKind.LESSON_COMPLETED):
            if e.lesson_id and (e.lesson_id not in first or e.local_date < first[e.lesson_id]):
                first[e.lesson_id] = e.local_date
        return first

    async def correct_recheck_days(self, learner_id: int) -> list[tuple[str, date]]:
        return [
            (e.check_key, e.local_date)
            for e in self._of(learner_id, EventKind.ANSWERED)
            if e.check_key and e.correct and e.payload.get("kind") == SessionKind.REVIEW
        ]

    async def inactive_since(self, learner_ids: Collection[int], since: datetime) -> set[int]:
        active = {e.learner_id for e in self._data.trail if e.occurred_at >= since and e.kind in LEARNING}
        return set(learner_ids) - active

    async def who_started(self, learner_ids: Collection[int]) -> set[int]:
        return {e.learner_id for e in self._data.trail if e.kind == EventKind.LESSON_STARTED and e.learner_id in learner_ids}

    async def of_kinds(self, kinds: Collection[EventKind], since: datetime, before: datetime) -> list[TrailEvent]:
        found = [e for e in self._data.trail if e.kind in kinds and since <= e.occurred_at < before]
        return sorted(found, key=lambda e: (e.occurred_at, e.id))

    async def nudge_history(self, learner_id: int) -> tuple[datetime | None, list[datetime]]:
        own = [e.occurred_at for e in self._of(learner_id) if e.kind not in BOTS_OWN]
        last = max(own, default=None)
        nudged = sorted(e.occurred_at for e in self._of(learner_id, EventKind.NUDGED) if last is None or e.occurred_at > last)
        return last, nudged


class _Sessions:
    def __init__(self, data: _Data) -> None:
        self._data = data

    async def active(self, learner_id: int) -> LessonSession | None:
        for session in self._data.sessions.values():
            if session.learner_id == learner_id and session.status == SessionStatus.ACTIVE:
                return copy.deepcopy(session)
        return None

    async def open(
        self,
        learner_id: int,
        kind: SessionKind,
        title: str,
        steps: list[dict[str, Any]],
        *,
        now: datetime,
        lesson_id: str | None = None,
        lesson_version: str | None = None,
        credential_id: str | None = None,
    ) -> LessonSession:
        if await self.active(learner_id) is not None:
            raise RuntimeError("one active session per learner (uq_one_active_session)")
        session = LessonSession(
            id=self._data.next_id(),
            learner_id=learner_id,
            kind=kind,
            title=title,
            steps=steps,
            position=0,
            correct_count=0,
            status=SessionStatus.ACTIVE,
            started_at=now,
            updated_at=now,
            lesson_id=lesson_id,
            lesson_version=lesson_version,
            credential_id=credential_id,
        )
        self._data.sessions[session.id] = copy.deepcopy(session)
        return session

    async def save(self, session: LessonSession) -> None:
        self._data.sessions[session.id] = copy.deepcopy(session)

    async def completed_lessons(self, learner_id: int) -> set[str]:
        return (await self.completed_lessons_of([learner_id])).get(learner_id, set())

    async def completed_lessons_of(self, learner_ids: Collection[int]) -> dict[int, set[str]]:
        done: dict[int, set[str]] = {}
        for s in self._data.sessions.values():
            if s.learner_id in learner_ids and s.kind == SessionKind.LESSON and s.status == SessionStatus.COMPLETED and s.lesson_id:
                done.setdefault(s.learner_id, set()).add(s.lesson_id)
        return done


class _Memory:
    def __init__(self, data: _Data) -> None:
        self._data = data

    async def items(self, learner_id: int) -> dict[str, ItemMemory]:
        return {key: item for (owner, key), item in self._data.items.items() if owner == learner_id}

    async def due(self, learner_id: int, now: datetime, limit: int) -> list[ItemMemory]:
        due = [item for item in (await self.items(learner_id)).values() if item.due <= now]
        return sorted(due, key=lambda item: (item.due, item.check_key))[:limit]

    async def skills(self, learner_id: int) -> dict[str, SkillMemory]:
        return {key: skill for (owner, key), skill in self._data.skills.items() if owner == learner_id}

    async def put_item(self, learner_id: int, item: ItemMemory) -> None:
        self._data.items[(learner_id, item.check_key)] = item

    async def put_skill(self, learner_id: int, skill: SkillMemory) -> None:
        self._data.skills[(learner_id, skill.skill_id)] = skill


class _Awards:
    def __init__(self, data: _Data, seen: dict[int, Learner]) -> None:
        self._data, self._seen = data, seen

    async def of(self, learner_id: int) -> list[Award]:
        return [copy.deepcopy(a) for i, a in sorted(self._data.awards.items()) if a.learner_id == learner_id]

    async def of_many(self, learner_ids: Collection[int]) -> dict[int, list[Award]]:
        return {learner_id: await self.of(learner_id) for learner_id in set(learner_ids)}

    async def held_by(self, learner_ids: Collection[int]) -> list[Award]:
        held = [a for a in self._data.awards.values() if a.learner_id in learner_ids and a.revoked_at is None]
        return [copy.deepcopy(a) for a in sorted(held, key=lambda a: (a.awarded_at, a.id))]

    async def add(self, award: Award) -> bool:
        if any(
            (a.learner_id, a.definition_id, a.renewal) == (award.learner_id, award.definition_id, award.renewal)
            for a in self._data.awards.values()
        ):
            return False
        award.id = self._data.next_id()
        self._data.awards[award.id] = copy.deepcopy(award)
        return True

    async def store_credential(self, award_id: int, credential: dict[str, Any]) -> None:
        self._data.awards[award_id].credential = credential

    async def by_public_id(self, public_id: str) -> Award | None:
        return next((copy.deepcopy(a) for a in self._data.awards.values() if a.public_id == public_id), None)

    async def revoke(self, award_id: int, *, at: datetime, reason: str) -> None:
        self._data.awards[award_id].revoked_at, self._data.awards[award_id].revocation_reason = at, reason

    async def revoked_indices(self) -> list[int]:
        return [i for i, a in self._data.awards.items() if a.revoked_at is not None]

    async def holders(self, definition_id: str, *, now: datetime) -> int:
        return len(
            {
                a.learner_id
                for a in self._data.awards.values()
                if a.definition_id == definition_id and a.revoked_at is None and (a.valid_until is None or a.valid_until > now)
            }
        )

    async def of_kind(self, kind: str) -> list[Award]:
        found = [a for a in self._data.awards.values() if a.kind == kind]
        return [copy.deepcopy(a) for a in sorted(found, key=lambda a: (a.awarded_at, a.id))]

    async def after(self, award_id: int, limit: int) -> list[Award]:
        return [copy.deepcopy(self._data.awards[i]) for i in sorted(i for i in self._data.awards if i > award_id)[:limit]]

    async def stale_subjects(self, limit: int) -> list[tuple[Award, Learner]]:
        return [
            (copy.deepcopy(self._data.awards[i]), _handed(self._data, self._seen, self._data.awards[i].learner_id))
            for i in sorted(self._data.stale)[:limit]
        ]

    async def renew_subject(self, award_id: int, credential: dict[str, Any] | None) -> None:
        self._data.stale.discard(award_id)
        if credential is not None:
            self._data.awards[award_id].credential = credential


class _Holds:
    def __init__(self, data: _Data) -> None:
        self._data = data

    async def of(self, learner_id: int) -> list[Hold]:
        return (await self.of_many([learner_id])).get(learner_id, [])

    async def of_many(self, learner_ids: Collection[int]) -> dict[int, list[Hold]]:
        found: dict[int, list[Hold]] = {}
        for owner, hold in sorted(self._data.holds, key=lambda h: h[1].start):
            if owner in learner_ids:
                found.setdefault(owner, []).append(hold)
        return found

    async def add(self, learner_id: int, start: date, end: date) -> None:
        self._data.holds.append((learner_id, Hold(start, end)))

    async def end(self, learner_id: int, today: date) -> None:
        self._data.holds = [
            (owner, Hold(hold.start, min(hold.end, today)) if owner == learner_id else hold)
            for owner, hold in self._data.holds
            if not (owner == learner_id and hold.start > today)
        ]

    async def delete_all(self, learner_id: int) -> None:
        self._data.holds = [(owner, hold) for owner, hold in self._data.holds if owner != learner_id]


class _Nudges:
    def __init__(self, data: _Data, seen: dict[int, Learner]) -> None:
        self._data, self._seen = data, seen

    async def to_plan(self, platforms: Collection[str], limit: int) -> list[Learner]:
        waiting = {
            n.learner_id
            for n in self._data.nudges.values()
            if n.kind == NudgeKind.DAILY and n.status in (NudgeStatus.PENDING, NudgeStatus.CLAIMED)
        }
        found = [
            person
            for person in sorted(self._data.learners.values(), key=lambda person: person.id)
            if person.platform in platforms and person.nudges == Nudges.ON and not person.left and person.id not in waiting
        ]
        return [_handed(self._data, self._seen, person.id) for person in found[:limit]]

    async def to_check(self, platforms: Collection[str], limit: int, *, now: datetime) -> list[Learner]:
        waiting = {
            n.learner_id
            for n in self._data.nudges.values()
            if n.kind == NudgeKind.CHECK and n.status in (NudgeStatus.PENDING, NudgeStatus.CLAIMED)
        }
        assigned = {a.learner_id for a in self._data.assignments.values() if a.withdrawn_at is None}
        expiring = {
            a.learner_id for a in self._data.awards.values() if a.revoked_at is None and a.valid_until is not None and a.valid_until > now
        }
        managing = {owner for owner, _ in self._data.managed}
        found = [
            person
            for person in sorted(self._data.learners.values(), key=lambda person: person.id)
            if person.platform in platforms and not person.left and person.id not in waiting and person.id in assigned | expiring | managing
        ]
        return [_handed(self._data, self._seen, person.id) for person in found[:limit]]

    async def waiting(self, learner_id: int, kinds: Collection[NudgeKind]) -> list[Nudge]:
        found = [
            n
            for n in self._data.nudges.values()
            if n.learner_id == learner_id and n.kind in kinds and n.status in (NudgeStatus.PENDING, NudgeStatus.CLAIMED)
        ]
        return sorted(found, key=lambda n: (n.due_at, n.id))

    async def schedule(self, learner_id: int, kind: NudgeKind, due_at: datetime) -> bool:
        return await self.schedule_many([(learner_id, kind, due_at)]) == 1

    async def schedule_many(self, nudges: Collection[tuple[int, NudgeKind, datetime]]) -> int:
        new = 0
        for learner_id, kind, due_at in nudges:
            if any((n.learner_id, n.kind, n.due_at) == (learner_id, kind, due_at) for n in self._data.nudges.values()):
                continue
            nudge_id = self._data.next_id()
            self._data.nudges[nudge_id] = Nudge(nudge_id, learner_id, kind, due_at, NudgeStatus.PENDING, 0)
            new += 1
        return new

    async def claim(
        self, *, now: datetime, worker: str, lease: timedelta, limit: int, platforms: Collection[str] | None = None
    ) -> list[tuple[Nudge, Learner]]:
        due = sorted(
            (
                n
                for n in self._data.nudges.values()
                if n.due_at <= now
                and (platforms is None or self._data.learners[n.learner_id].platform in platforms)
                and (
                    n.status == NudgeStatus.PENDING
                    or (n.status == NudgeStatus.CLAIMED and n.lease_until is not None and n.lease_until < now)
                )
            ),
            key=lambda n: (n.due_at, n.id),
        )[:limit]
        claimed = []
        for nudge in due:
            taken = replace(nudge, status=NudgeStatus.CLAIMED, claimed_by=worker, lease_until=now + lease, attempts=nudge.attempts + 1)
            self._data.nudges[nudge.id] = taken
            claimed.append((taken, _handed(self._data, self._seen, nudge.learner_id)))
        return claimed

    async def renew_claims(self, ids: Collection[int], *, worker: str, now: datetime, lease: timedelta) -> set[int]:
        ours = set()
        for nudge_id in ids:
            nudge = self._data.nudges[nudge_id]
            if nudge.status == NudgeStatus.CLAIMED and nudge.claimed_by == worker and nudge.lease_until and nudge.lease_until > now:
                self._data.nudges[nudge_id] = replace(nudge, lease_until=now + lease)
                ours.add(nudge_id)
        return ours

    async def finish(
        self,
        nudge_id: int,
        *,
        worker: str,
        status: NudgeStatus,
        at: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool:
        nudge = self._data.nudges[nudge_id]
        if nudge.status != NudgeStatus.CLAIMED or nudge.claimed_by != worker:
            return False
        if retry_at is not None:
            self._data.nudges[nudge_id] = replace(
                nudge, status=NudgeStatus.PENDING, due_at=retry_at, done_at=None, error=error, lease_until=None
            )
        else:
            self._data.nudges[nudge_id] = replace(nudge, status=status, done_at=at, error=error, lease_until=None)
        return True

    async def cancel(self, learner_id: int, kinds: Collection[NudgeKind], at: datetime) -> None:
        for nudge_id, nudge in list(self._data.nudges.items()):
            if nudge.learner_id == learner_id and nudge.kind in kinds and nudge.status == NudgeStatus.PENDING:
                self._data.nudges[nudge_id] = replace(nudge, status=NudgeStatus.SKIPPED, done_at=at)

    async def all(self, learner_id: int | None = None) -> list[Nudge]:
        found = [n for n in self._data.nudges.values() if learner_id is None or n.learner_id == learner_id]
        return sorted(found, key=lambda n: (n.due_at, n.id))

    async def delivery_status(self, now: datetime) -> DeliveryStatus:
        nudges = [n for n in self._data.nudges.values() if n.kind != NudgeKind.CHECK]  # a check sends nothing
        waiting = [
            n
            for n in nudges
            if n.status == NudgeStatus.PENDING or (n.status == NudgeStatus.CLAIMED and n.lease_until is not None and n.lease_until < now)
        ]
        learners: dict[str, int] = {}
        states: dict[str, int] = {}
        for learner in self._data.learners.values():
            learners[learner.platform] = learners.get(learner.platform, 0) + 1
            states[learner.nudges] = states.get(learner.nudges, 0) + 1
        errors = [
            n for n in sorted(nudges, key=lambda n: n.id, reverse=True) if n.status in (NudgeStatus.PENDING, NudgeStatus.FAILED) and n.error
        ]
        upcoming = [n.due_at for n in nudges if n.status == NudgeStatus.PENDING and n.due_at > now]
        return DeliveryStatus(
            learners=learners,
            nudge_states=states,
            due=sum(1 for n in waiting if n.due_at <= now),
            overdue=sum(1 for n in waiting if n.due_at < now - OVERDUE),
            in_flight=sum(1 for n in nudges if n.status == NudgeStatus.CLAIMED and n.lease_until and n.lease_until >= now),
            sent_last_hour=sum(1 for n in nudges if n.status == NudgeStatus.SENT and n.done_at and n.done_at >= now - timedelta(hours=1)),
            retrying=sum(1 for n in nudges if n.status == NudgeStatus.PENDING and n.error),
            failed_last_day=sum(1 for n in nudges if n.status == NudgeStatus.FAILED and n.done_at and n.done_at >= now - timedelta(days=1)),
            last_error=errors[0].error if errors else None,
            next_due=min(upcoming, default=None),
        )


class _Slack:
    def __init__(self, data: _Data) -> None:
        self._data = data

    def _learner_id(self, user_id: str) -> int | None:
        return next(
            (
                person.id
                for person in self._data.learners.values()
                if person.platform == Platform.SLACK and person.platform_user_id == user_id
            ),
            None,
        )

    async def learner(self, user_id: str) -> SlackLearner | None:
        learner_id = self._learner_id(user_id)
        if learner_id is None:
            return None
        learner = self._data.learners[learner_id]
        profile_at, digest = self._data.slack.get(learner_id, (None, None))
        return SlackLearner(learner_id, learner.display_name, learner.timezone, profile_at, digest)

    async def keep_profile(self, user_id: str, *, at: datetime, name: str | None = None) -> bool:
        learner_id = self._learner_id(user_id)
        if learner_id is None:
            return False
        if name:
            self._data.learners[learner_id].display_name = name
        self._data.slack[learner_id] = (at, self._data.slack.get(learner_id, (None, None))[1])
        return True

    async def keep_home(self, user_id: str, digest: str) -> bool:
        learner_id = self._learner_id(user_id)
        if learner_id is not None:
            self._data.slack[learner_id] = (self._data.slack.get(learner_id, (None, None))[0], digest)
        return learner_id is not None


class _WalletClaims:
    def __init__(self, data: _Data) -> None:
        self._data = data

    async def add(self, token_hash: str, award_id: int, expires_at: datetime, *, now: datetime) -> None:
        self._data.claims[token_hash] = _Claim(award_id, expires_at)

    async def find(self, token_hash: str) -> WalletClaim | None:
        claim = self._data.claims.get(token_hash)
        award = self._data.awards.get(claim.award_id) if claim else None
        if claim is None or award is None or self._data.learners[award.learner_id].left:
            return None
        return WalletClaim(award=copy.deepcopy(award), expires_at=claim.expires_at, used_at=claim.used_at, holder=claim.holder)

    async def use(self, token_hash: str, *, holder: str, now: datetime) -> bool:
        claim = self._data.claims.get(token_hash)
        if claim is None or claim.used_at is not None or claim.expires_at <= now:
            return False
        claim.used_at, claim.holder = now, holder
        return True

    async def purge_expired(self, now: datetime) -> int:
        expired = [h for h, c in self._data.claims.items() if c.expires_at <= now]
        for token_hash in expired:
            del self._data.claims[token_hash]
        return len(expired)


class _Assignments:
    def __init__(self, data: _Data) -> None:
        self._data = data

    async def add(self, assignment: Assignment) -> Assignment:
        stored = replace(assignment, id=self._data.next_id())
        self._data.assignments[stored.id] = stored
        return stored

    async def withdraw(self, assignment_id: int, *, at: datetime) -> bool:
        found = self._data.assignments.get(assignment_id)
        if found is None or found.withdrawn_at is not None:
            return False
        self._data.assignments[assignment_id] = replace(found, withdrawn_at=at)
        return True

    async def of(self, learner_id: int) -> list[Assignment]:
        return (await self.of_many([learner_id])).get(learner_id, [])

    async def of_many(self, learner_ids: Collection[int]) -> dict[int, list[Assignment]]:
        found: dict[int, list[Assignment]] = {}
        for assignment in sorted(self._data.assignments.values(), key=lambda a: a.id):
            if assignment.learner_id in learner_ids:
                found.setdefault(assignment.learner_id, []).append(assignment)
        return found


class _JobRoles:
    def __init__(self, data: _Data) -> None:
        self._data = data

    async def of(self, learner_id: int) -> list[JobRoleHeld]:
        return (await self.of_many([learner_id])).get(learner_id, [])

    async def of_many(self, learner_ids: Collection[int]) -> dict[int, list[JobRoleHeld]]:
        found: dict[int, list[JobRoleHeld]] = {}
        for held in sorted(self._data.job_roles, key=lambda h: h.since):
            if held.learner_id in learner_ids:
                found.setdefault(held.learner_id, []).append(held)
        return found

    async def give(self, learner_id: int, role_id: str, *, at: datetime) -> bool:
        if any(h.learner_id == learner_id and h.role_id == role_id and h.until is None for h in self._data.job_roles):
            return False
        self._data.job_roles.append(JobRoleHeld(learner_id, role_id, at))
        return True

    async def end(self, learner_id: int, role_id: str, *, at: datetime) -> bool:
        for index, held in enumerate(self._data.job_roles):
            if held.learner_id == learner_id and held.role_id == role_id and held.until is None:
                self._data.job_roles[index] = replace(held, until=at)
                return True
        return False

    async def holders(self, role_id: str, *, at: datetime) -> list[int]:
        return sorted(
            {
                h.learner_id
                for h in self._data.job_roles
                if h.role_id == role_id
                and h.since <= at
                and (h.until is None or h.until > at)
                and not self._data.learners[h.learner_id].left
            }
        )


class _Holdouts:
    def __init__(self, data: _Data) -> None:
        self._data = data

    async def add(self, *, share: float, seed: str, starts_at: datetime, ends_at: datetime, created_at: datetime) -> Holdout:
        holdout = Holdout(self._data.next_id(), share, seed, starts_at, ends_at, created_at)
        self._data.holdouts.append(holdout)
        return holdout

    async def all(self) -> list[Holdout]:
        return sorted(self._data.holdouts, key=lambda h: (h.starts_at, h.id))

    async def end(self, holdout_id: int, at: datetime) -> bool:
        for i, holdout in enumerate(self._data.holdouts):
            if holdout.id == holdout_id and holdout.ends_at > at:
                self._data.holdouts[i] = replace(holdout, ends_at=max(at, holdout.starts_at))
                return True
        return False

    async def people(self) -> list[Learner]:
        return [copy.deepcopy(p) for _, p in sorted(self._data.learners.items()) if not p.left]


class _Analytics:
    def __init__(self, data: _Data) -> None:
        self._data = data

    async def columns(self, checks: Sequence[str]) -> ReviewColumns:
        return of_record(self.record())

    async def steps_shown(self, wanted: Collection[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        found, asked = wordings_shown(self.record().sessions)[1], set(wanted)
        return {pair: step for pair, step in found.items() if pair in asked}

    def record(self) -> AnalyticsRecord:
        """Every answer, session and card view as plain records."""
        events = sorted(self._data.trail, key=lambda e: (e.occurred_at, e.id))
        answers = [
            AnswerRecord(
                learner_id=e.learner_id,
                at=e.occurred_at,
                check_key=e.check_key,
                correct=bool(e.correct),
                choices=tuple(int(c) for c in e.payload.get("choices", ())),
                session_id=e.payload["session"] if isinstance(e.payload.get("session"), int) else None,
                session_kind=str(e.payload.get("kind", "")),
                wording=str(e.payload["wording"]) if e.payload.get("wording") else None,
                id=e.id,
            )
            for e in events
            if e.kind == EventKind.ANSWERED and e.check_key is not None
        ]
        sessions = [
            SessionRecord(
                id=s.id,
                learner_id=s.learner_id,
                kind=s.kind,
                status=s.status,
                position=s.position,
                started_at=s.started_at,
                updated_at=s.updated_at,
                steps=tuple(copy.deepcopy(s.steps)),
                lesson_id=s.lesson_id,
                lesson_version=s.lesson_version,
                completed_at=s.completed_at,
            )
            for s in sorted(self._data.sessions.values(), key=lambda s: s.id)
        ]
        views = [
            (int(e.payload["session"]), e.occurred_at)
            for e in events
            if e.kind == EventKind.CARD_VIEWED and isinstance(e.payload.get("session"), int)
        ]
        return AnalyticsRecord(answers, sessions, views)

    async def moments(self, kinds: Collection[EventKind], since: datetime, before: datetime) -> list[TrailMoment]:
        return [moment(e) for e in self._data.trail if e.kind in kinds and since <= e.occurred_at < before]


class _Compliance:
    def __init__(self, data: _Data) -> None:
        self._data = data

    def _held(self, learner_id: int, role_id: str, at: datetime) -> bool:
        return any(
            h.learner_id == learner_id and h.role_id == role_id and h.since <= at and (h.until is None or h.until > at)
            for h in self._data.job_roles
        )

    def _in_scope(self, scope: MatrixScope, at: datetime) -> list[Learner]:
        found = [
            learner
            for learner in self._data.learners.values()
            if not learner.left
            and learner.created_at <= at
            and (scope.team_ids is None or learner.team_id in scope.team_ids)
            and (scope.role_id is None or self._held(learner.id, scope.role_id, at))
        ]
        return sorted(found, key=lambda learner: (learner.display_name, learner.id))

    async def count(self, scope: MatrixScope, at: datetime) -> int:
        return len(self._in_scope(scope, at))

    async def people(self, scope: MatrixScope, at: datetime, *, offset: int = 0, limit: int | None = None) -> list[MatrixPerson]:
        found = self._in_scope(scope, at)[offset:]
        return [
            MatrixPerson(
                learner.id,
                learner.display_name or f"learner {learner.id}",
                self._data.teams.get(learner.team_id) if learner.team_id is not None else None,
                learner.timezone,
            )
            for learner in (found if limit is None else found[:limit])
        ]

    async def required(self, scope: MatrixScope, at: datetime, credentials: Collection[str]) -> tuple[set[str], set[str]]:
        ids = {learner.id for learner in self._in_scope(scope, at)}
        roles = {h.role_id for h in self._data.job_roles if h.learner_id in ids and h.since <= at and (h.until is None or h.until > at)}
        assigned = {
            a.target_id
            for a in self._data.assignments.values()
            if a.learner_id in ids
            and a.target_kind is Target.CREDENTIAL
            and a.target_id in credentials
            and a.assigned_at <= at
            and (a.withdrawn_at is None or a.withdrawn_at > at)
        }
        return roles, assigned

    async def matrix(self, scope: MatrixScope, at: datetime, learner_ids: Collection[int] | None = None) -> MatrixRecord:
        people = [p for p in await self.people(scope, at) if learner_ids is None or p.id in learner_ids]
        ids = {p.id for p in people}
        roles: dict[int, list[JobRoleHeld]] = {}
        for h in sorted(self._data.job_roles, key=lambda h: h.since):
            if h.learner_id in ids and h.since <= at:
                roles.setdefault(h.learner_id, []).append(h)
        assignments: dict[int, list[Assignment]] = {}
        for assignment in sorted(self._data.assignments.values(), key=lambda a: a.id):
            if assignment.learner_id in ids and assignment.target_kind is Target.CREDENTIAL and assignment.assigned_at <= at:
                assignments.setdefault(assignment.learner_id, []).append(assignment)
        awards: dict[int, list[Award]] = {}
        for award in sorted(self._data.awards.values(), key=lambda a: a.id):
            if award.learner_id in ids and award.awarded_at <= at:
                awards.setdefault(award.learner_id, []).append(replace(award, evidence={}, credential=None, revocation_reason=None))
        started: dict[int, set[str]] = {}
        completed: dict[int, set[str]] = {}
        for s in self._data.sessions.values():
            if s.learner_id in ids and s.kind == SessionKind.LESSON and s.lesson_id and s.started_at <= at:
                started.setdefault(s.learner_id, set()).add(s.lesson_id)
                if s.status == SessionStatus.COMPLETED and s.completed_at is not None and s.completed_at <= at:
                    completed.setdefault(s.learner_id, set()).add(s.lesson_id)
        return MatrixRecord(people, roles, assignments, awards, started, completed)
