"""The terminal loop: lines in, neutral events to the core, rendered replies out.

What a typed line does: a number presses that numbered button, or answers the question that
waits (`1,3` for several); Enter presses a lone Next or Continue button, or continues (/next)
when no button shows, and nothing else; a destructive button (deleting the learner's data) is
pressed only by typing its word, such as DELETE. After a command, a question the learner was
answering is asked again. Ctrl-C ends the console at once."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
import uuid
from typing import TextIO

from adapters.console.render import Rendered, render, without_buttons
from bot import commands, i18n
from bot.core import Core
from bot.events import Answer, ButtonPressed, Command, Event, LearnerRef, Next, Start
from bot.replies import Announcement, Button, Question, Reply
from bot.vocabulary import Platform

PLATFORM = Platform.CONSOLE
GOODBYE = i18n.N_("Bye! Your progress is saved: run me again to pick up where you left off.")
GOODBYE_AFTER_DELETING = i18n.N_("Bye!")  # nothing of theirs is saved any more
ANSWER_WITH_A_NUMBER = i18n.N_("Please answer with a number from 1 to {count}.")
ANSWER_WITH_NUMBERS = i18n.N_("Please answer with numbers like 1,3 from 1 to {count}.")
_NUMBERS = re.compile(r"^\s*\d+(\s*[, ]\s*\d+)*\s*$")
_MAX_WIDTH = 100  # wider lines are hard to read even on a wide terminal
log = logging.getLogger(__name__)


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
        self._lines = _LineReader(stdin)
        self._out = stdout
        self._timezone = timezone
        self._interactive = interactive
        self._choices = Rendered("")  # what the last message offers: its buttons, words and Enter
        self._question: Question | None = None
        # What the console says itself: in the terminal's language until the core says which the
        # learner is spoken to in (after every turn: /settings may change it).
        self._t = core.translators.of(i18n.supported(learner.language))
        self._goodbye = GOODBYE  # translated when said
        self._run = uuid.uuid4().hex[:8]
        self._count = 0

    async def run(self) -> None:
        try:
            await self.begin()
            while True:
                if self._interactive:
                    self._out.write("> ")
                    self._out.flush()
                line = await self._lines.readline()
                if line is None or not await self.say(line):  # end of input, or /quit
                    break
        except asyncio.CancelledError:
            # Ctrl-C: asyncio.run cancels this task. An event being handled is rolled back
            # with its transaction; the learner gets a goodbye, not a traceback.
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            if self._interactive:
                self._out.write("\n")  # off the prompt line, where the terminal echoed ^C
            self._print(self._t.gettext(self._goodbye))

    async def begin(self) -> None:
        """First contact (or welcome back) for this console learner."""
        await self._send(Start(learner=self._learner, source_id=self._next_id(), timezone=self._timezone))

    async def say(self, line: str) -> bool:
        """Handle one typed line; False when the learner quits."""
        text = line.strip()
        if commands.named(text, PLATFORM) is commands.QUIT:  # also without the slash
            self._print(self._t.gettext(self._goodbye))
            return False
        event = self._event_for(text)
        if event is not None:
            # A command does not answer the question that waits: ask it again after the reply.
            await self._send(event, reask=self._question if isinstance(event, Command) else None)
        return True

    def _next_id(self) -> str:
        self._count += 1
        return f"console-{self._run}-{self._count}"

    def _event_for(self, text: str) -> Event | None:
        source = self._next_id()
        if text.startswith("/"):
            command, name, args = commands.read(text, PLATFORM)
            if command is None:  # the core says it does not know it, and what it does know
                return Command(learner=self._learner, source_id=source, name=name, args=args)
            return commands.event_for(command, self._learner, source, args, timezone=self._timezone)
        if self._question is not None:
            if not _NUMBERS.match(text):
                asked = ANSWER_WITH_NUMBERS if self._question.multiple else ANSWER_WITH_A_NUMBER
                self._print(self._t.gettext(asked).format(count=len(self._question.options)))
                return None
            choices = tuple(int(n) - 1 for n in re.findall(r"\d+", text))
            return Answer(learner=self._learner, source_id=source, ref=self._question.ref, choices=choices)
        offered = self._choices
        pressed = self._pressed(text, offered)
        if pressed is not None:
            self._goodbye = GOODBYE_AFTER_DELETING if pressed.destructive else GOODBYE
            return ButtonPressed(learner=self._learner, source_id=source, action=pressed.action)
        if text == "" and not offered.buttons and not offered.words:
            return Next(learner=self._learner, source_id=source)
        if offered.buttons or offered.words:
            self._print(_choices_hint(offered))
        else:
            self._print(self._t.gettext("Type /next to continue, or /help to see what I can do."))
        return None

    @staticmethod
    def _pressed(text: str, offered: Rendered) -> Button | None:
        if text == "":
            return offered.enter
        if text.isdigit() and 1 <= int(text) <= len(offered.buttons):
            return offered.buttons[int(text) - 1]
        return next((button for word, button in offered.words if text.upper() == word), None)

    async def _send(self, event: Event, reask: Question | None = None) -> None:
        try:
            replies = await self._core.handle(event)
        except Exception:  # the learner never sees a traceback; the log keeps it
            log.exception("console event failed")
            self._print(self._t.gettext("Sorry, something went wrong on my side. Your progress is safe; try /next."))
            return
        try:
            self._t = self._core.translators.of(await self._core.speaks(self._learner))
        except Exception:  # the replies are what matters: said in the words the console had
            log.exception("reading the learner's language failed")
        self._show(replies, reask)

    def _show(self, replies: list[Reply], reask: Question | None = None) -> None:
        """Print `replies`. Whatever waits for an answer comes last: a question among them (or
        `reask`, the one pending before a command) is asked at the end, and while a question
        waits, numbers answer it, so no other buttons are offered."""
        width = self._width()
        question = next((r for r in reversed(replies) if isinstance(r, Question)), reask)
        for reply in replies:
            self._print(render(reply if question is None else without_buttons(reply), width, self._t).text)
        in_chat = [r for r in replies if not isinstance(r, Announcement)]  # the team channel's are not
        if question is not None:
            if not in_chat or in_chat[-1] is not question:
                self._print(render(question, width, self._t).text)
            self._question, self._choices = question, Rendered("")
        elif in_chat:
            self._question, self._choices = None, render(in_chat[-1], width, self._t)

    def _width(self) -> int | None:
        """The terminal's width when printing to one; None (no wrapping) for a pipe or a file."""
        try:
            if not self._out.isatty():
                return None
            return max(40, min(os.get_terminal_size(self._out.fileno()).columns, _MAX_WIDTH))
        except (AttributeError, OSError, ValueError):
            return None

    def _print(self, text: str) -> None:
        self._out.write(text + "\n\n")
        self._out.flush()


