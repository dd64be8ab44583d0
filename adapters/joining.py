"""Replies as the fewest messages that read the same, for any platform: each reply is rendered,
and a message joins the one before it where the platform's `join` allows (it says no after
buttons, or when the two do not fit in one message). A chat takes about one message a second on
both Telegram and Slack, so every message saved is a second a learner does not wait."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

R = TypeVar("R")
M = TypeVar("M")


def fewest_messages(replies: Iterable[R], render: Callable[[R], list[M]], join: Callable[[M, M], M | None]) -> list[M]:
    out: list[M] = []
    for reply in replies:
        rendered = render(reply)
        if out and rendered:
            joined = join(out[-1], rendered[0])
            if joined is not None:
                out[-1], rendered = joined, rendered[1:]
        out += rendered
    return out
