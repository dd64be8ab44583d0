"""The programme's rhythm on SQLite and PostgreSQL, with several workers at once: overdue work
reminds each learner (twice at most, in their waking hours), then tells their manager once, in
his waking hours on his clock; recertification is assigned once by the daily check; the trail's
new events export as valid xAPI statements with stable ids."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.cli.xapi import export_xapi
from bot import assignments
from bot.assignments import Origin
from bot.clock import ManualClock
from bot.core import Core
from bot.events import Command, LearnerRef, Start
from bot.nudges import NudgeDispatcher
from bot.records import Award
from bot.replies import Reply
from bot.store.store import SqlStore
from bot.vocabulary import EventKind, NudgeKind, Role, Target
from bot.xapi import Record
from content.model import Curriculum
from tests.integration.test_xapi import problems_of
from tests.support import Chat, found
from tests.unit.test_programme import BERLIN, two_units, waking  # noqa: F401 (a fixture)

TOKYO = "Asia/Tokyo"
BASE = "https://learn.example.com"


class Outbox:
    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.sent: list[tuple[str, str, datetime]] = []

    async def send(self, user_id: str, replies: list[Reply]) -> None:
        self.sent.append((user_id, "\n".join(getattr(r, "text", "") for r in replies), self.clock.now()))


async def crew(core: Core, store: SqlStore, clock: ManualClock, size: int) -> None:
    """`size` learners in Berlin, each assigned Deckhand due today (Monday) by Max, their manager in Tokyo."""
    for i in range(size):
        await core.handle(Start(learner=LearnerRef("telegram", f"u{i}", f"L{i}"), source_id=f"s{i}", timezone=BERLIN))
    await core.handle(Start(learner=LearnerRef("telegram", "max", "Max"), source_id="smax", timezone=TOKYO))
    async with store.transaction() as tx:
        team = (await tx.teams.ids_by_name(["Deck crew"]))["Deck crew"]
        manager = found(await tx.learners.find("telegram", "max"))
        manager.role = Role.MANAGER
        await tx.learners.save(manager)
        await tx.teams.set_managed(manager.id, [team])
        for i in range(size):
            person = found(await tx.learners.find("telegram", f"u{i}"))
            person.team_id = team
            await tx.learners.save(person)
            await assignments.assign(
                tx, person, Target.CREDENTIAL, "deckhand", due_on=date(2026, 3, 2), origin=Origin.MANAGER, by=manager.id, now=clock.now()
            )


async def test_three_workers_remind_each_learner_twice_and_tell_the_manager_once_in_his_waking_hours(
    core: Core, store: SqlStore, clock: ManualClock
):
    await crew(core, store, clock, 8)
    outbox = Outbox(clock)
    workers = [
        NudgeDispatcher(store=store, core=core, clock=clock, senders={"telegram": outbox.send}, worker=f"w{i}", batch=3) for i in range(3)
    ]
    for _ in range(24 * 8):  # to Tuesday 10 March
        clock.advance(hours=1)
        await asyncio.gather(*(w.plan() for w in workers))
        for _ in range(3):
            await asyncio.gather(*(w.deliver_due() for w in workers))
    reminders = [(user, at) for user, text, at in outbox.sent if text.startswith("⏰ **")]
    assert Counter(user for user, _ in reminders) == {f"u{i}": 2 for i in range(8)}, "twice each, never more"
    assert all(waking(at, BERLIN) for _, at in reminders)
    escalations = [(text, at) for user, text, at in outbox.sent if user == "max" and text.startswith("⚠️")]
    told = Counter(line.split(":")[0] for text, _ in escalations for line in text.splitlines() if line.startswith("• "))
    assert told == {f"• L{i}": 1 for i in range(8)}, "each overdue assignment told once"
    assert all(waking(at, TOKYO) for _, at in escalations), [at.astimezone(ZoneInfo(TOKYO)) for _, at in escalations]
    async with store.transaction() as tx:
        person = found(await tx.learners.find("telegram", "u0"))
        kinds = Counter(e.kind for e in await tx.trail.of(person.id))
        checks = [n for n in await tx.nudges.all(person.id) if n.kind == NudgeKind.CHECK and n.done_at is not None]
    assert (kinds[EventKind.OVERDUE], kinds[EventKind.OVERDUE_REMINDED], kinds[EventKind.ESCALATED]) == (1, 2, 1)
    assert len(checks) == 9, "one check a day (the first at once), not one per worker"


async def test_a_learner_who_says_stop_is_not_reminded_and_a_recertification_is_assigned_once(
    core: Core, store: SqlStore, clock: ManualClock
):
    await core.handle(Start(learner=LearnerRef("telegram", "u0", "L0"), source_id="s0", timezone=BERLIN))
    await core.handle(Command(learner=LearnerRef("telegram", "u0", "L0"), source_id="stop", name="stop"))
    async with store.transaction() as tx:
        person = found(await tx.learners.find("telegram", "u0"))
        # Assigned last year (and overdue since: the learner said /stop), earned since, valid ten more days.
        before = clock.now() - timedelta(days=200)
        await assignments.assign(tx, person, Target.CREDENTIAL, "deckhand", due_on=date(2025, 8, 1), origin=Origin.CSV, by=None, now=before)
        earned = Award("pub-r", person.id, "deckhand", "badge", 0, clock.now() - timedelta(days=170), clock.now() + timedelta(days=10), {})
        assert await tx.awards.add(earned)
    outbox = Outbox(clock)
    worker = NudgeDispatcher(store=store, core=core, clock=clock, senders={"telegram": outbox.send}, worker="w")
    for _ in range(24 * 3):
        clock.advance(hours=1)
        await worker.run_round()
    assert [text for user, text, _ in outbox.sent if user == "u0"] == [], "/stop: nothing the bot starts"
    async with store.transaction() as tx:
        made = [a for a in await tx.assignments.of(person.id) if a.origin == Origin.RECERTIFICATION]
    assert [(a.target_id, a.due_on) for a in made] == [("deckhand", date(2026, 3, 12))], "once, due on its last valid day"


async def test_the_programme_exports_as_valid_xapi_with_stable_ids(core: Core, store: SqlStore, clock: ManualClock, tmp_path):
    await crew(core, store, clock, 1)
    async with store.transaction() as tx:
        person = found(await tx.learners.find("telegram", "u0"))
        pathway = await assignments.assign(
            tx, person, Target.PATHWAY, "seamanship", due_on=date(2026, 4, 1), origin=Origin.CSV, by=None, now=clock.now()
        )
        await assignments.withdraw(tx, person, pathway, by=None, now=clock.now())
    outbox = Outbox(clock)
    worker = NudgeDispatcher(store=store, core=core, clock=clock, senders={"telegram": outbox.send}, worker="w")
    for _ in range(24 * 5):
        clock.advance(hours=1)
        await worker.run_round()
    out = tmp_path / "statements.jsonl"
    await export_xapi(store, Record(BASE, core.curriculum), out)
    statements = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for statement in statements:
        assert problems_of(statement) == [], statement
    by_verb = {s["verb"]["id"].removeprefix(f"{BASE}/xapi/verbs/"): s for s in statements if "/xapi/verbs/" in s["verb"]["id"]}
    assert set(by_verb) >= {"assigned", "unassigned", "overdue", "escalated"}
    assigned = next(
        s for s in statements if s["verb"]["id"] == f"{BASE}/xapi/verbs/assigned" and s["object"]["id"].endswith("/achievements/deckhand")
    )
    assert assigned["object"]["definition"]["name"]["en-US"] == "Deckhand"
    assert assigned["context"]["extensions"][f"{BASE}/xapi/extensions/due"] == "2026-03-02"
    assert assigned["context"]["instructor"]["account"]["name"].startswith("learner-"), "who assigned it: an account, no name"
    assert by_verb["unassigned"]["object"]["id"] == f"{BASE}/pathways/seamanship"
    assert by_verb["escalated"]["context"]["extensions"][f"{BASE}/xapi/extensions/reminders"] == 2
    assert "Max" not in out.read_text() and "L0" not in out.read_text(), "no names leave"
    again = tmp_path / "again.jsonl"
    await export_xapi(store, Record(BASE, core.curriculum), again)
    assert again.read_text() == out.read_text(), "the same statement ids on every export"


async def test_drift_at_the_end_of_a_unit_gets_the_next_step_once_and_the_digest_says_so(
    store: SqlStore, clock: ManualClock, two_units: Curriculum
):
    core = Core(curriculum=two_units, store=store, clock=clock)
    ana, max_ = Chat(core, "ana"), Chat(core, "max")
    await ana.start(timezone=BERLIN)
    await max_.start(timezone=TOKYO)
    async with store.transaction() as tx:
        her, him = found(await tx.learners.find("test", "ana")), found(await tx.learners.find("test", "max"))
        team = (await tx.teams.ids_by_name(["Deck crew"]))["Deck crew"]
        her.team_id, him.role = team, Role.MANAGER
        await tx.learners.save(her)
        await tx.learners.save(him)
        await tx.teams.set_managed(him.id, [team])
    await ana.take_next_lesson()  # Tides
    await ana.next()  # Knots, the end of Seamanship L1
    await ana.read_cards_until_question()
    while any(type(r).__name__ == "Question" for r in ana.last):
        await ana.answer_correctly()
    outbox = Outbox(clock)
    workers = [NudgeDispatcher(store=store, core=core, clock=clock, senders={"test": outbox.send}, worker=f"w{i}") for i in range(2)]
    for _ in range(24 * 15):
        clock.advance(hours=1)
        await asyncio.gather(*(w.run_round() for w in workers))
    [(offer, at)] = [(text, at) for user, text, at in outbox.sent if user == "ana" and text.startswith("🧭")]
    assert "You finished **Seamanship L1** on Mon 2 Mar" in offer and "**Splices**" in offer
    assert waking(at, BERLIN)
    digests = [text for user, text, _ in outbox.sent if user == "max" and text.startswith("📋")]
    assert "I offered them the next step once more on Mon 9 Mar." in digests[-1]
