"""A diligent demo learner: five minutes every working day, every answer right. Used by
`credentials sample` to show authors exactly what learners will receive (adapters/cli/credentials.py)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.clock import ManualClock
from bot.core import Core
from bot.events import Answer, ButtonPressed, Event, LearnerRef, Next, Start
from bot.replies import AwardNotice, Button, Question, Reply, Text
from content.model import Curriculum


@dataclass
class DemoLearner:
    core: Core
    clock: ManualClock
    curriculum: Curriculum
    learner: LearnerRef = LearnerRef("demo", "demo-learner", "Demo Learner")
    earned_on_day: dict[str, int] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def _send(self, event_type: type[Event], **fields: object) -> list[Reply]:
        return await self.core.handle(event_type(learner=self.learner, source_id=f"demo-{next(self._ids)}", **fields))

    def _correct(self, question: Question) -> tuple[int, ...]:
        for lesson in self.curriculum.lessons.values():
            for check in lesson.checks:
                if question.question.startswith(check.question):
                    return tuple(sorted(check.correct_indices))
        raise LookupError(f"no check reads {question.question!r}")

    async def _five_minutes(self, day: int) -> bool:
        """Continue until a lesson or re-check ends; True when a lesson was completed."""
        replies = await self._send(Next)
        for _ in range(50):
            self._note_awards(replies, day)
            last = replies[-1] if replies else None
            buttons: tuple[Button, ...] = getattr(last, "buttons", ())
            if isinstance(last, Question):
                replies = await self._send(Answer, ref=last.ref, choices=self._correct(last))
            elif buttons and buttons[0].label.startswith("Next"):
                replies = await self._send(ButtonPressed, action=buttons[0].action)
            else:
                return any(isinstance(r, Text) and "Lesson complete" in r.text for r in replies)
        return False

    def _note_awards(self, replies: list[Reply], day: int) -> None:
        for reply in replies:
            if isinstance(reply, AwardNotice):
                self.earned_on_day.setdefault(reply.title, day)

    async def study(self, *, max_days: int = 120) -> dict[str, int]:
        """Study every working day until every credential is earned or `max_days` pass."""
        await self._send(Start, timezone="UTC")
        wanted = {c.title for c in self.curriculum.credentials.values()}
        for day in range(max_days):
            if self.clock.now().isoweekday() <= 5:
                for _ in range(4):  # due re-checks first, then one lesson
                    if await self._five_minutes(day):
                        break
            if wanted <= set(self.earned_on_day):
                break
            self.clock.advance(days=1)
        return self.earned_on_day
