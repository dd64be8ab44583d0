"""Every Bot API call passes through here (python-telegram-bot's rate limiter hook).

Telegram counts messages (sendMessage, sendPoll, sendPhoto, copy*, forward*): about 30 a second
per bot, about one a second in a private chat (short bursts allowed) and 20 a minute in a group.
Edits, answers to button presses and stopPoll are not said to count, so only messages are paced;
every other call goes out at once.

A message waits, in this order:
1. for its chat: a private chat's bucket (a burst of `chat_burst`, then one every
   `chat_period / chat_burst` s, a little under Telegram's one a second), a group's (one every
   60 / `group_per_minute` s), and any flood wait Telegram set for that group;
2. for a turn of the bot's overall rate, a `Pacer`: this process's own (`LocalSendRate`, SQLite:
   one process), or one shared by every `serve` process through PostgreSQL
   (bot/store/send_rate.py). Turns are taken one at a time, and a learner's reply takes the next
   one ahead of background messages (nudges, announcements) queued up to `background_delay`
   seconds before it: someone waiting for an answer goes first, and a nudge is never held back
   longer than that, so it cannot be starved past its claim's lease.

A 429 is waited out for its `retry_after`, as often as it comes (a storm delays a message, never
drops it), and never retried earlier. It pauses every message (with a shared pacer: of every
process), except when it answered a message to a group: then only that group waits, so a flood
wait in a busy group never delays a learner's next card. Network errors and 5xx answers are
retried with backoff; a timed-out call only when repeating it is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from enum import Enum
from typing import Any, Protocol

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# Calls that change nothing when repeated, so a timed-out attempt may be retried safely.
IDEMPOTENT = frozenset(
    {
        "getMe",
        "getUpdates",
        "getChat",
        "setMyCommands",
        "deleteMyCommands",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "answerCallbackQuery",
        "editMessageReplyMarkup",
        "editMessageText",
        "stopPoll",
        "deleteMessage",
        "sendChatAction",
    }
)

UNTIL_DELIVERED = 1_000_000_000  # 429s a message waits out: in effect, until it is delivered

# What Telegram counts against its limits: messages, not edits, presses or reads.
MESSAGE_PREFIXES = ("send", "copy", "forward")
BACKGROUND_DELAY = 10.0  # seconds a learner's reply goes ahead of a queued nudge or announcement
IDLE_CHATS = 10_000  # chat buckets kept before idle ones are forgotten

Result = bool | dict[str, Any] | list[dict[str, Any]]


class Priority(Enum):
    """Passed as `rate_limit_args` to a Bot API call; a call without it is a reply."""

    REPLY = "reply"  # to a learner who is waiting for it
    BACKGROUND = "background"  # a nudge or an announcement: nobody is waiting for it right now


def is_message(endpoint: str, data: dict[str, Any]) -> bool:
    return data.get("chat_id") is not None and endpoint.startswith(MESSAGE_PREFIXES) and endpoint != "sendChatAction"


class Pacer(Protocol):
    """The bot's overall send rate: `wait_turn` returns when a message may go."""

    async def wait_turn(self) -> None: ...

    async def hold(self, seconds: float) -> None: ...


class LocalSendRate:
    """The overall rate of a bot that runs as one process. Turns are a spacing apart from the
    moment the previous one was used, so a late wake-up never bunches messages. One caller at a
    time (DeliveryLimiter takes turns in order)."""

    def __init__(self, per_second: float) -> None:
        self._spacing = 1 / per_second
        self._next = 0.0

    async def wait_turn(self) -> None:
        delay = self._next - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        self._next = time.monotonic() + self._spacing

    async def hold(self, seconds: float) -> None:
        self._next = max(self._next, time.monotonic() + seconds)


class _InOrder:
    """A lock handed to the waiter with the smallest key first (then in arrival order)."""

    def __init__(self) -> None:
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._count = itertools.count()
        self._held = False

    @contextlib.asynccontextmanager
    async def first(self, key: float) -> AsyncIterator[None]:
        entry = (key, next(self._count), asyncio.get_running_loop().create_future())
        heapq.heappush(self._waiting, entry)
        self._pass_on()
        try:
            await entry[2]
        except asyncio.CancelledError:
            if entry[2].done() and not entry[2].cancelled():
                self._release()  # handed over just as it was cancelled
            else:
                self._waiting.remove(entry)
                heapq.heapify(self._waiting)
            raise
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        self._held = False
        self._pass_on()

    def _pass_on(self) -> None:
        while not self._held and self._waiting:
            _, _, future = heapq.heappop(self._waiting)
            if not future.done():
                self._held = True
                future.set_result(None)


