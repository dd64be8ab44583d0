"""Button actions: what a button the core offers asks for, as typed values, and the one place that
turns them into the short strings a platform carries and reads those back.

`encode` and `parse` are each other's inverse. The strings are already in chats (a button
pressed weeks later must still work), so they never change; Telegram allows 64 bytes of
callback data, so they stay terse:

    go | later | skip                  continue | snooze the offer | skip today's follow-ups
    next:<session>.<position>          the Next button of a lesson card
    ans:<session>.<position>:<option>  an option of a question (0-based)
    cmd:<name>                         a command of bot/commands.py, e.g. cmd:path
    pick | pick:<pathway>              choose a lesson: the open ones (or the pathways), or a pathway's
    les:<lesson>                       start that lesson (ids are at most 40 characters: content/lint.py)
    tzr:<mode>:<region>                a timezone region (empty: the list of regions)
    tz:<mode>:<zone>                   a timezone (the longest IANA name is 32 characters)
    time:<mode>:<HH:MM>                a daily time
    set:time | set:pause | set:leave   a settings button that asks for more
    pause:<days> | pause:off           pause for some days, or end the pause
    ann:on | ann:off                   announce my badges, or not
    name:on | name:off                 my name on the credentials I earn from now on, or not
    lang:<language>                    the language I am spoken to in (bot/i18n.py's LANGUAGES)
    leave:yes | leave:now | leave:no   leaving: asked twice, then done; or staying

The mode says what comes after a picker: `o` onboarding (ask the daily time, then offer the
first lesson) or `s` settings (confirm)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.replies import Button


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
        if not (_number(session) and _number(position)):
            return None
        return cls(int(session), int(position))


class Mode(StrEnum):
    """What follows a timezone or time picker."""

    ONBOARDING = "o"
    SETTINGS = "s"


@dataclass(frozen=True)
class Continue:
    """Continue where the learner is: the step in progress, re-checks, the next lesson."""


@dataclass(frozen=True)
class Later:
    """Not now: the offer comes back a little later."""


@dataclass(frozen=True)
class SkipToday:
    """No more follow-ups of today's offer."""


@dataclass(frozen=True)
class NextCard:
    ref: StepRef


@dataclass(frozen=True)
class ChooseOption:
    """An answer: one option of a single-answer question."""

    ref: StepRef
    option: int


@dataclass(frozen=True)
class RunCommand:
    name: str


@dataclass(frozen=True)
class ChooseLesson:
    """Show the lessons the learner may choose (nothing assigned to them): all of them, or those
    of one pathway."""

    pathway: str | None  # checked when pressed: a forged button may name anything


@dataclass(frozen=True)
class StartLesson:
    """Start a lesson the learner chose."""

    lesson: str  # checked when pressed: it may be locked, done or gone by then


@dataclass(frozen=True)
class PickRegion:
    mode: Mode
    region: int | None  # None: show the regions


@dataclass(frozen=True)
class PickZone:
    mode: Mode
    zone: str  # checked when pressed: a forged button may name anything


@dataclass(frozen=True)
class PickTime:
    mode: Mode
    time: str  # checked when pressed against the times offered


@dataclass(frozen=True)
class AskTime:
    """Settings: show the daily times."""


@dataclass(frozen=True)
class AskPause:
    """Settings: how long to pause."""


@dataclass(frozen=True)
class Pause:
    days: int  # checked when pressed against the pauses offered


@dataclass(frozen=True)
class EndPause:
    """Resume now: the pause (every hold from today on) ends."""


@dataclass(frozen=True)
class Announce:
    on: bool


@dataclass(frozen=True)
class NameOnCredentials:
    """Whether credentials issued from now on carry the learner's name."""

    on: bool


@dataclass(frozen=True)
class ChooseLanguage:
    """The language the learner is spoken to in, from now on."""

    language: str


@dataclass(frozen=True)
class AskLeave:
    """Leaving, first ask."""


@dataclass(frozen=True)
class ConfirmLeave:
    """Leaving, said yes once: ask a last time."""


@dataclass(frozen=True)
class LeaveNow:
    """Leaving, said yes twice: delete the learner's data."""


@dataclass(frozen=True)
class Stay:
    """Not leaving after all."""


