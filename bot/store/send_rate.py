"""One send rate for the whole bot, however many processes it runs on.

A platform's overall limit (Telegram: about 30 messages a second per bot) binds the bot, not each
process: fixed shares per process (limit / N) add up past the limit whenever their timing lines
up, and leave capacity unused when one process has nothing to send. Instead every message takes
the next free turn from one PostgreSQL row: turns are `1 / per_second` apart across all
processes, and each process sleeps until its turn. Turns are counted on the database server's
clock, so the processes' own clocks do not need to agree: each process learns how far the
server's clock is from its own from the answers that came back fastest, and sleeps until its turn
by that. (Sleeping for "the turn minus the server's time now" instead would start each wait when
the answer arrives, and answers arrive late by varying amounts on a busy machine: turns would
bunch.)

A platform limit counts messages per sliding second, so a late message is as bad as an early
one: if a process wakes for its turn late (a busy machine, a pause), the message would crowd the
turns after it, so it takes a new turn instead. A turn taken and not used (a late one, or by a
process that died) is simply lost. When the platform answers "too many requests, retry after N
seconds" anyway, every process pauses: the next turn is N seconds away for all of them.

While the database cannot be reached the bot must still answer (if only to say that what a
learner sent is kept), so each process then takes turns on its own, at OUTAGE_SHARE of the rate:
a cautious share that keeps up to that many processes together under the limit."""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.unavailable import is_unavailable

log = logging.getLogger(__name__)

OUTAGE_SHARE = 4  # while the database is away, each process sends at 1/4 of the rate

# The new next_at is the turn after ours. RETURNING gives our turn and the server's time now, both
# as seconds since the epoch on the database's clock.
_TAKE_TURN = text("""
    INSERT INTO send_rates AS rate (name, next_at)
    VALUES (:name, clock_timestamp() + make_interval(secs => CAST(:spacing AS double precision)))
    ON CONFLICT (name) DO UPDATE
    SET next_at = GREATEST(rate.next_at, clock_timestamp()) + make_interval(secs => CAST(:spacing AS double precision))
    RETURNING CAST(EXTRACT(EPOCH FROM rate.next_at) AS double precision) - CAST(:spacing AS double precision),
              CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS double precision)
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
        self._clock = ServerClock()
        self._local_next = 0.0  # this process's next turn while the database is away
        self._away = False

    @property
    def per_second(self) -> float:
        return 1 / self._spacing

    async def wait_turn(self) -> None:
        """Take the next free turn and sleep until it comes."""
        while True:
            try:
                async with self._engine.begin() as connection:
                    asked = time.time()  # with a connection in hand: waiting for one is no round trip
                    turn, server_now = (await connection.execute(_TAKE_TURN, {"name": self._name, "spacing": self._spacing})).one()
                    answered = time.time()
            except Exception as error:
                if not is_unavailable(error):
                    raise
                await self._local_turn()
                return
            if self._away:
                self._away = False
                log.warning("Send rate %s: the database is back; turns are shared again", self._name)
            self._clock.sample(server_now, asked, answered)
            # The turn in this machine's time: how long the answer took to arrive (it varies
            # with load) does not move it, so turns stay a spacing apart.
            turn_here = self._clock.here(turn)
            await asyncio.sleep(max(turn_here - time.time(), 0.0))
            if time.time() - turn_here <= self._spacing / 2:
                return
            # Woke too late for this turn: sending now would crowd the next ones. Take another.

    async def hold(self, seconds: float) -> None:
        """No process sends for `seconds` (the platform asked the bot to wait)."""
        self._local_next = max(self._local_next, time.monotonic() + seconds)
        try:
            async with self._engine.begin() as connection:
                await connection.execute(_HOLD, {"name": self._name, "seconds": seconds})
        except Exception as error:
            if not is_unavailable(error):
                raise

    async def _local_turn(self) -> None:
        """A turn of this process's own while the database is away."""
        if not self._away:
            self._away = True
            log.warning(
                "Send rate %s: the database cannot be reached; sending at 1/%d of the rate until it is back", self._name, OUTAGE_SHARE
            )
        now = time.monotonic()
        turn = max(self._local_next, now)
        self._local_next = turn + self._spacing * OUTAGE_SHARE
        await asyncio.sleep(turn - now)


class ServerClock:
    """How far the database server's clock is ahead of this machine's, from the answers with the
    shortest round trips (the server read its clock somewhere between asking and answering; the
    shorter the trip, the less that matters). Estimates older than REFRESH are replaced, so a
    clock that is set meanwhile is followed."""

    REFRESH = 30.0  # seconds

    def __init__(self) -> None:
        self._offset = 0.0
        self._round_trip = float("inf")
        self._measured_at = 0.0

    def sample(self, server_now: float, asked: float, answered: float) -> None:
        round_trip = answered - asked
        if round_trip <= self._round_trip or answered - self._measured_at > self.REFRESH:
            self._offset = server_now - (asked + answered) / 2
            self._round_trip, self._measured_at = round_trip, answered

    def here(self, server_time: float) -> float:
        return server_time - self._offset
