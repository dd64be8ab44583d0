"""Seeded review histories for the spacing fit (bot/spacing.py): a population whose true forgetting
is faster than FSRS's defaults assume. Each learner answers each check once in its lesson, then
again when the bot (default parameters) asks, a day or two late at times, for four months; each
answer is right with the probability that the *true* model (FSRS with a quarter of the default
initial stabilities and slower growth) gives for that moment."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating
from fsrs.scheduler import DEFAULT_PARAMETERS

from bot.events import LearnerRef
from bot.mastery import scheduler_with
from bot.ports import Store
from bot.records import TrailEvent
from bot.vocabulary import EventKind

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
HORIZON = timedelta(days=120)


def faster_forgetting() -> list[float]:
    true = list(DEFAULT_PARAMETERS)
    for i in range(4):  # the initial stability after a first Again, Hard, Good, Easy
        true[i] *= 0.25
    true[8] = 1.2  # how much a successful recall raises stability (default 1.87)
    return true


def population(learners: int, checks: int, *, seed: int = 7) -> list[tuple[int, str, datetime, bool]]:
    """(learner number, check key, when, right) for every answer, in time order."""
    rng = random.Random(seed)
    truth, bot = scheduler_with(faster_forgetting()), scheduler_with()
    answers: list[tuple[int, str, datetime, bool]] = []
    for learner in range(learners):
        joined = START + timedelta(days=rng.randrange(20), minutes=rng.randrange(480))
        for n in range(checks):
            at = joined + timedelta(days=n // 2, minutes=n)
            real, asked = Card(card_id=1, due=at), Card(card_id=1, due=at)
            right = rng.random() < 0.85  # the first answer, just after the lesson
            while at < START + HORIZON:
                answers.append((learner, f"lesson-{n // 2}:{n % 2}", at, right))
                rating = Rating.Good if right else Rating.Again
                real, _ = truth.review_card(real, rating, at)
                asked, _ = bot.review_card(asked, rating, at)
                at = asked.due + timedelta(days=rng.choice((0, 0, 0, 1, 2)), minutes=rng.randrange(600))
                right = rng.random() < truth.get_card_retrievability(real, at)
    return sorted(answers, key=lambda a: a[2])


async def seed(store: Store, answers: list[tuple[int, str, datetime, bool]]) -> dict[int, int]:
    """The answers as the bot records them (ANSWERED events); learner number -> learner id."""
    ids: dict[int, int] = {}
    async with store.transaction() as tx:
        for number in sorted({a[0] for a in answers}):
            learner, _ = await tx.learners.locked(LearnerRef("telegram", f"{9000 + number}", f"Learner {number}"), now=START)
            ids[number] = learner.id
        for number, key, at, right in answers:
            event = TrailEvent(
                kind=EventKind.ANSWERED, occurred_at=at, local_date=at.date(), lesson_id=key.split(":")[0], check_key=key, correct=right
            )
            await tx.trail.add(ids[number], event)
    return ids
