"""The store's contract (bot/ports.py), held by both stores: the SQL store on SQLite and
PostgreSQL, and the in-memory store the core's unit tests run on (tests/memory_store.py), so a
flow that passes there behaves the same on a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.events import LearnerRef
from bot.ports import DuplicateEvent, Store
from bot.records import Assignment, Award, ItemMemory, SkillMemory, TrailEvent
from bot.streaks import Hold
from bot.vocabulary import AccessKind, EventKind, NudgeKind, NudgeStatus, SessionKind, SessionStatus, Target

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ANA = LearnerRef("test", "ana", "Ana", "Europe/Berlin")


def event(kind: EventKind, source_id: str | None = None, **details: object) -> TrailEvent:
    return TrailEvent(kind=kind, occurred_at=NOW, local_date=NOW.date(), source_id=source_id, **details)  # type: ignore[arg-type]


async def test_a_learner_is_created_once_found_again_and_one_record_per_transaction(any_store: Store):
    async with any_store.transaction() as tx:
        ana, created = await tx.learners.locked(ANA, now=NOW)
        again, created_again = await tx.learners.locked(ANA, now=NOW)
        assert (created, created_again) == (True, False)
        assert again is ana, "one record per learner in a transaction"
        assert (ana.timezone, ana.timezone_confirmed, ana.daily_time, ana.display_name) == ("Europe/Berlin", True, "09:00", "Ana")
        ana.daily_time = "07:30"
        await tx.learners.save(ana)
    async with any_store.transaction() as tx:
        found = await tx.learners.find("test", "ana")
        assert found is not None and found.daily_time == "07:30" and (await tx.learners.by_id(found.id)) is found


async def test_a_change_not_saved_is_not_kept(any_store: Store):
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        ana.daily_time = "07:30"
    async with any_store.transaction() as tx:
        assert (await tx.learners.find("test", "ana")).daily_time == "09:00"  # type: ignore[union-attr]


async def test_a_platform_message_recorded_twice_fails_its_whole_transaction(any_store: Store):
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        await tx.trail.add(ana.id, event(EventKind.STARTED, "m1"))
    with pytest.raises(DuplicateEvent):
        async with any_store.transaction() as tx:
            ana, _ = await tx.learners.locked(ANA, now=NOW)
            ana.daily_time = "07:30"
            await tx.learners.save(ana)
            await tx.trail.add(ana.id, event(EventKind.STARTED, "m1"))
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        assert ana.daily_time == "09:00", "nothing of the failed transaction was kept"
        assert [e.kind for e in await tx.trail.of(ana.id)] == [EventKind.STARTED]
        assert await tx.trail.learning_days(ana.id) == set()


async def test_a_session_moves_on_and_completes(any_store: Store):
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        session = await tx.sessions.open(
            ana.id, SessionKind.LESSON, "Tides", [{"type": "card"}, {"type": "card"}], now=NOW, lesson_id="tides", lesson_version="v1"
        )
        session.position = 1
        await tx.sessions.save(session)
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        active = await tx.sessions.active(ana.id)
        assert active is not None and (active.id, active.position, active.lesson_id) == (session.id, 1, "tides")
        active.status, active.completed_at = SessionStatus.COMPLETED, NOW
        await tx.sessions.save(active)
    async with any_store.transaction() as tx:
        assert await tx.sessions.active(ana.id) is None
        assert await tx.sessions.completed_lessons(ana.id) == {"tides"}


async def test_memory_is_kept_per_check_and_due_ones_come_soonest_first(any_store: Store):
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        for key, days in (("tides:2", 3), ("tides:1", 1), ("knots:1", 9)):
            await tx.memory.put_item(ana.id, ItemMemory(key, "{}", ("tides",), NOW + timedelta(days=days), 1, True, NOW))
        await tx.memory.put_item(ana.id, ItemMemory("tides:1", "{}", ("tides",), NOW + timedelta(days=2), 2, False, NOW))
    async with any_store.transaction() as tx:
        assert [i.check_key for i in await tx.memory.due(ana.id, NOW + timedelta(days=5), 10)] == ["tides:1", "tides:2"]
        assert (await tx.memory.items(ana.id))["tides:1"].reviews == 2


async def test_an_award_is_stored_once_and_revoked_on_record(any_store: Store):
    def award() -> Award:
        return Award(
            public_id=f"p-{id(object())}",
            learner_id=ana.id,
            definition_id="deckhand",
            kind="badge",
            renewal=0,
            awarded_at=NOW,
            valid_until=None,
            evidence={},
        )

    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        first = award()
        assert await tx.awards.add(first) and first.id > 0
        assert not await tx.awards.add(award()), "once per learner, definition and renewal"
        await tx.awards.revoke(first.id, at=NOW, reason="issued in error")
    async with any_store.transaction() as tx:
        [stored] = await tx.awards.of(ana.id)
        assert (stored.revoked_at, stored.revocation_reason) == (NOW, "issued in error")
        assert await tx.awards.revoked_indices() == [first.id] and await tx.awards.held_by([ana.id]) == []
        assert (await tx.awards.by_public_id(first.public_id)).id == first.id  # type: ignore[union-attr]


async def test_holders_count_each_learner_once_while_an_award_is_neither_revoked_nor_expired(any_store: Store):
    """The achievement page says how many people hold a badge now."""

    def award(learner_id: int, definition_id: str, renewal: int = 0, valid_until: datetime | None = None) -> Award:
        return Award(
            public_id=f"p-{learner_id}-{definition_id}-{renewal}",
            learner_id=learner_id,
            definition_id=definition_id,
            kind="badge",
            renewal=renewal,
            awarded_at=NOW,
            valid_until=valid_until,
            evidence={},
        )

    later = NOW + timedelta(days=30)
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        ben, _ = await tx.learners.locked(LearnerRef("test", "ben", "Ben", "Europe/Berlin"), now=NOW)
        cai, _ = await tx.learners.locked(LearnerRef("test", "cai", "Cai", "Europe/Berlin"), now=NOW)
        assert await tx.awards.holders("deckhand", now=NOW) == 0, "no award yet"
        await tx.awards.add(award(ana.id, "deckhand", valid_until=later))
        await tx.awards.add(award(ana.id, "deckhand", renewal=1, valid_until=later + timedelta(days=1)))  # renewed: still one person
        await tx.awards.add(award(ben.id, "deckhand"))  # no expiry
        revoked = award(cai.id, "deckhand")
        await tx.awards.add(revoked)
        await tx.awards.revoke(revoked.id, at=NOW, reason="issued in error")
        await tx.awards.add(award(cai.id, "mariner"))
        assert await tx.awards.holders("deckhand", now=NOW) == 2, "read in the transaction that added them"
    async with any_store.transaction() as tx:
        assert await tx.awards.holders("deckhand", now=NOW) == 2
        assert await tx.awards.holders("deckhand", now=later) == 2, "Ana's renewal is still valid"
        assert await tx.awards.holders("deckhand", now=later + timedelta(days=1)) == 1, "expired at validUntil: only Ben's"
        assert await tx.awards.holders("mariner", now=NOW) == 1
        assert await tx.awards.holders("no-such-badge", now=NOW) == 0


async def test_many_learners_awards_at_once_are_each_ones_own_revoked_ones_too(any_store: Store):
    """How the suspension list reads every certificate holder's awards (one query, not one each)."""

    def award(learner_id: int, definition_id: str) -> Award:
        return Award(f"m-{learner_id}-{definition_id}", learner_id, definition_id, "badge", 0, NOW, None, {})

    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        ben, _ = await tx.learners.locked(LearnerRef("test", "ben", "Ben", "Europe/Berlin"), now=NOW)
        cai, _ = await tx.learners.locked(LearnerRef("test", "cai", "Cai", "Europe/Berlin"), now=NOW)
        for learner_id, definition_id in ((ana.id, "deckhand"), (ben.id, "deckhand"), (ana.id, "mariner")):
            await tx.awards.add(award(learner_id, definition_id))
        revoked = award(ben.id, "bosun")
        await tx.awards.add(revoked)
        await tx.awards.revoke(revoked.id, at=NOW, reason="issued in error")
    async with any_store.transaction() as tx:
        many = await tx.awards.of_many([ana.id, ben.id, cai.id])
        assert many == {ana.id: await tx.awards.of(ana.id), ben.id: await tx.awards.of(ben.id), cai.id: []}
        assert [a.definition_id for a in many[ana.id]] == ["deckhand", "mariner"]
        assert [(a.definition_id, a.revoked_at is not None) for a in many[ben.id]] == [("deckhand", False), ("bosun", True)]
        assert await tx.awards.of_many([]) == {}


