"""One command table (bot/commands.py) that the core and every adapter read: /help lists exactly
what this person may type on their platform, a command for managers only for managers, and a
command of one platform only there."""

from __future__ import annotations

import pytest

from bot.store.store import SqlStore
from bot.vocabulary import Platform, Role
from tests.support import Chat

EVERYONE = [
    "Here is what I understand:",
    "/start: begin, or pick up where you left off",
    "/next: continue where you are (or start the next lesson)",
    "/path: your pathway map: what is done, what is next, what each badge needs",
    "/progress: your streak and mastery per skill",
    "/badges: your badges and what the next one needs",
    "/settings: your timezone, daily time, working days, vacation hold and language",
    "/stop: no more reminders from me (until /resume)",
    "/resume: your daily lesson offers again, after /stop",
]
TEAM = "/team: your teams at a glance, and a sign-in link to the dashboard"
TEAM_SYNC = (
    "/team sync [#channel] [@manager] [role ROLE]: make a team of a channel's members (this channel's when none is named),"
    " @manager its manager, and give them all the job role ROLE"
)
ASSIGN = (
    "/assign [credential or pathway] to [who] by [date]: assign a credential or pathway, due by a date, to a person, a team or a job role"
    " (alone: how to write it)"
)
HELP = "/help: this list"
QUIT = "/quit: leave the console; your progress is saved"


async def as_role(store: SqlStore, chat: Chat, role: Role) -> None:
    async with store.transaction() as tx:
        learner = await tx.learners.find(chat.learner.platform, chat.learner.user_id)
        assert learner is not None
        learner.role = role
        await tx.learners.save(learner)


@pytest.mark.parametrize(
    ("platform", "role", "lines"),
    [
        (Platform.TELEGRAM, Role.LEARNER, [*EVERYONE, HELP]),
        (Platform.TELEGRAM, Role.MANAGER, [*EVERYONE, TEAM, ASSIGN, HELP]),
        (Platform.SLACK, Role.MANAGER, [*EVERYONE, TEAM, ASSIGN, HELP]),
        (Platform.SLACK, Role.ADMIN, [*EVERYONE, TEAM, TEAM_SYNC, ASSIGN, HELP]),
        (Platform.CONSOLE, Role.LEARNER, [*EVERYONE, HELP, QUIT]),
        (Platform.CONSOLE, Role.ADMIN, [*EVERYONE, TEAM, ASSIGN, HELP, QUIT]),
    ],
)
async def test_help_lists_what_this_person_may_type_on_their_platform(core, store, platform, role, lines):
    chat = Chat(core, platform=platform)
    await chat.start()
    await as_role(store, chat, role)
    await chat.command("help")
    assert chat.text.split("\n") == lines


async def test_an_unknown_command_says_so_and_lists_what_is_known_here(core):
    chat = Chat(core, platform=Platform.TELEGRAM)
    await chat.start()
    await chat.command("quit")  # the console's, not Telegram's
    assert chat.text.split("\n") == ["I don't know the command /quit. Here is what I understand:", *EVERYONE[1:], HELP]
