"""Calling Slack under its rate limits: every 429 is waited out for its Retry-After and the
request sent again, as often as it takes and never earlier.

Slack limits each method per workspace (its tier), and posting per channel. While a method (for
chat.postMessage: a channel) is limited, the other requests to it wait at the same gate instead
of collecting 429s of their own, and go one at a time until one gets through. slack-sdk's own
rate-limit retry handler gives up after a count, and sees only one request; it is not used."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler, AsyncServerErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

log = logging.getLogger(__name__)

JITTER = 0.25  # seconds at most added to a wait, so waiters do not all come back at once
POSTING = "chat.postMessage"


@dataclass
class _Gate:
    """One rate limit's state: closed until `opens` (time.monotonic()); `limited` since a 429
    and until a request gets through, while requests pass one at a time."""

    opens: float = 0.0
    limited: bool = False
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)


class RateLimitGates:
    """When each rate limit (a method, or a channel for posting) may be called again."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._gates: dict[str, _Gate] = {}

    def limited(self, key: str) -> bool:
        """Whether `key` was refused lately and nothing has got through since."""
        gate = self._gates.get(key)
        return gate is not None and gate.limited

    async def call(self, key: str, attempt: Callable[[], Any], what: str) -> Any:
        """`attempt()` until it is not refused with a 429; each Retry-After waited out in full."""
        gate = self._gates.setdefault(key, _Gate())
        while True:
            if not gate.limited:
                result = await self._try(gate, attempt, what)
                if result is not _REFUSED:
                    return result
                continue
            async with gate.turn:  # limited: one request at a time until one gets through
                while gate.limited:
                    await self._until_open(gate)
                    result = await self._try(gate, attempt, what)
                    if result is not _REFUSED:
                        return result

    async def _try(self, gate: _Gate, attempt: Callable[[], Any], what: str) -> Any:
        await self._until_open(gate)
        try:
            result = await attempt()
        except RateLimited as refused:
            gate.opens = max(gate.opens, self._clock() + refused.retry_after)
            gate.limited = True
            log.info("Slack: %s is rate limited; sent again in %s s", what, refused.retry_after)
            return _REFUSED
        gate.limited = False
        return result

    async def _until_open(self, gate: _Gate) -> None:
        # Sleeps until a moment (that another call may push back), not polling for an event.
        while (wait := gate.opens - self._clock()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait + random.uniform(0, JITTER))


_REFUSED = object()


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


def retry_after(headers: Mapping[str, Any] | None) -> float:
    """Seconds Slack asks to wait (Retry-After); 1 when it does not say."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return 1.0
    return 1.0


class PatientWebClient(AsyncWebClient):
    """slack-sdk's AsyncWebClient whose every call waits out rate limits (see the module)."""

    def __init__(self, *args: Any, gates: RateLimitGates | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gates = gates or RateLimitGates()

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        async def attempt() -> AsyncSlackResponse:
            try:
                return await super(PatientWebClient, self).api_call(api_method, **kwargs)
            except SlackApiError as error:
                if error.response.status_code == 429:
                    raise RateLimited(retry_after(error.response.headers)) from error
                raise

        return await self.gates.call(limit_key(api_method, kwargs), attempt, api_method)


def limit_key(method: str, call: Mapping[str, Any]) -> str:
    """The rate limit a call counts against: the method's, or for posting the channel's."""
    if method != POSTING:
        return method
    for part in ("json", "data", "params"):
        body = call.get(part)
        if isinstance(body, Mapping) and body.get("channel"):
            return f"{method} {body['channel']}"
    return method


def web_client(token: str, *, base_url: str | None = None, session: aiohttp.ClientSession | None = None) -> PatientWebClient:
    """The Web API client: 429s waited out (Retry-After), 5xx and connection errors retried
    (5 times each). Give it a `session` to keep connections (and TLS) alive between calls."""
    options: dict[str, Any] = {"token": token, "session": session}
    if base_url:
        options["base_url"] = base_url
    client = PatientWebClient(**options)
    client.retry_handlers = [AsyncServerErrorRetryHandler(max_retry_count=5), AsyncConnectionErrorRetryHandler(max_retry_count=5)]
    return client


async def respond(url: str, body: dict[str, Any], *, session: aiohttp.ClientSession | None = None) -> tuple[int, str]:
    """POST to an interaction's response_url (at most 5 uses within 30 minutes; not a Web API
    method, so no tier is spent). A 429 is waited out; the answer is (status, body)."""
    client = AsyncWebhookClient(
        url,
        session=session,
        retry_handlers=[AsyncServerErrorRetryHandler(max_retry_count=3), AsyncConnectionErrorRetryHandler(max_retry_count=3)],
    )
    while True:
        answer = await client.send_dict(body)
        if answer.status_code != 429:
            return answer.status_code, answer.body
        wait = retry_after(answer.headers)
        log.info("Slack: a response_url is rate limited; used again in %s s", wait)
        await asyncio.sleep(wait + random.uniform(0, JITTER))
