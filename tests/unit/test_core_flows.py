"""The core's flows (a lesson, an answer, an award, a nudge, leaving) on the in-memory store:
the same core the bot runs, with no database, in milliseconds. The SQL store is held to the same
behaviour by tests/integration/test_store_contract.py, and the flows run on SQLite and PostgreSQL
in tests/integration."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.core import Core
from bot.events import LearnerRef, Next, Start
from bot.nudges import NudgeDispatcher
from bot.replies import Announcement, Question, Reply, Text
from bot.vocabulary import EventKind, NudgeKind, NudgeStatus, SessionStatus
from content.model import Curriculum
from tests.memory_store import MemoryStore
from tests.support import Chat, study_daily_until


@pytest.fixture
def memory() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))  # a Monday, 09:00 in Berlin


@pytest.fixture
def core(memory: MemoryStore, curriculum: Curriculum, clock: ManualClock) -> Core:
    return Core(curriculum=curriculum, store=memory, clock=clock)


async def kinds(memory: MemoryStore, user: str = "ana") -> list[EventKind]:
    async with memory.transaction() as tx:
        learner = await tx.learners.find("test", user)
        assert learner is not None
        return [event.kind for event in await tx.trail.of(learner.id)]


async def test_a_lesson_from_first_contact_to_its_summary_is_recorded_step_by_step(
    core: Core, memory: MemoryStore, clock: ManualClock, curriculum: Curriculum
):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    assert "Lesson complete: Tides" in chat.text and "2 of 2 correct" in chat.text
    assert await kinds(memory) == [
        EventKind.STARTED,
        EventKind.LESSON_STARTED,
        EventKind.CARD_VIEWED,
        EventKind.CARD_VIEWED,
        EventKind.BUTTON_PRESSED,  # the Next that showed the question: kept so its redelivery is known
        EventKind.ANSWERED,
        EventKind.ANSWERED,
        EventKind.LESSON_COMPLETED,
    ]
    async with memory.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        assert learner is not None
        assert await tx.sessions.active(learner.id) is None
        assert await tx.sessions.completed_lessons(learner.id) == {"tides"}
        items = await tx.memory.items(learner.id)
        assert sorted(items) == sorted(check.key for check in curriculum.lessons["tides"].checks)
        assert all(item.reviews == 1 and item.last_correct for item in items.values())
        assert (learner.streak_days, learner.last_learned_at) == (1, clock.now())


async def test_a_restarted_core_resumes_exactly_where_the_learner_was(memory: MemoryStore, curriculum: Curriculum, clock):
    chat = Chat(Core(curriculum=curriculum, store=memory, clock=clock))
    await chat.start()
    await chat.press("Start now")
    await chat.press("Next")
    restarted = Chat(Core(curriculum=curriculum, store=memory, clock=clock))
    await restarted.next()
    assert isinstance(restarted.last[-1], Question) and "How many high tides" in restarted.question.question


async def test_an_event_delivered_twice_is_handled_once(core: Core, memory: MemoryStore):
    ana = LearnerRef("test", "ana", "Ana")
    first = await core.handle(Start(learner=ana, source_id="m1", timezone="UTC"))
    assert first and await core.handle(Start(learner=ana, source_id="m1", timezone="UTC")) == []
    assert await kinds(memory) == [EventKind.STARTED]


async def test_a_failing_turn_leaves_nothing_half_written(core: Core, memory: MemoryStore, monkeypatch):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("tests.memory_store._Sessions.save", broken)
    with pytest.raises(RuntimeError):
        await chat.press("Next")
    monkeypatch.undo()
    assert await kinds(memory) == [EventKind.STARTED, EventKind.LESSON_STARTED, EventKind.CARD_VIEWED]


async def test_durable_recall_over_separate_days_earns_the_badge_and_then_the_certificate(core: Core, memory: MemoryStore, clock):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    day, said = await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge")
    assert day is not None
    earned = [r.text for r in said if isinstance(r, Text | Announcement) and "earned" in r.text]
    assert any("Mariner Certificate" in text for text in earned), "the certificate it completes follows in the same turn"
    assert [r.text for r in said if isinstance(r, Announcement)] == [
        "🎉 Ana earned the **Deckhand** badge!",
        "🎉 Ana earned the **Mariner Certificate** certificate!",
    ]
    async with memory.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        assert learner is not None
        assert [(a.definition_id, a.renewal) for a in await tx.awards.of(learner.id)] == [("deckhand", 0), ("mariner", 0)]
    again = await chat.next()
    assert not any("You earned" in getattr(r, "text", "") for r in again), "awarded once"


async def test_the_daily_nudge_offers_the_next_lesson_once_at_the_learners_time(core: Core, memory: MemoryStore, clock):
    await core.handle(Start(learner=LearnerRef("telegram", "42", "Ana"), source_id="s1", timezone="Europe/Berlin"))
    sent: list[tuple[str, list[Reply]]] = []

    async def send(user_id: str, replies: list[Reply]) -> None:
        sent.append((user_id, replies))

    worker = NudgeDispatcher(store=memory, core=core, clock=clock, senders={"telegram": send}, worker="w")
    assert await worker.plan() == 1
    clock.set(datetime(2026, 3, 3, 8, 0, tzinfo=UTC))  # Tuesday 09:00 in Berlin
    await worker.run_round()
    [(user, [offer])] = sent
    assert user == "42" and isinstance(offer, Text) and offer.text == "⏰ 5-minute lesson: **Tides**"
    await worker.run_round()
    assert len(sent) == 1, "sent once"
    async with memory.transaction() as tx:
        statuses = {(n.kind, n.status) for n in await tx.nudges.all()}
    assert (NudgeKind.DAILY, NudgeStatus.SENT) in statuses


async def test_leaving_forgets_who_the_learner_was_and_keeps_anonymous_counts(core: Core, memory: MemoryStore):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    await chat.command("settings")
    await chat.press("Leave and delete my data")
    await chat.press("Yes, delete my data")
    await chat.press("Delete my data now")
    assert "personal data is deleted" in chat.text
    async with memory.transaction() as tx:
        assert await tx.learners.find("test", "ana") is None
        [left] = [learner for learner in [await tx.learners.by_id(1)] if learner is not None]
        assert left.left and left.subject_id is None and left.display_name == ""
        assert (left.kept_source, left.kept_replies) == (None, None), "no replies kept of someone who left"
        assert await tx.sessions.completed_lessons(left.id) == {"tides"}, "anonymous counts remain"


async def test_a_lesson_in_progress_shows_on_the_next_step_and_finishes_its_session(core: Core, memory: MemoryStore):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    await chat.send(Next(learner=chat.learner, source_id="n1"))
    async with memory.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        assert learner is not None
        session = await tx.sessions.active(learner.id)
        assert session is not None and (session.position, session.status) == (1, SessionStatus.ACTIVE)
