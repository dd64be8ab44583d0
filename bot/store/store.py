"""The SQLAlchemy store: one `SqlUnitOfWork` per transaction, with a repository per concern
(bot/ports.py says what each offers). SQLite by default, PostgreSQL for real teams."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ports import DuplicateEvent, StoreUnavailable
from bot.records import LessonSession
from bot.store.access import SqlAccess
from bot.store.analytics import SqlAnalytics
from bot.store.assignments import SqlAssignments, SqlJobRoles
from bot.store.awards import KnownAwards, SqlAwards
from bot.store.compliance import SqlCompliance
from bot.store.database import READING
from bot.store.holdouts import SqlHoldouts
from bot.store.holds import KnownHolds, SqlHolds
from bot.store.learners import SqlLearners
from bot.store.memory import SqlMemory
from bot.store.nudges import SqlNudges
from bot.store.rows import Snapshots
from bot.store.sessions import SqlSessions
from bot.store.slack import SqlSlackLearners
from bot.store.teams import SqlTeams
from bot.store.trail import SqlTrail
from bot.store.unavailable import is_unavailable
from bot.store.wallet import SqlWalletClaims
from bot.store.writes import Writes


class SqlStore:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlUnitOfWork]:
        """One transaction. DuplicateEvent for a platform message recorded before, and
        StoreUnavailable when the database cannot be reached (nothing was written)."""
        try:
            async with self._sessionmaker() as session:
                try:
                    async with session.begin():
                        unit = SqlUnitOfWork(session)
                        yield unit
                        await unit.send_writes()
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

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[SqlUnitOfWork]:
        """PostgreSQL: READ ONLY, REPEATABLE READ (each statement sees the snapshot of the first).
        SQLite: a deferred transaction (bot/store/database.py), which in WAL mode reads one snapshot
        from its first read on and takes no lock that a writer waits for, where every other
        transaction takes the write lock when it begins. Rolled back at the end, whatever was done."""
        try:
            async with self._sessionmaker() as session:
                postgres = session.get_bind().dialect.name == "postgresql"
                options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True} if postgres else {READING: True}
                await session.connection(execution_options=options)  # begins the transaction with them
                try:
                    yield SqlUnitOfWork(session)
                finally:
                    await session.rollback()
        except StoreUnavailable:
            raise
        except Exception as error:
            if is_unavailable(error):
                raise StoreUnavailable(f"the database cannot be reached: {type(error).__name__}") from error
            raise


class SqlUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        snapshots = Snapshots()
        active: dict[int, LessonSession | None] = {}  # shared: the learner's lock reads their session too
        # Writes that answer nothing wait, and go out together before whatever needs them.
        self._writes = writes = Writes(session.get_bind().dialect.name)
        event.listen(session.sync_session, "do_orm_execute", writes.before)
        holds: KnownHolds = {}  # shared: the learner's lock tells who has none
        awards: KnownAwards = {}  # the same
        self.learners = SqlLearners(session, snapshots, active, writes, holds, awards)
        self.teams = SqlTeams(session, snapshots)
        self.access = SqlAccess(session, snapshots)
        self.trail = SqlTrail(session, writes)
        self.sessions = SqlSessions(session, snapshots, active, writes)
        self.memory = SqlMemory(session, writes)
        self.awards = SqlAwards(session, snapshots, awards)
        self.holds = SqlHolds(session, holds)
        self.nudges = SqlNudges(session, snapshots)
        self.slack = SqlSlackLearners(session)
        self.wallet = SqlWalletClaims(session)
        self.assignments = SqlAssignments(session)
        self.job_roles = SqlJobRoles(session)
        self.compliance = SqlCompliance(session)
        self.holdouts = SqlHoldouts(session)
        self.analytics = SqlAnalytics(session)

    async def ping(self) -> None:
        await self._session.execute(select(1))

    async def send_writes(self) -> None:
        """What still waits, at the end of the transaction."""
        await self._session.run_sync(self._writes.send)


def _is_duplicate_event(error: IntegrityError) -> bool:
    message = str(error.orig)
    # PostgreSQL names the constraint; SQLite names its columns.
    return "uq_event_source" in message or "events.learner_id, events.source_id" in message
