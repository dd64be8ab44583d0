"""Forwarding the learning record to a Learning Record Store (xAPI 1.0.3), from inside `serve`.

A background task: every few seconds it claims the events after the cursor (see
bot/store/forwarding.py), turns them into the statements `xapi export` writes, POSTs them in
batches to `<XAPI_ENDPOINT>/statements` and advances the cursor. It never holds up a learner:
it shares no lock with the core, and with SQLite it holds no transaction while it posts.

What the LRS answers decides what happens:
- 200/204: stored. 409 for a single statement: stored already (ids are stable, so a batch sent
  again after a crash is a repeat); 409 for a batch is split like a refusal (an LRS rejects a
  whole batch for one repeat, and the others may be new).
- 5xx, 429 (after its Retry-After), timeouts, no connection, and the answers that mean the
  configuration is wrong (401/403: credentials, 404/405: the endpoint, redirects): retried with
  exponential backoff (capped at 5 minutes), the cursor stays, nothing is skipped.
- Any other 4xx (400, 413, 422...): the LRS refuses something in the batch. The batch is split
  in halves until each refused statement is alone. A refused statement is skipped (an error
  log names its id and event, and `status` counts it) only when the LRS stored another
  statement in the same round: then the fault is in that statement, and waiting would stall
  the record behind it for ever. When it refuses everything it is sent, the fault is the LRS's
  (or ours for every statement): nothing is skipped, and the round is retried with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from bot.clock import Clock
from bot.platform_settings import LrsSettings
from bot.store.forwarding import ForwardingStore
from bot.xapi import Record, Statement

log = logging.getLogger(__name__)

VERSION = "1.0.3"
MAX_RETRY_AFTER = 3600.0  # an LRS asking for a day's pause is obeyed for an hour at most
CONFIGURATION = {
    401: "check XAPI_USERNAME and XAPI_PASSWORD",
    403: "check XAPI_USERNAME and XAPI_PASSWORD (the LRS refuses these credentials the right to write statements)",
    404: "check XAPI_ENDPOINT (statements go to <XAPI_ENDPOINT>/statements)",
    405: "check XAPI_ENDPOINT (statements go to <XAPI_ENDPOINT>/statements)",
    407: "a proxy asks for credentials",
    408: "the LRS timed out reading the request",
}


def open_client(settings: LrsSettings) -> httpx.AsyncClient:
    """The connection pool the forwarder posts through (the caller closes it)."""
    return httpx.AsyncClient(
        auth=httpx.BasicAuth(settings.username, settings.password) if settings.username or settings.password else None,
        headers={"X-Experience-API-Version": VERSION},
        timeout=settings.timeout,
        follow_redirects=False,  # a redirect would re-send the credentials elsewhere: a configuration error
    )


@dataclass(frozen=True)
class Backoff:
    first: float = 1.0
    cap: float = 300.0

    def delay(self, failures: int) -> float:
        return min(self.cap, self.first * 2 ** max(failures - 1, 0))


@dataclass(frozen=True)
class Round:
    """What one round did."""

    events: int = 0  # events claimed
    forwarded: int = 0  # statements the LRS stored
    skipped: int = 0  # statements it refused while storing others
    busy: bool = False  # another process is forwarding: nothing was done
    failed: str | None = None  # why nothing was forwarded; the round is retried
    retry_after: float | None = None  # the LRS said when (429)


@dataclass(frozen=True)
class _Refusal:
    event_id: int
    statement: Statement
    status: int
    reason: str


class _Retry(Exception):
    """The LRS could not take the batch now; the round is tried again later, in full."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LrsForwarder:
    def __init__(
        self,
        *,
        settings: LrsSettings,
        store: ForwardingStore,
        record: Record,
        clock: Clock,
        client: httpx.AsyncClient,
        backoff: Backoff = Backoff(),
        grace: float = 2.0,
    ) -> None:
        self._settings, self._store, self._record, self._clock = settings, store, record, clock
        self._client, self._backoff, self._grace = client, backoff, grace

    async def forward_once(self) -> Round:
        """Claim the next events, post their statements, advance the cursor."""
        async with self._store.claim(self._settings.endpoint, self._settings.batch, self._clock.now()) as batch:
            if batch is None:
                return Round(busy=True)
            statements = [(event.id, s) for event in batch.events for s in self._record.statements(event)]
            try:
                stored, refused = await self._deliver_all(statements)
            except _Retry as retry:
                batch.failed(str(retry))
                return Round(events=len(batch.events), failed=str(retry), retry_after=retry.retry_after)
            if refused and not stored:
                first = refused[0]
                message = (
                    f"the LRS refused all {len(refused)} statement(s) of the batch ({first.status}: "
                    f"{first.reason}); nothing is skipped while it stores none"
                )
                batch.failed(message)
                return Round(events=len(batch.events), failed=message)
            for refusal in refused:
                log.error(
                    "xAPI forwarding: the LRS refused statement %s (event %d, %s) with %d: %s; skipped it",
                    refusal.statement.get("id"),
                    refusal.event_id,
                    _verb(refusal.statement),
                    refusal.status,
                    refusal.reason,
                )
            batch.done(stored, len(refused))
            return Round(events=len(batch.events), forwarded=stored, skipped=len(refused))

    async def run(self, stop: asyncio.Event) -> None:
        """Forward until `stop` is set. A round under way then has `grace` seconds to finish; one
        stuck on a hanging LRS is abandoned, and its statements are sent again next time."""
        log.warning("xAPI forwarding: statements go to %s", self._settings.statements_url)
        stopping = asyncio.create_task(stop.wait())
        attempt: asyncio.Task[Round] | None = None
        failures = 0
        try:
            while not stop.is_set():
                attempt = asyncio.create_task(self._round())
                await asyncio.wait({attempt, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not attempt.done():
                    await asyncio.wait({attempt}, timeout=self._grace)
                    attempt.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await attempt
                    return
                result = attempt.result()
                if result.failed is not None:
                    failures += 1
                    # The LRS's Retry-After when it gave one ("0" is no reason to spin), else the backoff.
                    delay = result.retry_after or self._backoff.delay(failures)
                    log.error(
                        "xAPI forwarding to %s: %s; nothing skipped, trying again in %.0f s",
                        self._settings.statements_url,
                        result.failed,
                        delay,
                    )
                else:
                    if failures:
                        log.warning("xAPI forwarding: the LRS stores statements again")
                    failures = 0
                    more = result.events >= self._settings.batch
                    delay = 0.0 if more else self._settings.interval
                if delay > 0:
                    await asyncio.wait({stopping}, timeout=delay)
        finally:
            stopping.cancel()
            if attempt is not None:
                attempt.cancel()  # when run itself is cancelled: no round is left running

    async def _round(self) -> Round:
        try:
            return await self.forward_once()
        except Exception as error:  # the database restarting, say: the round is tried again
            log.exception("xAPI forwarding: a round failed")
            return Round(failed=f"{type(error).__name__} (see the log)")

    async def _deliver_all(self, statements: list[tuple[int, Statement]]) -> tuple[int, list[_Refusal]]:
        refused: list[_Refusal]
        stored, refused = 0, []
        size = self._settings.batch
        for start in range(0, len(statements), size):
            done, refusals = await self._deliver(statements[start : start + size])
            stored, refused = stored + done, refused + refusals
        return stored, refused

    async def _deliver(self, chunk: Sequence[tuple[int, Statement]]) -> tuple[int, list[_Refusal]]:
        """Post `chunk`; when the LRS refuses it, post its halves, down to single statements."""
        response = await self._post([statement for _, statement in chunk])
        if response.status_code in (200, 204) or (response.status_code == 409 and len(chunk) == 1):
            return len(chunk), []
        if len(chunk) == 1:
            event_id, statement = chunk[0]
            return 0, [_Refusal(event_id, statement, response.status_code, _reason(response))]
        middle = len(chunk) // 2
        first, second = await self._deliver(chunk[:middle]), await self._deliver(chunk[middle:])
        return first[0] + second[0], first[1] + second[1]

    async def _post(self, statements: list[Statement]) -> httpx.Response:
        """The LRS's answer to a POST; raises _Retry for the answers that say: not now."""
        try:
            async with asyncio.timeout(self._settings.timeout):  # httpx's timeouts are per read, not per request
                response = await self._client.post(self._settings.statements_url, json=statements)
        except (TimeoutError, httpx.TimeoutException):
            raise _Retry(f"the LRS did not answer within {self._settings.timeout:.0f} s") from None
        except httpx.TransportError as error:
            raise _Retry(f"cannot reach the LRS: {type(error).__name__}: {str(error)[:120]}") from None
        status = response.status_code
        if status == 429:
            raise _Retry("the LRS asks to slow down (429)", _retry_after(response, self._clock.now()))
        if status >= 500:
            raise _Retry(f"the LRS answered {status}: {_reason(response)}")
        if status in CONFIGURATION:
            raise _Retry(f"the LRS answered {status}: {CONFIGURATION[status]}")
        if 300 <= status < 400 or status < 200:
            raise _Retry(f"the LRS answered {status} (redirects are not followed): check XAPI_ENDPOINT")
        return response


def _reason(response: httpx.Response) -> str:
    """The start of the LRS's explanation, on one line (statements carry no personal data)."""
    return " ".join(response.text.split())[:160] or response.reason_phrase


def _retry_after(response: httpx.Response, now: datetime) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - now.astimezone(UTC)).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _verb(statement: Statement) -> str:
    verb = statement.get("verb")
    return str(verb.get("display", {}).get("en-US", "")) if isinstance(verb, dict) else ""
