"""Platform-neutral inbound events. Adapters build these from Slack, Telegram or a terminal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.vocabulary import EventKind


@dataclass(frozen=True)
class LearnerRef:
    """Who sent an event: the platform and that platform's stable id for the person."""

    platform: str
    user_id: str
    display_name: str = ""
    timezone: str | None = None  # IANA name when the platform knows it (Slack's users.info)
    # The person's language as the platform gives it (a BCP 47 tag: Telegram's language_code,
    # Slack's locale, Teams' locale), None when it does not say; bot/i18n.py makes it one of
    # the bot's languages. Every event carries it, so a change in the client is heard.
    language: str | None = None


@dataclass(frozen=True, kw_only=True)
class Event:
    # What the audit trail stores for this event when handling it recorded nothing else (so
    # that a redelivery is known): named here, so that renaming the class changes nothing stored.
    recorded_as: ClassVar[EventKind]

    learner: LearnerRef
    # The platform's id for the message/update/action. The same id delivered twice is
    # handled once: platforms retry, and a retry must change nothing.
    source_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Start(Event):
    """First contact, or the learner coming back (`/start`, a DM, opening the App Home)."""

    recorded_as = EventKind.START

    timezone: str | None = None  # IANA name when the platform knows it (Slack does)


@dataclass(frozen=True, kw_only=True)
class Next(Event):
    """Continue: the next card, the next check, or the next lesson."""

    recorded_as = EventKind.NEXT


@dataclass(frozen=True, kw_only=True)
class ButtonPressed(Event):
    """A button the core offered was pressed; `action` is that button's opaque action string."""

    recorded_as = EventKind.BUTTON_PRESSED

    action: str


@dataclass(frozen=True, kw_only=True)
class Answer(Event):
    """An answer to the question identified by `ref` (see `replies.Question.ref`)."""

    recorded_as = EventKind.ANSWER

    ref: str
    choices: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class Command(Event):
    """A typed command such as `path`, `progress`, `badges`, `settings`, `help`."""

    recorded_as = EventKind.COMMAND

    name: str
    args: str = ""


@dataclass(frozen=True, kw_only=True)
class TimerFired(Event):
    """A scheduled moment for this learner, e.g. their daily lesson time."""

    recorded_as = EventKind.TIMER_FIRED

    kind: str


@dataclass(frozen=True, kw_only=True)
class TeamFromChannel(Event):
    """An admin makes a team of a group chat's members (Slack: `/learn team sync #channel`).

    `members` is everyone in the chat now (people only: the adapter leaves out bots), each
    with the name and timezone the platform knows; `manager`, when given, manages the team;
    `job_role`, when given, is a job role (its id or title, as typed) the members all get."""

    recorded_as = EventKind.TEAM_FROM_CHANNEL

    team_name: str
    members: tuple[LearnerRef, ...]
    manager: LearnerRef | None = None
    job_role: str | None = None
