"""The terminal loop: lines in, neutral events to the core, rendered replies out."""
from __future__ import annotations

import asyncio
import re
import uuid
from typing import TextIO

from adapters.console.render import Rendered, render
from bot.core import Core
from bot.events import Answer, ButtonPressed, Command, Event, LearnerRef, Next, Start
from bot.replies import Button, Question, Reply

PLATFORM = "console"
_NUMBERS = re.compile(r"^\s*\d+(\s*[, ]\s*\d+)*\s*$")


class ConsoleBot:
    def __init__(
        self,
        *,
        core: Core,
        learner: LearnerRef,
        stdin: TextIO,
        stdout: TextIO,
        timezone: str | None = None,
        interactive: bool = False,
    ) -> None:
        self._core = core
        self._learner = learner
        self._in = stdin
        self._out = stdout
        self._timezone = timezone
        self._interactive = interactive
        self._buttons: tuple[Button, ...] = ()
        self._question: Question | None = None
        self._run = uuid.uuid4().hex[:8]
        self._count = 0

    async def run(self) -> None:
        await self.begin()
        while True:
            if self._interactive:
                self._out.write("> ")
                self._out.flush()
            line = await asyncio.to_thread(self._in.readline)
            if not line or not await self.say(line):  # end of input, or /quit
                break

    async def begin(self) -> None:
        """First contact (or welcome back) for this console learner."""
        await self._send(Start(learner=self._learner, source_id=self._next_id(), timezone=self._timezone))

    async def say(self, line: str) -> bool:
        """Handle one typed line; False when the learner quits."""
        text = line.strip()
        if text.lower() in ("/quit", "/exit", "quit", "exit"):
            self._print("Bye! Your progress is saved: run me again to pick up where you left off.")
            return False
        event = self._event_for(text)
        if event is not None:
            await self._send(event)
        return True

    def _next_id(self) -> str:
        self._count += 1
        return f"console-{self._run}-{self._count}"

    def _event_for(self, text: str) -> Event | None:
        source = self._next_id()
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            if name.lower() == "next":
                return Next(learner=self._learner, source_id=source)
            return Command(learner=self._learner, source_id=source, name=name, args=args)
        if self._question is not None:
            if not _NUMBERS.match(text):
                self._print(f"Please answer with {'numbers like 1,3' if self._question.multiple else 'a number'} from 1 to {len(self._question.options)}.")
                return None
            choices = tuple(int(n) - 1 for n in re.findall(r"\d+", text))
            return Answer(learner=self._learner, source_id=source, ref=self._question.ref, choices=choices)
        if text == "" and len(self._buttons) >= 1:
            return ButtonPressed(learner=self._learner, source_id=source, action=self._buttons[0].action)
        if text.isdigit() and 1 <= int(text) <= len(self._buttons):
            return ButtonPressed(learner=self._learner, source_id=source, action=self._buttons[int(text) - 1].action)
        if text == "":
            return Next(learner=self._learner, source_id=source)
        if self._buttons:
            self._print(f"Type a number from 1 to {len(self._buttons)}, or a command such as /help.")
        else:
            self._print("Type /next to continue, or /help to see what I can do.")
        return None

    async def _send(self, event: Event) -> None:
        try:
            replies = await self._core.handle(event)
        except Exception:  # the learner never sees a traceback; the log keeps it
            import logging

            logging.getLogger(__name__).exception("console event failed")
            self._print("Sorry, something went wrong on my side. Your progress is safe; try /next.")
            return
        self._show(replies)

    def _show(self, replies: list[Reply]) -> None:
        rendered: list[Rendered] = [render(reply) for reply in replies]
        for item in rendered:
            self._print(item.text)
        if rendered:
            last = rendered[-1]
            self._buttons = last.buttons
            self._question = last.question

    def _print(self, text: str) -> None:
        self._out.write(text + "\n\n")
        self._out.flush()
