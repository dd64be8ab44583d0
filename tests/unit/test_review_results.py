"""The L&D page's latest figures (web/review_results.py): the first request waits for them, later
ones get the latest result straight away, one background computation starts once it is older than
`fresh_for`, and a failure keeps the last result. The computations are held by events, so nothing
depends on how fast the machine is."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from web.review_results import Latest

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Result:
    as_of: datetime
    number: int


class Computations:
    """compute(now): the n-th call returns Result(now, n) once `release` is set (or fails)."""

    def __init__(self) -> None:
        self.calls: list[datetime] = []
        self.release = asyncio.Event()
        self.fail = False
        self.begun = asyncio.Condition()

    async def __call__(self, now: datetime) -> Result:
        async with self.begun:
            self.calls.append(now)
            self.begun.notify_all()
        await self.release.wait()
        if self.fail:
            raise RuntimeError("the database went away")
        return Result(now, len(self.calls))

    async def started(self, count: int) -> None:
        """Until the count-th computation has begun."""
        async with self.begun:
            await self.begun.wait_for(lambda: len(self.calls) >= count)


async def test_the_first_request_waits_and_the_next_get_the_result_without_computing():
    clock, compute = ManualClock(NOW), Computations()
    latest = Latest(compute=compute, clock=clock, fresh_for=timedelta(minutes=5))
    first, second = asyncio.create_task(latest.get()), asyncio.create_task(latest.get())
    await compute.started(1)
    await asyncio.sleep(0)
    assert not first.done() and len(compute.calls) == 1, "two first requests share one computation"
    compute.release.set()
    assert await first == await second == Result(NOW, 1)
    clock.set(NOW + timedelta(minutes=4, seconds=59))
    assert await latest.get() == Result(NOW, 1) and latest.refreshing() is None and len(compute.calls) == 1


async def test_an_old_result_is_served_while_one_refresh_runs_then_the_new_one():
    clock, compute = ManualClock(NOW), Computations()
    compute.release.set()
    latest = Latest(compute=compute, clock=clock, fresh_for=timedelta(minutes=5))
    assert await latest.get() == Result(NOW, 1)
    compute.release.clear()
    later = NOW + timedelta(minutes=5)
    clock.set(later)
    assert await latest.get() == Result(NOW, 1), "served at once, as of its own time"
    running = latest.refreshing()
    assert running is not None
    await compute.started(2)
    assert await latest.get() == Result(NOW, 1) and latest.refreshing() is running, "never two at once"
    assert compute.calls == [NOW, later]
    compute.release.set()
    await running
    assert await latest.get() == Result(later, 2) and latest.refreshing() is None


async def test_a_failed_refresh_keeps_the_last_result_and_the_next_request_tries_again(caplog: pytest.LogCaptureFixture):
    clock, compute = ManualClock(NOW), Computations()
    compute.release.set()
    latest = Latest(compute=compute, clock=clock, fresh_for=timedelta(minutes=5))
    assert await latest.get() == Result(NOW, 1)
    compute.fail = True
    clock.set(NOW + timedelta(minutes=6))
    with caplog.at_level(logging.ERROR, logger="web.review_results"):
        assert await latest.get() == Result(NOW, 1)
        running = latest.refreshing()
        assert running is not None
        with pytest.raises(RuntimeError):
            await running
    assert "computing the L&D page's figures failed" in caplog.text
    compute.fail = False
    assert await latest.get() == Result(NOW, 1), "still the last result; a new computation has started"
    running = latest.refreshing()
    assert running is not None
    assert await running == Result(NOW + timedelta(minutes=6), 3)
    assert await latest.get() == Result(NOW + timedelta(minutes=6), 3)


async def test_a_first_computation_that_fails_fails_its_request_and_the_next_one_computes_again():
    clock, compute = ManualClock(NOW), Computations()
    compute.release.set()
    compute.fail = True
    latest = Latest(compute=compute, clock=clock)
    with pytest.raises(RuntimeError):
        await latest.get()
    compute.fail = False
    assert await latest.get() == Result(NOW, 2)