def _choices_hint(offered: Rendered) -> str:
    """What the learner can type at these buttons: the word of a destructive one first, so
    nobody has to guess that a number does not press it."""
    count = len(offered.buttons)
    numbers = ("1" if count == 1 else f"a number from 1 to {count}") if count else ""
    hint = " ".join(f'To press "{button.label}", type {word}.' for word, button in offered.words)
    rest = f"{numbers}, or a command such as /help" if numbers else "a command such as /help"
    return f"{hint} Otherwise type {rest}." if hint else f"Type {rest}."


class _LineReader:
    """Typed lines, read without holding up the event loop or Ctrl-C.

    A file with a descriptor (a terminal, a pipe) is read by a daemon thread with `os.read`: a
    thread from asyncio's pool would keep the process waiting for one more line after Ctrl-C,
    and a buffered read would hold the stream's lock while the interpreter shuts down. Other
    streams (a StringIO in tests) are read directly."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._encoding = getattr(stream, "encoding", None) or "utf-8"
        self._queue: asyncio.Queue[str | None] | None = None
        try:
            self._fd: int | None = stream.fileno()
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
            self._fd = None

    async def readline(self) -> str | None:
        """The next line, or None at the end of input."""
        if self._fd is None:
            return self._stream.readline() or None
        if self._queue is None:
            self._queue = asyncio.Queue()
            reader = threading.Thread(target=self._pump, args=(asyncio.get_running_loop(), self._queue), name="console-input", daemon=True)
            reader.start()
        return await self._queue.get()

    def _pump(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
        assert self._fd is not None
        pending = b""
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except OSError:
                chunk = b""
            if chunk:
                *lines, pending = (pending + chunk).split(b"\n")
                items: list[str | None] = [line.decode(self._encoding, "replace") + "\n" for line in lines]
            else:  # end of input: the last line even without a line break, then None
                items = [pending.decode(self._encoding, "replace")] if pending else []
                items.append(None)
            for item in items:
                try:
                    loop.call_soon_threadsafe(queue.put_nowait, item)
                except RuntimeError:  # the loop has closed: the console is over
                    return
            if not chunk:
                return
