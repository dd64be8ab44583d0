"""What a public URL makes with the issuer's key or a good deal of CPU (a transcript signed, a PDF
drawn), kept a while in this process: a burst of requests for the same document, or someone
hammering its link, costs one signature or drawing, not one each. It is made again as soon as what
it is made from changes (`inputs`), or when the copy is older than `max_age`."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.clock import Clock

T = TypeVar("T")


@dataclass(frozen=True)
class _Made(Generic[T]):
    inputs: Hashable
    at: datetime
    value: T


class MadeRecently(Generic[T]):
    def __init__(self, *, clock: Clock, max_age: timedelta, max_entries: int = 256) -> None:
        self._clock = clock
        self._max_age = max_age
        self._max_entries = max_entries  # the least recently asked for goes first: memory stays bounded
        self._made: OrderedDict[str, _Made[T]] = OrderedDict()

    async def get(self, key: str, inputs: Hashable, make: Callable[[datetime], Awaitable[T]]) -> T:
        """The copy made for `key` from the same `inputs` within `max_age`, else `make(now)`'s."""
        now = self._clock.now()
        kept = self._made.get(key)
        if kept is not None and kept.inputs == inputs and timedelta(0) <= now - kept.at < self._max_age:
            self._made.move_to_end(key)
            return kept.value
        value = await make(now)
        self._made[key] = _Made(inputs, now, value)
        self._made.move_to_end(key)
        while len(self._made) > self._max_entries:
            self._made.popitem(last=False)
        return value
