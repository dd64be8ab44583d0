"""Delivering what the bot starts on its own: each learner's daily lesson offer at their time.

Any number of processes run a `NudgeDispatcher` against one database. Each round it plans (gives
every learner without one their next daily nudge; the unique constraint makes a second planner's
insert a no-op), claims due nudges for a lease (SKIP LOCKED on PostgreSQL), sends them through
the platform's sender, and marks them sent. A process that dies mid-batch leaves claims that
expire and are claimed again: nothing is lost. The send happens before the mark, so the only
way to send a nudge twice is to die in the instant between the two."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.core import Core
from bot.events import LearnerRef
from bot.replies import Reply
from bot.schedule import Rhythm, next_daily, reachable
from bot.store.repository import ProgressStore

log = logging.getLogger(__name__)

# Sends replies to a learner, by their platform user id, on one platform.
Sender = Callable[[str, list[Reply]], Awaitable[None]]
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Round:
    planned: int
    claimed: int
    sent: int
    skipped: int
    failed: int


class NudgeDispatcher:
    def __init__(
        self,
        *,
        store: ProgressStore,
        core: Core,
        clock: Clock,
        senders: Mapping[str, Sender],
        worker: str,
        lease: timedelta = timedelta(minutes=2),
        batch: int = 50,
    ) -> None:
        self._store, self._core, self._clock = store, core, clock
        self._senders = dict(senders)
        self._worker, self._lease, self._batch = worker, lease, batch

    async def plan(self, limit: int = 1000) -> int:
        """Schedule the next daily nudge of every learner who has none waiting."""
        now = self._clock.now()
        planned = 0
        async with self._store.transaction() as tx:
            for learner in await tx.learners_to_plan(self._senders, limit):
                due = next_daily(Rhythm.of(learner, await tx.holds(learner.id)), now)
                if due is not None and await tx.schedule_nudge(learner.id, "daily", due):
                    planned += 1
        return planned

    async def deliver_due(self) -> tuple[int, int, int, int]:
        """Claim a batch of due nudges and deliver it: (claimed, sent, skipped, failed)."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            claimed = await tx.claim_nudges(now=now, worker=self._worker, lease=self._lease, limit=self._batch)
            work = [
                (nudge.id, nudge.attempts, LearnerRef(learner.platform, learner.platform_user_id, learner.display_name),
                 Rhythm.of(learner, await tx.holds(learner.id)))
                for nudge, learner in claimed
            ]
        sent = skipped = failed = 0
        for nudge_id, attempts, who, rhythm in work:
            status, error, retry_at = "sent", None, None
            try:
                replies = await self._core.nudge(who) if reachable(rhythm, self._clock.now()) else []
                if replies:
                    await self._senders[who.platform](who.user_id, replies)
                else:
                    status = "skipped"  # on hold, a day off now, or nothing left to learn
            except Exception as problem:  # a platform outage must not stop the other learners' nudges
                error = f"{type(problem).__name__}: {problem}"[:300]
                log.warning("nudge %s to a %s learner failed (attempt %s): %s", nudge_id, who.platform, attempts, error)
                status = "failed"
                if attempts < MAX_ATTEMPTS:
                    retry_at = self._clock.now() + timedelta(seconds=30 * 2**attempts)
            async with self._store.transaction() as tx:
                if not await tx.finish_nudge(nudge_id, worker=self._worker, status=status, at=self._clock.now(),
                                             error=error, retry_at=retry_at):
                    log.warning("nudge %s: the claim expired before it was marked %s", nudge_id, status)
                    continue
                if status == "sent":
                    learner = await tx.find_learner(who.platform, who.user_id)
                    if learner is not None:
                        tx.record(learner, "nudged", at=self._clock.now(), payload={"nudge": nudge_id})
            sent += status == "sent"
            skipped += status == "skipped"
            failed += status == "failed"
        return len(work), sent, skipped, failed

    async def run_round(self) -> Round:
        planned = await self.plan()
        claimed, sent, skipped, failed = await self.deliver_due()
        return Round(planned, claimed, sent, skipped, failed)

    async def run(self, stop: asyncio.Event, interval: float = 5.0) -> None:
        """Rounds until `stop` is set; a full batch goes straight on to the next."""
        while not stop.is_set():
            try:
                done = await self.run_round()
            except Exception:  # the database restarting, say: try again next round
                log.exception("nudge round failed")
                done = Round(0, 0, 0, 0, 0)
            if done.claimed < self._batch:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=interval)
                except TimeoutError:
                    pass
