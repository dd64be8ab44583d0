"""What the programme's rhythm asks of the store (bot/ports.py NudgeQueue.to_check and waiting),
held by both stores, as tests/integration/test_store_contract.py holds the rest: the SQL store
on SQLite and PostgreSQL, and the in-memory store."""

from __future__ import annotations

from datetime import date, timedelta

from bot.events import LearnerRef
from bot.ports import Store
from bot.records import Assignment, Award
from bot.vocabulary import NudgeKind, NudgeStatus, Target
from tests.integration.test_store_contract import (
    NOW,
)


def award(learner_id: int, valid_until: timedelta | None, *, revoked: bool = False) -> Award:
    return Award(
        public_id=f"award-{learner_id}",
        learner_id=learner_id,
        definition_id="deckhand",
        kind="badge",
        renewal=0,
        awarded_at=NOW - timedelta(days=10),
        valid_until=NOW + valid_until if valid_until is not None else None,
        evidence={},
        revoked_at=NOW - timedelta(days=1) if revoked else None,
    )


async def test_the_daily_check_is_planned_for_people_with_a_programme_and_none_waiting(any_store: Store):
    people = {}
    async with any_store.transaction() as tx:
        for name in ("ana", "bo", "cy", "dee", "eve", "fay", "gus", "hal", "ivy"):
            people[name], _ = await tx.learners.locked(LearnerRef("telegram", name, name.title(), "Europe/Berlin"), now=NOW)
        console, _ = await tx.learners.locked(LearnerRef("console", "me", "Me"), now=NOW)
        await tx.assignments.add(Assignment(people["ana"].id, Target.CREDENTIAL, "deckhand", date(2026, 4, 1), "csv", NOW))
        await tx.awards.add(award(people["bo"].id, timedelta(days=90)))  # valid, and it expires
        [team] = (await tx.teams.ids_by_name(["Deck"])).values()
        await tx.teams.set_managed(people["cy"].id, [team])  # a manager
        # dee: nothing; eve: an expired credential; fay: a withdrawn assignment; gus: a revoked one;
        # hal: a credential that never expires; ivy: left (assigned before)
        await tx.awards.add(award(people["eve"].id, timedelta(days=-1)))
        withdrawn = await tx.assignments.add(Assignment(people["fay"].id, Target.PATHWAY, "seamanship", date(2026, 4, 1), "csv", NOW))
        await tx.assignments.withdraw(withdrawn.id, at=NOW)
        await tx.awards.add(award(people["gus"].id, timedelta(days=90), revoked=True))
        await tx.awards.add(award(people["hal"].id, None))
        await tx.assignments.add(Assignment(people["ivy"].id, Target.CREDENTIAL, "deckhand", date(2026, 4, 1), "csv", NOW))
        people["ivy"].platform_user_id = "erased:1"
        await tx.learners.save(people["ivy"])
        await tx.assignments.add(Assignment(console.id, Target.CREDENTIAL, "deckhand", date(2026, 4, 1), "csv", NOW))
    async with any_store.transaction() as tx:
        found = await tx.nudges.to_check(["telegram"], 100, now=NOW)
        assert [p.platform_user_id for p in found] == ["ana", "bo", "cy"]
        assert [p.platform_user_id for p in await tx.nudges.to_check(["telegram"], 2, now=NOW)] == ["ana", "bo"]
        assert [p.platform_user_id for p in await tx.nudges.to_check(["telegram"], 100, now=NOW + timedelta(days=91))] == ["ana", "cy"]
        assert await tx.nudges.schedule(people["ana"].id, NudgeKind.CHECK, NOW)
        assert await tx.nudges.schedule(people["bo"].id, NudgeKind.DAILY, NOW)  # another kind does not count
    async with any_store.transaction() as tx:
        assert [p.platform_user_id for p in await tx.nudges.to_check(["telegram"], 100, now=NOW)] == ["bo", "cy"]
        [(check, _)] = [c for c in await tx.nudges.claim(now=NOW, worker="w", lease=timedelta(minutes=2), limit=10) if c[0].kind == "check"]
    async with any_store.transaction() as tx:
        assert [p.platform_user_id for p in await tx.nudges.to_check(["telegram"], 100, now=NOW)] == ["bo", "cy"], "claimed: still waiting"
        assert await tx.nudges.finish(check.id, worker="w", status=NudgeStatus.SENT, at=NOW)
    async with any_store.transaction() as tx:
        assert [p.platform_user_id for p in await tx.nudges.to_check(["telegram"], 100, now=NOW)] == ["ana", "bo", "cy"], "done: due again"


async def test_waiting_nudges_are_the_pending_and_claimed_ones_of_the_kinds_asked(any_store: Store):
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(LearnerRef("telegram", "ana", "Ana", "Europe/Berlin"), now=NOW)
        bo, _ = await tx.learners.locked(LearnerRef("telegram", "bo", "Bo", "Europe/Berlin"), now=NOW)
        await tx.nudges.schedule(ana.id, NudgeKind.OVERDUE, NOW + timedelta(hours=2))
        await tx.nudges.schedule(ana.id, NudgeKind.ESCALATION, NOW)
        await tx.nudges.schedule(ana.id, NudgeKind.DAILY, NOW)
        await tx.nudges.schedule(bo.id, NudgeKind.OVERDUE, NOW)
    async with any_store.transaction() as tx:
        waiting = await tx.nudges.waiting(ana.id, [NudgeKind.OVERDUE, NudgeKind.ESCALATION])
        assert [(n.kind, n.due_at) for n in waiting] == [(NudgeKind.ESCALATION, NOW), (NudgeKind.OVERDUE, NOW + timedelta(hours=2))]
        claimed = await tx.nudges.claim(now=NOW, worker="w", lease=timedelta(minutes=2), limit=10)
        escalation = next(n for n, _ in claimed if n.kind == NudgeKind.ESCALATION)
    async with any_store.transaction() as tx:
        assert [n.kind for n in await tx.nudges.waiting(ana.id, [NudgeKind.ESCALATION])] == [NudgeKind.ESCALATION], "claimed"
        await tx.nudges.finish(escalation.id, worker="w", status=NudgeStatus.SENT, at=NOW)
    async with any_store.transaction() as tx:
        assert await tx.nudges.waiting(ana.id, [NudgeKind.ESCALATION]) == []


async def test_a_check_is_not_a_message_in_the_delivery_figures(any_store: Store):
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(LearnerRef("telegram", "ana", "Ana", "Europe/Berlin"), now=NOW)
        await tx.nudges.schedule(ana.id, NudgeKind.CHECK, NOW - timedelta(hours=1))
        await tx.nudges.schedule(ana.id, NudgeKind.CHECK, NOW + timedelta(hours=1))
        await tx.nudges.schedule(ana.id, NudgeKind.OVERDUE, NOW - timedelta(hours=1))
    async with any_store.transaction() as tx:
        status = await tx.nudges.delivery_status(NOW)
        assert (status.due, status.overdue, status.next_due) == (1, 1, None)
