"""The pathway map at the end of the pathway: its Continue button used to lead to "every lesson
done", whose "Show my pathway" led back to the same map, and round again. Now the map offers
Continue only when continuing starts something, and otherwise says what is left."""

from __future__ import annotations

from bot import texts
from bot.events import ButtonPressed
from bot.i18n import SOURCE
from bot.replies import Text
from tests.support import Chat


async def test_at_the_end_the_map_says_what_is_left_and_continue_never_returns_to_it(core, store, clock):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()  # Tides
    await chat.command("path")
    old_continue = chat.button("Continue")  # a map shown earlier still carries its button
    await chat.press("Continue")  # Knots starts
    await chat.read_cards_until_question()
    await chat.answer_correctly()
    assert "completed every lesson" in chat.text

    await chat.press("Show my pathway")
    [reply] = chat.last
    assert isinstance(reply, Text)
    assert reply.buttons == (), "a Continue here would only lead back to this map"
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        due = min(item.due for item in (await tx.memory.items(learner.id)).values())
    assert reply.text.split("\n")[-4:] == [
        "",
        "🎓 Every lesson on your pathway is done: there is nothing to continue right now.",
        f"🔁 Your next re-check is due {texts.when(SOURCE, due, 'UTC')}; I will offer it then.",
        "🏅 /badges shows the badges you hold and what is left to earn.",
    ]
    await chat.command("path")
    assert chat.last == [reply], "/path says the same"

    # The old map's Continue goes to where the learner is, never to a map again.
    await chat.send(ButtonPressed(learner=chat.learner, source_id="old-continue", action=old_continue.action))
    assert "Your pathway map" not in chat.text and "completed every lesson" in chat.text

    # When a re-check falls due, the map offers Continue again, and it starts the re-check.
    clock.advance(days=30)
    await chat.command("path")
    await chat.press("Continue")
    assert "Quick re-check" in chat.text
