"""A test learner that talks to the core like a chat client: press buttons by label, answer
the last question, count on stable message ids."""

from __future__ import annotations

import itertools
from typing import TypeVar

from bot.clock import ManualClock
from bot.core import Core
from bot.events import Answer, ButtonPressed, Command, Event, LearnerRef, Next, Start
from bot.replies import Announcement, AwardNotice, Button, Feedback, LessonCard, Question, Reply, Text
from content.model import Check

_ids = itertools.count(1)
T = TypeVar("T")


def found(value: T | None) -> T:
    """`value`, which the test expects to be there (a learner looked up, a pattern matched)."""
    assert value is not None, "expected a value, got None"
    return value


def text_of(reply: Reply) -> str:
    """The text of a reply that must have one: a Text, an award notice or an announcement."""
    assert isinstance(reply, Text | AwardNotice | Announcement), f"no text in {reply}"
    return reply.text


def buttons_of(reply: Reply) -> tuple[Button, ...]:
    """The buttons of a reply that can carry them (not a question, whose options are its own,
    nor an announcement)."""
    assert isinstance(reply, Text | LessonCard | Feedback | AwardNotice), f"no buttons on {reply}"
    return reply.buttons


def find_check(core: Core, question: Question) -> Check:
    """The authored check behind a question, found by its wording in any language it is read in."""
    for view in (core.curriculum.in_language(language) for language in core.curriculum.languages):
        for lesson in view.lessons.values():
            for check in lesson.checks:
                if question.question.startswith(check.question):
                    return check
    raise AssertionError(f"no check reads {question.question!r}")


class Chat:
    def __init__(self, core: Core, user: str = "ana", platform: str = "test") -> None:
        self.core = core
        self.learner = LearnerRef(platform, user, user.title())
        self.last: list[Reply] = []

    async def send(self, event: Event) -> list[Reply]:
        self.last = await self.core.handle(event)
        return self.last

    def _id(self) -> str:
        return f"msg-{next(_ids)}"

    async def start(self, timezone: str | None = "UTC") -> list[Reply]:
        """First contact from a platform that knows the learner's timezone; None: it does not."""
        return await self.send(Start(learner=self.learner, source_id=self._id(), timezone=timezone))

    async def next(self) -> list[Reply]:
        return await self.send(Next(learner=self.learner, source_id=self._id()))

    async def command(self, name: str, args: str = "") -> list[Reply]:
        return await self.send(Command(learner=self.learner, source_id=self._id(), name=name, args=args))

    async def press(self, label: str) -> list[Reply]:
        button = self.button(label)
        return await self.send(ButtonPressed(learner=self.learner, source_id=self._id(), action=button.action))

    async def answer(self, *choices: int, source_id: str | None = None) -> list[Reply]:
        question = self.question
        return await self.send(Answer(learner=self.learner, source_id=source_id or self._id(), ref=question.ref, choices=choices))

    async def answer_correctly(self) -> list[Reply]:
        question = self.question
        check = find_check(self.core, question)
        return await self.answer(*sorted(check.correct_indices))

    async def answer_wrongly(self) -> list[Reply]:
        question = self.question
        check = find_check(self.core, question)
        wrong = next(i for i in range(len(question.options)) if i not in check.correct_indices)
        return await self.answer(wrong)

    def button(self, label: str) -> Button:
        for reply in reversed(self.last):
            for button in getattr(reply, "buttons", ()):
                if button.label.startswith(label):
                    return button
        raise AssertionError(f"no button {label!r} in {self.last}")

    @property
    def question(self) -> Question:
        for reply in reversed(self.last):
            if isinstance(reply, Question):
                return reply
        raise AssertionError(f"no question in {self.last}")

    @property
    def card(self) -> LessonCard:
        for reply in reversed(self.last):
            if isinstance(reply, LessonCard):
                return reply
        raise AssertionError(f"no lesson card in {self.last}")

    @property
    def feedback(self) -> Feedback:
        return next(r for r in self.last if isinstance(r, Feedback))

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last if isinstance(r, (Text, AwardNotice)))

    async def take_next_lesson(self, *, right: bool = True) -> None:
        """Press Start now, read every card and answer every check (all right or all wrong)."""
        await self.press("Start now")
        await self.read_cards_until_question()
        while any(isinstance(r, Question) for r in self.last):
            await (self.answer_correctly() if right else self.answer_wrongly())

    async def read_cards_until_question(self) -> Question:
        while not any(isinstance(r, Question) for r in self.last):
            await self.press("Next")
        return self.question


async def study_daily_until(chat: Chat, clock: ManualClock, *, days: int, until: str) -> tuple[int | None, list[Reply]]:
    """Each day: /next, and answer every re-check correctly. Returns the day `until` was said
    and everything the bot said that day."""
    for day in range(1, days + 1):
        clock.advance(days=1)
        said = list(await chat.next())
        while any(isinstance(r, Question) for r in chat.last):
            said += await chat.answer_correctly()
        if any(until in getattr(r, "text", "") for r in said):
            return day, said
    return None, []
