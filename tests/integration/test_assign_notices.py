"""The notice of what a manager assigned, on SQLite and PostgreSQL: two assignments a moment
apart make two notices, which two workers may deliver at once; each assignment is still told
exactly once (the notice records what it told under the learner's row lock)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from bot import assigning
from bot.clock import ManualClock
from bot.core import Core
from bot.events import Command, LearnerRef
from bot.nudges import NudgeDispatcher
from bot.people import Person, import_people
from bot.replies import Reply, Text
from bot.store.store import SqlStore
from bot.vocabulary import NudgeKind, NudgeStatus


async def test_two_notices_delivered_at_once_tell_each_assignment_once(core: Core, store: SqlStore, clock: ManualClock, monkeypatch):
    clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    await import_people(
        store,
        [Person("telegram", "m1", "Maria Boss", None, "manager", ("Deck",)), Person("telegram", "a1", "Ana Lima", "Deck", "learner", ())],
        now=clock.now(),
    )
    maria = LearnerRef("telegram", "m1", "Maria")
    for n, typed in enumerate(("deckhand to Ana Lima by 2026-03-31", "seamanship to ana lima in 30 days")):
        [reply] = await core.handle(Command(learner=maria, source_id=f"m{n}", name="assign", args=typed))
        assert isinstance(reply, Text) and reply.text.startswith("📌 Assigned"), reply
        clock.advance(seconds=1)
    async with store.transaction() as tx:
        assert sorted(n.kind for n in await tx.nudges.all()) == [NudgeKind.ASSIGNED, NudgeKind.ASSIGNED]

    sent: list[list[Reply]] = []
    looked = assigning._last_notice_not_sent

    async def slowly(*args: Any) -> bool:
        await asyncio.sleep(0.1)  # what it told read, nothing recorded yet: the other notice runs now
        return await looked(*args)

    monkeypatch.setattr(assigning, "_last_notice_not_sent", slowly)

    async def send(user_id: str, replies: list[Reply]) -> None:
        sent.append(replies)

    workers = [NudgeDispatcher(store=store, core=core, clock=clock, senders={"telegram": send}, worker=w, batch=1) for w in ("w1", "w2")]
    await asyncio.gather(*(w.deliver_due() for w in workers))

    told = "\n".join(r.text for replies in sent for r in replies if isinstance(r, Text))
    assert told.count("Deckhand") == 1 and told.count("Seamanship L1") == 1, told
    async with store.transaction() as tx:
        statuses = sorted(n.status for n in await tx.nudges.all())
    assert statuses in ([NudgeStatus.SENT, NudgeStatus.SENT], [NudgeStatus.SENT, NudgeStatus.SKIPPED])

    # The same command delivered again (Telegram retries) assigns nothing more.
    assert await core.handle(Command(learner=maria, source_id="m0", name="assign", args="deckhand to Ana Lima by 2026-03-31")) == []
    async with store.transaction() as tx:
        ana = await tx.learners.find("telegram", "a1")
        assert ana is not None and len(await tx.assignments.of(ana.id)) == 2
