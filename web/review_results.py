"""The L&D page's figures, computed in the background and served as of when they were computed.

Reading every answer and four weeks of the trail takes seconds on a large organisation (10,000
learners and 1,000,000 events: several seconds, docs/benchmarks.md), far too long for a request.
So a request is served the latest result with its "as of" time, and when that is older than
`fresh_for`, one computation starts in the background (never two at once) while requests keep
getting the result they have; the next request after it ends gets the new one. Only the very
first request of a process waits for a result, since there is none to show yet.

Each result is exactly what a fresh computation gives as of its time: one transaction's read of
the store at `as_of` (the clock's time when it began), every figure computed from it. Kept in
this process only: each serve process computes its own, and a restart starts afresh."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from bot.clock import Clock

log = logging.getLogger(__name__)

FRESH_FOR = timedelta(minutes=5)  # a result older than this is recomputed in the background


class Timed(Protocol):
    @property
    def as_of(self) -> datetime: ...


T = TypeVar("T", bound=Timed)


class Latest(Generic[T]):
    """The latest result of `compute(now)`, refreshed in the background when older than `fresh_for`."""

    def __init__(self, *, compute: Callable[[datetime], Awaitable[T]], clock: Clock, fresh_for: timedelta = FRESH_FOR) -> None:
        self._compute = compute
        self._clock = clock
        self._fresh_for = fresh_for
        self._latest: T | None = None
        self._running: asyncio.Task[T] | None = None

    async def get(self) -> T:
        """The latest result; the first call waits for one (calls meanwhile share the same)."""
        latest = self._latest
        if latest is None:
            # Shielded: a request that goes away does not cancel what the next one will need.
            return await asyncio.shield(self._start())
        if self._clock.now() - latest.as_of >= self._fresh_for:
            self._start()
        return latest

    async def close(self) -> None:
        """At shutdown: a computation under way is cancelled (its read rolled back) before the
        store it reads goes away, rather than failing against a closed database."""
        running = self._running
        if running is not None:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running

    def refreshing(self) -> asyncio.Task[T] | None:
        """The computation under way, if any (tests wait for it)."""
        return self._running

    def _start(self) -> asyncio.Task[T]:
        if self._running is None:
            self._running = asyncio.get_running_loop().create_task(self._refresh())
            # A failure is logged by _refresh; retrieved here so asyncio does not report it again.
            self._running.add_done_callback(lambda task: None if task.cancelled() else task.exception())
        return self._running

    async def _refresh(self) -> T:
        try:
            result = await self._compute(self._clock.now())
        except Exception:
            # Kept: the last result (if any) is still served, and the next request tries again.
            log.exception("computing the L&D page's figures failed")
            raise
        finally:
            self._running = None
        if self._latest is None or result.as_of >= self._latest.as_of:
            self._latest = result
        return result
