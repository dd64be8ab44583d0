"""What the item analytics read of the store (bot/ports.py `Analytics`), as plain values: every
answer, every learning session with the snapshot of its steps, and when each card was shown.
bot/analytics.py turns them into figures per check, per skill and per lesson."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AnswerRecord:
    """One answer to a check (an `answered` event of the trail)."""

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
