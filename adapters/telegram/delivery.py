"""Every Bot API call passes through here (python-telegram-bot's rate limiter hook).

PTB's AIORateLimiter keeps the overall limit (30 messages a second) and the group limit (20 a
minute), and waits out a 429's `retry_after` (pausing all calls meanwhile). Its leaky buckets get
a capacity of one: a bucket of capacity c and rate r lets c + r*W messages through in any window
W, so capacity 1 at just under the limit never exceeds it in any window. On top of it:
a per-chat limit (Telegram asks for about one message a second in a chat; short bursts are
allowed, so a card and its question go out together), a 429 waited out however often it comes
(a storm delays messages, it never drops one), and retries with backoff for network errors and
5xx answers.

When the bot runs as several processes, the overall limit is one `Pacer` shared by all of them
(bot/store/send_rate.py): each message waits for its turn there instead of in a per-process
bucket, so the processes together keep to the limit and any one of them can use all of it.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

# Calls that change nothing when repeated, so a timed-out attempt may be retried safely.
IDEMPOTENT = frozenset({
    "getMe", "getUpdates", "getChat", "setMyCommands", "deleteMyCommands", "setWebhook",
    "deleteWebhook", "getWebhookInfo", "answerCallbackQuery", "editMessageReplyMarkup",
    "editMessageText", "stopPoll", "deleteMessage", "sendChatAction",
})

UNTIL_DELIVERED = 1_000_000_000  # 429s a message waits out: in effect, until it is delivered

# What counts against the overall limit: messages, not edits, presses or reads.
MESSAGE_PREFIXES = ("send", "copy", "forward")


def _is_message(endpoint: str, data: dict[str, Any]) -> bool:
    return data.get("chat_id") is not None and endpoint.startswith(MESSAGE_PREFIXES) and endpoint != "sendChatAction"


class Pacer(Protocol):
    """An overall send rate shared with other processes."""

    async def wait_turn(self) -> None: ...

    async def hold(self, seconds: float) -> None: ...


class DeliveryLimiter(AIORateLimiter):
    def __init__(
        self,
        *,
        overall_per_second: float = 29,
        group_per_minute: float = 19,
        chat_burst: int = 3,
        chat_period: float = 3.0,
        max_429_retries: int = UNTIL_DELIVERED,
        network_retries: int = 5,
        backoff: float = 0.5,
        pacer: Pacer | None = None,
    ) -> None:
        super().__init__(
            # With a shared pacer it keeps the overall rate (0 turns AIORateLimiter's bucket off).
            overall_max_rate=0 if pacer else 1, overall_time_period=1 / overall_per_second,
            group_max_rate=1, group_time_period=60 / group_per_minute, max_retries=max_429_retries,
        )
        self._chat_burst, self._chat_period = chat_burst, chat_period
        self._chat_limiters: dict[int, AsyncLimiter] = {}
        self._network_retries = network_retries
        self._backoff = backoff
        self._pacer = pacer

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        limiter = self._chat_limiter(data.get("chat_id"), endpoint)
        send = callback if self._pacer is None or not _is_message(endpoint, data) else self._paced(callback, self._pacer)
        for attempt in range(self._network_retries + 1):
            try:
                if limiter is None:
                    return await super().process_request(send, args, kwargs, endpoint, data, rate_limit_args)
                async with limiter:
                    return await super().process_request(send, args, kwargs, endpoint, data, rate_limit_args)
            except (BadRequest, RetryAfter):
                raise  # a refused request (or 429s beyond patience): retrying cannot help
            except TimedOut:
                # The request may have reached Telegram: resend only what is safe to repeat.
                if endpoint not in IDEMPOTENT or attempt == self._network_retries:
                    raise
                delay = self._backoff * 2**attempt
            except NetworkError as error:  # connection errors and 5xx answers
                if attempt == self._network_retries:
                    raise
                delay = self._backoff * 2**attempt
                log.warning("Telegram %s failed (%s); retrying in %.1f s", endpoint, type(error).__name__, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _paced(callback: Callable[..., Coroutine[Any, Any, Any]], pacer: Pacer) -> Callable[..., Coroutine[Any, Any, Any]]:
        """Every attempt (a retry after a 429 too) waits for its turn in the shared rate; a 429
        pauses every process, not only this one."""
        async def send(*args: Any, **kwargs: Any) -> Any:
            await pacer.wait_turn()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                await pacer.hold(error.retry_after if isinstance(error.retry_after, (int, float)) else error.retry_after.total_seconds())
                raise
        return send

    def _chat_limiter(self, chat_id: object, endpoint: str) -> AsyncLimiter | None:
        """Private chats (positive ids) get their own limiter; groups are AIORateLimiter's."""
        if not endpoint.startswith((*MESSAGE_PREFIXES, "edit")):
            return None
        try:
            chat = int(chat_id)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if chat <= 0:
            return None
        limiter = self._chat_limiters.get(chat)
        if limiter is None:
            if len(self._chat_limiters) > 10_000:  # forget idle chats: their buckets are full again
                self._chat_limiters = {k: v for k, v in self._chat_limiters.items() if not v.has_capacity(self._chat_burst)}
            limiter = self._chat_limiters[chat] = AsyncLimiter(self._chat_burst, self._chat_period)
        return limiter
