"""Reading and writing progress. One `Progress` is one transaction: the core opens one per
inbound event, so an event's effects land together or not at all."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from collections.abc import Collection
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.events import LearnerRef
from bot.store.models import (
    AccessTokenRow,
    AwardRow,
    EventRow,
    HoldRow,
    ItemStateRow,
    LearnerRow,
    ManagedTeamRow,
    NudgeRow,
    SessionRow,
    SkillStateRow,
    SlackLearnerRow,
    TeamRow,
)
from bot.store.unavailable import StoreUnavailable, is_unavailable
from bot.streaks import Hold, Run, local_date, run_after, run_of, working_days
from bot.vocabulary import (
    BOTS_OWN,
    LEARNING,
    AccessKind,
    EventKind,
    NudgeKind,
    Nudges,
    NudgeStatus,
    Platform,
    SessionKind,
    SessionStatus,
)

# Events the bot records about itself: not the learner's activity.
NUDGE_EVENTS = BOTS_OWN
# Events that make a day a learning day for the streak.
LEARNING_KINDS = LEARNING


@dataclass(frozen=True)
class TeamFigures:
    learners: int
    active: int  # learned since the given instant
    on_a_streak: int
    longest_streak: int  # of those on a streak now
    lessons_done: int
    credentials: int  # held, not revoked


@dataclass(frozen=True)
class SlackLearner:
    """A Slack user the bot has met: what the Slack adapter needs before it hands an event on."""

    learner_id: int
    display_name: str
    timezone: str
    profile_at: datetime | None  # when their profile was last read from Slack (None: never by the adapter)
    home_digest: str | None  # the App Home last published to them


@dataclass(frozen=True)
class DeliveryStatus:
    learners: dict[str, int]  # by platform
    nudge_states: dict[str, int]  # learners by on / dormant / stopped
    due: int  # waiting and due now
    overdue: int  # due more than OVERDUE ago and still not delivered
    in_flight: int  # claimed by a worker now
    sent_last_hour: int
    retrying: int  # failed to send, to be tried again
    failed_last_day: int  # given up after MAX_ATTEMPTS
    last_error: str | None
    next_due: datetime | None


OVERDUE = timedelta(minutes=5)


def _keep(learner: LearnerRow, run: Run) -> None:
    learner.streak_days, learner.streak_last_day, learner.streak_ends_at = run.days, run.last_day, run.ends_at


class DuplicateEvent(Exception):
    """The platform delivered an event that was already recorded."""

    def __init__(self, source_id: str) -> None:
        super().__init__(f"event {source_id!r} was already recorded")
        self.source_id = source_id


class ProgressStore:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Progress]:
        """One transaction. Raises DuplicateEvent for a platform message recorded before, and
        StoreUnavailable when the database cannot be reached (nothing was written)."""
        try:
            async with self._sessionmaker() as session:
                try:
                    async with session.begin():
                        yield Progress(session)
                except IntegrityError as error:
                    # Two processes raced on the same platform message; the loser changes nothing.
                    if _is_duplicate_event(error):
                        raise DuplicateEvent(str(error.params)) from error
                    raise
        except (DuplicateEvent, StoreUnavailable):
            raise
        except Exception as error:
            if is_unavailable(error):
                raise StoreUnavailable(f"the database cannot be reached: {type(error).__name__}") from error
            raise


def _is_duplicate_event(error: IntegrityError) -> bool:
    message = str(error.orig)
    # PostgreSQL names the constraint; SQLite names its columns.
    return "uq_event_source" in message or "events.learner_id, events.source_id" in message


class Progress:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # Active sessions read with the learner's row: one query fewer on every event.
        self._active: dict[int, SessionRow | None] = {}

    async def ping(self) -> None:
        """A round trip to the database (for the health endpoint)."""
        await self._session.execute(select(1))

    # --- learners ---------------------------------------------------------------------------
    async def learner(self, ref: LearnerRef, *, now: datetime) -> tuple[LearnerRow, bool]:
        """The learner, locked for this transaction, created on first contact.

        Returns (learner, created). The row lock serialises a learner's events across
        processes, so two deliveries of one event cannot both be counted."""
        row = await self._locked_learner(ref)
        if row is not None:
            return row, False
        dialect = self._session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        result = await self._session.execute(
            insert(LearnerRow)
            .values(
                platform=ref.platform,
                platform_user_id=ref.user_id,
                display_name=ref.display_name,
                timezone=ref.timezone or "UTC",
                timezone_confirmed=ref.timezone is not None,
                daily_time="09:00",
                working_days="12345",
                created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(LearnerRow.id)
        )
        created = result.scalar_one_or_none() is not None
        row = await self._locked_learner(ref)
        if row is None:  # pragma: no cover - the insert above guarantees it
            raise RuntimeError(f"learner {ref} vanished")
        return row, created

    async def _locked_learner(self, ref: LearnerRef) -> LearnerRow | None:
        result = await self._session.execute(
            select(LearnerRow, SessionRow)
            .outerjoin(
                SessionRow,
                and_(SessionRow.learner_id == LearnerRow.id, SessionRow.status == SessionStatus.ACTIVE),
            )
            .where(LearnerRow.platform == ref.platform, LearnerRow.platform_user_id == ref.user_id)
            .with_for_update(of=LearnerRow)
        )
        row = result.first()
        if row is None:
            return None
        learner, session = row
        self._active[learner.id] = session
        return learner

    async def find_learner(self, platform: str, user_id: str) -> LearnerRow | None:
        return await self._session.scalar(
            select(LearnerRow).where(
                LearnerRow.platform == platform, LearnerRow.platform_user_id == user_id
            )
        )

    async def person(self, platform: str, user_id: str, name: str, *, now: datetime) -> tuple[LearnerRow, bool]:
        """A person from an import: found, or created the way first contact would create them."""
        learner, created = await self.learner(LearnerRef(platform, user_id, name), now=now)
        if name:
            learner.display_name = name
        return learner, created

    # --- teams ------------------------------------------------------------------------------------
    async def teams_by_name(self, names: Collection[str]) -> dict[str, int]:
        """Team ids by name; teams not there yet are created."""
        existing = dict((await self._session.execute(select(TeamRow.name, TeamRow.id).where(TeamRow.name.in_(list(names))))).all())
        for name in names:
            if name not in existing:
                team = TeamRow(name=name)
                self._session.add(team)
                await self._session.flush()
                existing[name] = team.id
        return {str(k): int(v) for k, v in existing.items()}

    async def set_managed_teams(self, learner_id: int, team_ids: Collection[int]) -> None:
        await self._session.execute(delete(ManagedTeamRow).where(ManagedTeamRow.learner_id == learner_id))
        for team_id in sorted(set(team_ids)):
            self._session.add(ManagedTeamRow(learner_id=learner_id, team_id=team_id))

    # --- dashboard access ----------------------------------------------------------------------
    def add_access_token(self, token_hash: str, learner_id: int, kind: AccessKind, expires_at: datetime) -> None:
        self._session.add(AccessTokenRow(token_hash=token_hash, learner_id=learner_id, kind=kind, expires_at=expires_at))

    async def use_signin_token(self, token_hash: str, now: datetime) -> int | None:
        """The learner a sign-in link is for, once: used or expired links give None. The
        update is conditional, so two browsers racing with one link cannot both get in."""
        result = await self._session.execute(
            update(AccessTokenRow)
            .where(AccessTokenRow.token_hash == token_hash, AccessTokenRow.kind == AccessKind.SIGNIN,
                   AccessTokenRow.used_at.is_(None), AccessTokenRow.expires_at > now)
            .values(used_at=now)
            .returning(AccessTokenRow.learner_id)
        )
        return result.scalar_one_or_none()

    async def signin_learner(self, token_hash: str, now: datetime) -> LearnerRow | None:
        """Whom an unused, unexpired sign-in link is for, without spending it (the page that
        asks to press Sign in)."""
        return await self._session.scalar(
            select(LearnerRow).join(AccessTokenRow, AccessTokenRow.learner_id == LearnerRow.id)
            .where(AccessTokenRow.token_hash == token_hash, AccessTokenRow.kind == AccessKind.SIGNIN,
                   AccessTokenRow.used_at.is_(None), AccessTokenRow.expires_at > now,
                   ~LearnerRow.platform_user_id.startswith("erased:"))
        )

    async def session_learner(self, token_hash: str, now: datetime) -> LearnerRow | None:
        return await self._session.scalar(
            select(LearnerRow).join(AccessTokenRow, AccessTokenRow.learner_id == LearnerRow.id)
            .where(AccessTokenRow.token_hash == token_hash, AccessTokenRow.kind == AccessKind.SESSION, AccessTokenRow.expires_at > now,
                   ~LearnerRow.platform_user_id.startswith("erased:"))
        )

    async def end_session(self, token_hash: str) -> None:
        await self._session.execute(
            delete(AccessTokenRow).where(AccessTokenRow.token_hash == token_hash, AccessTokenRow.kind == AccessKind.SESSION))

    async def end_access(self, learner_id: int) -> int:
        """Every session and every sign-in link of a person, ended at once (leaving, losing the
        role). How many there were."""
        result = await self._session.execute(delete(AccessTokenRow).where(AccessTokenRow.learner_id == learner_id))
        return int(result.rowcount or 0)

    async def purge_expired_tokens(self, now: datetime) -> int:
        result = await self._session.execute(delete(AccessTokenRow).where(AccessTokenRow.expires_at <= now))
        return int(result.rowcount or 0)

    async def teams(self, team_ids: Collection[int] | None = None) -> list[TeamRow]:
        query = select(TeamRow).order_by(TeamRow.name)
        if team_ids is not None:
            query = query.where(TeamRow.id.in_(list(team_ids)))
        return list(await self._session.scalars(query))

    async def managed_team_ids(self, learner_id: int) -> set[int]:
        rows = await self._session.scalars(select(ManagedTeamRow.team_id).where(ManagedTeamRow.learner_id == learner_id))
        return set(rows)

    async def team_members(self, team_id: int) -> list[LearnerRow]:
        rows = await self._session.scalars(
            select(LearnerRow).where(LearnerRow.team_id == team_id, ~LearnerRow.platform_user_id.startswith("erased:"))
            .order_by(LearnerRow.display_name, LearnerRow.id)
        )
        return list(rows)

    async def activity_counts(self, learner_ids: Collection[int]) -> dict[int, tuple[int, int]]:
        """Per learner: lessons completed, credentials held (not revoked)."""
        ids = list(learner_ids)
        lessons = dict((await self._session.execute(
            select(EventRow.learner_id, func.count(func.distinct(EventRow.lesson_id)))
            .where(EventRow.learner_id.in_(ids), EventRow.kind == EventKind.LESSON_COMPLETED).group_by(EventRow.learner_id)
        )).all())
        awards = dict((await self._session.execute(
            select(AwardRow.learner_id, func.count()).where(AwardRow.learner_id.in_(ids), AwardRow.revoked_at.is_(None))
            .group_by(AwardRow.learner_id)
        )).all())
        return {i: (int(lessons.get(i, 0)), int(awards.get(i, 0))) for i in ids}

    async def inactive_since(self, learner_ids: Collection[int], since: datetime) -> set[int]:
        """Those of `learner_ids` with no learning event since `since`."""
        active = set(await self._session.scalars(
            select(EventRow.learner_id).where(EventRow.learner_id.in_(list(learner_ids)), EventRow.occurred_at >= since,
                                              EventRow.kind.in_(LEARNING_KINDS)).distinct()
        ))
        return set(learner_ids) - active

    async def learners_who_started(self, learner_ids: Collection[int]) -> set[int]:
        return set(await self._session.scalars(
            select(EventRow.learner_id).where(EventRow.learner_id.in_(list(learner_ids)), EventRow.kind == EventKind.LESSON_STARTED).distinct()
        ))

    async def team_figures(self, team_ids: Collection[int], now: datetime, active_since: datetime) -> dict[int, TeamFigures]:
        """Per team, in three grouped queries however many teams."""
        ids = list(team_ids)
        # Each joins from the teams' learners, so a manager's two teams read only their rows.
        member = and_(LearnerRow.team_id.in_(ids), ~LearnerRow.platform_user_id.startswith("erased:"))
        streaking = LearnerRow.streak_ends_at > now  # as bot.streaks.streak_now reads one learner
        people = {row[0]: row[1:] for row in await self._session.execute(
            select(LearnerRow.team_id, func.count(),
                   func.sum(case((LearnerRow.last_learned_at >= active_since, 1), else_=0)),
                   func.sum(case((streaking, 1), else_=0)),
                   func.max(case((streaking, LearnerRow.streak_days), else_=0)))
            .where(member).group_by(LearnerRow.team_id)
        )}
        # A learner completes each lesson once (the next lesson is always one not yet done, and
        # there is one open session at a time), so completed sessions are counted as they are.
        lessons = dict((await self._session.execute(
            select(LearnerRow.team_id, func.count())
            .join(SessionRow, and_(SessionRow.learner_id == LearnerRow.id, SessionRow.kind == SessionKind.LESSON,
                                   SessionRow.status == SessionStatus.COMPLETED))
            .where(member).group_by(LearnerRow.team_id)
        )).all())
        awards = dict((await self._session.execute(
            select(LearnerRow.team_id, func.count()).join(AwardRow, AwardRow.learner_id == LearnerRow.id)
            .where(member, AwardRow.revoked_at.is_(None)).group_by(LearnerRow.team_id)
        )).all())
        figures = {}
        for t in ids:
            count, active, on_a_streak, longest = people.get(t, (0, 0, 0, 0))
            figures[t] = TeamFigures(learners=int(count), active=int(active or 0), on_a_streak=int(on_a_streak or 0),
                                     longest_streak=int(longest or 0), lessons_done=int(lessons.get(t, 0)),
                                     credentials=int(awards.get(t, 0)))
        return figures

    async def learner_by_id(self, learner_id: int) -> LearnerRow | None:
        return await self._session.get(LearnerRow, learner_id)

    async def awards_of(self, learner_ids: Collection[int]) -> list[AwardRow]:
        """The credentials (not revoked) of many learners, oldest first: a team's over time."""
        rows = await self._session.scalars(
            select(AwardRow).where(AwardRow.learner_id.in_(list(learner_ids)), AwardRow.revoked_at.is_(None))
            .order_by(AwardRow.awarded_at, AwardRow.id)
        )
        return list(rows)

    async def lesson_completions(self, learner_id: int) -> dict[str, datetime]:
        """When the learner first completed each lesson they completed."""
        rows = await self._session.execute(
            select(EventRow.lesson_id, func.min(EventRow.occurred_at))
            .where(EventRow.learner_id == learner_id, EventRow.kind == EventKind.LESSON_COMPLETED, EventRow.lesson_id.is_not(None))
            .group_by(EventRow.lesson_id)
        )
        return {str(lesson): at for lesson, at in rows}

    async def recent_events(self, learner_id: int, kinds: Collection[str], limit: int) -> list[EventRow]:
        """The learner's latest events of these kinds, newest first."""
        rows = await self._session.scalars(
            select(EventRow).where(EventRow.learner_id == learner_id, EventRow.kind.in_(list(kinds)))
            .order_by(EventRow.occurred_at.desc(), EventRow.id.desc()).limit(limit)
        )
        return list(rows)

    async def team_of(self, learner_id: int) -> str | None:
        return await self._session.scalar(
            select(TeamRow.name).join(LearnerRow, LearnerRow.team_id == TeamRow.id).where(LearnerRow.id == learner_id)
        )

    async def managed_teams(self, learner_id: int) -> list[str]:
        rows = await self._session.scalars(
            select(TeamRow.name).join(ManagedTeamRow, ManagedTeamRow.team_id == TeamRow.id)
            .where(ManagedTeamRow.learner_id == learner_id).order_by(TeamRow.name)
        )
        return list(rows)

    # --- the audit trail ----------------------------------------------------------------------
    async def record(
        self,
        learner: LearnerRow,
        kind: EventKind,
        *,
        at: datetime,
        source_id: str | None = None,
        lesson_id: str | None = None,
        lesson_version: str | None = None,
        check_key: str | None = None,
        correct: bool | None = None,
        payload: dict[str, Any] | None = None,
    ) -> EventRow:
        """Add an event to the trail, and to the learner's run of learning days if it is
        learning. It is written with the transaction (or at the next query); a duplicate
        platform message id then fails the whole transaction."""
        row = EventRow(
            learner_id=learner.id,
            source_id=source_id,
            kind=kind,
            occurred_at=at,
            local_date=local_date(at, learner.timezone),
            lesson_id=lesson_id,
            lesson_version=lesson_version,
            check_key=check_key,
            correct=correct,
            payload=payload or {},
        )
        self._session.add(row)
        if kind in LEARNING_KINDS:
            learner.last_learned_at = max(at, learner.last_learned_at) if learner.last_learned_at else at
            await self._extend_run(learner, row.local_date)
        return row

    async def _extend_run(self, learner: LearnerRow, day: date) -> None:
        if learner.streak_last_day == day:
            return  # the day is already counted: no query
        kept = Run(learner.streak_days or 0, learner.streak_last_day, learner.streak_ends_at)
        run = run_after(kept, day, timezone=learner.timezone, working_days=working_days(learner),
                        holds=await self.holds(learner.id))
        if run is None:
            await self.recount_run(learner)
        else:
            _keep(learner, run)

    async def recount_run(self, learner: LearnerRow) -> None:
        """Count the learner's run of learning days again from their whole history: after a
        change to what was required (working days, holds) or to their timezone."""
        _keep(learner, run_of(await self.learning_days(learner.id), timezone=learner.timezone,
                              working_days=working_days(learner), holds=await self.holds(learner.id)))

    async def events(self, learner_id: int) -> list[EventRow]:
        rows = await self._session.scalars(
            select(EventRow).where(EventRow.learner_id == learner_id).order_by(EventRow.id)
        )
        return list(rows)

    async def events_after(self, last_id: int, limit: int) -> list[EventRow]:
        """Everyone's events after `last_id`, oldest first: for exports in batches."""
        rows = await self._session.scalars(select(EventRow).where(EventRow.id > last_id).order_by(EventRow.id).limit(limit))
        return list(rows)

    async def report_events(self, before: datetime) -> list[tuple[int, str, datetime, str | None, dict[str, Any]]]:
        """(learner, kind, time, lesson, payload) of learning events and awards before `before`."""
        rows = await self._session.execute(
            select(EventRow.learner_id, EventRow.kind, EventRow.occurred_at, EventRow.lesson_id, EventRow.payload)
            .where(EventRow.occurred_at < before, EventRow.kind.in_((*LEARNING_KINDS, EventKind.AWARDED)))
            .order_by(EventRow.occurred_at, EventRow.id)
        )
        return [(int(r[0]), str(r[1]), r[2], r[3], r[4] or {}) for r in rows]

    async def count_events(self) -> int:
        return int(await self._session.scalar(select(func.count()).select_from(EventRow)) or 0)

    async def learning_days(self, learner_id: int) -> set[date]:
        rows = await self._session.scalars(
            select(EventRow.local_date)
            .where(EventRow.learner_id == learner_id, EventRow.kind.in_(LEARNING_KINDS))
            .distinct()
        )
        return set(rows)

    # --- sessions (a learner's place in a lesson or review) -----------------------------------
    async def active_session(self, learner_id: int) -> SessionRow | None:
        if learner_id in self._active:
            cached = self._active[learner_id]
            return cached if cached is None or cached.status == SessionStatus.ACTIVE else None
        session = await self._session.scalar(
            select(SessionRow).where(
                SessionRow.learner_id == learner_id, SessionRow.status == SessionStatus.ACTIVE
            )
        )
        self._active[learner_id] = session
        return session

    async def open_session(self, session: SessionRow) -> SessionRow:
        self._session.add(session)
        await self._session.flush()  # the id goes into the step buttons
        self._active[session.learner_id] = session
        return session

    async def completed_lessons(self, learner_id: int) -> set[str]:
        return (await self.completed_lessons_of([learner_id])).get(learner_id, set())

    async def completed_lessons_of(self, learner_ids: Collection[int]) -> dict[int, set[str]]:
        """The lessons each learner completed, in one query for a team."""
        rows = await self._session.execute(
            select(SessionRow.learner_id, SessionRow.lesson_id)
            .where(
                SessionRow.learner_id.in_(list(learner_ids)),
                SessionRow.kind == SessionKind.LESSON,
                SessionRow.status == SessionStatus.COMPLETED,
                SessionRow.lesson_id.is_not(None),
            )
            .distinct()
        )
        done: dict[int, set[str]] = {}
        for learner_id, lesson_id in rows:
            done.setdefault(int(learner_id), set()).add(str(lesson_id))
        return done

    # --- memory of items and skills ------------------------------------------------------------
    async def item_states(self, learner_id: int) -> dict[str, ItemStateRow]:
        rows = await self._session.scalars(
            select(ItemStateRow).where(ItemStateRow.learner_id == learner_id)
        )
        return {row.check_key: row for row in rows}

    async def due_items(self, learner_id: int, now: datetime, limit: int) -> list[ItemStateRow]:
        rows = await self._session.scalars(
            select(ItemStateRow)
            .where(ItemStateRow.learner_id == learner_id, ItemStateRow.due <= now)
            .order_by(ItemStateRow.due, ItemStateRow.check_key)
            .limit(limit)
        )
        return list(rows)

    def add(self, row: ItemStateRow | SkillStateRow) -> None:
        self._session.add(row)

    async def skill_states(self, learner_id: int) -> dict[str, SkillStateRow]:
        rows = await self._session.scalars(
            select(SkillStateRow).where(SkillStateRow.learner_id == learner_id)
        )
        return {row.skill_id: row for row in rows}

    # --- evidence and awards -----------------------------------------------------------------
    async def completion_days(self, learner_id: int) -> dict[str, date]:
        """Lesson id -> the learner's local date of its first completion."""
        rows = await self._session.execute(
            select(EventRow.lesson_id, func.min(EventRow.local_date))
            .where(EventRow.learner_id == learner_id, EventRow.kind == EventKind.LESSON_COMPLETED)
            .group_by(EventRow.lesson_id)
        )
        return {lesson_id: day for lesson_id, day in rows if lesson_id}

    async def correct_recheck_days(self, learner_id: int) -> list[tuple[str, date]]:
        """(check key, local date) of every correct answer given in a spaced re-check."""
        rows = await self._session.execute(
            select(EventRow.check_key, EventRow.local_date).where(
                EventRow.learner_id == learner_id,
                EventRow.kind == EventKind.ANSWERED,
                EventRow.correct.is_(True),
                EventRow.payload["kind"].as_string() == SessionKind.REVIEW,
            )
        )
        return [(key, day) for key, day in rows if key]

    async def awards(self, learner_id: int) -> list[AwardRow]:
        rows = await self._session.scalars(
            select(AwardRow).where(AwardRow.learner_id == learner_id).order_by(AwardRow.id)
        )
        return list(rows)

    async def add_award(self, award: AwardRow) -> bool:
        """Insert the award unless this learner already has it (same definition and renewal).
        Returns whether it was inserted: the database decides, so two processes evaluating
        the same learner at once cannot both award."""
        dialect = self._session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # Attributes left unset (None) take the column's default, as an ORM insert would.
        values = {c.key: getattr(award, c.key) for c in AwardRow.__table__.columns
                  if c.key != "id" and not (getattr(award, c.key) is None and c.default is not None)}
        result = await self._session.execute(
            insert(AwardRow)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["learner_id", "definition_id", "renewal"])
            .returning(AwardRow.id)
        )
        inserted = result.scalar_one_or_none()
        if inserted is None:
            return False
        award.id = inserted
        return True

    async def store_credential(self, award_id: int, credential: dict[str, Any]) -> None:
        await self._session.execute(
            update(AwardRow).where(AwardRow.id == award_id).values(credential=credential)
        )

    async def stale_subjects(self, limit: int) -> list[tuple[AwardRow, LearnerRow]]:
        """Signed credentials that still name their learner the old way (a hash of the platform
        id), with their learners, locked: see bot/awards.py `renew_stale_subjects`."""
        rows = await self._session.execute(
            select(AwardRow, LearnerRow).join(LearnerRow, LearnerRow.id == AwardRow.learner_id)
            .where(AwardRow.subject_stale.is_(True)).order_by(AwardRow.id).limit(limit)
            .with_for_update(of=AwardRow, skip_locked=True)
        )
        return [(award, learner) for award, learner in rows]

    async def award_by_public_id(self, public_id: str) -> AwardRow | None:
        return await self._session.scalar(select(AwardRow).where(AwardRow.public_id == public_id))

    async def revoked_indices(self) -> list[int]:
        """Status list indices (award ids) of every revoked credential."""
        rows = await self._session.scalars(select(AwardRow.id).where(AwardRow.revoked_at.is_not(None)))
        return list(rows)

    # --- streak holds ---------------------------------------------------------------------------
    async def holds(self, learner_id: int) -> list[Hold]:
        return (await self.holds_of([learner_id])).get(learner_id, [])

    async def holds_of(self, learner_ids: Collection[int]) -> dict[int, list[Hold]]:
        """Holds of many learners in one query (a batch of nudges), earliest first."""
        found: dict[int, list[Hold]] = {}
        if not learner_ids:
            return found
        rows = await self._session.scalars(
            select(HoldRow).where(HoldRow.learner_id.in_(list(learner_ids))).order_by(HoldRow.start_date)
        )
        for row in rows:
            found.setdefault(row.learner_id, []).append(Hold(row.start_date, row.end_date))
        return found

    async def add_hold(self, learner: LearnerRow, start: date, end: date) -> None:
        self._session.add(HoldRow(learner_id=learner.id, start_date=start, end_date=end))
        await self.recount_run(learner)  # a hold may reach back over days already missed, or move the run's end

    async def delete_holds(self, learner_id: int) -> None:
        await self._session.execute(delete(HoldRow).where(HoldRow.learner_id == learner_id))

    async def end_holds(self, learner: LearnerRow, today: date) -> None:
        """End holds today: days already held stay held, future ones are dropped."""
        await self._session.execute(
            delete(HoldRow).where(HoldRow.learner_id == learner.id, HoldRow.start_date > today)
        )
        await self._session.execute(
            update(HoldRow)
            .where(HoldRow.learner_id == learner.id, HoldRow.end_date > today)
            .values(end_date=today)
        )
        await self.recount_run(learner)  # the run may now end sooner

    # --- nudges (messages the bot starts) ---------------------------------------------------------
    async def learners_to_plan(self, platforms: Collection[str], limit: int) -> list[LearnerRow]:
        """Learners on these platforms with no daily nudge waiting (pending or claimed)."""
        waiting = exists().where(
            NudgeRow.learner_id == LearnerRow.id, NudgeRow.kind == NudgeKind.DAILY,
            NudgeRow.status.in_((NudgeStatus.PENDING, NudgeStatus.CLAIMED)),
        )
        rows = await self._session.scalars(
            select(LearnerRow)
            .where(
                LearnerRow.platform.in_(list(platforms)), LearnerRow.nudges == Nudges.ON,
                ~LearnerRow.platform_user_id.startswith("erased:"), ~waiting,
            )
            .order_by(LearnerRow.id)
            .limit(limit)
        )
        return list(rows)

    async def schedule_nudge(self, learner_id: int, kind: NudgeKind, due_at: datetime) -> bool:
        """False when that nudge is already scheduled (by this or another process)."""
        return await self.schedule_nudges([(learner_id, kind, due_at)]) == 1

    async def schedule_nudges(self, nudges: Collection[tuple[int, NudgeKind, datetime]]) -> int:
        """Schedule (learner id, kind, due at) nudges in one statement; those already scheduled
        (by this or another process: the unique constraint) are left alone. Returns how many
        were new."""
        if not nudges:
            return 0
        dialect = self._session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        result = await self._session.execute(
            insert(NudgeRow)
            .values([
                {"learner_id": learner_id, "kind": kind, "due_at": due_at, "status": NudgeStatus.PENDING, "attempts": 0}
                for learner_id, kind, due_at in nudges
            ])
            .on_conflict_do_nothing()
            .returning(NudgeRow.id)
        )
        return len(result.scalars().all())

    async def claim_nudges(
        self, *, now: datetime, worker: str, lease: timedelta, limit: int, platforms: Collection[str] | None = None
    ) -> list[tuple[NudgeRow, LearnerRow]]:
        """Due nudges, claimed by `worker` until now + lease: pending ones, and claims whose
        lease expired (their worker died). Rows another transaction is claiming are skipped.
        `platforms`: only learners this process can reach."""
        on_platforms = (
            NudgeRow.learner_id.in_(select(LearnerRow.id).where(LearnerRow.platform.in_(list(platforms))))
            if platforms is not None else True
        )
        due = (
            select(NudgeRow.id)
            .where(
                on_platforms,
                NudgeRow.due_at <= now,
                or_(NudgeRow.status == NudgeStatus.PENDING,
                    and_(NudgeRow.status == NudgeStatus.CLAIMED, NudgeRow.lease_until < now)),
            )
            .order_by(NudgeRow.due_at, NudgeRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list(await self._session.scalars(due))
        if not ids:
            return []
        await self._session.execute(
            update(NudgeRow)
            .where(NudgeRow.id.in_(ids))
            .values(status=NudgeStatus.CLAIMED, claimed_by=worker, lease_until=now + lease, attempts=NudgeRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        rows = await self._session.execute(
            select(NudgeRow, LearnerRow)
            .join(LearnerRow, LearnerRow.id == NudgeRow.learner_id)
            .where(NudgeRow.id.in_(ids))
            .order_by(NudgeRow.due_at, NudgeRow.id)
            .execution_options(populate_existing=True)
        )
        return [(nudge, learner) for nudge, learner in rows]

    async def renew_claims(self, ids: Collection[int], *, worker: str, now: datetime, lease: timedelta) -> set[int]:
        """Extend this worker's claims that it still holds; the others were taken over (their
        lease ran out) and must not be sent by this worker."""
        if not ids:
            return set()
        result = await self._session.execute(
            update(NudgeRow)
            .where(NudgeRow.id.in_(list(ids)), NudgeRow.status == NudgeStatus.CLAIMED, NudgeRow.claimed_by == worker,
                   NudgeRow.lease_until > now)
            .values(lease_until=now + lease)
            .returning(NudgeRow.id)
            .execution_options(synchronize_session=False)
        )
        return set(result.scalars())

    async def finish_nudge(
        self, nudge_id: int, *, worker: str, status: NudgeStatus, at: datetime, error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool:
        """Mark a claimed nudge done (or pending again at `retry_at`). False when the claim was
        lost meanwhile (the lease expired and another worker took it): nothing is changed."""
        values: dict[str, Any] = {"status": status, "done_at": at, "error": error, "lease_until": None}
        if retry_at is not None:
            values |= {"status": NudgeStatus.PENDING, "due_at": retry_at, "done_at": None}
        result = await self._session.execute(
            update(NudgeRow)
            .where(NudgeRow.id == nudge_id, NudgeRow.status == NudgeStatus.CLAIMED, NudgeRow.claimed_by == worker)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def cancel_nudges(self, learner_id: int, kinds: Collection[NudgeKind], at: datetime) -> None:
        """Drop a learner's waiting nudges of these kinds (they said skip, or stop)."""
        await self._session.execute(
            update(NudgeRow)
            .where(NudgeRow.learner_id == learner_id, NudgeRow.kind.in_(list(kinds)), NudgeRow.status == NudgeStatus.PENDING)
            .values(status=NudgeStatus.SKIPPED, done_at=at)
            .execution_options(synchronize_session=False)
        )

    async def nudge_history(self, learner_id: int) -> tuple[datetime | None, list[datetime]]:
        """The learner's last own activity, and the daily nudges sent since (oldest first)."""
        last_activity = await self._session.scalar(
            select(func.max(EventRow.occurred_at)).where(
                EventRow.learner_id == learner_id, EventRow.kind.not_in(NUDGE_EVENTS)
            )
        )
        since = select(EventRow.occurred_at).where(EventRow.learner_id == learner_id, EventRow.kind == EventKind.NUDGED)
        if last_activity is not None:
            since = since.where(EventRow.occurred_at > last_activity)
        nudged = list(await self._session.scalars(since.order_by(EventRow.occurred_at)))
        return _aware(last_activity), [_aware(at) for at in nudged]

    async def nudges(self, learner_id: int | None = None) -> list[NudgeRow]:
        query = select(NudgeRow).order_by(NudgeRow.due_at, NudgeRow.id)
        if learner_id is not None:
            query = query.where(NudgeRow.learner_id == learner_id)
        return list(await self._session.scalars(query))

    async def delivery_status(self, now: datetime) -> DeliveryStatus:
        """What `run_bot.py status` shows: learners, and how delivery of nudges is going."""
        session = self._session
        learners = dict((await session.execute(select(LearnerRow.platform, func.count()).group_by(LearnerRow.platform))).all())
        states = dict((await session.execute(select(LearnerRow.nudges, func.count()).group_by(LearnerRow.nudges))).all())
        waiting = or_(NudgeRow.status == NudgeStatus.PENDING, and_(NudgeRow.status == NudgeStatus.CLAIMED, NudgeRow.lease_until < now))

        async def count(*conditions: Any) -> int:
            return int(await session.scalar(select(func.count()).select_from(NudgeRow).where(*conditions)) or 0)

        last_error = await session.scalar(
            select(NudgeRow.error)
            .where(NudgeRow.status.in_((NudgeStatus.PENDING, NudgeStatus.FAILED)), NudgeRow.error.is_not(None))
            .order_by(NudgeRow.id.desc())
            .limit(1)
        )
        next_due = await session.scalar(select(func.min(NudgeRow.due_at)).where(NudgeRow.status == NudgeStatus.PENDING, NudgeRow.due_at > now))
        return DeliveryStatus(
            learners={str(k): int(v) for k, v in learners.items()},
            nudge_states={str(k): int(v) for k, v in states.items()},
            due=await count(waiting, NudgeRow.due_at <= now),
            overdue=await count(waiting, NudgeRow.due_at < now - OVERDUE),
            in_flight=await count(NudgeRow.status == NudgeStatus.CLAIMED, NudgeRow.lease_until >= now),
            sent_last_hour=await count(NudgeRow.status == NudgeStatus.SENT, NudgeRow.done_at >= now - timedelta(hours=1)),
            retrying=await count(NudgeRow.status == NudgeStatus.PENDING, NudgeRow.error.is_not(None)),
            failed_last_day=await count(NudgeRow.status == NudgeStatus.FAILED, NudgeRow.done_at >= now - timedelta(days=1)),
            last_error=last_error,
            next_due=_aware(next_due),
        )

    # --- Slack: what the adapter keeps per learner ----------------------------------------------
    async def slack_learner(self, user_id: str) -> SlackLearner | None:
        """The Slack user `user_id` as the bot knows them; None when never met."""
        row = (await self._session.execute(
            select(LearnerRow.id, LearnerRow.display_name, LearnerRow.timezone,
                   SlackLearnerRow.profile_at, SlackLearnerRow.home_digest)
            .outerjoin(SlackLearnerRow, SlackLearnerRow.learner_id == LearnerRow.id)
            .where(LearnerRow.platform == Platform.SLACK, LearnerRow.platform_user_id == user_id)
        )).one_or_none()
        if row is None:
            return None
        return SlackLearner(row[0], row[1], row[2], _aware(row[3]), row[4])

    async def keep_slack_profile(self, user_id: str, *, at: datetime, name: str | None = None) -> bool:
        """Slack's profile of a learner was read `at`; a non-empty `name` replaces their display
        name. False when no learner has that Slack id (nothing written)."""
        learner_id = await self._slack_learner_id(user_id)
        if learner_id is None:
            return False
        if name:
            await self._session.execute(update(LearnerRow).where(LearnerRow.id == learner_id).values(display_name=name))
        await self._keep_slack(learner_id, profile_at=at)
        return True

    async def keep_slack_home(self, user_id: str, digest: str) -> bool:
        """The App Home with this digest was published to the learner; False when unknown."""
        learner_id = await self._slack_learner_id(user_id)
        if learner_id is not None:
            await self._keep_slack(learner_id, home_digest=digest)
        return learner_id is not None

    async def _slack_learner_id(self, user_id: str) -> int | None:
        return await self._session.scalar(
            select(LearnerRow.id).where(LearnerRow.platform == Platform.SLACK, LearnerRow.platform_user_id == user_id))

    async def _keep_slack(self, learner_id: int, **values: Any) -> None:
        dialect = self._session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await self._session.execute(
            insert(SlackLearnerRow).values(learner_id=learner_id, **values)
            .on_conflict_do_update(index_elements=[SlackLearnerRow.learner_id], set_=values)
        )


def _aware(instant: datetime | None) -> datetime | None:
    """Aggregates bypass the column type: SQLite hands back naive UTC (or text)."""
    if instant is None:
        return None
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=timezone.utc)

