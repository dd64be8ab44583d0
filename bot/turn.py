"""One inbound event being handled: the transaction, the learner and the moment."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.store.models import LearnerRow
from bot.store.repository import Progress


@dataclass
class Turn:
    tx: Progress
    learner: LearnerRow
    now: datetime
    source_id: str | None
    _source_used: bool = field(default=False)

    @property
    def source_recorded(self) -> bool:
        return self._source_used

    async def record(self, kind: str, **details: Any) -> None:
        """Add an event to the audit trail. The first event of a turn carries the platform's
        message id, which is what makes a redelivered message count once."""
        source_id = None if self._source_used else self.source_id
        self._source_used = True
        await self.tx.record(self.learner, kind, at=self.now, source_id=source_id, **details)