Preference = (
    PickRegion
    | PickZone
    | PickTime
    | AskTime
    | AskPause
    | Pause
    | EndPause
    | Announce
    | NameOnCredentials
    | ChooseLanguage
    | AskLeave
    | ConfirmLeave
    | LeaveNow
    | Stay
)
Action = Continue | Later | SkipToday | NextCard | ChooseOption | RunCommand | ChooseLesson | StartLesson | Preference
PREFERENCES = (
    PickRegion,
    PickZone,
    PickTime,
    AskTime,
    AskPause,
    Pause,
    EndPause,
    Announce,
    NameOnCredentials,
    ChooseLanguage,
    AskLeave,
    ConfirmLeave,
    LeaveNow,
    Stay,
)

CONTINUE, LATER, SKIP_TODAY = Continue(), Later(), SkipToday()
_FIXED: dict[str, Action] = {
    "go": CONTINUE,
    "later": LATER,
    "skip": SKIP_TODAY,
    "set:time": AskTime(),
    "set:pause": AskPause(),
    "set:leave": AskLeave(),
    "pause:off": EndPause(),
    "ann:on": Announce(True),
    "ann:off": Announce(False),
    "name:on": NameOnCredentials(True),
    "name:off": NameOnCredentials(False),
    "leave:yes": ConfirmLeave(),
    "leave:now": LeaveNow(),
    "leave:no": Stay(),
}
_STRINGS = {action: text for text, action in _FIXED.items()}


def encode(action: Action) -> str:
    """The string a button carries."""
    match action:
        case NextCard(ref):
            return f"next:{ref}"
        case ChooseOption(ref, option):
            return f"ans:{ref}:{option}"
        case RunCommand(name):
            return f"cmd:{name}"
        case ChooseLesson(pathway):
            return "pick" if pathway is None else f"pick:{pathway}"
        case StartLesson(lesson):
            return f"les:{lesson}"
        case PickRegion(mode, region):
            return f"tzr:{mode}:{'' if region is None else region}"
        case PickZone(mode, zone):
            return f"tz:{mode}:{zone}"
        case PickTime(mode, time):
            return f"time:{mode}:{time}"
        case Pause(days):
            return f"pause:{days}"
        case ChooseLanguage(language):
            return f"lang:{language}"
    return _STRINGS[action]


def button(label: str, action: Action, *, destructive: bool = False) -> Button:
    return Button(label, encode(action), destructive=destructive)


def parse(text: str) -> Action | None:
    """The action a pressed button carries; None for a string no button of ours ever had."""
    if text in _FIXED:
        return _FIXED[text]
    if text == "pick":
        return ChooseLesson(None)
    kind, _, rest = text.partition(":")
    match kind:
        case "next":
            ref = StepRef.parse(rest)
            return NextCard(ref) if ref is not None else None
        case "ans":
            step, _, option = rest.partition(":")
            ref = StepRef.parse(step)
            return ChooseOption(ref, int(option)) if ref is not None and _number(option) else None
        case "cmd":
            return RunCommand(rest) if rest else None
        case "pick":
            return ChooseLesson(rest) if _content_id(rest) else None
        case "les":
            return StartLesson(rest) if _content_id(rest) else None
        case "pause":
            return Pause(int(rest)) if _number(rest) else None
        case "lang":
            return ChooseLanguage(rest) if 0 < len(rest) <= 8 and rest.isascii() and rest.isalpha() else None
        case "tzr" | "tz" | "time":
            mode, _, value = rest.partition(":")
            if mode not in tuple(Mode):
                return None
            if kind == "tzr":
                return PickRegion(Mode(mode), int(value) if _number(value) else None)
            return PickZone(Mode(mode), value) if kind == "tz" else PickTime(Mode(mode), value)
    return None


def _number(text: str) -> bool:
    """A whole number int() reads (str.isdigit also takes ², which int() refuses), of sane length."""
    return text.isascii() and text.isdigit() and len(text) <= 20  # a 64-bit id has 19


def _content_id(text: str) -> bool:
    """What a content id may be (content/lint.py: lowercase letters, digits and dashes, at most
    40 characters); anything else no button of ours ever carried."""
    return 0 < len(text) <= 40 and text.isascii() and all(c.islower() or c.isdigit() or c == "-" for c in text)
