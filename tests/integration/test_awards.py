"""Badges are scarce and stack: earned by durable recall over separate days, awarded once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from bot.records import Award
from bot.replies import Announcement, Question
from tests.support import Chat, study_daily_until, text_of


async def awards_of(store, user="ana"):
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", user)
        return await tx.awards.of(learner.id)


async def test_finishing_the_lessons_alone_earns_no_badge(core, clock, store):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    assert "You earned" not in chat.text
    await chat.command("badges")
    assert "No badges yet" in chat.text
    assert "Reading tides: correct re-checks on 2 separate days (0 so far)" in chat.text
    assert await awards_of(store) == []


async def test_spaced_rechecks_over_separate_days_earn_the_badge_and_the_certificate(core, clock, store):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    day, said = await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge")
    assert day is not None and 2 <= day <= 21, f"earned on day {day}"
    awards = await awards_of(store)
    assert [a.definition_id for a in awards] == ["deckhand", "mariner"]
    assert awards[0].valid_until - awards[0].awarded_at == timedelta(days=180)
    assert awards[1].valid_until - awards[1].awarded_at == timedelta(days=365)
    assert len(awards[0].evidence["rechecks"]["tides"]) >= 2
    # The certificate follows in the same turn, with its own announcement.
    announcements = [r.text for r in said if isinstance(r, Announcement)]
    assert announcements == [
        "🎉 Ana earned the **Deckhand** badge!",
        "🎉 Ana earned the **Mariner Certificate** certificate!",
    ]
    assert any("Toward the Mariner Certificate: 1 of 1 badges." in getattr(r, "text", "") for r in said)
    await chat.command("badges")
    assert "🏅 Deckhand" in chat.text and "🏅 Mariner Certificate" in chat.text


async def test_a_learner_who_opted_out_is_not_announced(core, clock, store):
    chat = Chat(core)
    await chat.start()
    await chat.command("settings", "announce off")
    assert "no longer be announced" in chat.text
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    day, said = await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge")
    assert day is not None
    assert [a.definition_id for a in await awards_of(store)] == ["deckhand", "mariner"]
    assert not any(isinstance(r, Announcement) for r in said)


async def test_two_transactions_awarding_the_same_badge_at_once_award_it_once(core, store, clock):
    chat = Chat(core)
    await chat.start()

    async def try_award() -> bool:
        async with store.transaction() as tx:
            learner = await tx.learners.find("test", "ana")
            return await tx.awards.add(
                Award(
                    public_id=str(uuid.uuid4()),
                    learner_id=learner.id,
                    definition_id="deckhand",
                    kind="badge",
                    renewal=0,
                    awarded_at=clock.now(),
                    valid_until=None,
                    evidence={},
                )
            )

    results = await asyncio.gather(*(try_award() for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    assert len(await awards_of(store)) == 1


async def test_an_expired_badge_no_longer_counts_toward_the_certificate(core, store, clock):
    chat = Chat(core)
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
                awarded_at=clock.now() - timedelta(days=400),
                valid_until=clock.now() - timedelta(days=35),
                evidence={},
            )
        )
    await chat.command("path")
    assert "Mariner Certificate** (certificate): 0 of 1 requirements met" in chat.text
    assert "still needs: Hold Deckhand" in chat.text


async def test_a_refresher_before_expiry_renews_the_badge(core, clock, store):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    day, _ = await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge")
    assert day is not None
    first = (await awards_of(store))[0]

    clock.set(first.valid_until - timedelta(days=10))
    from bot.events import TimerFired

    nudge = await chat.send(TimerFired(learner=chat.learner, source_id="daily-refresh", kind="daily"))
    assert "quick re-check" in text_of(nudge[0]), "due re-checks come first, then the refresher"
    said = []
    for _ in range(3):  # due re-checks first, then the refresher
        said += await chat.next()
        while any(isinstance(r, Question) for r in chat.last):
            said += await chat.answer_correctly()
        if any("Renewed: Deckhand" in getattr(r, "text", "") for r in said):
            break
    texts = "\n".join(getattr(r, "text", "") for r in said)
    assert "Refresher: Deckhand" in texts and "Refresher passed" in texts
    assert "Renewed: Deckhand" in texts
    deckhands = [a for a in await awards_of(store) if a.definition_id == "deckhand"]
    assert [a.renewal for a in deckhands] == [0, 1]
    assert deckhands[1].valid_until == clock.now() + timedelta(days=180)


async def test_a_failed_refresher_does_not_renew(core, clock, store):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge")
    first = (await awards_of(store))[0]
    clock.set(first.valid_until - timedelta(days=5))
    for _ in range(3):
        await chat.next()
        refresher = "Refresher: Deckhand" in chat.text
        while any(isinstance(r, Question) for r in chat.last):
            await (chat.answer_wrongly() if refresher else chat.answer_correctly())
        if refresher:
            break
    assert "are needed to renew" in chat.text
    assert [a.renewal for a in await awards_of(store) if a.definition_id == "deckhand"] == [0]
