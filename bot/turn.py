"""One inbound event being handled: the transaction, the learner and the moment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.store.models import LearnerRow
from bot.store.repository import Progress
from bot.vocabulary import EventKind


@dataclass
class Turn:
    tx: Progress
    learner: LearnerRow
    now: datetime
    # The platform's message id. The turn's first recorded event carries it; the unique
    # constraint on (learner, source id) then fails the whole transaction of a redelivered
    # message, so a duplicate changes nothing, also when two processes race.
    source_id: str | None = None
    _pending_source: bool = True
    # Set when something that can earn a credential happened (a lesson finished, a re-check
    # answered correctly), so credentials are evaluated only then.
    progress_changed: bool = False
    renew: str | None = None  # a badge whose refresher was just passed

    async def record(self, kind: EventKind, **details: Any) -> None:
        source_id = self.source_id if self._pending_source else None
        self._pending_source = False
        await self.tx.record(self.learner, kind, at=self.now, source_id=source_id, **details)

    async def finish(self, kind: EventKind) -> None:
        """Leave a trace of an event that recorded nothing else, so a redelivery is known."""
        if self._pending_source and self.source_id:
            await self.record(kind)
