"""One send rate for the whole bot, however many processes it runs on.

A platform's overall limit (Telegram: about 30 messages a second per bot) binds the bot, not each
process: fixed shares per process (limit / N) add up past the limit whenever their timing lines
up, and leave capacity unused when one process has nothing to send. Instead every message takes
the next free turn from one PostgreSQL row: turns are `1 / per_second` apart across all
processes, and each process sleeps until its turn. Turns are counted on the database server's
clock, so the processes' own clocks do not need to agree.

A platform limit counts messages per sliding second, so a late message is as bad as an early
one: if a process wakes for its turn late (a busy machine, a pause), the message would crowd the
turns after it, so it takes a new turn instead. A turn taken and not used (a late one, or by a
process that died) is simply lost. When the platform answers "too many requests, retry after N
seconds" anyway, every process pauses: the next turn is N seconds away for all of them."""
from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# The new next_at is the turn after ours; RETURNING gives the seconds from now until ours.
_TAKE_TURN = text("""
    INSERT INTO send_rates AS rate (name, next_at)
    VALUES (:name, clock_timestamp() + make_interval(secs => CAST(:spacing AS double precision)))
    ON CONFLICT (name) DO UPDATE
    SET next_at = GREATEST(rate.next_at, clock_timestamp()) + make_interval(secs => CAST(:spacing AS double precision))
    RETURNING CAST(EXTRACT(EPOCH FROM rate.next_at - clock_timestamp()) AS double precision)
              - CAST(:spacing AS double precision)
""")


_HOLD = text("""
    INSERT INTO send_rates AS rate (name, next_at)
    VALUES (:name, clock_timestamp() + make_interval(secs => CAST(:seconds AS double precision)))
    ON CONFLICT (name) DO UPDATE
    SET next_at = GREATEST(rate.next_at, clock_timestamp() + make_interval(secs => CAST(:seconds AS double precision)))
""")


class SharedSendRate:
    def __init__(self, engine: AsyncEngine, name: str, per_second: float) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("a shared send rate needs PostgreSQL (with SQLite the bot runs in one process)")
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self._engine, self._name, self._spacing = engine, name, 1 / per_second

    @property
    def per_second(self) -> float:
        return 1 / self._spacing

    async def wait_turn(self) -> None:
        """Take the next free turn and sleep until it comes."""
        loop = asyncio.get_running_loop()
        while True:
            async with self._engine.begin() as connection:
                wait = (await connection.execute(_TAKE_TURN, {"name": self._name, "spacing": self._spacing})).scalar_one()
            turn = loop.time() + max(wait, 0.0)
            await asyncio.sleep(max(wait, 0.0))
            if loop.time() - turn <= self._spacing / 2:
                return
            # Woke too late for this turn: sending now would crowd the next ones. Take another.

    async def hold(self, seconds: float) -> None:
        """No process sends for `seconds` (the platform asked the bot to wait)."""
        async with self._engine.begin() as connection:
            await connection.execute(_HOLD, {"name": self._name, "seconds": seconds})
