"""A Telegram user for the wire tests: talks to the bot through the fake Bot API server, the way
the Telegram app would, and waits until the bot has answered."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bot.core import Core
from content.model import Check
from fakes.telegram_api import Call, FakeTelegram

QUIET = 0.15  # seconds without a new call: the bot has finished answering


class TelegramUser:
    def __init__(self, fake: FakeTelegram, core: Core, user_id: int = 4242, first_name: str = "Ana", quiet: float = QUIET) -> None:
        self.fake, self.core, self.id, self.first_name = fake, core, user_id, first_name
        self.quiet = quiet  # longer where the bot paces a chat as Telegram asks (a message every 1.1 s)

    # --- what the bot sent ----------------------------------------------------------------------
    def messages(self) -> list[Call]:
        return [c for c in self.fake.messages_to(self.id) if c.method in ("sendMessage", "sendPoll", "sendPhoto")]

    def texts(self, since: int = 0) -> list[str]:
        return [_text_of(c.result) for c in self.messages()[since:]]

    def last_message(self) -> dict[str, Any]:
        return self.messages()[-1].result

    def with_button(self, label: str) -> tuple[dict[str, Any], str]:
        """The newest message (as it is now) with a button whose label starts with `label`."""
        for call in reversed(self.messages()):
            current = self.fake.message(self.id, call.result["message_id"]) or {}
            for row in current.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"].startswith(label) and "callback_data" in button:
                        return current, button["callback_data"]
        raise AssertionError(f"no button {label!r} in the chat:\n{self.fake.dump()}")

    # --- acting -----------------------------------------------------------------------------------
    async def says(self, text: str) -> list[str]:
        before = len(self.messages())
        self.fake.user_sends_text(self.id, text, first_name=self.first_name)
        await self.settle(before)
        return self.texts(before)

    async def presses(self, label: str) -> list[str]:
        message, data = self.with_button(label)
        before = len(self.messages())
        self.fake.user_presses(self.id, message, data)
        await self.settle(before)
        return self.texts(before)

    async def answers_poll(self, options: list[int]) -> list[str]:
        poll = self.last_message()["poll"]
        before = len(self.messages())
        self.fake.user_answers_poll(self.id, poll["id"], options)
        await self.settle(before)
        return self.texts(before)

    async def answers_correctly(self) -> list[str]:
        """Answer the newest question: by its buttons, or in its poll."""
        message = self.last_message()
        check = self.check_of(message)
        correct = [i for i, option in enumerate(check.options) if option.correct]
        if "poll" in message:
            return await self.answers_poll(correct)
        return await self.presses(f"{correct[0] + 1})")

    def check_of(self, message: dict[str, Any]) -> Check:
        text = message["poll"]["question"] if "poll" in message else _text_of(message)
        for lesson in self.core.curriculum.lessons.values():
            for check in lesson.checks:
                if check.question in text:
                    return check
        raise AssertionError(f"no check in {text!r}")

    def asks_a_question(self) -> bool:
        if not self.messages():
            return False
        message = self.fake.message(self.id, self.last_message()["message_id"]) or {}
        if "poll" in message:
            return not message["poll"].get("is_closed", False)
        return "❓" in _text_of(message) and bool(message.get("reply_markup"))

    async def settle(self, before: int, timeout: float = 20.0) -> None:
        """Wait for a new message, then for the bot to fall quiet."""
        await self.fake.wait_for(lambda fake: len(self.messages()) > before, timeout=timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.fake.calls
            newest = max((c.at for c in calls if c.method != "getUpdates"), default=0.0)
            if time.monotonic() - newest >= self.quiet and not self.fake.pending_updates:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"the bot kept talking:\n{self.fake.dump()}")


def _text_of(message: dict[str, Any]) -> str:
    if "poll" in message:
        return "📊 " + message["poll"]["question"]
    return message.get("text") or message.get("caption") or ""
