"""One inbound event being handled: the unit of work, the learner and the moment, and what the
turn recorded (which is what decides whether credentials are evaluated afterwards)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot import runs
from bot.i18n import Translator, Translators
from bot.ports import UnitOfWork
from bot.records import Assignment, Learner, TrailEvent
from bot.streaks import local_date
from bot.vocabulary import LEARNING, EventKind


@dataclass
class Turn:
    tx: UnitOfWork
    learner: Learner
    now: datetime
    # The platform's message id. The turn's first recorded event carries it; the unique
    # constraint on (learner, source id) then fails the whole transaction of a redelivered
    # message, so a duplicate changes nothing, also when two processes race.
    source_id: str | None = None
    recorded: list[TrailEvent] = field(default_factory=list)  # this turn's events, in order
    # The replies carry a one-time secret (a dashboard sign-in link): never kept with the learner,
    # since the database holds such tokens only hashed.
    replies_secret: bool = False
    # The learner's assignments, read once a turn where they are shown or pick the next lesson
    # (bot/assigned_view.py); None until then.
    assignments: list[Assignment] | None = None
    # The bot's texts in every language; `t` speaks the learner's (which /settings may change mid-turn).
    translators: Translators = field(default_factory=Translators.english)

    @property
    def t(self) -> Translator:
        return self.translators.of_learner(self.learner)

    async def record(self, kind: EventKind, **details: Any) -> None:
        """Add an event to the trail; a learning event also joins the learner's run of days."""
        source_id = self.source_id if not self.recorded else None
        event = TrailEvent(
            kind=kind,
            occurred_at=self.now,
            local_date=local_date(self.now, self.learner.timezone),
            source_id=source_id,
            learner_id=self.learner.id,
            **details,
        )
        await self.tx.trail.add(self.learner.id, event)
        self.recorded.append(event)
        if kind in LEARNING:
            await runs.learned_on(self.tx, self.learner, event.local_date, self.now)

    async def finish(self, kind: EventKind) -> None:
        """Leave a trace of an event that recorded nothing else, so a redelivery is known; then
        save what the turn changed of the learner."""
        if not self.recorded and self.source_id:
            await self.record(kind)
        await self.tx.learners.save(self.learner)

    def recorded_kinds(self) -> set[EventKind]:
        return {event.kind for event in self.recorded}
