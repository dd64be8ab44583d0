"""Retiring a credential (L&D writes `retired: true` in its file) and recertifying before expiry
(`recertify_days_before`), on the in-memory store, as the learner reads it in chat: a retired
badge is no longer awarded, even to a learner who meets every requirement, and never appears
under "Still to earn"; one already held still shows, marked retired, is not renewed, and its
signed credential still verifies; the refresher comes as many days before expiry as the
credential file says."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.core import Core
from bot.records import Award
from bot.replies import Question
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from credentials.keys import IssuerKey
from tests.memory_store import MemoryStore
from tests.support import Chat, found, study_daily_until

REASON = "Replaced by Able Seaman."


@pytest.fixture
def memory() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def issuer() -> IssuerIdentity:
    return IssuerIdentity.create(
        key=IssuerKey.generate(), name="Acme Plant Academy", public_url="https://learn.example.com", local_url="http://127.0.0.1:8000"
    )


def retiring(curriculum: Curriculum) -> Curriculum:
    """The fixture curriculum with the Deckhand badge and the Mariner Certificate stacking it
    retired (the linter refuses a certificate still awarded that stacks a retired badge)."""
    credentials = curriculum.credentials
    return replace(
        curriculum,
        credentials={
            **credentials,
            "deckhand": replace(credentials["deckhand"], retired=True, retired_reason=REASON),
            "mariner": replace(credentials["mariner"], retired=True),
        },
    )


def recertifying(curriculum: Curriculum, days: int) -> Curriculum:
    deckhand = replace(curriculum.credentials["deckhand"], recertify_days_before=days)
    return replace(curriculum, credentials={**curriculum.credentials, "deckhand": deckhand})


async def awards_of(memory: MemoryStore) -> list[Award]:
    async with memory.transaction() as tx:
        learner = found(await tx.learners.find("test", "ana"))
        return await tx.awards.of(learner.id)


async def study(chat: Chat) -> None:
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()


async def test_a_learner_meeting_every_requirement_of_a_retired_badge_is_not_awarded_it_nor_told_it_is_to_earn(
    memory: MemoryStore, clock: ManualClock, curriculum: Curriculum
):
    chat = Chat(Core(curriculum=retiring(curriculum), store=memory, clock=clock))
    await chat.start()
    assert "**Your pathway:** Seamanship" in chat.text and "Mariner" not in chat.text, "the route names no retired certificate"
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    day, _ = await study_daily_until(chat, clock, days=30, until="You earned")
    assert day is None, "no award in 30 days of study"
    assert await awards_of(memory) == []
    # The same progress under the curriculum before retirement meets every requirement.
    before = Chat(Core(curriculum=curriculum, store=memory, clock=clock))
    await before.command("badges")
    assert "🏅 **Deckhand** (badge): 6 of 6 requirements met" in before.text and "still needs" not in before.text.split("Mariner")[0]

    await chat.command("badges")
    assert "No badges yet" in chat.text
    assert "Still to earn" not in chat.text and "Deckhand" not in chat.text and "Mariner" not in chat.text
    await chat.command("path")
    assert "Deckhand" not in chat.text and "Mariner" not in chat.text
    assert "**Credentials**" not in chat.text, "nothing left to list"
    home = await chat.core.home(chat.learner)
    assert "Deckhand" not in repr(home) and "Mariner" not in repr(home)


async def test_a_held_retired_badge_still_shows_marked_retired_is_not_renewed_and_still_verifies(
    memory: MemoryStore, clock: ManualClock, curriculum: Curriculum, issuer: IssuerIdentity
):
    chat = Chat(Core(curriculum=curriculum, store=memory, clock=clock, issuer=issuer))
    await study(chat)
    day, _ = await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge")
    assert day is not None
    badge, certificate = await awards_of(memory)
    earned_on, until = badge.awarded_at.date().isoformat(), found(badge.valid_until).date().isoformat()

    retired = Chat(Core(curriculum=retiring(curriculum), store=memory, clock=clock, issuer=issuer))  # L&D retired both; restarted
    await retired.command("badges")
    lines = retired.text.split("\n")
    assert (
        f"🏅 Deckhand (earned {earned_on}, valid until {until}): retired, no longer awarded. Yours stays valid until it expires." in lines
    )
    assert any(line.startswith("   [Credential page](https://learn.example.com/credentials/") for line in lines)
    assert "Still to earn" not in retired.text
    await retired.command("path")
    assert "🏅 **Deckhand** (badge): retired, no longer awarded. /badges shows yours." in retired.text.split("\n")
    for award in (badge, certificate):
        assert issuer.verify(found(award.credential)).ok, "credentials already issued verify as before"

    # Inside the refresh window, and after expiry: no refresher, no renewal.
    for at in (found(badge.valid_until) - timedelta(days=10), found(badge.valid_until) + timedelta(days=1)):
        clock.set(at)
        said = ""
        for _ in range(3):  # due re-checks come first
            await retired.next()
            said += retired.text
            while any(isinstance(reply, Question) for reply in retired.last):
                await retired.answer_correctly()
                said += retired.text
        assert "Refresher" not in said and "refresher" not in said and "Renewed" not in said
    assert [(a.definition_id, a.renewal) for a in await awards_of(memory)] == [("deckhand", 0), ("mariner", 0)]
    await retired.command("badges")
    assert f"⌛ Deckhand (earned {earned_on}): expired on {until}. It is retired, no longer awarded." in retired.text.split("\n")


async def refresher_offered(chat: Chat) -> bool:
    """Whether continuing, once the due re-checks are answered, starts the Deckhand refresher."""
    for _ in range(4):
        await chat.next()
        if "Refresher: Deckhand" in chat.text:
            return True
        while any(isinstance(reply, Question) for reply in chat.last):
            await chat.answer_correctly()
    return False


@pytest.mark.parametrize(("days_before", "asked_days_before", "offered"), [(60, 45, True), (10, 20, False), (10, 5, True)])
async def test_the_refresher_comes_as_many_days_before_expiry_as_the_credential_file_says(
    memory: MemoryStore, clock: ManualClock, curriculum: Curriculum, days_before: int, asked_days_before: int, offered: bool
):
    """The default is 30 days: 45 days before expiry it is too early, 20 days before it is not."""
    chat = Chat(Core(curriculum=recertifying(curriculum, days_before), store=memory, clock=clock))
    await study(chat)
    day, _ = await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge")
    assert day is not None
    [badge] = [a for a in await awards_of(memory) if a.definition_id == "deckhand"]
    clock.set(found(badge.valid_until) - timedelta(days=asked_days_before))
    assert await refresher_offered(chat) is offered
