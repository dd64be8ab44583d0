"""Fitting FSRS's spacing to the organisation's own review history (`run_bot.py mastery optimize`).

The history is the trail: every answer to a check (EventKind.ANSWERED: check_key, correct,
occurred_at). `item_states` keeps only each card's latest state, which cannot be replayed, so
it is not read here. One card is one learner's history with one check.

The fit is the `fsrs` package's own optimizer (`fsrs.Optimizer`, which needs PyTorch: the
`optimizer` extra). Its result is judged on held-out learners: the re-checks of a fifth of the
learners, chosen at random with a fixed seed, are kept out of the fit; default and fitted
parameters then predict those re-checks (log loss, RMSE). Split by learner rather than by time
because the parameters are applied to everyone, including people the fit never saw (new
starters), and because a learner's card histories stay whole: a split by time would cut each
card's history in two and test on the same people's memories it was fitted on.
See docs/mastery.md, "Fitting the spacing to your organisation".
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from fsrs import Card, Rating, ReviewLog

from bot.analytics_columns import instant
from bot.mastery import scheduler_with
from bot.ports import UnitOfWork

# The optimizer takes a gradient step per mini-batch of 512 re-checks and returns its defaults
# unchanged when it has fewer than one mini-batch: below that there is nothing to fit.
MIN_FIT = 512
# Held-out re-checks needed to compare default and fitted parameters: log loss and RMSE are
# averages of 0/1 outcomes, and on fewer than 128 of them a few answers swing the comparison.
MIN_HELD_OUT = 128
HELD_OUT_SHARE = 0.2  # a fifth of the learners
MIN_LEARNERS = 10  # so that a fifth is two people or more, not one person's habits
SEED = 16  # the held-out learners are the same each run on the same history

Card_ = tuple[int, str]  # (learner id, check key)


@dataclass(frozen=True)
class Answer:
    at: datetime
    correct: bool


@dataclass(frozen=True)
class History:
    """Every card's answers, oldest first."""

    cards: Mapping[Card_, Sequence[Answer]]

    @property
    def answers(self) -> int:
        return sum(len(a) for a in self.cards.values())

    @property
    def learners(self) -> set[int]:
        return {learner for learner, _ in self.cards}

    def rechecks(self) -> int:
        return sum(rechecks(answers) for answers in self.cards.values())

    def of(self, learners: set[int]) -> History:
        return History({card: answers for card, answers in self.cards.items() if card[0] in learners})


@dataclass(frozen=True)
class Split:
    fit: History
    held_out: History
    held_out_learners: int


@dataclass(frozen=True)
class Scores:
    log_loss: float
    rmse: float
    reviews: int


def rechecks(answers: Sequence[Answer]) -> int:
    """Answers a day or more after the card's previous answer: what the fit and the scores use.
    (A same-day repeat says little about forgetting; the fsrs optimizer skips it too.)"""
    return sum(1 for before, now in itertools.pairwise(answers) if (now.at - before.at).days > 0)


async def review_history(tx: UnitOfWork) -> History:
    """Every answer to a check in the trail, read as the item analytics read them (the answers'
    columns, bot/analytics_columns.py: no event built per answer), in the order they were given."""
    answers = (await tx.analytics.columns([])).answers
    order = np.lexsort((answers.id, answers.at))
    cards: dict[Card_, list[Answer]] = {}
    learners, checks, times, right = (column[order].tolist() for column in (answers.learner, answers.check, answers.at, answers.correct))
    rows = zip(learners, checks, times, right, strict=True)
    for learner, check, at, correct in rows:
        cards.setdefault((learner, answers.checks[check]), []).append(Answer(instant(at), correct))
    return History(cards)


def split_by_learner(history: History) -> Split:
    learners = sorted(history.learners)
    random.Random(SEED).shuffle(learners)
    held = set(learners[: math.ceil(len(learners) * HELD_OUT_SHARE)])
    return Split(fit=history.of(set(learners) - held), held_out=history.of(held), held_out_learners=len(held))


def not_enough(history: History, split: Split) -> str | None:
    """Why this history is too small to fit and test, in one line; None when it is enough."""
    learners, fit, held = len(history.learners), split.fit.rechecks(), split.held_out.rechecks()
    if learners >= MIN_LEARNERS and fit >= MIN_FIT and held >= MIN_HELD_OUT:
        return None
    return (
        f"Not enough review history to fit the spacing yet: {history.rechecks():,} re-checks (answers a day or more after the"
        f" previous one) from {learners:,} learners; needed: {MIN_LEARNERS} learners or more, {MIN_FIT} re-checks to fit and"
        f" {MIN_HELD_OUT} held out to test ({fit:,} and {held:,} now). Nothing changed."
    )


def scores(parameters: Sequence[float], history: History) -> Scores:
    """How well FSRS with these parameters predicted each re-check: log loss and RMSE of the
    predicted recall (retrievability) against the outcome (1 right, 0 wrong), per re-check."""
    scheduler = scheduler_with(parameters)
    loss = squares = 0.0
    count = 0
    for card_id, answers in enumerate(history.cards.values()):
        card = Card(card_id=card_id, due=answers[0].at)
        for answer in answers:
            if card.last_review is not None and (answer.at - card.last_review).days > 0:
                p = min(max(float(scheduler.get_card_retrievability(card, answer.at)), 1e-6), 1 - 1e-6)
                y = 1.0 if answer.correct else 0.0
                loss -= y * math.log(p) + (1 - y) * math.log(1 - p)
                squares += (p - y) ** 2
                count += 1
            card, _ = scheduler.review_card(card, Rating.Good if answer.correct else Rating.Again, answer.at)
    if not count:
        return Scores(math.nan, math.nan, 0)
    return Scores(loss / count, math.sqrt(squares / count), count)


class OptimizerMissing(Exception):
    """fsrs.Optimizer needs PyTorch (and pandas), which a plain install does not have."""


def fit(history: History) -> list[float]:
    """FSRS parameters fitted to these cards by the fsrs package's optimizer."""
    missing = [name for name in ("torch", "pandas") if importlib.util.find_spec(name) is None]
    if missing:  # without them fsrs.Optimizer is a stub that raises
        raise OptimizerMissing(", ".join(missing))
    from fsrs import Optimizer

    logs = [
        ReviewLog(card_id=card_id, rating=Rating.Good if a.correct else Rating.Again, review_datetime=a.at, review_duration=None)
        for card_id, answers in enumerate(history.cards.values(), start=1)
        for a in answers
    ]
    return [float(p) for p in Optimizer(logs).compute_optimal_parameters()]


def first_intervals(parameters: Sequence[float]) -> tuple[timedelta, timedelta]:
    """When the bot asks a check again after a first right answer, and after a second right
    answer given on the day it was asked, with these parameters."""
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    scheduler = scheduler_with(parameters)
    first, _ = scheduler.review_card(Card(card_id=1), Rating.Good, start)
    second, _ = scheduler.review_card(first, Rating.Good, first.due)
    return first.due - start, second.due - first.due
