"""A learner's journey through the core, on SQLite and PostgreSQL."""

from __future__ import annotations

from bot.replies import Question, Text
from tests.support import Chat, buttons_of, text_of


async def test_first_contact_greets_shows_the_pathway_and_offers_the_first_lesson(core):
    chat = Chat(core)
    replies = await chat.start(timezone="Europe/Berlin")
    text = chat.text
    assert "Seamanship L1 => Mariner Certificate" in text
    assert "First up: **Tides**" in text
    assert "Europe/Berlin" in text
    assert [b.label for b in buttons_of(replies[-1])] == ["Start now", "Later", "Daily time"]


async def test_a_whole_lesson_cards_then_checks_with_feedback_and_next_step(core):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    assert "Tides" in chat.text and "lesson 1 of 2" in chat.text
    assert chat.card.title == "Two tides a day" and (chat.card.position, chat.card.total) == (1, 4)
    await chat.press("Next")
    assert chat.card.title == "Spring and neap"
    await chat.press("Next")
    question = chat.question
    assert question.options == ("One", "Two", "Four") and not question.multiple

    await chat.answer(1)
    assert chat.feedback.correct and "semi-diurnal" in chat.feedback.explanation
    assert chat.question.multiple, "the second check is multiple choice"
    assert "all that apply" in chat.question.question.lower()

    await chat.answer(2)  # wrong: only neap
    feedback = chat.feedback
    assert not feedback.correct
    assert feedback.correct_options == ("Spring tides", "Tides near a full moon")
    assert "Lesson complete: Tides" in chat.text and "1 of 2 correct" in chat.text
    assert "Seamanship L1: 1 of 2 lessons done" in chat.text
    # No dead end: the next lesson is named and offered at once.
    assert "Next in Seamanship L1: **Knots**" in chat.text
    assert [b.label for b in buttons_of(chat.last[-1])] == ["Start now", "Later"]


async def test_multiple_choice_is_correct_only_with_exactly_the_correct_options(core):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    await chat.read_cards_until_question()
    await chat.answer(1)
    await chat.answer(0)  # one of the two correct options only
    assert not chat.feedback.correct


async def test_finishing_the_pathway_celebrates_and_still_shows_a_next_step(core, clock):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()  # Tides
    await chat.take_next_lesson()  # Knots
    assert "You finished **Seamanship L1**" in chat.text
    assert "completed every lesson" in chat.text
    assert "next one is due" in chat.text
    assert chat.button("Show my pathway")


async def test_a_lesson_with_unmet_prerequisites_is_not_offered_first(core):
    chat = Chat(core)
    await chat.start()
    await chat.command("path")
    text = chat.text
    assert "➡️ next: Tides" in text
    assert "🔒 locked: Knots (after Tides)" in text
    assert "Deckhand" in text and "still needs: Complete Tides; Complete Knots; Reading tides mastery 80% (now 0%)" in text


async def test_path_marks_done_in_progress_and_what_the_badge_still_needs(core):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    await chat.press("Start now")
    await chat.command("path")
    text = chat.text
    assert "✅ done: Tides" in text
    assert "▶️ in progress: Knots" in text
    assert "Seamanship L1** (1 of 2 done)" in text
    assert "Complete Knots" in text


async def test_wrong_answer_comes_back_as_a_spaced_recheck_the_next_day(core, clock):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    await chat.read_cards_until_question()
    await chat.answer_wrongly()
    await chat.answer_correctly()
    clock.advance(days=1, hours=1)
    await chat.next()
    assert "Quick re-check" in chat.text
    question = chat.question
    assert question.question.startswith("How many high tides")
    await chat.answer_correctly()
    assert "Re-check done: 1 of 1 correct" in chat.text


async def test_an_answer_to_an_already_answered_question_is_not_counted(core, store):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    question = await chat.read_cards_until_question()
    await chat.answer(1)
    chat.last = [question]  # the learner taps the old question again
    await chat.answer(0)
    assert "already answered" in chat.text
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        answers = [e for e in await tx.trail.of(learner.id) if e.kind == "answered"]
    assert len(answers) == 1 and answers[0].correct is True


async def test_out_of_range_answer_gets_a_clear_error_and_the_question_again(core):
    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    await chat.read_cards_until_question()
    await chat.answer(7)
    assert "Please pick a number from 1 to 3" in chat.text
    assert isinstance(chat.last[-1], Question)
    await chat.answer(0, 1)
    assert "just one option" in chat.text


async def test_unknown_command_names_it_and_lists_the_commands(core):
    chat = Chat(core)
    await chat.start()
    await chat.command("dance")
    assert "I don't know the command /dance" in chat.text
    assert "/progress" in chat.text


async def test_progress_shows_streak_lessons_and_mastery(core):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    await chat.command("progress")
    text = chat.text
    assert "Streak: 1 learning day" in text
    assert "Lessons done: 1 of 2" in text
    assert "Reading tides" in text and "%" in text


async def test_daily_timer_offers_start_later_and_skip(core):
    from bot.events import TimerFired

    chat = Chat(core)
    await chat.start()
    replies = await chat.send(TimerFired(learner=chat.learner, source_id="timer-1", kind="daily"))
    assert isinstance(replies[0], Text) and "5-minute lesson: **Tides**" in replies[0].text
    assert [b.label for b in replies[0].buttons] == ["Start", "Later", "Skip today"]
    await chat.press("Skip today")
    assert "Skipped for today" in chat.text


async def test_daily_timer_mid_lesson_offers_to_continue_that_lesson(core):
    from bot.events import TimerFired

    chat = Chat(core)
    await chat.start()
    await chat.press("Start now")
    replies = await chat.send(TimerFired(learner=chat.learner, source_id="timer-2", kind="daily"))
    assert "5-minute lesson: **continue Tides**" in text_of(replies[0])
    await chat.press("Start")
    assert chat.card.position == 1, "Start resumes the card the learner was on"