async def test_every_award_is_read_in_batches_in_id_order(any_store: Store):
    """How a pass over every credential (a withdrawn key's re-signing) reads them."""
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        added = []
        for n in range(5):
            award = Award(f"p-{n}", ana.id, f"badge-{n}", "badge", 0, NOW, None, {}, credential={"n": n})
            await tx.awards.add(award)
            added.append(award.id)
    async with any_store.transaction() as tx:
        first = await tx.awards.after(0, 2)
        rest = await tx.awards.after(first[-1].id, 10)
        assert [a.id for a in first + rest] == added
        assert [a.credential for a in rest] == [{"n": 2}, {"n": 3}, {"n": 4}]
        assert await tx.awards.after(added[-1], 10) == []


async def test_awards_of_a_kind_include_revoked_ones(any_store: Store):
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        badge = Award("p-b", ana.id, "deckhand", "badge", 0, NOW, None, {})
        first = Award("p-c1", ana.id, "mariner", "certificate", 0, NOW, None, {})
        second = Award("p-c2", ana.id, "mariner", "certificate", 1, NOW + timedelta(days=1), None, {})
        for award in (badge, first, second):
            await tx.awards.add(award)
        await tx.awards.revoke(first.id, at=NOW, reason="issued in error")
    async with any_store.transaction() as tx:
        assert [a.public_id for a in await tx.awards.of_kind("certificate")] == ["p-c1", "p-c2"]
        assert [a.public_id for a in await tx.awards.of_kind("badge")] == ["p-b"]


