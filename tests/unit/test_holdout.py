"""A holdout (bot/holdout.py) through the nudge queue on the in-memory store: a learner it holds
out gets no daily offer (the trail says held_out where one would have gone), and still every
message about assigned training (the notice, the overdue reminders, the escalation to her
manager); learners it does not hold out are nudged as before; after it ends the offers come back;
one holdout at a time, within bounds."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import holdout
from bot.clock import ManualClock
from bot.core import Core
from bot.holdout import HoldoutRefused
from bot.nudges import DORMANT_AFTER
from bot.records import Holdout
from bot.uplift import held_out, measure
from bot.vocabulary import EventKind, Nudges
from tests.memory_store import MemoryStore
from tests.unit.test_programme import (  # noqa: F401  (fixtures)
    BERLIN,
    Outbox,
    assign_deckhand,
    clock,
    core,
    hours,
    learner,
    learner_in,
    memory,
    team_of_two,
    trail_kinds,
    worker,
)

OFFER = "⏰ 5-minute lesson"


async def holdout_of(memory: MemoryStore, clock: ManualClock, out: str, kept: str, days: int = 28) -> Holdout:
    """A holdout of half the learners whose seed holds `out` out and not `kept`."""
    her, him = await learner(memory, out), await learner(memory, kept)
    for n in range(1000):
        probe = Holdout(0, 0.5, f"seed-{n}", clock.now(), clock.now(), clock.now())
        if held_out(her.id, probe) and not held_out(him.id, probe):
            async with memory.transaction() as tx:
                return await holdout.start(tx, share=0.5, days=days, now=clock.now(), seed=probe.seed)
    raise AssertionError("no seed found")


async def test_a_held_out_learner_gets_no_daily_offer_but_every_message_about_assigned_training(
    core: Core, memory: MemoryStore, clock: ManualClock
):
    await team_of_two(core, memory)  # Ana in Berlin, her manager Max in New York
    made = await holdout_of(memory, clock, out="ana", kept="max")
    await assign_deckhand(memory, clock)  # due today, Monday 2 March
    outbox = Outbox(clock)
    await hours(worker(memory, core, clock, outbox), clock, 24 * 8)  # to Tuesday 10 March
    assert outbox.to("ana", OFFER) == [], "no daily offer while held out"
    assert len(outbox.to("ana", "📌 **New for you**")) == 1, "the assignment notice still goes"
    reminders = outbox.to("ana", "⏰ **")
    assert [text.splitlines()[0] for text, _ in reminders] == ["⏰ **Overdue**", "⏰ **Still overdue**"], "overdue reminders still go"
    assert len(outbox.to("max", "⚠️")) == 1, "her manager is still told"
    assert len(outbox.to("max", OFFER)) == DORMANT_AFTER, "Max is not held out: offered daily until he let three pass (dormant)"
    kinds = await trail_kinds(memory, "ana")
    assert kinds[EventKind.NUDGED] == 0 and kinds[EventKind.REMINDED] == 0
    assert kinds[EventKind.HELD_OUT] == DORMANT_AFTER, "where an offer would have gone, until a nudged learner would be dormant"
    assert (await learner(memory, "ana")).nudges == Nudges.ON, "she is not made dormant: she was offered nothing"
    async with memory.transaction() as tx:
        her = await learner_in(tx, "ana")
        withheld = [e for e in await tx.trail.of(her.id) if e.kind == EventKind.HELD_OUT]
        assert {e.payload["holdout"] for e in withheld} == {made.id}
        local = [e.occurred_at.astimezone(ZoneInfo(BERLIN)) for e in withheld]
        assert [d.date() for d in local] == [date(2026, 3, 4), date(2026, 3, 6), date(2026, 3, 9)], (
            "Wednesday, Friday, Monday: on Tuesday and Thursday the overdue reminder was her offer"
        )
        result = await measure(tx, made.starts_at, clock.now(), clock.now() + timedelta(days=2))
    [counted] = result.holdouts
    assert counted.comparison.not_nudged.units == DORMANT_AFTER and counted.comparison.not_nudged.learners == 1
    assert (counted.comparison.nudged.learners, counted.comparison.nudged.units) == (1, DORMANT_AFTER), "alike: three each"


async def test_when_the_holdout_ends_the_offers_come_back_and_who_it_held_out_is_still_known(
    core: Core, memory: MemoryStore, clock: ManualClock
):
    await team_of_two(core, memory)
    made = await holdout_of(memory, clock, out="ana", kept="max", days=2)
    outbox = Outbox(clock)
    dispatcher = worker(memory, core, clock, outbox)
    await hours(dispatcher, clock, 24 * 2 - 1)  # to Wednesday 07:00 UTC: held out Monday and Tuesday
    assert outbox.to("ana", OFFER) == []
    await hours(dispatcher, clock, 24 * 3)  # to Saturday: it ended Wednesday 08:00 UTC, her daily time
    assert [at.astimezone(ZoneInfo(BERLIN)).date() for _, at in outbox.to("ana", OFFER)] == [date(2026, 3, d) for d in (4, 5, 6)]
    async with memory.transaction() as tx:
        assert await holdout.running(tx, clock.now()) is None
        shown = await holdout.latest(tx, clock.now())
        assert shown is not None and shown.holdout == made
        assert [p.platform_user_id for p in shown.held_out] == ["ana"]
        assert shown.summary(clock.now()).startswith(f"Holdout {made.id} ended on 2026-03-04 08:00 UTC (from 2026-03-02 08:00 UTC)")
        in_german = shown.summary(clock.now(), core.translators.of("de"))  # as the L&D page says it to a German admin
        assert in_german == (
            f"Kontrollgruppe {made.id} endete am 2026-03-04 08:00 UTC (seit 2026-03-02 08:00 UTC): "
            f"{made.share:.0%} der Lernenden bekommen kein tägliches Lektionsangebot; 1 von 2 sind in der Kontrollgruppe "
            "(1 davon mit eingeschalteten täglichen Angeboten). Mitteilungen über Zuweisungen, Erinnerungen an Überfälliges "
            "und Eskalationen gehen weiterhin an alle."
        )


async def test_one_holdout_at_a_time_within_bounds_and_ended_early(core: Core, memory: MemoryStore, clock: ManualClock):
    now = clock.now()
    async with memory.transaction() as tx:
        for share, days in ((0, 28), (0.6, 28), (-0.1, 28), (0.1, 0), (0.1, 400)):
            with pytest.raises(HoldoutRefused):
                await holdout.start(tx, share=share, days=days, now=now)
        with pytest.raises(HoldoutRefused, match="no holdout is running"):
            await holdout.end(tx, now)
        first = await holdout.start(tx, share=0.1, days=28, now=now)
        assert (first.starts_at, first.ends_at) == (now, now + timedelta(days=28)) and len(first.seed) == 32
        with pytest.raises(HoldoutRefused, match=f"holdout {first.id} runs until 2026-03-30 08:00 UTC"):
            await holdout.start(tx, share=0.2, days=7, now=now + timedelta(days=1))
        ended = await holdout.end(tx, now + timedelta(days=3))
        assert ended.ends_at == now + timedelta(days=3) and ended.seed == first.seed
        second = await holdout.start(tx, share=0.2, days=7, now=now + timedelta(days=4))
        assert second.seed != first.seed
        assert [h.id for h in await tx.holdouts.all()] == [first.id, second.id], "kept after it ended"
