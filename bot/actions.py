"""Button actions: short strings the core hands out and reads back. Telegram allows 64 bytes of
callback data, so they stay terse."""
from __future__ import annotations

from dataclasses import dataclass

CONTINUE = "go"
LATER = "later"
SKIP_TODAY = "skip"


@dataclass(frozen=True)
class StepRef:
    """A step of a session: stale or repeated presses of an old button are recognised."""

    session_id: int
    position: int

    def __str__(self) -> str:
        return f"{self.session_id}.{self.position}"

    @classmethod
    def parse(cls, text: str) -> StepRef | None:
        session, _, position = text.partition(".")
        if not (session.isdigit() and position.isdigit()):
            return None
        return cls(int(session), int(position))


def next_card(ref: StepRef) -> str:
    return f"next:{ref}"


def answer(ref: StepRef, option: int) -> str:
    return f"ans:{ref}:{option}"


def command(name: str) -> str:
    return f"cmd:{name}"