class DeliveryLimiter(BaseRateLimiter[Priority]):
    def __init__(
        self,
        *,
        overall_per_second: float = 29,
        group_per_minute: float = 19,
        chat_burst: int = 3,
        chat_period: float = 3.3,
        max_429_retries: int = UNTIL_DELIVERED,
        network_retries: int = 5,
        backoff: float = 0.5,
        pacer: Pacer | None = None,
        background_delay: float = BACKGROUND_DELAY,
    ) -> None:
        self._pacer: Pacer = pacer or LocalSendRate(overall_per_second)
        self._turns = _InOrder()
        self._group_period = 60 / group_per_minute
        self._chat_burst, self._chat_period = chat_burst, chat_period
        self._chats: dict[int | str, AsyncLimiter] = {}
        self._group_holds: dict[int | str, float] = {}  # group -> until when Telegram asked it to wait
        self._max_429_retries = max_429_retries
        self._network_retries = network_retries
        self._backoff = backoff
        self._background_delay = background_delay

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Priority | None,
    ) -> Result:
        if not is_message(endpoint, data):
            return await self._with_retries(lambda: callback(*args, **kwargs), endpoint)
        chat = _chat(data["chat_id"])
        background = rate_limit_args is Priority.BACKGROUND
        key = time.monotonic() + (self._background_delay if background else 0.0)

        async def send() -> Result:
            await self._wait_for_chat(chat)
            async with self._turns.first(key):
                await self._pacer.wait_turn()
            return await callback(*args, **kwargs)

        return await self._with_retries(send, endpoint, chat)

    async def _with_retries(
        self, attempt: Callable[[], Coroutine[Any, Any, Result]], endpoint: str, chat: int | str | None = None
    ) -> Result:
        """`attempt` until it succeeds: 429s waited out, network errors retried with backoff."""
        refused, failed = 0, 0
        while True:
            try:
                return await attempt()
            except RetryAfter as error:
                refused += 1
                if refused > self._max_429_retries:
                    raise
                seconds = _seconds(error)
                log.info("Telegram %s: 429, waiting %.1f s", endpoint, seconds)
                if chat is not None and _is_group(chat):
                    self._group_holds[chat] = max(self._group_holds.get(chat, 0.0), time.monotonic() + seconds)
                elif chat is not None:
                    await self._pacer.hold(seconds)  # no message goes out meanwhile
                await asyncio.sleep(seconds)
            except BadRequest:
                raise  # a refused request: retrying cannot help
            except TimedOut:
                # The request may have reached Telegram: resend only what is safe to repeat.
                if endpoint not in IDEMPOTENT or failed == self._network_retries:
                    raise
                await asyncio.sleep(self._backoff * 2**failed)
                failed += 1
            except NetworkError as error:  # connection errors and 5xx answers
                if failed == self._network_retries:
                    raise
                delay = self._backoff * 2**failed
                log.warning("Telegram %s failed (%s); retrying in %.1f s", endpoint, type(error).__name__, delay)
                await asyncio.sleep(delay)
                failed += 1

    async def _wait_for_chat(self, chat: int | str) -> None:
        if _is_group(chat):
            held = self._group_holds.get(chat, 0.0) - time.monotonic()
            if held > 0:
                await asyncio.sleep(held)
        await self._chat_limiter(chat).acquire()

    def _chat_limiter(self, chat: int | str) -> AsyncLimiter:
        """Private chats get a burst; a group one message every 60 / group_per_minute s."""
        limiter = self._chats.get(chat)
        if limiter is None:
            if len(self._chats) > IDLE_CHATS:  # forget idle chats: their buckets are full again
                self._chats = {k: v for k, v in self._chats.items() if not v.has_capacity(v.max_rate)}
                now = time.monotonic()
                self._group_holds = {k: v for k, v in self._group_holds.items() if v > now}
            limiter = self._chats[chat] = (
                AsyncLimiter(1, self._group_period) if _is_group(chat) else AsyncLimiter(self._chat_burst, self._chat_period)
            )
        return limiter


def _chat(chat_id: object) -> int | str:
    try:
        return int(str(chat_id))
    except ValueError:
        return str(chat_id)  # @channelname


def _is_group(chat: int | str) -> bool:
    """Private chats have positive ids; groups and channels negative ones (or an @name)."""
    return isinstance(chat, str) or chat < 0


def _seconds(error: RetryAfter) -> float:
    after = error.retry_after
    return float(after) if isinstance(after, (int, float)) else after.total_seconds()
