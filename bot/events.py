"""Platform-neutral inbound events. Adapters build these from Slack, Telegram or a terminal."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LearnerRef:
    """Who sent an event: the platform and that platform's stable id for the person."""

    platform: str
    user_id: str
    display_name: str = ""
    timezone: str | None = None  # IANA name when the platform knows it (Slack's users.info)


@dataclass(frozen=True, kw_only=True)
class Event:
    learner: LearnerRef
    # The platform's id for the message/update/action. The same id delivered twice is
    # handled once: platforms retry, and a retry must change nothing.
    source_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Start(Event):
    """First contact, or the learner coming back (`/start`, a DM, opening the App Home)."""

    timezone: str | None = None  # IANA name when the platform knows it (Slack does)


@dataclass(frozen=True, kw_only=True)
class Next(Event):
    """Continue: the next card, the next check, or the next lesson."""


@dataclass(frozen=True, kw_only=True)
class ButtonPressed(Event):
    """A button the core offered was pressed; `action` is that button's opaque action string."""

    action: str


@dataclass(frozen=True, kw_only=True)
class Answer(Event):
    """An answer to the question identified by `ref` (see `replies.Question.ref`)."""

    ref: str
    choices: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class Command(Event):
    """A typed command such as `path`, `progress`, `badges`, `settings`, `help`."""

    name: str
    args: str = ""


@dataclass(frozen=True, kw_only=True)
class TimerFired(Event):
    """A scheduled moment for this learner, e.g. their daily lesson time."""

    kind: str


@dataclass(frozen=True, kw_only=True)
class TeamFromChannel(Event):
    """An admin makes a team of a group chat's members (Slack: `/learn team sync #channel`).

    `members` is everyone in the chat now (people only: the adapter leaves out bots), each
    with the name and timezone the platform knows; `manager`, when given, manages the team."""

    team_name: str
    members: tuple[LearnerRef, ...]
    manager: LearnerRef | None = None
