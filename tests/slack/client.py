"""A Slack user for the wire tests: sends correctly signed Events API, interactivity and
slash-command requests to the app over HTTP (ASGI), and reads what the app posted to the fake
Slack Web API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bot.core import Core
from content.model import Check
from fakes import slack_signing as signing
from fakes.slack_api import Call, FakeSlack, elements_of, text_of

QUIET = 0.15  # seconds without a new API call: the app has finished answering
EVENTS = "/slack/events"


class AppClient(httpx.AsyncClient):
    """An HTTP client of an app served in the test's own event loop, which can tell when the
    app has finished what it was sent (`idle`), however its replies are paced."""

    def __init__(self, idle: Callable[[], Awaitable[None]], **options: Any) -> None:
        super().__init__(**options)
        self.idle = idle


class SlackUser:
    def __init__(self, fake: FakeSlack, http: httpx.AsyncClient, secret: str, core: Core, user_id: str = "U0ANA") -> None:
        self.fake, self.http, self.secret, self.core, self.id = fake, http, secret, core, user_id
        self.channel = fake.dm_channel(user_id)

    # --- what the app posted ----------------------------------------------------------------------
    def messages(self) -> list[Call]:
        return [c for c in self.fake.messages_in(self.channel) if c.method == "chat.postMessage"]

    def current(self, call: Call) -> dict[str, Any]:
        return self.fake.message(self.channel, call.response["ts"]) or {}

    def texts(self, since: int = 0) -> list[str]:
        return [text_of(self.current(c)) for c in self.messages()[since:]]

    def with_button(self, label: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The newest message (as it is now) with a button whose text starts with `label`."""
        for call in reversed(self.messages()):
            message = self.current(call)
            for element in elements_of(message):
                if element.get("type") == "button" and element["text"]["text"].startswith(label) and "url" not in element:
                    return message, element
        raise AssertionError(f"no button {label!r}:\n{self.fake.dump()}")

    # --- acting -------------------------------------------------------------------------------------
    async def send(self, body: str | dict[str, Any], **options: Any) -> httpx.Response:
        return await signing.post(self.http, EVENTS, body, self.secret, **options)

    async def says(self, text: str) -> list[str]:
        before = len(self.messages())
        response = await self.send(signing.event_callback(signing.message_im(self.id, text, channel=self.channel)))
        assert response.status_code == 200, response.text
        await self.settle(before)
        return self.texts(before)

    async def slash(self, text: str, channel: str | None = None) -> httpx.Response:
        return await self.send(signing.slash_command(self.id, text=text, channel=channel or self.channel))

    async def presses(self, label: str) -> list[str]:
        message, button = self.with_button(label)
        before = len(self.messages())
        body = signing.block_actions(
            self.id,
            self.channel,
            message["ts"],
            button["action_id"],
            button.get("value", ""),
            message=message,
            label=button["text"]["text"],
            response_url=self.fake.response_url_for(self.channel, message["ts"]),
        )
        response = await self.send(body)
        assert response.status_code == 200, response.text
        await self.settle(before)
        return self.texts(before)

    async def ticks_and_submits(self, options: list[int]) -> list[str]:
        """A multiple-answer check: tick checkboxes, then press the submit button."""
        message, submit = self.with_button("Submit")
        checkboxes = next(e for e in elements_of(message) if e.get("type") == "checkboxes")
        block_id = next(b["block_id"] for b in message["blocks"] if checkboxes in (b.get("elements") or []) + [b.get("accessory")])
        ticked = [o for o in checkboxes["options"] if int(o["value"]) in options]
        state = {"values": {block_id: {checkboxes["action_id"]: {"type": "checkboxes", "selected_options": ticked}}}}
        before = len(self.messages())
        body = signing.block_actions(
            self.id,
            self.channel,
            message["ts"],
            submit["action_id"],
            submit["value"],
            message=message,
            label=submit["text"]["text"],
            state=state,
            response_url=self.fake.response_url_for(self.channel, message["ts"]),
        )
        assert (await self.send(body)).status_code == 200
        await self.settle(before)
        return self.texts(before)

    async def answers_correctly(self) -> list[str]:
        message = self.current(self.messages()[-1])
        check = self.check_of(message)
        correct = [i for i, option in enumerate(check.options) if option.correct]
        if any(e.get("type") == "checkboxes" for e in elements_of(message)):
            return await self.ticks_and_submits(correct)
        return await self.presses(f"{correct[0] + 1})")

    def check_of(self, message: dict[str, Any]) -> Check:
        text = text_of(message)
        for lesson in self.core.curriculum.lessons.values():
            for check in lesson.checks:
                if check.question in text:
                    return check
        raise AssertionError(f"no check in {text!r}")

    def asks_a_question(self) -> bool:
        if not self.messages():
            return False
        message = self.current(self.messages()[-1])
        return any(
            e.get("type") == "checkboxes" or (e.get("type") == "button" and e["text"]["text"].startswith("1)"))
            for e in elements_of(message)
        )

    async def settle(self, before: int, timeout: float = 20.0) -> None:
        """Until the app has answered: done with what it was sent (an app served in this
        loop says so), or else quiet for QUIET seconds."""
        if isinstance(self.http, AppClient):
            await asyncio.wait_for(self.http.idle(), timeout)
            if len(self.messages()) <= before:
                raise AssertionError(f"the app answered nothing:\n{self.fake.dump()}")
            return
        await self.fake.wait_for(lambda fake: len(self.messages()) > before, timeout=timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            newest = max([c.at for c in self.fake.calls] + [r.at for r in self.fake.responses], default=0.0)
            if time.monotonic() - newest >= QUIET:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"the app kept talking:\n{self.fake.dump()}")
