"""Delivering what the bot starts on its own: each learner's daily lesson offer at their time,
at most two reminders when they do not react, and the snooze they asked for with "Later".
A learner who let three daily offers pass without a word is left alone (dormant) until they
come back; one who said stop is left alone until they say resume.

Any number of processes run a `NudgeDispatcher` against one database. Each round it plans (gives
every learner without one their next daily nudge; the unique constraint makes a second planner's
insert a no-op), claims due nudges for a lease (SKIP LOCKED on PostgreSQL), sends them through
the platform's sender, and marks them sent. A process that dies mid-batch leaves claims that
expire and are claimed again: nothing is lost. The send happens before the mark, so the only
way to send a nudge twice is to die in the instant between the two.

The programme's rhythm (bot/programme.py) rides on the same queue: a daily check per person with
a programme (planned here every CHECK_PLANNING_EVERY for people who have none waiting, then by
each check for the next day), overdue reminders, escalations to managers, weekly digests and the
next step offered to someone who drifted. Their trail events are recorded with the mark.

A running holdout (bot/holdout.py) holds back the daily offer and its reminders of the learners
it holds out, and nothing else: where the offer would have gone, the trail says `held_out`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.core import Core
from bot.events import LearnerRef
from bot.holdout import holds_out
from bot.ports import Store, StoreUnavailable
from bot.programme import Message, Programme, offered_today
from bot.records import Holdout, TrailEvent
from bot.replies import Reply
from bot.schedule import Rhythm, next_daily, reachable, reminder_at
from bot.streaks import local_date
from bot.vocabulary import EventKind, NudgeKind, Nudges, NudgeStatus

log = logging.getLogger(__name__)

# Sends replies to a learner, by their platform user id, on one platform.
Sender = Callable[[str, list[Reply]], Awaitable[None]]


class NotNow(Exception):
    """Raised by a sender when the platform says the learner does not want to be disturbed
    (Slack's Do Not Disturb): the nudge waits until `until`, without counting as a failure."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"do not disturb until {until:%Y-%m-%d %H:%M} UTC")
        self.until = until


MAX_ATTEMPTS = 5
DORMANT_AFTER = 3  # daily offers in a row without any reaction
REMINDERS = (NudgeKind.REMINDER1, NudgeKind.REMINDER2)
DORMANT = "ignored the last daily offers: dormant until they come back"
STOPPED = "said /stop: nothing the bot starts until /resume"
OVERDUE_INSTEAD = "an overdue reminder is today's offer"
HELD_OUT = "held out of daily offers by the holdout (bot/holdout.py)"
HELD_BACK = (NudgeKind.DAILY, *REMINDERS)  # what a holdout holds back: the daily offer and its reminders, nothing else
CHECK_PLANNING_EVERY = timedelta(minutes=10)  # looking for people whose programme has no daily check yet


@dataclass(frozen=True)
class Round:
    planned: int
    claimed: int
    sent: int
    skipped: int
    failed: int


@dataclass(frozen=True)
class _Work:
    """One claimed nudge, with what delivering it needs."""

    nudge_id: int
    kind: NudgeKind
    attempts: int
    learner_id: int
    who: LearnerRef
    rhythm: Rhythm
    nudges: str = Nudges.ON  # the learner's Nudges when claimed


@dataclass
class _Claims:
    """One batch's claims: renewed together, so a slow batch does not outlive its lease."""

    unfinished: set[int]
    held_until: datetime
    lost: set[int] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class NudgeDispatcher:
    def __init__(
        self,
        *,
        store: Store,
        core: Core,
        clock: Clock,
        senders: Mapping[str, Sender],
        worker: str,
        lease: timedelta = timedelta(minutes=2),
        batch: int = 50,
        concurrency: int = 8,
        web_url: str | None = None,
    ) -> None:
        """`web_url`: where the dashboard is, for the sign-in link in a manager's weekly digest."""
        self._store, self._core, self._clock = store, core, clock
        self._programme = Programme(core.curriculum, web_url, core.translators)
        self._checks_planned_at: datetime | None = None
        self._senders = dict(senders)
        self._worker, self._lease, self._batch = worker, lease, batch
        # Nudges being delivered at once by this process (across batches): enough that the
        # database work of the next ones overlaps the platform's pacing of this one.
        self._in_flight = asyncio.Semaphore(concurrency)

    async def plan(self, limit: int = 1000) -> int:
        """Schedule the next daily nudge of every learner who has none waiting."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            learners = await tx.nudges.to_plan(self._senders, limit)
            holds = await tx.holds.of_many([learner.id for learner in learners])
            due = [
                (learner.id, NudgeKind.DAILY, at)
                for learner in learners
                if (at := next_daily(Rhythm.of(learner, holds.get(learner.id, [])), now)) is not None
            ]
            planned = await tx.nudges.schedule_many(due)
        return planned + await self.plan_checks()

    async def plan_checks(self, limit: int = 1000, *, now: datetime | None = None) -> int:
        """A first daily check, due now, for each person with a programme and no check waiting;
        each check plans the next. Only every CHECK_PLANNING_EVERY (the query looks at everyone)."""
        now = now or self._clock.now()
        if self._checks_planned_at is not None and now - self._checks_planned_at < CHECK_PLANNING_EVERY:
            return 0
        self._checks_planned_at = now
        async with self._store.transaction() as tx:
            people = await tx.nudges.to_check(self._senders, limit, now=now)
            return await tx.nudges.schedule_many([(person.id, NudgeKind.CHECK, now) for person in people])

    async def deliver_due(self, under_way: asyncio.Event | None = None) -> tuple[int, int, int, int]:
        """Claim a batch of due nudges and deliver it: (claimed, sent, skipped, failed).
        `under_way` is set once every nudge of a full batch has started, so the caller can claim
        the next batch while this one is still being sent."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            claimed = await tx.nudges.claim(now=now, worker=self._worker, lease=self._lease, limit=self._batch, platforms=self._senders)
            holds = await tx.holds.of_many([learner.id for _, learner in claimed])
        work = deque(
            _Work(
                nudge.id,
                nudge.kind,
                nudge.attempts,
                learner.id,
                LearnerRef(learner.platform, learner.platform_user_id, learner.display_name),
                Rhythm.of(learner, holds.get(learner.id, [])),
                learner.nudges,
            )
            for nudge, learner in claimed
        )
        claims = _Claims({item.nudge_id for item in work}, held_until=now + self._lease)
        counts: Counter[NudgeStatus] = Counter()

        async def deliver_in_turn() -> None:
            while work:
                async with self._in_flight:
                    if not work:
                        return
                    item = work.popleft()
                    if not work and under_way is not None and len(claimed) == self._batch:
                        under_way.set()
                    if await self._still_ours(item.nudge_id, claims):
                        counts[await self._deliver(item)] += 1
                    claims.unfinished.discard(item.nudge_id)

        await asyncio.gather(*(deliver_in_turn() for _ in range(min(len(work), self._batch))))
        return len(claimed), counts[NudgeStatus.SENT], counts[NudgeStatus.SKIPPED], counts[NudgeStatus.FAILED]

    async def _still_ours(self, nudge_id: int, claims: _Claims) -> bool:
        """Before each nudge: a batch that is taking long (a rate limit, a busy machine) extends
        the claims it still holds before a third of the lease has passed; a nudge whose claim
        was taken over meanwhile is left to the worker that took it."""
        async with claims.lock:
            now = self._clock.now()
            if now >= claims.held_until - self._lease * 2 / 3:
                async with self._store.transaction() as tx:
                    ours = await tx.nudges.renew_claims(claims.unfinished, worker=self._worker, now=now, lease=self._lease)
                claims.lost |= claims.unfinished - ours
                claims.held_until = now + self._lease
            return nudge_id not in claims.lost

    async def _deliver(self, item: _Work) -> NudgeStatus:
        if item.kind is NudgeKind.CHECK:
            return await self._check(item)
        nudge_id, kind, attempts, who, rhythm = item.nudge_id, item.kind, item.attempts, item.who, item.rhythm
        async with self._store.transaction() as tx:
            last_activity, dailies = await tx.trail.nudge_history(item.learner_id)
            instead = kind is NudgeKind.DAILY and await offered_today(tx, item.learner_id, self._clock.now())
            holdout = await holds_out(tx, item.learner_id, self._clock.now()) if kind in HELD_BACK else None
            withheld = await tx.trail.recent(item.learner_id, (EventKind.HELD_OUT,), DORMANT_AFTER) if holdout is not None else []
        now = self._clock.now()
        reason = OVERDUE_INSTEAD if instead else self._reason_to_skip(kind, rhythm, now, dailies)
        if reason is None and kind.is_programme and item.nudges == Nudges.STOPPED:
            reason = STOPPED
        held: Holdout | None = None  # a daily offer withheld: recorded as held_out
        if reason is None and holdout is not None:
            reason = await self._held_out(item, holdout, last_activity, withheld)
            held = holdout if reason == HELD_OUT else None
        status, error, retry_at = NudgeStatus.SENT, None, None
        message: Message | None = None
        if reason is not None:
            status, error = NudgeStatus.SKIPPED, reason
        else:
            try:
                if kind.is_programme:
                    message = await self._programme_message(item, now)
                    replies = message.replies if message is not None else []
                else:
                    replies = await self._core.nudge(who, kind)
                if replies:
                    await self._senders[who.platform](who.user_id, replies)
                else:
                    status, error = NudgeStatus.SKIPPED, "nothing to say any more" if kind.is_programme else "nothing left to learn"
            except NotNow as later:
                status, error, retry_at = NudgeStatus.PENDING, str(later), later.until
            except Exception as problem:  # a platform outage must not stop the other learners' nudges
                error = f"{type(problem).__name__}: {problem}"[:300]
                log.warning("nudge %s to a %s learner failed (attempt %s): %s", nudge_id, who.platform, attempts, error)
                status = NudgeStatus.FAILED
                if attempts < MAX_ATTEMPTS:
                    retry_at = self._clock.now() + timedelta(seconds=30 * 2**attempts)
        async with self._store.transaction() as tx:
            done = self._clock.now()
            if not await tx.nudges.finish(nudge_id, worker=self._worker, status=status, at=done, error=error, retry_at=retry_at):
                log.warning("nudge %s: the claim expired before it was marked %s", nudge_id, status)
                return status
            learner = await tx.learners.find(who.platform, who.user_id)
            if learner is None:
                return status
            if reason == DORMANT:
                learner.nudges = Nudges.DORMANT
                await tx.learners.save(learner)
            if status is NudgeStatus.SENT and message is not None:
                for note in message.notes:
                    await tx.trail.add(note.learner_id, note.event(done))
            if held is not None:
                await tx.trail.add(
                    learner.id,
                    TrailEvent(
                        kind=EventKind.HELD_OUT,
                        occurred_at=done,
                        local_date=local_date(done, learner.timezone),
                        payload={"nudge": nudge_id, "kind": kind, "holdout": held.id},
                        learner_id=learner.id,
                    ),
                )
            if status is not NudgeStatus.SENT or not kind.is_offer:
                return status
            sent = EventKind.NUDGED if kind is NudgeKind.DAILY else EventKind.REMINDED
            await tx.trail.add(
                learner.id,
                TrailEvent(
                    kind=sent,
                    occurred_at=done,
                    local_date=local_date(done, learner.timezone),
                    payload={"nudge": nudge_id, "kind": kind},
                    learner_id=learner.id,
                ),
            )
            follow_up = self._follow_up(kind, rhythm, done, dailies[-1] if dailies and kind is not NudgeKind.DAILY else done)
            if follow_up is not None:
                await tx.nudges.schedule(learner.id, *follow_up)
        return status

    async def _programme_message(self, item: _Work, now: datetime) -> Message | None:
        """What a programme nudge says now (bot/programme.py); the next step is the core's offer,
        said once more."""
        async with self._store.transaction() as tx:
            person = await tx.learners.by_id(item.learner_id)
            if person is None or person.left:
                return None
            if item.kind is not NudgeKind.NEXT_STEP:
                return await self._programme.compose(tx, item.kind, person, now)
            drift = await self._programme.drifting(tx, person, now)
        if drift is None:
            return None
        return self._programme.next_step(drift, person, await self._core.nudge(item.who, NudgeKind.DAILY))

    async def _check(self, item: _Work) -> NudgeStatus:
        """A person's daily programme check, under their row lock, marked done with it."""
        now = self._clock.now()
        try:
            async with self._store.transaction() as tx:
                person, _ = await tx.learners.locked(item.who, now=now)
                checked = await self._programme.check(tx, person, Rhythm.of(person, await tx.holds.of(person.id)), now)
                if not await tx.nudges.finish(item.nudge_id, worker=self._worker, status=NudgeStatus.SENT, at=now):
                    log.warning("check %s: the claim expired before it was done (done again: harmless)", item.nudge_id)
            if checked.recertifying or checked.noted_overdue:
                log.info(
                    "check %s: %s assigned again before expiry, %s newly overdue",
                    item.nudge_id,
                    checked.recertifying,
                    checked.noted_overdue,
                )
            return NudgeStatus.SENT
        except StoreUnavailable:
            raise  # the batch waits for the database; the claim expires and is taken again
        except Exception as problem:  # one person's data must not stop everyone else's checks
            error = f"{type(problem).__name__}: {problem}"[:300]
            log.error("check %s failed (attempt %s)", item.nudge_id, item.attempts, exc_info=problem)
            retry_at = now + timedelta(seconds=30 * 2**item.attempts) if item.attempts < MAX_ATTEMPTS else None
            async with self._store.transaction() as tx:
                await tx.nudges.finish(
                    item.nudge_id, worker=self._worker, status=NudgeStatus.FAILED, at=now, error=error, retry_at=retry_at
                )
            return NudgeStatus.FAILED

    async def _held_out(self, item: _Work, holdout: Holdout, last_activity: datetime | None, withheld: list[TrailEvent]) -> str:
        """Why a daily offer (or a reminder) of a held-out learner is not sent. A daily offer that
        would have gone is HELD_OUT (and recorded), unless there was nothing to offer or the
        learner let DORMANT_AFTER withheld offers pass without learning (a nudged learner would
        be dormant by then): the held-out arm then counts what the nudged arm counts."""
        if item.kind is not NudgeKind.DAILY:
            return f"{HELD_OUT}: a follow-up of the daily offer"
        if sum(1 for e in withheld if last_activity is None or e.occurred_at > last_activity) >= DORMANT_AFTER:
            return f"{HELD_OUT}: would be dormant by now (not counted)"
        if not await self._core.nudge(item.who, item.kind):  # read-only: what the offer would have said
            return "nothing left to learn"
        return HELD_OUT

    @staticmethod
    def _reason_to_skip(kind: NudgeKind, rhythm: Rhythm, now: datetime, dailies: list[datetime]) -> str | None:
        if not reachable(rhythm, now):
            return "not reachable now (quiet hours, a day off or a hold)"
        if kind is NudgeKind.DAILY and len(dailies) >= DORMANT_AFTER:
            return DORMANT
        if kind in REMINDERS and not dailies:
            return "the learner has been active since the daily offer"
        return None

    @staticmethod
    def _follow_up(kind: NudgeKind, rhythm: Rhythm, now: datetime, daily_sent_at: datetime) -> tuple[NudgeKind, datetime] | None:
        """After a daily offer, the first reminder; after the first reminder, the second."""
        if kind not in (NudgeKind.DAILY, REMINDERS[0]):
            return None
        sent = 0 if kind is NudgeKind.DAILY else 1
        at = reminder_at(rhythm, daily_sent_at, sent, next_daily_at=next_daily(rhythm, now))
        return (REMINDERS[sent], at) if at is not None else None

    async def run_round(self) -> Round:
        planned = await self.plan()
        claimed, sent, skipped, failed = await self.deliver_due()
        return Round(planned, claimed, sent, skipped, failed)

    async def run(self, stop: asyncio.Event, interval: float = 5.0) -> None:
        """Deliver until `stop` is set, planning every `interval` seconds. While a full batch is
        being sent the next one is claimed, so the platform's rate, not the database, sets the
        pace; when there is less than a batch due, wait `interval` before looking again."""
        batches: set[asyncio.Task[int]] = set()
        planned_at: float | None = None
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                if planned_at is None or loop.time() - planned_at >= interval:
                    planned_at = loop.time()
                    try:
                        await self.plan()
                    except Exception as error:  # the database restarting, say: try again next time
                        _log_failure("planning nudges", error)
                under_way = asyncio.Event()
                batch = asyncio.create_task(self._batch_safely(under_way))
                batches.add(batch)
                batch.add_done_callback(batches.discard)
                started = asyncio.create_task(under_way.wait())
                await asyncio.wait({batch, started}, return_when=asyncio.FIRST_COMPLETED)
                started.cancel()
                if batch.done() and batch.result() < self._batch:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=interval)
        finally:
            await asyncio.gather(*batches)  # nudges under way are finished, not abandoned

    async def _batch_safely(self, under_way: asyncio.Event) -> int:
        try:
            return (await self.deliver_due(under_way))[0]
        except Exception as error:  # the database restarting, say: try again next round
            _log_failure("delivering nudges", error)
            return 0


def _log_failure(what: str, error: Exception) -> None:
    """An outage is one line each round (it is expected to pass); anything else, the traceback."""
    if isinstance(error, StoreUnavailable):
        log.warning("%s waits: the database cannot be reached (%s)", what, type(error).__name__)
    else:
        log.error("%s failed", what, exc_info=error)