async def test_holds_end_today_and_future_ones_go(any_store: Store):
    today = date(2026, 3, 10)
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        await tx.holds.add(ana.id, date(2026, 3, 5), date(2026, 3, 20))
        await tx.holds.add(ana.id, date(2026, 4, 1), date(2026, 4, 5))
        await tx.holds.end(ana.id, today)
    async with any_store.transaction() as tx:
        assert await tx.holds.of(ana.id) == [Hold(date(2026, 3, 5), today)]


async def test_a_nudge_is_scheduled_once_claimed_by_one_worker_and_finished(any_store: Store):
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        assert await tx.nudges.schedule(ana.id, NudgeKind.DAILY, NOW)
        assert not await tx.nudges.schedule(ana.id, NudgeKind.DAILY, NOW)
    async with any_store.transaction() as tx:
        [(nudge, learner)] = await tx.nudges.claim(now=NOW, worker="w1", lease=timedelta(minutes=2), limit=10)
        assert (nudge.status, learner.id) == (NudgeStatus.CLAIMED, ana.id)
    async with any_store.transaction() as tx:
        assert await tx.nudges.claim(now=NOW, worker="w2", lease=timedelta(minutes=2), limit=10) == []
        assert not await tx.nudges.finish(nudge.id, worker="w2", status=NudgeStatus.SENT, at=NOW)
        assert await tx.nudges.finish(nudge.id, worker="w1", status=NudgeStatus.SENT, at=NOW)
        assert [(n.status, n.attempts) for n in await tx.nudges.all(ana.id)] == [(NudgeStatus.SENT, 1)]


