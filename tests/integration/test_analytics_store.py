"""The item analytics' bulk read (bot/ports.py `Analytics`) on SQLite, PostgreSQL and the in-memory
store: the same answers, sessions and card views from the same history; and a simulated month of
200 learners on the sample content (tests/item_histories.py) read back from SQLite and PostgreSQL
gives exactly the planted findings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot import uplift
from bot.analytics import findings, review, wording_of_check
from bot.analytics_records import AnalyticsRecord, moment
from bot.ports import Store
from bot.records import TrailEvent
from bot.store.database import create_engine, create_sessionmaker
from bot.store.store import SqlStore
from bot.vocabulary import EventKind
from content.loader import load_curriculum
from content.model import Curriculum
from tests.conftest import PROJECT_DIR
from tests.item_histories import NOW, Simulation, planted_findings
from tests.memory_store import MemoryStore


@pytest.fixture(scope="module")
def sample() -> Curriculum:
    loaded = load_curriculum(PROJECT_DIR / "content")
    assert loaded.curriculum is not None
    return loaded.curriculum


def comparable(record: AnalyticsRecord) -> dict[str, Any]:
    """The record with the store's own ids replaced by their order (the memory store counts ids
    across all records, a database per table)."""
    learners = {learner: n for n, learner in enumerate(sorted({s.learner_id for s in record.sessions}))}
    sessions = {s.id: n for n, s in enumerate(sorted(record.sessions, key=lambda s: s.id))}
    return {
        "answers": [
            (learners[a.learner_id], a.at, a.check_key, a.correct, a.choices, sessions.get(a.session_id or -1), a.session_kind, a.wording)
            for a in record.answers
        ],
        "sessions": [
            (
                learners[s.learner_id],
                s.kind,
                s.status,
                s.position,
                s.started_at,
                s.updated_at,
                s.steps,
                s.lesson_id,
                s.lesson_version,
                s.completed_at,
            )
            for s in sorted(record.sessions, key=lambda s: s.id)
        ],
        "card_views": sorted((sessions[session_id], at) for session_id, at in record.card_views),
    }


async def test_every_answer_session_and_card_view_is_read_back_as_written(any_store: Store, sample: Curriculum):
    await Simulation(sample, learners=6, former=2).seed_store(any_store)
    async with any_store.transaction() as tx:
        record = await tx.analytics.record()
    expected = MemoryStore()
    await Simulation(sample, learners=6, former=2).seed_store(expected)
    async with expected.transaction() as tx:
        written = await tx.analytics.record()
    assert comparable(record) == comparable(written)
    # 6 learners x 10 lessons x 3 checks (one stops the last lesson: not here, 6 < 8) + 2 re-checks each; 2 former learners
    assert len(record.answers) == 6 * 30 * 3 + 2
    assert [a.at for a in record.answers] == sorted(a.at for a in record.answers)
    assert all(a.at.tzinfo is not None for a in record.answers)
    assert {a.wording is not None for a in record.answers} == {True, False}  # half record it, half do not
    first = next(a for a in record.answers if a.wording is not None)
    check = sample.find_check(first.check_key)
    assert check is not None and first.wording == wording_of_check(check)
    assert len(record.card_views) == 6 * sum(len(lesson.cards) for lesson in sample.lessons.values())


async def test_the_uplifts_moments_are_the_trails_events_of_those_kinds(any_store: Store, sample: Curriculum):
    await Simulation(sample, learners=6, former=2).seed_store(any_store)
    async with any_store.transaction() as tx:
        everything = await tx.trail.of_kinds(uplift.KINDS, NOW - timedelta(days=400), NOW + timedelta(days=400))
        someone = everything[0].learner_id
        for n, holdout in enumerate((3, 4)):
            at = NOW - timedelta(days=2, hours=n)
            await tx.trail.add(someone, TrailEvent(EventKind.HELD_OUT, at, at.date(), payload={"holdout": holdout, "nudge": 9}))
        at = NOW - timedelta(days=1)
        await tx.trail.add(someone, TrailEvent(EventKind.NUDGED, at, at.date(), payload={"holdout": 5, "nudge": 10}))
    since, before = NOW - timedelta(days=25), NOW  # the simulation's month began 30 days before NOW
    async with any_store.transaction() as tx:
        events = await tx.trail.of_kinds(uplift.KINDS, since, before)
        moments = await tx.analytics.moments(uplift.KINDS, since, before)
        answers = await tx.analytics.moments([EventKind.ANSWERED], since, before)
    assert sorted(moments) == sorted(moment(e) for e in events)
    assert {m.kind for m in moments} >= {EventKind.CARD_VIEWED, EventKind.ANSWERED, EventKind.HELD_OUT, EventKind.NUDGED}
    assert sorted(m.holdout for m in moments if m.holdout is not None) == [3, 4], "only a withheld offer's holdout"
    assert all(m.occurred_at.tzinfo is not None and since <= m.occurred_at < before for m in moments)
    assert answers and sorted(answers) == sorted(m for m in moments if m.kind == EventKind.ANSWERED)
    assert len(moments) < len(everything), "the days before `since` are left out"


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_a_simulated_month_gives_exactly_the_planted_findings(database: str, request: pytest.FixtureRequest, sample: Curriculum):
    engine = create_engine(request.getfixturevalue(f"database_url_for_{database}"))
    store = SqlStore(create_sessionmaker(engine))
    try:
        await Simulation(sample).seed_store(store)
        async with store.transaction() as tx:
            record = await tx.analytics.record()
    finally:
        await engine.dispose()
    result = review(record, sample, now=NOW)
    assert [str(f) for f in findings(result, sample)] == planted_findings(sample)
    (old,) = [i for i in result.items if i.check_key == "work-orders:1" and not i.current]
    assert (old.learners, old.first_try_rate) == (40, 0.0)  # kept apart: would be "too hard", and is not reported
    (troubleshooting,) = [lesson for lesson in result.lessons if lesson.lesson_id == "troubleshooting-method"]
    assert (troubleshooting.started, troubleshooting.completed, troubleshooting.stopped_at) == (200, 195, ((2, 5),))


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_a_reading_sees_one_moment_and_never_holds_up_the_bots_writes(
    request: pytest.FixtureRequest, sample: Curriculum, database: str
):
    """A review reads for seconds on a large organisation. Meanwhile learners answer: their answers
    are written at once (on SQLite every other transaction takes the write lock when it begins, and
    a review holding it would stall the bot), and are in none of the review's reads, which describe
    one moment. On PostgreSQL, READ COMMITTED would show the answer to the reads after it."""
    engine = create_engine(request.getfixturevalue(f"database_url_for_{database}"))
    store = SqlStore(create_sessionmaker(engine))

    async def answer_once_more(learner: int, key: str) -> None:
        async with store.transaction() as writing:
            event = TrailEvent(EventKind.ANSWERED, NOW, NOW.date(), check_key=key, correct=True, payload={"choices": [0]})
            await writing.trail.add(learner, event)

    try:
        await Simulation(sample, learners=6, former=2).seed_store(store)
        ever = (NOW - timedelta(days=400), NOW + timedelta(days=1))
        async with store.reading() as reading:
            before = await reading.analytics.record()
            first = before.answers[0]
            await answer_once_more(first.learner_id, first.check_key)  # SQLite: "database is locked" if the reading held it
            after = await reading.analytics.record()
            moments = await reading.analytics.moments([EventKind.ANSWERED], *ever)
            await answer_once_more(first.learner_id, first.check_key)  # a write inside the reading itself is not kept
            await reading.trail.add(first.learner_id, TrailEvent(EventKind.ANSWERED, NOW, NOW.date(), check_key=first.check_key))
        assert len(after.answers) == len(before.answers) == len(moments), "the answer given meanwhile is in none of them"
        async with store.transaction() as counting:
            assert len((await counting.analytics.record()).answers) == len(before.answers) + 2, "both answers kept, not the reading's"
    finally:
        await engine.dispose()
