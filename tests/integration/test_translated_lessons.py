"""A learner whose client speaks German reads the German lesson, re-checks and refreshers, and
their answers count for the same items as an English learner's; on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

from bot.analytics import read, review_columns
from bot.core import Core
from bot.records import Award
from bot.replies import LessonCard, Question
from bot.vocabulary import EventKind
from bot.wording import wording_of_check
from tests.support import Chat


def german_chat(core: Core) -> Chat:
    chat = Chat(core)
    chat.learner = dataclasses.replace(chat.learner, language="de-DE")
    return chat


async def next_until_question(chat: Chat) -> Question:
    while not any(isinstance(reply, Question) for reply in chat.last):
        await chat.next()
    return chat.question


async def test_a_german_learner_reads_the_german_lesson_and_answers_the_source_items(core, store):
    chat = german_chat(core)
    await chat.start()
    await chat.next()  # the first lesson starts
    cards = [reply for reply in chat.last if isinstance(reply, LessonCard)]
    assert [(card.lesson_title, card.title) for card in cards] == [("Gezeiten", "Zwei Tiden am Tag")]
    question = await next_until_question(chat)
    assert (question.question, question.options) == (
        "Wie viele Hochwasser gibt es an den meisten Küsten pro Tag?",
        ("Eins", "Zwei", "Vier"),
    )
    await chat.answer(1)
    assert chat.feedback.correct
    assert chat.feedback.explanation.startswith("Die meisten Küsten haben eine halbtägige Tide")
    assert chat.question.options == ("Springtiden", "Tiden um Vollmond", "Nipptiden")
    await chat.answer(2)  # wrong: only the neap tides
    assert chat.feedback.correct_options == ("Springtiden", "Tiden um Vollmond")

    source = core.curriculum.lessons["tides"]
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        answers = [e for e in await tx.trail.of(learner.id) if e.kind == EventKind.ANSWERED]
        items = await tx.memory.items(learner.id)
    assert [(a.check_key, a.correct, a.lesson_version) for a in answers] == [("tides:1", True, "1"), ("tides:2", False, "1")]
    # Item analytics count a German answer under the source check's wording, not a new one.
    assert [a.payload["wording"] for a in answers] == [wording_of_check(check) for check in source.checks]
    assert sorted(items) == ["tides:1", "tides:2"]


async def test_the_re_check_comes_back_in_german(core, clock):
    chat = german_chat(core)
    await chat.start()
    await chat.next()
    await next_until_question(chat)
    await chat.answer_wrongly()
    await chat.answer_correctly()
    clock.advance(days=1, hours=1)
    await chat.next()
    assert chat.question.question == "Wie viele Hochwasser gibt es an den meisten Küsten pro Tag?"


async def test_a_lesson_started_in_german_stays_german_after_switching_to_english(core):
    chat = german_chat(core)
    await chat.start()
    await chat.next()
    await next_until_question(chat)
    await chat.command("settings", "language en")
    chat.learner = dataclasses.replace(chat.learner, language="en")
    await chat.next()  # back to the question the learner is on
    assert chat.question.question == "Wie viele Hochwasser gibt es an den meisten Küsten pro Tag?"
    await chat.answer_correctly()
    await chat.answer_correctly()
    await chat.next()  # the next lesson starts in the language chosen
    cards = [reply for reply in chat.last if isinstance(reply, LessonCard)]
    assert [(card.lesson_title, card.title) for card in cards] == [("Knots", "The bowline")]


async def test_an_english_learner_reads_the_source(core):
    chat = Chat(core)
    await chat.start()
    await chat.next()
    cards = [reply for reply in chat.last if isinstance(reply, LessonCard)]
    assert [(card.lesson_title, card.title) for card in cards] == [("Tides", "Two tides a day")]


async def test_a_refresher_before_expiry_comes_in_german(core, clock, store):
    chat = german_chat(core)
    await chat.start()
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        await tx.awards.add(
            Award(
                public_id=str(uuid.uuid4()),
                learner_id=learner.id,
                definition_id="deckhand",
                kind="badge",
                renewal=0,
                awarded_at=clock.now() - timedelta(days=170),
                valid_until=clock.now() + timedelta(days=10),
                evidence={},
            )
        )
    await chat.next()
    assert "**Auffrischung: Decksmann**" in chat.text  # the badge's German title
    assert chat.question.question == "Wie viele Hochwasser gibt es an den meisten Küsten pro Tag?"
    async with store.transaction() as tx:
        session = await tx.sessions.active(learner.id)
    assert session is not None and [step["key"] for step in session.steps] == ["tides:1", "tides:2", "knots:1"]


async def test_item_analytics_count_german_and_english_answers_as_one_history(core, clock, store):
    for chat in (german_chat(core), Chat(core, user="ben")):
        await chat.start()
        await chat.next()
        await next_until_question(chat)
        await chat.answer_correctly()  # tides:1
        await chat.answer_wrongly()  # tides:2
    async with store.transaction() as tx:
        columns, steps = await read(tx.analytics, core.curriculum)
    items = {(item.check_key, item.wording): item for item in review_columns(columns, steps, core.curriculum, now=clock.now()).items}
    source = core.curriculum.lessons["tides"].checks
    assert sorted(items) == sorted((check.key, wording_of_check(check)) for check in source)  # no German wording of its own
    first, second = (items[(check.key, wording_of_check(check))] for check in source)
    assert (first.current, first.learners, first.first_try_rate, first.question) == (True, 2, 1.0, source[0].question)
    assert (second.learners, second.first_try_rate) == (2, 0.0)