async def test_a_sign_in_link_works_once_and_leaving_ends_every_session(any_store: Store):
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        await tx.access.add("link", ana.id, AccessKind.SIGNIN, NOW + timedelta(minutes=15))
        await tx.access.add("session", ana.id, AccessKind.SESSION, NOW + timedelta(hours=12))
        await tx.access.add("old", ana.id, AccessKind.SESSION, NOW - timedelta(minutes=1))
    async with any_store.transaction() as tx:
        assert (await tx.access.signin_learner("link", NOW)).id == ana.id  # type: ignore[union-attr]
        assert await tx.access.use_signin("link", NOW) == ana.id
        assert await tx.access.use_signin("link", NOW) is None, "once"
        assert await tx.access.session_learner("old", NOW) is None
        assert await tx.access.purge_expired(NOW) == 1
        assert (await tx.access.session_learner("session", NOW)).id == ana.id  # type: ignore[union-attr]
        assert await tx.access.end_all(ana.id) == 2
        assert await tx.access.session_learner("session", NOW) is None


async def test_teams_are_made_by_name_and_read_with_their_members(any_store: Store):
    async with any_store.transaction() as tx:
        ids = await tx.teams.ids_by_name(["Deck", "Engine"])
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        ana.team_id = ids["Deck"]
        await tx.learners.save(ana)
        await tx.teams.set_managed(ana.id, [ids["Engine"]])
    async with any_store.transaction() as tx:
        assert await tx.teams.ids_by_name(["Deck"]) == {"Deck": ids["Deck"]}, "found, not made again"
        assert [t.name for t in await tx.teams.all()] == ["Deck", "Engine"]
        assert [m.id for m in await tx.teams.members(ids["Deck"])] == [ana.id]
        assert await tx.teams.managed_names(ana.id) == ["Engine"] and await tx.teams.name_of(ana.id) == "Deck"


async def test_what_a_transaction_read_it_reads_again_with_its_own_writes(any_store: Store):
    """The SQL store keeps what a transaction read of a learner's memory, completed lessons and
    awards (a turn asks several times): its own writes show in the next read, as in a database."""
    later = NOW + timedelta(days=5)
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        assert await tx.memory.items(ana.id) == {} and await tx.memory.skills(ana.id) == {}
        assert await tx.sessions.completed_lessons(ana.id) == set() and await tx.awards.of(ana.id) == []
        await tx.memory.put_item(ana.id, ItemMemory("tides:2", "{}", ("tides",), NOW + timedelta(days=3), 1, True, NOW))
        await tx.memory.put_item(ana.id, ItemMemory("tides:1", "{}", ("tides",), NOW + timedelta(days=1), 1, True, NOW))
        await tx.memory.put_skill(ana.id, SkillMemory("tides", 0.4, NOW))
        assert sorted(await tx.memory.items(ana.id)) == ["tides:1", "tides:2"]
        assert [i.check_key for i in await tx.memory.due(ana.id, later, 10)] == ["tides:1", "tides:2"]
        assert [i.check_key for i in await tx.memory.due(ana.id, later, 1)] == ["tides:1"]
        await tx.memory.put_skill(ana.id, SkillMemory("tides", 0.6, later))
        assert await tx.memory.skills(ana.id) == {"tides": SkillMemory("tides", 0.6, later)}
        session = await tx.sessions.open(
            ana.id, SessionKind.LESSON, "Tides", [{"type": "card"}], now=NOW, lesson_id="tides", lesson_version="v1"
        )
        assert await tx.sessions.completed_lessons(ana.id) == set()
        session.position, session.status, session.completed_at = 1, SessionStatus.COMPLETED, NOW
        await tx.sessions.save(session)
        assert await tx.sessions.completed_lessons(ana.id) == {"tides"}
        review = await tx.sessions.open(ana.id, SessionKind.REVIEW, "Quick re-check", [{"type": "check"}], now=NOW)
        review.status = SessionStatus.COMPLETED
        await tx.sessions.save(review)
        assert await tx.sessions.completed_lessons(ana.id) == {"tides"}, "a review is no lesson"
        award = Award(
            public_id="p-1",
            learner_id=ana.id,
            definition_id="deckhand",
            kind="badge",
            renewal=0,
            awarded_at=NOW,
            valid_until=None,
            evidence={},
        )
        assert await tx.awards.add(award)
        assert [a.definition_id for a in await tx.awards.of(ana.id)] == ["deckhand"]
        await tx.awards.store_credential(award.id, {"signed": True})
        await tx.awards.revoke(award.id, at=NOW, reason="issued in error")
        [stored] = await tx.awards.of(ana.id)
        assert (stored.credential, stored.revoked_at) == ({"signed": True}, NOW)
    async with any_store.transaction() as tx:
        await tx.learners.locked(ANA, now=NOW)  # the SQL store's lock says whether there are awards
        assert [i.check_key for i in await tx.memory.due(ana.id, later, 10)] == ["tides:1", "tides:2"]
        assert await tx.memory.skills(ana.id) == {"tides": SkillMemory("tides", 0.6, later)}
        assert (await tx.memory.items(ana.id))["tides:1"] == ItemMemory("tides:1", "{}", ("tides",), NOW + timedelta(days=1), 1, True, NOW)
        assert [i.check_key for i in await tx.memory.due(ana.id, later, 1)] == ["tides:1"], "read as a whole now"
        assert await tx.sessions.completed_lessons(ana.id) == {"tides"}
        assert [(a.definition_id, a.revoked_at) for a in await tx.awards.of(ana.id)] == [("deckhand", NOW)]


