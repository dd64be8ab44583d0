"""`/learn team sync #channel [@manager] [role ROLE]`: Slack's part of making a team of a channel's
members (and, with `role`, giving them all a job role).

Here: read the channel and the manager from the command text, and the channel's name and members
from the Web API (conversations.info, conversations.members page by page). The app leaves out
bots and hands the core a `TeamFromChannel` event; the core checks the role and writes the team.

Channels and people are read from Slack's escaped mentions (`<#C0123|name>`, `<@U0123|name>`),
which Slack sends for `/learn` because the manifest sets `should_escape: true`, when the admin
picks them from Slack's suggestions. A bare `#name` is not looked up by name: that takes paging
through conversations.list for the whole workspace, and only finds private channels the app is
in; the answer asks to pick the channel from the suggestions instead. A channel id (`C0123ABCD`,
from the channel's details) works too, and no channel at all means the channel the command was
typed in. `role` takes the rest of the words up to a mention: a job role's id or title; the core
checks it against content/roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.markup import literal

PAGE_SIZE = 200  # members per conversations.members call: Slack advises at most 200

USAGE = (
    "To make a team of a channel's members, type `/learn team sync #channel`, or "
    "`/learn team sync #channel @person` to make that person the team's manager too. Pick the channel "
    "and the person from Slack's suggestions as you type # and @. In the channel itself, "
    "`/learn team sync` is enough. Add `role machine-operator` (a job role's id) to give everyone in "
    "the channel that job role as well."
)
INVITE = "add me to it (in the channel, type `/invite` and pick this app), then run the command again"

_TOKEN = re.compile(r"<[^>]*>|\S+")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL_ID = re.compile(r"[CG](?=[A-Z]*\d)[A-Z0-9]{8,}")
_PERSON = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


class SyncProblem(Exception):
    """Why the command cannot be done, in words for the admin."""


@dataclass(frozen=True)
class SyncRequest:
    channel_id: str
    manager_id: str | None
    job_role: str | None = None  # as typed: an id or a title


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    member_ids: tuple[str, ...]


def parse(args: str, typed_in: str | None) -> SyncRequest:
    """The channel and manager in the text after `team sync`. `typed_in`: the channel the
    command was typed in, the team's channel when the text names none."""
    channel: str | None = None
    manager: str | None = None
    job_role: str | None = None
    tokens = _TOKEN.findall(args)
    while tokens:
        token = tokens.pop(0)
        if token.lower() == "role" and job_role is None:
            words = []
            while tokens and not tokens[0].startswith(("<", "#", "@")):
                words.append(tokens.pop(0))
            if not words:
                raise SyncProblem(f"Name the job role after “role”, e.g. `/learn team sync #line-2 role machine-operator`.\n\n{USAGE}")
            job_role = " ".join(words)
        elif (found := _CHANNEL.fullmatch(token) or _CHANNEL_ID.fullmatch(token)) and channel is None:
            channel = found.group(1) if found.groups() else found.group(0)
        elif (person := _PERSON.fullmatch(token)) and manager is None:
            manager = person.group(1)
        elif token.startswith("#") and channel is None:
            raise SyncProblem(
                f"I cannot tell which channel “{literal(token[:80])}” is: Slack did not turn it into a channel "
                "link. Check the name, then pick the channel from the suggestions as you type #."
                f"\n\n{USAGE}"
            )
        elif token.startswith("@") and manager is None:
            raise SyncProblem(
                f"I cannot tell who “{literal(token[:80])}” is: Slack did not turn it into a mention. "
                f"Pick the person from the suggestions as you type @.\n\n{USAGE}"
            )
        else:
            raise SyncProblem(USAGE)
    if channel is None and typed_in and typed_in[0] in "CG":
        channel = typed_in
    if channel is None:
        raise SyncProblem(USAGE)
    return SyncRequest(channel, manager, job_role)


async def read_channel(client: AsyncWebClient, channel_id: str, page_size: int = PAGE_SIZE) -> Channel:
    """The channel's name and every member, following `next_cursor` to the last page."""
    try:
        info = (await client.conversations_info(channel=channel_id)).get("channel") or {}
    except SlackApiError as error:
        _raise_problem(error, None)
    name = str(info.get("name") or channel_id)
    if info.get("is_im") or info.get("is_mpim"):
        raise SyncProblem("A direct message is not a channel: name a channel, e.g. `/learn team sync #product-design`.")
    members: list[str] = []
    cursor: str | None = None
    while True:
        try:
            page = await client.conversations_members(channel=channel_id, limit=page_size, cursor=cursor)
        except SlackApiError as error:
            _raise_problem(error, name)
        members += [str(m) for m in page.get("members") or ()]
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            return Channel(channel_id, name, tuple(dict.fromkeys(members)))


def _raise_problem(error: SlackApiError, name: str | None) -> NoReturn:
    """A specific answer for what an admin can fix; anything else stays the API's error."""
    code = error.response.get("error")
    channel = f"#{name}" if name else "that channel"
    answers = {
        "not_in_channel": f"I am not a member of {channel}, so I cannot see who is in it: {INVITE}.",
        "channel_not_found": f"I cannot find {channel}. If it is a private channel, {INVITE}.",
        "missing_scope": "Slack does not let me read channel members yet: the app needs the scopes channels:read "
        "and groups:read. Ask whoever manages the app to update it from adapters/slack/manifest.yml "
        "and reinstall it.",
        "method_not_supported_for_channel_type": f"{channel} is not a channel I can make a team of: name a channel.",
    }
    if code in answers:
        raise SyncProblem(answers[code]) from error
    raise error
