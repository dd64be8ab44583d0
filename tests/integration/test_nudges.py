"""Daily nudges from the database: planned once, claimed by one worker at a time, sent exactly
once, and never lost when a worker dies (its claims expire and are taken over)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.clock import ManualClock
from bot.core import Core
from bot.events import ButtonPressed, Command, LearnerRef, Start
from bot.nudges import NudgeDispatcher
from bot.replies import Reply
from bot.store.store import SqlStore
from tests.support import text_of

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney")


class Inbox:
    """A platform that records what it was asked to send."""

    def __init__(self, fail_for: set[str] | None = None) -> None:
        self.sent: list[tuple[str, list[Reply]]] = []
        self.fail_for = fail_for or set()

    async def send(self, user_id: str, replies: list[Reply]) -> None:
        if user_id in self.fail_for:
            raise ConnectionError("platform unreachable")
        self.sent.append((user_id, replies))


async def sign_up(core: Core, count: int, zones: tuple[str, ...] = ZONES) -> None:
    for i in range(count):
        await core.handle(Start(learner=LearnerRef("telegram", f"u{i}", f"L{i}"), source_id=f"s{i}", timezone=zones[i % len(zones)]))


def dispatcher(store: SqlStore, core: Core, clock: ManualClock, inbox: Inbox, worker: str, **options) -> NudgeDispatcher:
    return NudgeDispatcher(store=store, core=core, clock=clock, senders={"telegram": inbox.send}, worker=worker, **options)


async def test_each_learner_is_nudged_at_their_own_nine_oclock(core, store, clock):
    await sign_up(core, 5)
    inbox = Inbox()
    worker = dispatcher(store, core, clock, inbox, "w1")
    assert await worker.plan() == 5
    assert await worker.plan() == 0, "planning again schedules nothing new"
    async with store.transaction() as tx:
        nudges = await tx.nudges.all()
    for nudge in nudges:
        async with store.transaction() as tx:
            learner = next(
                found for found in [await tx.learners.find("telegram", f"u{i}") for i in range(5)] if found.id == nudge.learner_id
            )
        local = nudge.due_at.astimezone(ZoneInfo(learner.timezone))
        assert (local.hour, local.minute) == (9, 0) and local.isoweekday() <= 5
    for _ in range(24):  # a day of rounds, an hour apart
        clock.advance(hours=1)
        await worker.run_round()
    nudged = sorted(user for user, replies in inbox.sent if text_of(replies[0]).startswith("⏰ 5-minute lesson"))
    assert nudged == [f"u{i}" for i in range(5)]


async def test_three_workers_at_once_send_each_nudge_exactly_once(core, store, clock, database_url):
    await sign_up(core, 60)
    inboxes = [Inbox() for _ in range(3)]
    workers = [dispatcher(store, core, clock, inbox, f"w{i}", batch=7) for i, inbox in enumerate(inboxes)]
    await asyncio.gather(*(w.plan() for w in workers))
    for _ in range(24):
        clock.advance(hours=1)
        for _ in range(4):
            await asyncio.gather(*(w.deliver_due() for w in workers))
    sent = Counter(user for inbox in inboxes for user, replies in inbox.sent if text_of(replies[0]).startswith("⏰ 5-minute lesson"))
    assert sorted(sent) == sorted(f"u{i}" for i in range(60)), "everyone nudged"
    assert set(sent.values()) == {1}, "nobody nudged twice"
    if database_url.startswith("postgresql"):
        assert sum(1 for inbox in inboxes if inbox.sent) >= 2, "the work was shared between workers"
    async with store.transaction() as tx:
        statuses = Counter(n.status for n in await tx.nudges.all() if n.kind == "daily" and n.done_at is not None)
    assert statuses == {"sent": 60}


async def test_a_dead_workers_claims_expire_and_are_delivered_by_another(core, store, clock):
    await sign_up(core, 4, zones=("Europe/Berlin",))
    inbox = Inbox()
    dead = dispatcher(store, core, clock, inbox, "dead", lease=timedelta(minutes=2))
    await dead.plan()
    clock.advance(days=1)  # nine o'clock in Berlin
    async with store.transaction() as tx:  # claims its batch, then "dies" before sending
        claimed = await tx.nudges.claim(now=clock.now(), worker="dead", lease=timedelta(minutes=2), limit=10)
    assert len(claimed) == 4
    alive = dispatcher(store, core, clock, inbox, "alive")
    assert (await alive.deliver_due())[0] == 0, "claims are respected while their lease runs"
    clock.advance(minutes=3)
    claimed, sent, _, _ = await alive.deliver_due()
    assert (claimed, sent) == (4, 4)
    assert len(inbox.sent) == 4


async def test_a_failed_send_is_retried_later_and_others_still_go_out(core, store, clock):
    await sign_up(core, 3, zones=("Europe/Berlin",))
    inbox = Inbox(fail_for={"u1"})
    worker = dispatcher(store, core, clock, inbox, "w")
    await worker.plan()
    clock.advance(days=1)
    claimed, sent, _, failed = await worker.deliver_due()
    assert (claimed, sent, failed) == (3, 2, 1)
    inbox.fail_for.clear()
    clock.advance(minutes=2)
    claimed, sent, _, _ = await worker.deliver_due()
    assert (claimed, sent) == (1, 1)
    assert sorted(user for user, _ in inbox.sent) == ["u0", "u1", "u2"]


async def test_a_hold_shifts_the_schedule_instead_of_piling_up(core, store, clock):
    await sign_up(core, 1)
    async with store.transaction() as tx:
        learner = await tx.learners.find("telegram", "u0")
        today = clock.now().astimezone(ZoneInfo(learner.timezone)).date()
        await tx.holds.add(learner.id, today, today + timedelta(days=9))
    worker = dispatcher(store, core, clock, Inbox(), "w")
    await worker.plan()
    async with store.transaction() as tx:
        [nudge] = await tx.nudges.all()
    assert nudge.due_at.astimezone(ZoneInfo("Europe/Berlin")).date() > today + timedelta(days=9)


async def test_console_learners_and_learners_who_left_get_no_nudges(core, store, clock):
    await core.handle(Start(learner=LearnerRef("console", "me", "Me"), source_id="c", timezone="UTC"))
    await sign_up(core, 1)
    async with store.transaction() as tx:
        gone = await tx.learners.find("telegram", "u0")
        gone.platform_user_id = "erased:123"
        await tx.learners.save(gone)
    assert await dispatcher(store, core, clock, Inbox(), "w").plan() == 0


async def test_reminders_are_bounded_and_stop_when_the_learner_reacts(core, store, clock):
    await sign_up(core, 2, zones=("Europe/Berlin",))
    inbox = Inbox()
    worker = dispatcher(store, core, clock, inbox, "w")
    await worker.plan()
    clock.advance(days=1)  # Tuesday 09:00 Berlin: the daily offer
    await worker.run_round()
    # Ana (u0) reacts to it; Bo (u1) does not.
    await core.handle(ButtonPressed(learner=LearnerRef("telegram", "u0", "L0"), source_id="press", action="go"))
    for _ in range(6):  # to 15:00: the first reminder is due at 12:00
        clock.advance(hours=1)
        await worker.run_round()
    reminded = [user for user, replies in inbox.sent if text_of(replies[0]).startswith("⏰ Still five minutes")]
    assert reminded == ["u1"], "only the learner who did not react is reminded, once"


async def test_three_ignored_offers_make_a_learner_dormant_until_they_return(core, store, clock):
    await sign_up(core, 1, zones=("Europe/Berlin",))
    inbox = Inbox()
    worker = dispatcher(store, core, clock, inbox, "w")
    for _ in range(24 * 7):  # a week of hourly rounds, ignoring everything
        clock.advance(hours=1)
        await worker.run_round()
    offers = [r for _, r in inbox.sent if text_of(r[0]).startswith("⏰ 5-minute lesson")]
    assert len(offers) == 3, "three daily offers, then silence"
    assert len(inbox.sent) <= 3 * 3, "at most two reminders each"
    async with store.transaction() as tx:
        assert (await tx.learners.find("telegram", "u0")).nudges == "dormant"
    await core.handle(Command(learner=LearnerRef("telegram", "u0", "L0"), source_id="back", name="progress"))
    before = len(inbox.sent)
    for _ in range(48):
        clock.advance(hours=1)
        await worker.run_round()
    assert len(inbox.sent) > before, "coming back brings the daily offer back"


async def test_later_snoozes_and_stop_silences_until_resume(core, store, clock):
    await sign_up(core, 1, zones=("Europe/Berlin",))
    ana = LearnerRef("telegram", "u0", "L0")
    inbox = Inbox()
    worker = dispatcher(store, core, clock, inbox, "w")
    await worker.plan()
    clock.advance(days=1)
    await worker.run_round()
    [later] = await core.handle(ButtonPressed(learner=ana, source_id="later", action="later"))
    assert "around 11:00" in later.text
    clock.advance(hours=2, minutes=1)
    await worker.run_round()
    assert text_of(inbox.sent[-1][1][0]).startswith("⏰ As you asked:")
    [stopped] = await core.handle(Command(learner=ana, source_id="stop", name="stop"))
    assert "until you say /resume" in stopped.text
    before = len(inbox.sent)
    for _ in range(72):
        clock.advance(hours=1)
        await worker.run_round()
    assert len(inbox.sent) == before, "nothing after stop"
    await core.handle(Command(learner=ana, source_id="resume", name="resume"))
    for _ in range(96):  # from Friday: Monday's offer
        clock.advance(hours=1)
        await worker.run_round()
    assert len(inbox.sent) > before


async def test_status_shows_learners_due_overdue_delivered_and_errors(core, store, clock):
    from adapters.cli.status import status

    await sign_up(core, 3, zones=("Europe/Berlin",))
    inbox = Inbox(fail_for={"u2"})
    worker = dispatcher(store, core, clock, inbox, "w")
    await worker.plan()
    clock.advance(days=1, minutes=10)
    before = await status(store, now=clock.now())
    assert "Learners: 3 (3 on telegram)" in before
    assert "Nudges due now: 3 (overdue by more than 5 minutes: 3)" in before
    await worker.deliver_due()
    after = await status(store, now=clock.now())
    assert "Delivered in the last hour: 2" in after
    assert "Errors: 1 to be retried, 0 given up in the last day; last error: ConnectionError: platform unreachable" in after


async def test_do_not_disturb_postpones_a_nudge_without_counting_a_failure(core, store, clock):
    from bot.nudges import NotNow

    await sign_up(core, 1, zones=("Europe/Berlin",))
    until = clock.now() + timedelta(days=1, minutes=40)

    async def busy(user_id: str, replies: list[Reply]) -> None:
        raise NotNow(until)

    worker = NudgeDispatcher(store=store, core=core, clock=clock, senders={"telegram": busy}, worker="w")
    await worker.plan()
    clock.advance(days=1)
    claimed, sent, skipped, failed = await worker.deliver_due()
    assert (claimed, sent, skipped, failed) == (1, 0, 0, 0)
    async with store.transaction() as tx:
        [nudge] = await tx.nudges.all()
    assert (nudge.status, nudge.due_at) == ("pending", until)


async def test_a_slow_batch_keeps_its_claims_so_no_other_worker_sends_them_too(core, store, clock):
    await sign_up(core, 5, zones=("Europe/Berlin",))
    sent: list[str] = []
    other = Inbox()
    rival = dispatcher(store, core, clock, other, "rival", lease=timedelta(minutes=2))

    async def slow(user_id: str, replies: list[Reply]) -> None:
        sent.append(user_id)
        clock.advance(minutes=1)  # each send takes a minute: the batch outlives its first lease
        await rival.deliver_due()  # another worker looks for work meanwhile

    # One at a time: five sends of a minute each take five minutes (at once they would take one).
    worker = NudgeDispatcher(
        store=store, core=core, clock=clock, senders={"telegram": slow}, worker="slow", lease=timedelta(minutes=2), concurrency=1
    )
    await worker.plan()
    clock.advance(days=1)
    claimed, delivered, _, _ = await worker.deliver_due()
    assert (claimed, delivered) == (5, 5)
    assert sorted(sent) == [f"u{i}" for i in range(5)] and other.sent == [], "nothing sent twice"


async def test_one_slow_platform_call_does_not_hold_up_the_other_learners_nudges(core, store, clock):
    """serve's loop: nudges go out several at a time, and the next batch is claimed while the
    current one is still being sent, so one stuck message delays nobody else."""
    await sign_up(core, 9, zones=("Europe/Berlin",))
    sent: list[str] = []
    stuck, everyone_else = asyncio.Event(), asyncio.Event()

    async def send(user_id: str, replies: list[Reply]) -> None:
        if user_id == "u0":
            await stuck.wait()  # say, a chat whose messages keep getting 429s
        sent.append(user_id)
        if len(sent) == 8 and "u0" not in sent:
            everyone_else.set()

    worker = NudgeDispatcher(store=store, core=core, clock=clock, senders={"telegram": send}, worker="w", batch=2)
    await worker.plan()
    clock.advance(days=1)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop, interval=0.05))
    await asyncio.wait_for(everyone_else.wait(), timeout=30)
    assert sorted(sent) == [f"u{i}" for i in range(1, 9)], "the eight others were nudged while u0's message hung"
    stuck.set()
    stop.set()
    await asyncio.wait_for(running, timeout=30)
    assert sorted(sent) == [f"u{i}" for i in range(9)], "stopping finishes the nudge under way: u0 got it too"
    async with store.transaction() as tx:
        daily = Counter(n.status for n in await tx.nudges.all() if n.kind == "daily" and n.done_at is not None)
    assert daily == {"sent": 9}