async def test_writes_are_seen_by_every_later_read_and_a_row_written_twice_keeps_both_changes(any_store: Store):
    """The SQL store sends a transaction's writes when something reads what they write, or at its
    end (bot/store/writes.py): every read after a write sees it, whichever repository reads."""
    async with any_store.transaction() as tx:
        ids = await tx.teams.ids_by_name(["Deck"])
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        ana.team_id = ids["Deck"]
        await tx.learners.save(ana)
        assert [m.id for m in await tx.teams.members(ids["Deck"])] == [ana.id]
        await tx.trail.add(ana.id, event(EventKind.LESSON_COMPLETED, "m1", lesson_id="tides"))
        assert await tx.trail.completion_days(ana.id) == {"tides": NOW.date()}
        assert await tx.trail.lesson_completions(ana.id) == {"tides": NOW}
        session = await tx.sessions.open(ana.id, SessionKind.LESSON, "Tides", [{"type": "card"}], now=NOW, lesson_id="tides")
        session.position = 1
        await tx.sessions.save(session)
        session.status, session.completed_at = SessionStatus.COMPLETED, NOW
        await tx.sessions.save(session)
        assert await tx.sessions.completed_lessons_of([ana.id]) == {ana.id: {"tides"}}
        await tx.memory.put_item(ana.id, ItemMemory("tides:1", "{}", ("tides",), NOW, 1, True, NOW))
        assert [i.check_key for i in await tx.memory.due(ana.id, NOW, 10)] == ["tides:1"]
        ana.daily_time = "07:30"
        await tx.learners.save(ana)
        ana.working_days = "1234"
        await tx.learners.save(ana)
    async with any_store.transaction() as tx:
        found = await tx.learners.find("test", "ana")
        assert found is not None and (found.team_id, found.daily_time, found.working_days) == (ids["Deck"], "07:30", "1234")
        [stored] = [s for s in await tx.trail.of(ana.id)]
        assert (stored.kind, stored.source_id) == (EventKind.LESSON_COMPLETED, "m1")
        assert await tx.sessions.completed_lessons(ana.id) == {"tides"}
        assert [i.check_key for i in await tx.memory.due(ana.id, NOW, 10)] == ["tides:1"]


