"""The cursor of forwarding the learning record to an LRS: the last event forwarded, kept in the
database so a restart resumes where the last process stopped.

Only one process forwards at a time. On PostgreSQL the cursor row is locked (`FOR UPDATE SKIP
LOCKED`) for the whole round: read the events, post them, advance the cursor, commit. Another
process finds the row locked and skips its round instead of sending the same statements. With
SQLite there is one process, and its round holds no transaction while it posts: SQLite has one
writer, and a transaction held open through a slow HTTP call would stop the bot from recording
learners' answers.

Event ids do not commit in order on PostgreSQL: a transaction that took id 100 may commit after
one that took 101. A cursor that moved past 101 would never see 100, so ids the cursor passes
without seeing are kept as gaps and looked for again on every round, until `gap_horizon` has
passed (an id still missing by then belonged to a transaction that rolled back, such as a
duplicate platform message)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import false, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.records import TrailEvent
from bot.store.models import EventRow, XapiForwardingRow
from bot.store.rows import trail_event

ERROR_LENGTH = 300  # the column's size


@dataclass(frozen=True)
class ForwardingState:
    """What `run_bot.py status` shows about one LRS."""

    endpoint: str
    last_event_id: int
    waiting: int  # events not forwarded yet (some make no statement, e.g. a card read)
    forwarded: int
    skipped: int
    forwarded_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None


@dataclass
class Batch:
    """The events of one round, claimed by this process until the round ends. Call `done` when
    the LRS has them (the cursor moves past them) or `failed` (it stays where it is)."""

    events: list[TrailEvent]  # plain records, as the rest of the store hands out
    cursor: int  # the last event forwarded before this round
    end: int  # the cursor after this round, when it is done
    gaps_after: list[list[object]]  # the gaps after this round, when it is done
    _outcome: tuple[str, int, int, str | None] | None = field(default=None, init=False)

    def done(self, forwarded: int, skipped: int = 0) -> None:
        self._outcome = ("done", forwarded, skipped, None)

    def failed(self, error: str) -> None:
        self._outcome = ("failed", 0, 0, error[:ERROR_LENGTH])


class ForwardingStore:
    def __init__(self, engine: AsyncEngine, *, gap_horizon: timedelta = timedelta(minutes=10), max_gaps: int = 1000) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._gap_horizon, self._max_gaps = gap_horizon, max_gaps
        self._created: set[str] = set()

    @asynccontextmanager
    async def claim(self, endpoint: str, limit: int, now: datetime) -> AsyncIterator[Batch | None]:
        """The next events for `endpoint` (up to `limit` after the cursor, plus any gaps that have
        committed since); None while another process is forwarding to it."""
        await self._create(endpoint)
        if self._engine.dialect.name == "postgresql":
            async with self._sessions() as session, session.begin():
                row = await session.scalar(
                    select(XapiForwardingRow).where(XapiForwardingRow.endpoint == endpoint).with_for_update(skip_locked=True)
                )
                if row is None:
                    yield None
                    return
                batch = await self._batch(session, row, limit, now)
                yield batch
                _apply(row, batch, now)
            return
        async with self._sessions() as session:
            async with session.begin():
                row = await session.get(XapiForwardingRow, endpoint)
                assert row is not None  # created above
                batch = await self._batch(session, row, limit, now)
            yield batch  # posting happens here, outside any transaction
            async with session.begin():
                row = await session.get(XapiForwardingRow, endpoint, populate_existing=True)
                if row is not None and row.last_event_id == batch.cursor:  # nobody moved it meanwhile
                    _apply(row, batch, now)

    async def states(self) -> list[ForwardingState]:
        async with self._sessions() as session, session.begin():
            rows = list(await session.scalars(select(XapiForwardingRow).order_by(XapiForwardingRow.endpoint)))
            states = []
            for row in rows:
                gaps = [int(gap[0]) for gap in row.gaps or []]
                waiting = await session.scalar(
                    select(func.count())
                    .select_from(EventRow)
                    .where(or_(EventRow.id > row.last_event_id, EventRow.id.in_(gaps) if gaps else false()))
                )
                states.append(
                    ForwardingState(
                        endpoint=row.endpoint,
                        last_event_id=row.last_event_id,
                        waiting=int(waiting or 0),
                        forwarded=row.forwarded,
                        skipped=row.skipped,
                        forwarded_at=row.forwarded_at,
                        last_error=row.last_error,
                        last_error_at=row.last_error_at,
                    )
                )
            return states

    async def _create(self, endpoint: str) -> None:
        # Its own short transaction: the locking select above cannot tell a missing row from a locked one.
        if endpoint in self._created:
            return
        insert = postgresql_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        async with self._sessions() as session, session.begin():
            await session.execute(
                insert(XapiForwardingRow)
                .values(endpoint=endpoint, last_event_id=0, gaps=[], forwarded=0, skipped=0)
                .on_conflict_do_nothing(index_elements=["endpoint"])
            )
        self._created.add(endpoint)

    async def _batch(self, session: AsyncSession, row: XapiForwardingRow, limit: int, now: datetime) -> Batch:
        gaps = [list(gap) for gap in row.gaps or []]
        late = (
            list(await session.scalars(select(EventRow).where(EventRow.id.in_([int(gap[0]) for gap in gaps])).order_by(EventRow.id)))
            if gaps
            else []
        )
        after = list(await session.scalars(select(EventRow).where(EventRow.id > row.last_event_id).order_by(EventRow.id).limit(limit)))
        end = after[-1].id if after else row.last_event_id
        seen = {event.id for event in after}
        found = {event.id for event in late}
        horizon = now - self._gap_horizon
        kept = [gap for gap in gaps if int(gap[0]) not in found and datetime.fromisoformat(str(gap[1])) > horizon]
        new = [[i, now.isoformat()] for i in range(row.last_event_id + 1, end) if i not in seen]
        return Batch(
            events=[trail_event(event) for event in late + after],
            cursor=row.last_event_id,
            end=end,
            gaps_after=(kept + new)[-self._max_gaps :],
        )


def _apply(row: XapiForwardingRow, batch: Batch, now: datetime) -> None:
    if batch._outcome is None:  # the round ended without a verdict: leave everything as it was
        return
    verdict, forwarded, skipped, error = batch._outcome
    if verdict == "failed":
        row.last_error, row.last_error_at = error, now
        return
    if row.last_event_id != batch.end:
        row.last_event_id = batch.end
    if row.gaps != batch.gaps_after:
        row.gaps = batch.gaps_after
    if forwarded or skipped:
        row.forwarded += forwarded
        row.skipped += skipped
        row.forwarded_at = now
