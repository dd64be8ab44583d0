"""One Telegram send rate for the whole bot: processes sharing a PostgreSQL database take turns
from one budget, so together they never send faster than the limit."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.store.database import create_engine
from bot.store.send_rate import SharedSendRate

EARLY = 0.02  # a timer may fire this much early; turns are never otherwise early


@pytest.mark.postgres
async def test_two_processes_together_keep_to_one_rate(postgres_database):
    engines = [create_engine(postgres_database) for _ in range(2)]  # two processes' connection pools
    try:
        rates = [SharedSendRate(engine, "telegram-test", per_second=40) for engine in engines]
        sent: list[float] = []

        async def send(rate: SharedSendRate) -> None:
            await rate.wait_turn()
            sent.append(time.monotonic())

        # Both "processes" try to send 30 messages at once.
        await asyncio.gather(*(send(rates[i % 2]) for i in range(60)))
    finally:
        for engine in engines:
            await engine.dispose()
    sent.sort()
    for first, last in zip(sent, sent[20:], strict=False):  # each send and the one 20 after it
        assert last - first >= 20 / 40 - EARLY, "no 21 messages within half a second at 40 a second"
    assert sent[-1] - sent[0] >= 59 / 40 - EARLY


@pytest.mark.postgres
async def test_an_idle_spell_is_not_saved_up_for_a_burst(postgres_database):
    engine = create_engine(postgres_database)
    try:
        rate = SharedSendRate(engine, "telegram-idle", per_second=10)
        await rate.wait_turn()
        await asyncio.sleep(0.5)  # five turns go unused ...
        sent: list[float] = []

        async def send() -> None:
            await rate.wait_turn()
            sent.append(time.monotonic())

        await asyncio.gather(*(send() for _ in range(5)))  # ... and do not let a burst through
    finally:
        await engine.dispose()
    assert max(sent) - min(sent) >= 4 / 10 - EARLY


def test_sqlite_has_no_shared_rate(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    with pytest.raises(ValueError, match="PostgreSQL"):
        SharedSendRate(engine, "telegram", per_second=29)


def test_the_servers_clock_is_read_from_the_fastest_answers():
    from bot.store.send_rate import ServerClock

    clock = ServerClock()
    clock.sample(server_now=1000.0, asked=900.0, answered=900.4)  # slow answer: 100 s ahead +- 0.2
    assert abs(clock.here(1010.0) - 910.2) < 1e-9
    clock.sample(server_now=1100.05, asked=1000.0, answered=1000.02)  # faster: believed instead
    assert abs(clock.here(1110.0) - 1009.96) < 1e-9
    clock.sample(server_now=1200.5, asked=1001.0, answered=1002.0)  # slower again: ignored
    assert abs(clock.here(1110.0) - 1009.96) < 1e-9
    clock.sample(server_now=2000.0, asked=1100.0, answered=1100.5)  # the best is over 30 s old: replaced
    assert abs(clock.here(2010.0) - 1110.25) < 1e-9