async def test_a_transaction_of_many_writes_keeps_them_all(any_store: Store):
    """A team's sync or an import writes hundreds of rows in one transaction (PostgreSQL gets them
    in statements of bot/store/writes.py TOGETHER writes each)."""
    async with any_store.transaction() as tx:
        people = [(await tx.learners.person("test", f"p{n}", f"Person {n}", now=NOW))[0] for n in range(95)]
        for n, person in enumerate(people):
            person.daily_time = f"0{n % 10}:00"
            await tx.learners.save(person)
            await tx.trail.add(person.id, event(EventKind.STARTED, f"m{n}"))
    async with any_store.transaction() as tx:
        assert await tx.trail.count() == 95
        for n in (0, 41, 94):
            found = await tx.learners.find("test", f"p{n}")
            assert found is not None and found.daily_time == f"0{n % 10}:00"


async def test_events_keep_the_order_they_were_recorded_in(any_store: Store):
    """The trail is read oldest first, by id (the xAPI forwarding's cursor too): events recorded
    in one transaction, between other writes, get their ids in that order."""
    kinds = [EventKind.LESSON_STARTED, EventKind.CARD_VIEWED, EventKind.ANSWERED, EventKind.LESSON_COMPLETED]
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        session = await tx.sessions.open(ana.id, SessionKind.LESSON, "Tides", [{"type": "card"}], now=NOW, lesson_id="tides")
        for n, kind in enumerate(kinds):
            await tx.trail.add(ana.id, event(kind, "m1" if n == 0 else None))
            session.position = n
            await tx.sessions.save(session)
            await tx.memory.put_item(ana.id, ItemMemory("tides:1", "{}", ("tides",), NOW, n, True, NOW))
            ana.streak_days = n
            await tx.learners.save(ana)
    async with any_store.transaction() as tx:
        assert [e.kind for e in await tx.trail.of(ana.id)] == kinds
        assert [e.kind for e in await tx.trail.recent(ana.id, kinds, 10)] == kinds[::-1]


async def test_a_learner_without_holds_gets_one_in_the_same_transaction(any_store: Store):
    """The SQL store learns from the learner's lock that they have no holds (and reads them only
    for those who have some); a hold added later in the transaction is there when asked."""
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        assert await tx.holds.of(ana.id) == []
        await tx.holds.add(ana.id, date(2026, 3, 5), date(2026, 3, 6))
        assert await tx.holds.of(ana.id) == [Hold(date(2026, 3, 5), date(2026, 3, 6))]
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        assert await tx.holds.of(ana.id) == [Hold(date(2026, 3, 5), date(2026, 3, 6))]
        await tx.holds.delete_all(ana.id)
        assert await tx.holds.of(ana.id) == []


async def test_the_evidence_for_credentials_is_the_first_completion_and_the_right_rechecks(any_store: Store):
    later = NOW + timedelta(days=3)

    def on(day: datetime, kind: EventKind, **details: object) -> TrailEvent:
        return TrailEvent(kind=kind, occurred_at=day, local_date=day.date(), **details)  # type: ignore[arg-type]

    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        await tx.trail.add(ana.id, on(later, EventKind.LESSON_COMPLETED, lesson_id="tides"))
        await tx.trail.add(ana.id, on(NOW, EventKind.LESSON_COMPLETED, lesson_id="tides"))
        await tx.trail.add(ana.id, on(NOW, EventKind.ANSWERED, check_key="tides:1", correct=True, payload={"kind": "review"}))
        await tx.trail.add(ana.id, on(NOW, EventKind.ANSWERED, check_key="tides:2", correct=True, payload={"kind": "lesson"}))
        await tx.trail.add(ana.id, on(NOW, EventKind.ANSWERED, check_key="tides:3", correct=False, payload={"kind": "review"}))
        assert await tx.trail.completion_days(ana.id) == {"tides": NOW.date()}
        assert await tx.trail.correct_recheck_days(ana.id) == [("tides:1", NOW.date())]
        await tx.trail.add(ana.id, on(later, EventKind.ANSWERED, check_key="tides:3", correct=True, payload={"kind": "review"}))
        await tx.trail.add(ana.id, on(later, EventKind.LESSON_COMPLETED, lesson_id="knots"))
        assert await tx.trail.completion_days(ana.id) == {"tides": NOW.date(), "knots": later.date()}
        assert sorted(await tx.trail.correct_recheck_days(ana.id)) == [("tides:1", NOW.date()), ("tides:3", later.date())]


