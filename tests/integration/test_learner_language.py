"""The learner's language: heard from the platform on first contact and whenever it changes,
until the learner chooses one in /settings; kept in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from bot.events import LearnerRef
from bot.i18n import language_of
from tests.support import Chat, found


async def stored_language(store, user: str) -> tuple[str | None, bool]:
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("test", user))
    return learner.language, learner.language_chosen


async def test_the_platforms_language_is_remembered_and_followed_until_the_learner_chooses(core, store):
    ana = Chat(core, "ana")
    ana.learner = LearnerRef("test", "ana", "Ana", language="de-AT")
    await ana.start()
    assert await stored_language(store, "ana") == ("de", False)

    ana.learner = LearnerRef("test", "ana", "Ana", language="en-GB")  # her client now says English
    await ana.command("progress")
    assert await stored_language(store, "ana") == ("en", False)

    await ana.command("settings", "language de")
    assert await stored_language(store, "ana") == ("de", True)
    await ana.command("progress")  # the client still says English: her choice stays
    assert await stored_language(store, "ana") == ("de", True)


async def test_a_platform_that_does_not_say_leaves_the_language_unknown_which_is_english(core, store):
    bo = Chat(core, "bo")
    await bo.start()
    assert await stored_language(store, "bo") == (None, False)
    async with store.transaction() as tx:
        assert language_of(found(await tx.learners.find("test", "bo"))) == "en"

    bo.learner = LearnerRef("test", "bo", "Bo", language="de")
    await bo.command("progress")
    bo.learner = LearnerRef("test", "bo", "Bo")  # an event without a language changes nothing
    await bo.command("progress")
    assert await stored_language(store, "bo") == ("de", False)


async def test_an_unknown_language_is_refused_in_settings(core, store):
    cy = Chat(core, "cy")
    await cy.start()
    await cy.command("settings", "language fr")
    assert cy.text == "Say one of: /settings language en (English), /settings language de (Deutsch)"
    assert await stored_language(store, "cy") == (None, False)
