"""Mastery: FSRS for each check item, Bayesian Knowledge Tracing for each skill.

See docs/mastery.md for the models, their parameters and why.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fsrs import Card, Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

log = logging.getLogger(__name__)

PARAMETERS_FILE = "fsrs-parameters.json"  # in DATA_DIR: written by `mastery optimize --apply`


class ParametersUnusable(Exception):
    """The parameters file cannot be read as FSRS parameters."""


def scheduler_with(parameters: Sequence[float] = DEFAULT_PARAMETERS) -> Scheduler:
    """The bot's FSRS scheduler. A chat bot meets a learner at most a few times a day, so FSRS's
    minute-long (re)learning steps are dropped: every answer schedules a re-check days away.
    Fuzzing is off so that schedules are reproducible."""
    return Scheduler(parameters=tuple(parameters), learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def read_parameters(path: Path) -> tuple[float, ...]:
    """The FSRS parameters in a file written by `mastery optimize --apply`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        values = data["parameters"]
        if not isinstance(values, list) or not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise ValueError("parameters must be a list of numbers")
        parameters = tuple(float(v) for v in values)
        scheduler_with(parameters)  # the package checks how many there are
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise ParametersUnusable(f"{path}: not usable as FSRS parameters ({error})") from error
    return parameters


@dataclass(frozen=True)
class BKTParams:
    p_init: float = 0.1  # P(L0): most new hires do not know a skill before its lesson
    p_transit: float = 0.15  # P(T): chance of learning the skill at each practice opportunity
    p_slip: float = 0.1  # P(S): a learner who knows the skill still answers wrong


@dataclass(frozen=True)
class ItemReview:
    card_json: str
    due: datetime


class MasteryModel:
    """FSRS schedules each item; BKT tracks each skill.

    FSRS's parameters are the package's defaults, or those in `parameters_file` when it exists
    (DATA_DIR/fsrs-parameters.json, written by `mastery optimize --apply`). The file is looked at
    (one stat) at each use, so a running bot takes up new parameters at its next answer, and goes
    back to the defaults when the file is removed. A file that cannot be read is logged and the
    defaults are used."""

    def __init__(self, *, scheduler: Scheduler | None = None, bkt: BKTParams = BKTParams(), parameters_file: Path | None = None) -> None:
        self._scheduler = scheduler or scheduler_with()
        self._file = parameters_file if scheduler is None else None
        self._seen: tuple[int, int, int] | None = None
        self._bkt = bkt

    @property
    def scheduler(self) -> Scheduler:
        if self._file is not None:
            try:
                found = os.stat(self._file)
                seen: tuple[int, int, int] | None = (found.st_ino, found.st_mtime_ns, found.st_size)
            except OSError:  # none (the defaults); one that cannot be looked at never stops an answer
                seen = None
            if seen != self._seen:
                self._seen = seen
                self._scheduler = scheduler_with(self._parameters() if seen else DEFAULT_PARAMETERS)
        return self._scheduler

    def _parameters(self) -> Sequence[float]:
        assert self._file is not None
        try:
            return read_parameters(self._file)
        except ParametersUnusable as error:
            log.warning("FSRS's default parameters are used: %s", error)
            return DEFAULT_PARAMETERS

    # --- items (FSRS) ---------------------------------------------------------------------
    def review(self, card_json: str | None, *, correct: bool, at: datetime) -> ItemReview:
        # A new card named by the instant of its first review: Card() names it by the wall clock
        # and then sleeps a millisecond so that the next one differs, which would stall every
        # learner's turn (the event loop) at each first answer. Nothing here reads the id.
        card = Card.from_dict(json.loads(card_json)) if card_json else Card(card_id=int(at.timestamp() * 1000))
        rating = Rating.Good if correct else Rating.Again
        card, _ = self.scheduler.review_card(card, rating, at)
        return ItemReview(card_json=json.dumps(card.to_dict()), due=card.due)

    def recall(self, card_json: str, at: datetime) -> float:
        """FSRS retrievability: the probability the learner recalls the item at `at`."""
        card = Card.from_dict(json.loads(card_json))
        return float(self.scheduler.get_card_retrievability(card, at))

    # --- skills (BKT) ---------------------------------------------------------------------
    @property
    def p_init(self) -> float:
        return self._bkt.p_init

    def update_skill(self, p_known: float, *, correct: bool, p_guess: float) -> float:
        """One BKT step: the posterior given the answer, then the chance of learning."""
        slip = self._bkt.p_slip
        if correct:
            evidence = p_known * (1 - slip)
            posterior = evidence / (evidence + (1 - p_known) * p_guess)
        else:
            evidence = p_known * slip
            posterior = evidence / (evidence + (1 - p_known) * (1 - p_guess))
        return posterior + (1 - posterior) * self._bkt.p_transit

    @staticmethod
    def current(p_known: float, recalls: list[float]) -> float:
        """Mastery now: BKT's P(known) discounted by how well the skill's items are still
        recalled (mean FSRS retrievability). Without practice the recall falls, so mastery
        decays; spaced correct answers raise FSRS stability, so it decays more slowly."""
        if not recalls:
            return p_known
        return p_known * (sum(recalls) / len(recalls))


def guess_probability(option_count: int, correct_count: int) -> float:
    """P(G) for BKT: the chance of a right answer by guessing, from the check's shape.

    A single answer is one of n options; a multiple-choice answer must be the exact subset."""
    if option_count < 2:
        return 0.5
    if correct_count <= 1:
        return 1 / option_count
    return max(1 / (2**option_count - 1), 0.02)