async def test_assignments_are_added_and_withdrawn_once_and_read_oldest_first(any_store: Store):
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        first = await tx.assignments.add(Assignment(ana.id, Target.CREDENTIAL, "loto-practitioner", date(2026, 4, 1), "csv", NOW))
        second = await tx.assignments.add(
            Assignment(ana.id, Target.PATHWAY, "safety", date(2026, 5, 1), "manager", NOW + timedelta(hours=1), assigned_by=ana.id)
        )
        assert first.id and second.id and first.id != second.id
    async with any_store.transaction() as tx:
        assert await tx.assignments.withdraw(first.id, at=NOW + timedelta(days=1))
        assert not await tx.assignments.withdraw(first.id, at=NOW + timedelta(days=2))  # once
        assert not await tx.assignments.withdraw(999_999, at=NOW)
    async with any_store.transaction() as tx:
        found = await tx.assignments.of(ana.id)
        assert [(a.target_kind, a.target_id, a.due_on, a.assigned_by) for a in found] == [
            (Target.CREDENTIAL, "loto-practitioner", date(2026, 4, 1), None),
            (Target.PATHWAY, "safety", date(2026, 5, 1), ana.id),
        ]
        assert found[0].withdrawn_at == NOW + timedelta(days=1) and found[1].withdrawn_at is None
        assert await tx.assignments.of_many([ana.id, 424242]) == {ana.id: found}


async def test_a_job_role_is_held_once_at_a_time_and_its_holders_are_told_as_of_a_date(any_store: Store):
    async with any_store.transaction() as tx:
        ana, _ = await tx.learners.locked(ANA, now=NOW)
        bo, _ = await tx.learners.locked(LearnerRef("test", "bo", "Bo"), now=NOW)
        assert await tx.job_roles.give(ana.id, "machine-operator", at=NOW)
        assert not await tx.job_roles.give(ana.id, "machine-operator", at=NOW + timedelta(hours=1))
        assert await tx.job_roles.give(bo.id, "machine-operator", at=NOW + timedelta(days=10))
    async with any_store.transaction() as tx:
        assert await tx.job_roles.end(ana.id, "machine-operator", at=NOW + timedelta(days=20))
        assert not await tx.job_roles.end(ana.id, "machine-operator", at=NOW + timedelta(days=21))
        assert await tx.job_roles.give(ana.id, "machine-operator", at=NOW + timedelta(days=30))  # back in the role
    async with any_store.transaction() as tx:
        holders = tx.job_roles.holders
        assert await holders("machine-operator", at=NOW + timedelta(days=5)) == [ana.id]
        assert await holders("machine-operator", at=NOW + timedelta(days=15)) == [ana.id, bo.id]
        assert await holders("machine-operator", at=NOW + timedelta(days=25)) == [bo.id]
        assert await holders("machine-operator", at=NOW + timedelta(days=31)) == [ana.id, bo.id]
        assert await holders("maintenance-technician", at=NOW + timedelta(days=31)) == []
        spells = await tx.job_roles.of(ana.id)
        assert [(h.since, h.until) for h in spells] == [(NOW, NOW + timedelta(days=20)), (NOW + timedelta(days=30), None)]
