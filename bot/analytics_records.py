"""What the item analytics read of the store (bot/ports.py `Analytics`), as plain values: every
answer, every learning session with the snapshot of its steps, and when each card was shown.
bot/analytics.py turns them into figures per check, per skill and per lesson. And the events the
nudges' uplift reads (bot/uplift.py), as moments: who, what and when, nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from bot.records import TrailEvent
from bot.vocabulary import EventKind


class AnswerRecord(NamedTuple):
    """One answer to a check (an `answered` event of the trail). A tuple: the store builds hundreds
    of thousands of them per review, and a frozen dataclass costs twice as much to build."""

    learner_id: int
    at: datetime
    check_key: str
    correct: bool
    choices: tuple[int, ...]  # option indices, from 0
    session_id: int | None  # the learning session it was given in
    session_kind: str  # bot.vocabulary.SessionKind value ("" when the trail does not say)
    wording: str | None = None  # the wording hash recorded with the answer (bot.analytics.wording_hash); None before
    id: int = 0  # the event's id: answers at the same instant keep the order they were given in


@dataclass(frozen=True)
class SessionRecord:
    """A lesson, re-check or refresher session, with its steps as they were shown."""

    id: int
    learner_id: int
    kind: str  # bot.vocabulary.SessionKind value
    status: str  # bot.vocabulary.SessionStatus value
    position: int  # the step the learner is on (from 0); the number of steps once completed
    started_at: datetime
    updated_at: datetime
    steps: tuple[dict[str, Any], ...] = ()  # bot.snapshot.step_to_json of each step
    lesson_id: str | None = None
    lesson_version: str | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class AnalyticsRecord:
    answers: list[AnswerRecord]  # oldest first
    sessions: list[SessionRecord] = field(default_factory=list)  # by id
    card_views: list[tuple[int, datetime]] = field(default_factory=list)  # (session id, when a card was shown)


class TrailMoment(NamedTuple):
    """An event of the trail as the nudges' uplift reads it (bot/uplift.py): a few hundred thousand
    of them over four weeks, so a tuple of what it uses rather than the whole event."""

    learner_id: int
    kind: EventKind
    occurred_at: datetime
    local_date: date  # the day in the learner's timezone then
    holdout: int | None = None  # a withheld offer's holdout (payload "holdout")


def choice_bits(choices: Iterable[int]) -> int:
    """The options chosen as bits (option n is bit n, from 0): one integer per answer."""
    bits = 0
    for choice in choices:
        if 0 <= choice < 31:  # a check has at most 10 options (content/lesson_rules.py MAX_OPTIONS)
            bits |= 1 << choice
    return bits


def wording_number(wording: str) -> int:
    """A wording hash (16 hex digits, bot.analytics.wording_hash) as the signed 64-bit integer the
    store keeps (events.wording): compared and read as a number, not as text."""
    return int.from_bytes(bytes.fromhex(wording), "big", signed=True)


def wording_text(number: int) -> str:
    return (number & 0xFFFF_FFFF_FFFF_FFFF).to_bytes(8, "big").hex()


def moment(event: TrailEvent) -> TrailMoment:
    held = event.payload.get("holdout") if event.kind == EventKind.HELD_OUT else None
    return TrailMoment(event.learner_id, event.kind, event.occurred_at, event.local_date, held if isinstance(held, int) else None)
