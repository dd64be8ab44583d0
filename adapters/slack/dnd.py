"""Whether a learner has Do Not Disturb on, for nudges.

dnd.teamInfo answers for up to 50 users in one call (Tier 2, 20 a minute: up to 1,000 learners
a minute) where dnd.info answers for one (Tier 3, 50 a minute); the nudges sent at once are
asked together. An answer names the next DND hours, so it stays right until those hours end or
the learner changes them; it is kept for a few minutes. A snooze ("pause notifications") is
not visible to an app: Slack shows it only to the user themselves."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk.web.async_client import AsyncWebClient

BATCH = 50  # users per dnd.teamInfo call (Slack's maximum)
KEEP = 10 * 60.0  # seconds an answer is used
GATHER = 0.05  # seconds to wait for more users to ask about in the same call


@dataclass(frozen=True)
class _Hours:
    enabled: bool
    start: float  # unix times of the next (or current) DND hours
    end: float
    asked: float  # time.monotonic() of the answer


class DoNotDisturb:
    def __init__(
        self, client: AsyncWebClient, *, keep: float = KEEP, gather: float = GATHER, clock: Callable[[], float] = time.time
    ) -> None:
        self._client, self._keep, self._gather, self._clock = client, keep, gather, clock
        self._hours: dict[str, _Hours] = {}
        self._waiting: dict[str, asyncio.Future[_Hours]] = {}
        self._asking: asyncio.Task[None] | None = None

    async def until(self, user: str) -> datetime | None:
        """When the user's Do Not Disturb ends, if it is on now; None if they may be reached."""
        hours = self._hours.get(user)
        now = self._clock()
        if hours is None or time.monotonic() - hours.asked > self._keep or (hours.enabled and now >= hours.end):
            hours = await self._ask(user)
        if hours.enabled and hours.start <= now < hours.end:
            return datetime.fromtimestamp(hours.end, UTC)
        return None

    async def _ask(self, user: str) -> _Hours:
        future = self._waiting.get(user)
        if future is None:
            future = self._waiting[user] = asyncio.get_running_loop().create_future()
        if self._asking is None or self._asking.done():
            self._asking = asyncio.get_running_loop().create_task(self._ask_waiting())
        return await asyncio.shield(future)

    async def _ask_waiting(self) -> None:
        await asyncio.sleep(self._gather)
        while self._waiting:
            users = list(self._waiting)[:BATCH]
            futures = [self._waiting.pop(user) for user in users]
            try:
                answer = await self._client.dnd_teamInfo(users=users)
            except Exception as error:
                for future in futures:
                    if not future.done():
                        future.set_exception(error)
                continue
            known = answer.get("users") or {}
            asked = time.monotonic()
            for user, future in zip(users, futures, strict=True):
                info = known.get(user) or {}
                hours = _Hours(
                    bool(info.get("dnd_enabled")), float(info.get("next_dnd_start_ts") or 0), float(info.get("next_dnd_end_ts") or 0), asked
                )
                self._hours[user] = hours
                if not future.done():
                    future.set_result(hours)
