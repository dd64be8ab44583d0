"""A Teams user for the wire tests: the fake Bot Connector (fakes/teams_connector.py) signs the
activities it posts to the bot's /api/messages over HTTP (ASGI), and shows what the bot sent to
the conversations, as Teams would show them (cards updated in place)."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.teams.bot import TeamsBot
from adapters.teams.http import PATH
from fakes.teams_connector import FakeConnector, actions_of, card_of, text_of

JSON = dict[str, Any]


class TeamsUser:
    def __init__(
        self, fake: FakeConnector, http: httpx.AsyncClient, bot: TeamsBot, user_id: str = "29:ana", name: str = "Ana Lima"
    ) -> None:
        self.fake, self.http, self.bot, self.id, self.name = fake, http, bot, user_id, name
        self.conversation = fake.personal(user_id)
        self.locale = "en-US"
        self.timezone: str | None = "Europe/Berlin"

    # --- what the bot sent ------------------------------------------------------------------------
    def activities(self) -> list[JSON]:
        return self.fake.activities(self.conversation)

    def texts(self, since: int = 0) -> list[str]:
        return [text_of(a) for a in self.activities()[since:]]

    def with_button(self, label: str) -> tuple[JSON, JSON]:
        """The newest activity (as it is now) with a Submit button whose title starts with `label`."""
        for activity in reversed(self.activities()):
            for action in actions_of(activity):
                if action.get("type") == "Action.Submit" and str(action.get("title", "")).startswith(label):
                    return activity, action
        raise AssertionError(f"no button {label!r} in: {self.texts()}")

    def buttons(self, activity: JSON) -> list[str]:
        return [str(a.get("title")) for a in actions_of(activity) if a.get("type") == "Action.Submit"]

    # --- acting -----------------------------------------------------------------------------------
    async def post(self, activity: JSON, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.http.post(PATH, json=activity, headers=headers if headers is not None else self.fake.signed(activity))

    def activity(self, **fields: Any) -> JSON:
        extra: JSON = {"name": self.name, "locale": self.locale}
        if self.timezone:
            extra["localTimezone"] = self.timezone
        return self.fake.activity(self.id, **extra, **fields)

    async def _exchange(self, activity: JSON) -> list[str]:
        before = len(self.activities())
        response = await self.post(activity)
        assert response.status_code in (200, 201, 202), response.text
        await self.bot.join()
        return self.texts(before)

    async def installs(self) -> list[str]:
        """The app added to the learner's personal scope: Teams sends a conversationUpdate."""
        added = self.activity(kind="conversationUpdate", membersAdded=[{"id": f"28:{self.fake.app_id}"}])
        return await self._exchange(added)

    async def says(self, text: str) -> list[str]:
        return await self._exchange(self.activity(text=text))

    async def presses(self, label: str) -> list[str]:
        card, action = self.with_button(label)
        return await self._exchange(self.activity(value=action["data"], replyToId=card["id"]))

    async def ticks(self, *options: int) -> list[str]:
        """Ticks `options` (0-based) in the newest check with ticks, and presses its Submit."""
        for activity in reversed(self.activities()):
            card = card_of(activity) or {}
            if any(e.get("type") == "Input.ChoiceSet" for e in card.get("body") or []):
                [submit] = [a for a in actions_of(activity) if a.get("type") == "Action.Submit"]
                value = {**submit["data"], "mb_choices": ",".join(str(o) for o in options)}
                return await self._exchange(self.activity(value=value, replyToId=activity["id"]))
        raise AssertionError(f"no check with ticks in: {self.texts()}")
