"""The commands people type, in one table that everything reads: Telegram's command menu and
handlers, Slack's `/learn` subcommands (and the manifest's usage hint, checked by a test), the
console's, the core's dispatch and /help (bot/texts.py `help_for`).

`/start` means the same on every platform: the first time, a greeting and what comes next;
after that, "welcome back" and where the learner is, showing the card they are on again (where
`/next` moves past it)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.events import Command, Event, LearnerRef, Next, Start
from bot.i18n import N_, SOURCE, Translator
from bot.vocabulary import Platform, Role


@dataclass(frozen=True)
class ChatCommand:
    name: str  # as typed after the slash (in Slack: after `/learn`); lower case
    about: str  # what it does, in one line: /help, and Telegram's command menu (English: translated where it is said)
    platforms: frozenset[Platform] | None = None  # None: every platform, also one added later
    role: Role = Role.LEARNER  # the least role that may use it
    args: str = ""  # what may follow the name, as /help shows it
    aliases: tuple[str, ...] = ()

    def offered_on(self, platform: str) -> bool:
        return self.platforms is None or platform in self.platforms

    def allows(self, role: str) -> bool:
        """Whether someone with `role` (as stored) may use it."""
        try:
            return Role(role).at_least(self.role)
        except ValueError:
            return self.role is Role.LEARNER

    @property
    def usage(self) -> str:
        return f"/{self.name} {self.args}".rstrip()


START = ChatCommand("start", N_("begin, or pick up where you left off"))
NEXT = ChatCommand("next", N_("continue where you are (or start the next lesson)"))
PATH = ChatCommand("path", N_("your pathway map: what is done, what is next, what each badge needs"))
PROGRESS = ChatCommand("progress", N_("your streak and mastery per skill"))
BADGES = ChatCommand("badges", N_("your badges and what the next one needs"))
SETTINGS = ChatCommand("settings", N_("your timezone, daily time, working days, vacation hold and language"))
STOP = ChatCommand("stop", N_("no more reminders from me (until /resume)"))
RESUME = ChatCommand("resume", N_("your daily lesson offers again, after /stop"))
TEAM = ChatCommand("team", N_("your teams at a glance, and a sign-in link to the dashboard"), role=Role.MANAGER)
TEAM_SYNC = ChatCommand(
    "team sync",
    N_("make a team of a channel's members (this channel's when none is named), @manager its manager, and give them all the job role ROLE"),
    platforms=frozenset({Platform.SLACK}),
    role=Role.ADMIN,
    args="[#channel] [@manager] [role ROLE]",
)
ASSIGN = ChatCommand(
    "assign",
    N_("assign a credential or pathway, due by a date, to a person, a team or a job role (alone: how to write it)"),
    role=Role.MANAGER,
    args="[credential or pathway] to [who] by [date]",
)
HELP = ChatCommand("help", N_("this list"))
QUIT = ChatCommand("quit", N_("leave the console; your progress is saved"), platforms=frozenset({Platform.CONSOLE}), aliases=("exit",))
TABLE = (START, NEXT, PATH, PROGRESS, BADGES, SETTINGS, STOP, RESUME, TEAM, TEAM_SYNC, ASSIGN, HELP, QUIT)


def offered(platform: str, role: str | None = None) -> tuple[ChatCommand, ...]:
    """The commands of `platform`, in the table's order; with `role`, only those it may use."""
    return tuple(c for c in TABLE if c.offered_on(platform) and (role is None or c.allows(role)))


def named(text: str, platform: str) -> ChatCommand | None:
    """The command `text` (a name, with or without its slash, any case) is on `platform`."""
    name = text.strip().lstrip("/").lower()
    return next((c for c in offered(platform) if name == c.name or name in c.aliases), None)


def read(text: str, platform: str) -> tuple[ChatCommand | None, str, str]:
    """What a typed line asks for: (the command or None, the name as typed, the rest). A command
    of two words (`team sync`) is found before its first word's."""
    word, _, rest = text.strip().lstrip("/").partition(" ")
    second, _, after = rest.strip().partition(" ")
    two = named(f"{word} {second}", platform) if second else None
    if two is not None:
        return two, f"{word} {second}", after.strip()
    return named(word, platform), word, rest.strip()


def event_for(command: ChatCommand, learner: LearnerRef, source_id: str | None, args: str = "", timezone: str | None = None) -> Event:
    """The core's event for a command: `/start` and `/next` are events of their own (a platform
    that knows the learner's timezone passes it with `/start`); the rest are `Command`s."""
    if command is START:
        return Start(learner=learner, source_id=source_id, timezone=timezone)
    if command is NEXT:
        return Next(learner=learner, source_id=source_id)
    return Command(learner=learner, source_id=source_id, name=command.name, args=args)


def menu(platform: str, t: Translator = SOURCE) -> list[tuple[str, str]]:
    """(name, description) of what anyone may type on `platform`: Telegram's command menu,
    which every learner sees (names of one word only, as Telegram requires), in `t`'s language."""
    return [(c.name, _capitalised(t.gettext(c.about))) for c in offered(platform, Role.LEARNER) if " " not in c.name]


def _capitalised(text: str) -> str:
    return text[0].upper() + text[1:]


def usage_hint(platform: str) -> str:
    """Slack's usage hint for `/learn`: every subcommand, by name."""
    return "[" + " | ".join(c.name for c in offered(platform)) + "]"
