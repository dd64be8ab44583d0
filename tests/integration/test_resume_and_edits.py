"""Leaving mid-lesson is normal: the learner resumes exactly there, even after a restart and
even when the lesson was edited in between."""

from __future__ import annotations

import dataclasses
import shutil

from bot.core import Core
from bot.events import LearnerRef
from bot.store.database import create_engine, create_sessionmaker
from bot.store.store import SqlStore
from content.loader import load_curriculum
from tests.conftest import FIXTURE_CONTENT
from tests.support import Chat


async def test_resume_mid_lesson_after_a_restart(store, curriculum, clock, database_url):
    chat = Chat(Core(curriculum=curriculum, store=store, clock=clock))
    await chat.start()
    await chat.press("Start now")
    await chat.press("Next")
    assert chat.card.title == "Spring and neap"

    # The process stops; days later a new one starts on the same database.
    clock.advance(days=3)
    engine = create_engine(database_url)
    restarted = Chat(Core(curriculum=curriculum, store=SqlStore(create_sessionmaker(engine)), clock=clock))
    await restarted.start()
    assert "You were in the middle of **Tides**" in restarted.text
    assert restarted.card.title == "Spring and neap" and restarted.card.position == 2
    await restarted.press("Next")
    assert restarted.question.options == ("One", "Two", "Four")
    await engine.dispose()


async def test_resume_on_a_question_shows_the_same_question(core, clock):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    question = await chat.read_cards_until_question()
    clock.advance(hours=20)
    await chat.next()
    assert "Picking up where you left off" in chat.text
    assert chat.question.ref == question.ref


async def _edited_curriculum(tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, tree)
    lesson = tree / "lessons" / "tides.md"
    text = lesson.read_text()
    text = text.replace("version: 1", "version: 2")
    text = text.replace("## Spring and neap\nSpring tides are the biggest; neap tides the smallest.\n\n", "")
    text = text.replace("How many high tides do most coasts see in a day?", "How many low tides do most coasts see in a day?")
    lesson.write_text(text)
    result = load_curriculum(tree)
    assert result.curriculum is not None, result.problems
    # The German translation still has the card removed: it is set aside, and the source publishes.
    assert {warning.path for warning in result.warnings} == {tree / "lessons" / "de" / "tides.md"}
    return result.curriculum


async def test_a_lesson_edited_mid_way_keeps_the_version_the_learner_started(store, curriculum, clock, tmp_path):
    chat = Chat(Core(curriculum=curriculum, store=store, clock=clock))
    await chat.start()
    await chat.press("Start now")
    assert chat.card.total == 4

    edited = await _edited_curriculum(tmp_path)
    assert len(edited.lessons["tides"].steps) == 3
    chat.core = Core(curriculum=edited, store=store, clock=clock)  # published while the learner was away
    await chat.press("Next")
    assert chat.card.title == "Spring and neap" and chat.card.total == 4
    await chat.press("Next")
    assert chat.question.question == "How many high tides do most coasts see in a day?"
    await chat.answer(1)
    await chat.answer(0, 1)
    assert "Lesson complete: Tides" in chat.text and "2 of 2 correct" in chat.text

    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        events = await tx.trail.of(learner.id)
    completed = [e for e in events if e.kind == "lesson_completed"]
    assert completed[0].lesson_version == "1"


async def test_a_new_start_after_an_edit_gets_the_new_version(store, curriculum, clock, tmp_path):
    edited = await _edited_curriculum(tmp_path)
    chat = Chat(Core(curriculum=edited, store=store, clock=clock))
    await chat.start()
    await chat.press("Start now")
    assert chat.card.total == 3
    await chat.press("Next")
    assert chat.question.question.startswith("How many low tides")


async def test_a_german_learner_reads_the_edited_lesson_in_english_until_its_translation_catches_up(store, clock, tmp_path):
    edited = await _edited_curriculum(tmp_path)
    chat = Chat(Core(curriculum=edited, store=store, clock=clock))
    chat.learner = LearnerRef("test", "ana", "Ana", language="de")
    await chat.start()
    await chat.press("Jetzt starten")
    assert (chat.card.title, chat.card.total) == ("Two tides a day", 3)  # the whole source lesson, never mixed
    await chat.press("Weiter")
    assert chat.question.question == "How many low tides do most coasts see in a day?"
    await chat.answer(1)
    await chat.answer(0, 1)
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        events = await tx.trail.of(learner.id)
    assert [e.lesson_version for e in events if e.kind == "lesson_completed"] == ["2"]


async def test_a_lesson_removed_mid_way_still_finishes_and_the_next_step_skips_it(store, curriculum, clock):
    chat = Chat(Core(curriculum=curriculum, store=store, clock=clock))
    await chat.start()
    await chat.press("Start now")
    smaller = dataclasses.replace(
        curriculum,
        lessons={k: v for k, v in curriculum.lessons.items() if k != "knots"},
        pathways=tuple(dataclasses.replace(p, lessons=("tides",)) for p in curriculum.pathways),
    )
    chat.core = Core(curriculum=smaller, store=store, clock=clock)
    await chat.read_cards_until_question()
    await chat.answer(1)
    await chat.answer(0, 1)
    assert "Lesson complete: Tides" in chat.text
    assert "completed every lesson" in chat.text
