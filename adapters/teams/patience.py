"""Teams' throttling, honoured (and kept under by adapters/teams/pacing.py): Microsoft documents
per bot per conversation about 7 operations a second, 60 in 30 seconds and 1,800 an hour, and 50
requests a second per app per tenant, and says the values may change; so every REST call the SDK
makes goes through this middleware (the SDK's `Client.use`), which waits out a 429 (its
Retry-After, else an exponential backoff, with jitter so that many senders do not come back at
the same moment) and retries 412, 502 and 504 too.
Nothing is dropped: a call is given up only after ATTEMPTS, and that failure is raised."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

import httpx
from microsoft_teams.common.http.client import MiddlewareContext, MiddlewareNext

from adapters.teams.pacing import Pacer, conversation_of

log = logging.getLogger(__name__)

RETRIED = frozenset({412, 429, 502, 504})
ATTEMPTS = 12
FIRST_WAIT = 0.5  # seconds; doubled at each retry without a Retry-After
LONGEST_WAIT = 60.0


def retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(raw)) if raw else None
    except ValueError:
        return None


class Patience:
    """Middleware: `send(context, next)` retries what Teams asks to be retried."""

    def __init__(
        self,
        *,
        attempts: int = ATTEMPTS,
        first_wait: float = FIRST_WAIT,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        pacer: Pacer | None = None,
    ) -> None:
        self._attempts, self._first_wait, self._sleep, self._jitter = attempts, first_wait, sleep, jitter
        self._pacer = pacer
        self.retries = 0  # how many calls were made again (for the benchmark and the tests)

    async def send(self, context: MiddlewareContext, next: MiddlewareNext) -> httpx.Response:  # `next`: the SDK's name
        conversation = conversation_of(context.url)
        for attempt in range(1, self._attempts + 1):
            if self._pacer is not None:
                await self._pacer.wait(conversation)
            try:
                return await next()
            except httpx.HTTPStatusError as error:
                status = error.response.status_code
                if status not in RETRIED or attempt == self._attempts:
                    raise
                told = retry_after(error.response) if status == 429 else None
                base = told if told is not None else min(LONGEST_WAIT, self._first_wait * 2 ** (attempt - 1))
                if status == 429 and self._pacer is not None:
                    self._pacer.refused(base)
                wait = base + base * 0.25 * self._jitter() + 0.05 * self._jitter()  # never earlier than told
                log.info("Teams answered %s to %s; trying again in %.1f s", status, context.method, wait)
                self.retries += 1
                await self._sleep(wait)
            except httpx.ConnectError as error:  # never reached Teams: sending again cannot send twice
                if attempt == self._attempts:
                    raise
                log.info("Teams could not be reached (%s); trying again", type(error).__name__)
                self.retries += 1
                await self._sleep(min(LONGEST_WAIT, self._first_wait * 2 ** (attempt - 1)))
        raise AssertionError("unreachable")  # the loop returns or raises
