"""Work off the request path, for the platforms that deliver by HTTP request (Slack, Teams): one
learner's deliveries in arrival order, different learners' at the same time, at most `concurrency`
at once. `put` never waits, so the request that brought the work is answered (acknowledged) at
once, however busy the bot is."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Lanes(Generic[T]):
    def __init__(self, work: Callable[[T], Awaitable[None]], concurrency: int = 16, *, name: str = "lanes") -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._work = work
        self._name = name  # the platform, as task names and log lines say it
        self._slots = asyncio.Semaphore(concurrency)
        self._lanes: dict[str, deque[T]] = {}
        self._runners: dict[str, asyncio.Task[None]] = {}

    def put(self, key: str, item: T) -> None:
        """Queue `item` behind whatever `key` (a learner) is waiting for."""
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = deque()
            self._runners[key] = asyncio.get_running_loop().create_task(self._drain(key, lane), name=f"{self._name}-lane-{key}")
        lane.append(item)

    def __len__(self) -> int:
        """Items waiting or in work."""
        return sum(len(lane) for lane in self._lanes.values())

    async def _drain(self, key: str, lane: deque[T]) -> None:
        try:
            while lane:
                async with self._slots:
                    try:
                        await self._work(lane[0])
                    except Exception:  # the work reports its own failures; a bug must not stop the lane
                        log.exception("%s: work for a learner failed", self._name)
                lane.popleft()
        finally:
            del self._lanes[key], self._runners[key]

    async def join(self) -> None:
        """Until everything queued so far (and queued meanwhile) is done."""
        while self._runners:
            await asyncio.gather(*self._runners.values(), return_exceptions=True)

    async def close(self) -> None:
        """Stop: work in progress is cancelled (journaled deliveries are taken over later)."""
        runners = list(self._runners.values())
        for runner in runners:
            runner.cancel()
        await asyncio.gather(*runners, return_exceptions=True)
