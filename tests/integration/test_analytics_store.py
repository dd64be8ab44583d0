"""The item analytics' bulk read (bot/ports.py `Analytics`) on SQLite, PostgreSQL (its binary COPY
read by numpy) and the in-memory store: the same answers, sessions and card views from the same history; and a simulated month of
200 learners on the sample content (tests/item_histories.py) read back from SQLite and PostgreSQL
gives exactly the planted findings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot import uplift
from bot.analytics import findings, read, review_columns
from bot.analytics_columns import NONE, ReviewColumns
from bot.analytics_records import moment
from bot.ports import Store
from bot.records import TrailEvent
from bot.store.database import create_engine, create_sessionmaker
from bot.store.store import SqlStore
from bot.vocabulary import EventKind
from bot.wording import wording_of_check
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


def comparable(columns: ReviewColumns) -> dict[str, Any]:
    """The columns as plain values, with the store's own ids replaced by their order (the memory
    store counts ids across all records, a database per table) and codes by what they stand for."""
    a, s = columns.answers, columns.sessions
    order = sorted(range(len(a)), key=lambda i: (a.at[i], a.id[i]))
    learners = {learner: n for n, learner in enumerate(sorted(set(a.learner.tolist())))}
    sessions = {session: n for n, session in enumerate(sorted(s.id.tolist()))}
    sessions[NONE] = NONE
    return {
        "answers": [
            (
                learners[int(a.learner[i])],
                int(a.at[i]),
                a.checks[a.check[i]],
                bool(a.correct[i]),
                a.wordings[a.wording[i]],
                int(a.choices[i]),
                sessions[int(a.session[i])],
            )
            for i in order
        ],
        "sessions": sorted(
            (
                sessions[int(s.id[i])],
                s.lessons[s.lesson[i]] if s.lesson[i] != NONE else None,
                bool(s.active[i]),
                bool(s.completed[i]),
                int(s.position[i]),
                int(s.started[i]),
                int(s.updated[i]),
                int(s.completed_at[i]),
            )
            for i in range(len(s.id))
        ),
        "card_views": sorted((sessions[int(session)], int(at)) for session, at in zip(*columns.card_views, strict=True)),
    }


async def test_every_answer_session_and_card_view_is_read_back_as_written(any_store: Store, sample: Curriculum):
    await Simulation(sample, learners=6, former=2).seed_store(any_store)
    keys = [check.key for lesson in sample.lessons_in_order() for check in lesson.checks]
    async with any_store.transaction() as tx:
        columns = await tx.analytics.columns(keys)
    expected = MemoryStore()
    await Simulation(sample, learners=6, former=2).seed_store(expected)
    async with expected.transaction() as tx:
        written = await tx.analytics.columns(keys)
    found = comparable(columns)
    assert found == comparable(written)
    # 6 learners x 10 lessons x 3 checks (one stops the last lesson: not here, 6 < 8) + 2 re-checks each; 2 former learners
    assert len(found["answers"]) == 6 * 30 * 3 + 2
    current = {key: wording_of_check(check) for key in keys if (check := sample.find_check(key)) is not None}
    assert {a[2] for a in found["answers"] if a[4] == current[a[2]]} == set(keys), "each answer with the wording it was shown in"
    assert {a[2] for a in found["answers"] if a[4] != current[a[2]]} == {"work-orders:1"}, "the former learners' earlier wording"
    assert all(0 < a[5] < 1 << 10 for a in found["answers"]), "the options chosen, as bits"
    assert sum(1 for answer in found["answers"] if answer[6] == NONE) == 0, "every answer names its session"
    assert len(found["card_views"]) == 6 * sum(len(lesson.cards) for lesson in sample.lessons.values())
    assert {lesson for _, lesson, *_ in found["sessions"]} == set(sample.lessons) | {None}  # re-checks are no lesson's


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
        async with store.reading() as tx:
            columns, steps = await read(tx.analytics, sample)
    finally:
        await engine.dispose()
    result = review_columns(columns, steps, sample, now=NOW)
    assert [str(f) for f in findings(result, sample)] == planted_findings(sample)
    (old,) = [i for i in result.items if i.check_key == "work-orders:1" and not i.current]
    assert (old.learners, old.first_try_rate) == (40, 0.0)  # kept apart: would be "too hard", and is not reported
    assert old.question == "Which description helps the next shift most?", "as the former learners' sessions showed it"
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
            before = (await reading.analytics.columns([])).answers
            learner, key = int(before.learner[0]), before.checks[before.check[0]]
            await answer_once_more(learner, key)  # SQLite: "database is locked" if the reading held it
            after = (await reading.analytics.columns([])).answers
            moments = await reading.analytics.moments([EventKind.ANSWERED], *ever)
            await answer_once_more(learner, key)  # a write inside the reading itself is not kept
            await reading.trail.add(learner, TrailEvent(EventKind.ANSWERED, NOW, NOW.date(), check_key=key))
        assert len(after) == len(before) == len(moments), "the answer given meanwhile is in none of them"
        async with store.transaction() as counting:
            assert len((await counting.analytics.columns([])).answers) == len(before) + 2, "both answers kept, not the reading's"
    finally:
        await engine.dispose()
