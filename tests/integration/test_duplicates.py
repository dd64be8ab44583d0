"""Platforms redeliver: the same message id must count once, also when two deliveries race."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.core import Core
from bot.events import Answer, Command, LearnerRef
from bot.people import import_people, read_people
from bot.replies import Feedback
from tests.integration.test_issuing_on_award import issuer_for
from tests.support import Chat, found, text_of


async def _answers(store, user="ana"):
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", user)
        events = await tx.trail.of(learner.id)
        items = await tx.memory.items(learner.id)
        skills = await tx.memory.skills(learner.id)
    return [e for e in events if e.kind == "answered"], items, skills


async def test_the_same_answer_delivered_twice_counts_once(core, store):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    await chat.read_cards_until_question()
    first = await chat.answer(1, source_id="update-42")
    before = await _answers(store)
    again = await chat.send(Answer(learner=chat.learner, source_id="update-42", ref=chat.question.ref, choices=(1,)))
    answers, items, skills = await _answers(store)
    assert first and again == []
    assert len(answers) == 1
    assert items["tides:1"].reviews == 1
    assert skills["tides"].p_known == before[2]["tides"].p_known


async def test_an_answer_recorded_by_a_process_that_died_before_replying_gets_its_replies_when_taken_over(core, store):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    await chat.read_cards_until_question()
    answer = Answer(learner=chat.learner, source_id="update-43", ref=chat.question.ref, choices=(1,))
    first = await core.handle(answer)  # recorded; then the process died before sending these
    assert isinstance(first[0], Feedback) and first[0].correct

    assert await core.handle(answer) == [], "a platform's redelivery: already answered"
    again = await core.handle_taken_over(answer)  # the journal's next process takes it over
    assert again == first, "the same feedback and next step, not a stale-button reply"
    answers, items, _ = await _answers(store)
    assert len(answers) == 1 and items["tides:1"].reviews == 1, "still counted once"

    await chat.answer_correctly()  # the learner went on: the old delivery's replies are history
    assert await core.handle_taken_over(answer) == []


async def test_a_redelivered_button_press_does_not_skip_a_card(core):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    assert chat.card.position == 1
    next_action = chat.button("Next").action
    from bot.events import ButtonPressed

    press = ButtonPressed(learner=chat.learner, source_id="cb-7", action=next_action)
    await chat.send(press)
    assert chat.card.position == 2
    assert await chat.send(press) == []
    await chat.next()  # typed /next continues past the card that was read
    assert chat.question.position == 3


async def test_an_old_next_button_shows_where_the_learner_is_instead_of_skipping(core):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    stale = chat.button("Next")
    await chat.press("Next")
    from bot.events import ButtonPressed

    await chat.send(ButtonPressed(learner=chat.learner, source_id="old-tap", action=stale.action))
    assert chat.card.position == 2


@pytest.mark.parametrize("copies", [2, 5])
async def test_concurrent_deliveries_of_one_answer_count_once(core: Core, store, copies):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    await chat.read_cards_until_question()
    event = Answer(learner=chat.learner, source_id="race-1", ref=chat.question.ref, choices=(1,))
    results = await asyncio.gather(*(core.handle(event) for _ in range(copies)))
    answers, items, _ = await _answers(store)
    assert sum(1 for replies in results if replies) == 1
    assert len(answers) == 1 and items["tides:1"].reviews == 1


async def test_two_processes_racing_on_one_answer_count_it_once(store, curriculum, clock, database_url):
    """Two cores with their own engines (as two bot processes would have) on one database."""
    from bot.store.database import create_engine, create_sessionmaker
    from bot.store.store import SqlStore

    first = Core(curriculum=curriculum, store=store, clock=clock)
    engine = create_engine(database_url)
    second = Core(curriculum=curriculum, store=SqlStore(create_sessionmaker(engine)), clock=clock)
    chat = Chat(first)
    await chat.start()
    await chat.press("Start now")
    await chat.read_cards_until_question()
    event = Answer(learner=chat.learner, source_id="race-2", ref=chat.question.ref, choices=(1,))
    results = await asyncio.gather(first.handle(event), second.handle(event))
    await engine.dispose()
    answers, items, _ = await _answers(store)
    assert sum(1 for replies in results if replies) == 1
    assert len(answers) == 1 and items["tides:1"].reviews == 1


async def test_a_sign_in_link_is_not_kept_for_a_taken_over_delivery(store, curriculum, clock, tmp_path):
    """Sign-in tokens are stored only hashed: the /team reply that carries one is not kept."""
    people, problems = read_people("platform,user_id,name,team,role,manages\ntelegram,900,Maria,,manager,Deck\n")
    assert problems == []
    await import_people(store, people, now=clock.now())
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, "https://learn.example.com"))
    team = Command(learner=LearnerRef("telegram", "900", "Maria"), source_id="team-1", name="team")
    [reply] = await core.handle(team)
    token = found(re.search(r"signin\?token=(\w+)", text_of(reply))).group(1)

    async with store.transaction() as tx:
        maria = found(await tx.learners.find("telegram", "900"))
    assert (maria.kept_source, maria.kept_replies) == (None, None)
    assert token not in repr(maria)
    assert await core.handle_taken_over(team) == [], "no second link from a kept reply"
