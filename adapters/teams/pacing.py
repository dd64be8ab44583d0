"""Keeping under Teams' limits instead of meeting them: Microsoft documents per bot per
conversation 7 operations a second, 60 in 30 seconds and 1,800 an hour, and 50 requests a second
per app per tenant. Each REST call waits here until it fits every window, a little under each
limit (requests arrive with varying delays, and several processes may share one app, so a 429
can still come: patience.py waits it out, and every send of the app waits with it). The windows
are sliding, as Teams counts them, so a burst up to the per-second limit passes at once."""

from __future__ import annotations

import asyncio
import bisect
import re
import time
from collections.abc import Awaitable, Callable

Windows = tuple[tuple[int, float], ...]  # (operations, seconds)
CONVERSATION: Windows = ((5, 1.0), (50, 30.0), (1700, 3600.0))
APP: Windows = ((40, 1.0),)
_CONVERSATION_IN_URL = re.compile(r"/v3/conversations/([^/?]+)")
REMEMBERED = 10_000  # conversations whose windows are kept


def conversation_of(url: str) -> str | None:
    found = _CONVERSATION_IN_URL.search(url)
    return found.group(1) if found else None


class Pacer:
    def __init__(
        self,
        *,
        conversation: Windows = CONVERSATION,
        app: Windows = APP,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._limits = {"conversation": conversation, "app": app}
        self._clock, self._sleep = clock, sleep
        self._sent: dict[str, list[float]] = {}
        self._held_until = 0.0  # after a 429 nothing is sent until then: Teams asks apps to back off
        self._lock = asyncio.Lock()

    def refused(self, seconds: float) -> None:
        """Teams answered 429 with this Retry-After: the whole app waits it out (the answer does
        not say whether the conversation's or the app's limit was met)."""
        self._held_until = max(self._held_until, self._clock() + seconds)

    async def wait(self, conversation: str | None) -> None:
        """Until one more operation in `conversation` (None: not in one) fits every window; then it is counted."""
        keys = [("app", "app")] + ([(f"c:{conversation}", "conversation")] if conversation else [])
        while True:
            async with self._lock:
                now = self._clock()
                wait = max(self._held_until - now, *(self._wait(key, self._limits[kind], now) for key, kind in keys))
                if wait <= 0:
                    for key, _ in keys:
                        self._sent.setdefault(key, []).append(now)
                    return
            await self._sleep(wait)

    def _wait(self, key: str, windows: Windows, now: float) -> float:
        sent = self._sent.get(key)
        if not sent:
            if len(self._sent) > REMEMBERED:
                self._forget(now)
            return 0.0
        longest = max(seconds for _, seconds in windows)
        del sent[: bisect.bisect_right(sent, now - longest)]
        wait = 0.0
        for count, seconds in windows:
            inside = len(sent) - bisect.bisect_right(sent, now - seconds)
            if inside >= count:
                wait = max(wait, sent[len(sent) - count] + seconds - now)
        return wait

    def _forget(self, now: float) -> None:
        """Conversations quiet for the longest window count nothing any more."""
        longest = max(seconds for windows in self._limits.values() for _, seconds in windows)
        self._sent = {key: sent for key, sent in self._sent.items() if sent and sent[-1] > now - longest}
