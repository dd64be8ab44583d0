"""The Slack app: slack-bolt's AsyncApp translating Events API, interactivity and slash-command
requests into core events, and core replies into Block Kit messages in the learner's DM.

Every listener acknowledges first (Slack wants an answer within 3 seconds) and does the slow
work after; bolt returns the HTTP response as soon as `ack()` is called."""
from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timezone
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator

import aiohttp
from aiolimiter import AsyncLimiter
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import team_sync
from adapters.slack.render import BUTTON_ACTION, LINK_ACTION, SUBMIT_ACTION, TOGGLE_ACTION, answered_question, home_view, render
from bot import texts
from bot.core import Core
from bot.events import Answer, ButtonPressed, Command, Event, LearnerRef, Next, Start, TeamFromChannel
from bot.nudges import NotNow
from bot.replies import Announcement, Reply, Text

log = logging.getLogger(__name__)

PLATFORM = "slack"
COMMANDS = ("next", "path", "progress", "badges", "settings", "help", "start")
SORRY = "Sorry, something went wrong on my side. Your progress is safe: `/learn next` continues where you are."
REMEMBERED = 10_000
SLACKBOT = "USLACKBOT"  # Slack's own helper: in some channels, never a person
LOOKUPS = 8  # users.info calls at once when reading a channel's members


@dataclass(frozen=True)
class SlackPerson:
    """What users.info told about a user: the learner they are, and whether a person at all."""

    ref: LearnerRef
    is_person: bool  # not a bot, an app or a deactivated account


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str
    signing_secret: str
    app_token: str | None = None  # set: Socket Mode instead of HTTP
    api_url: str | None = None  # SLACK_API_URL: the Web API elsewhere (the SDK's base_url)
    announce_channel: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackSettings | None:
        """None unless both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set."""
        token, secret = env.get("SLACK_BOT_TOKEN", "").strip(), env.get("SLACK_SIGNING_SECRET", "").strip()
        if not (token and secret):
            return None
        return cls(
            bot_token=token, signing_secret=secret, app_token=env.get("SLACK_APP_TOKEN") or None,
            api_url=env.get("SLACK_API_URL") or None, announce_channel=env.get("ANNOUNCE_CHANNEL") or None,
        )


def web_client(
    settings: SlackSettings, *, session: aiohttp.ClientSession | None = None, max_429_retries: int = 20
) -> AsyncWebClient:
    """The Web API client: 429s waited out (Retry-After), 5xx and connection errors retried.
    Give it a `session` to keep connections (and TLS) alive between calls."""
    options: dict[str, Any] = {"token": settings.bot_token, "session": session}
    if settings.api_url:
        options["base_url"] = settings.api_url
    client = AsyncWebClient(**options)
    client.retry_handlers = [
        AsyncRateLimitErrorRetryHandler(max_retry_count=max_429_retries),
        AsyncServerErrorRetryHandler(max_retry_count=5),
        AsyncConnectionErrorRetryHandler(max_retry_count=5),
    ]
    return client


class SlackBot:
    def __init__(
        self, *, core: Core, settings: SlackSettings, client: AsyncWebClient | None = None,
        channel_burst: int = 3, channel_period: float = 3.0, member_page_size: int = team_sync.PAGE_SIZE,
    ) -> None:
        self._core = core
        self._settings = settings
        self.client = client or web_client(settings)
        self.app = AsyncApp(client=self.client, signing_secret=settings.signing_secret, name="microbadge")
        self._seen_events: OrderedDict[str, None] = OrderedDict()
        self._dm_channels: dict[str, str] = {}
        self._people: OrderedDict[str, SlackPerson] = OrderedDict()
        self._member_page_size = member_page_size
        self._user_locks: dict[str, asyncio.Lock] = {}
        self._lock_users: Counter[str] = Counter()
        # Slack asks for about one message a second per channel, allowing short bursts.
        self._channel_burst, self._channel_period = channel_burst, channel_period
        self._channel_limiters: dict[str, AsyncLimiter] = {}
        self._register()

    # --- inbound --------------------------------------------------------------------------------
    def _register(self) -> None:
        app = self.app
        app.event("message")(self._on_message)
        app.event("app_home_opened")(self._on_home_opened)
        app.action(BUTTON_ACTION)(self._on_button)
        app.action(LINK_ACTION)(self._ack_only)
        app.action(TOGGLE_ACTION)(self._ack_only)
        app.action(SUBMIT_ACTION)(self._on_submit)
        app.command("/learn")(self._on_command)
        app.error(self._on_error)

    async def _ack_only(self, ack: AsyncAck) -> None:
        await ack()

    def _first_delivery(self, body: dict[str, Any]) -> bool:
        """Slack retries an event it thinks failed (X-Slack-Retry-Num): the retry is dropped."""
        event_id = body.get("event_id")
        if not event_id:
            return True
        if event_id in self._seen_events:
            log.info("Slack event %s delivered again: ignored", event_id)
            return False
        self._seen_events[event_id] = None
        if len(self._seen_events) > REMEMBERED:
            self._seen_events.popitem(last=False)
        return True

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return  # only what a person writes to the app in its DM
        if not self._first_delivery(body):
            return
        user, text = event["user"], (event.get("text") or "").strip()
        learner = await self._learner(user)
        source = f"e{body.get('event_id') or event.get('ts')}"
        word, _, args = text.lstrip("/").partition(" ")
        name = word.lower()
        event_out: Event
        if name == "next":
            event_out = Next(learner=learner, source_id=source)
        elif name in COMMANDS and name != "start":
            event_out = Command(learner=learner, source_id=source, name=name, args=args)
        else:  # a greeting, or anything else: welcome (back), and the next step
            event_out = Start(learner=learner, source_id=source, timezone=learner.timezone)
        await self._handle(event_out, event["channel"])

    async def _on_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab") != "home":
            return
        await self._publish_home(event["user"])

    async def _on_button(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = body["user"]["id"]
        value = action.get("value", "")
        channel = await self._reply_channel(body, user)
        message = body.get("message")
        closing = None
        if message is not None and body.get("container", {}).get("type") == "message":
            closing = self._close_buttons(channel, message, action, answered=value.startswith("ans:"))
        event = ButtonPressed(learner=await self._learner(user), source_id=f"a{action.get('action_ts')}:{user}", action=value)
        await self._handle(event, channel, alongside=closing)
        if body.get("container", {}).get("type") == "view":
            await self._publish_home(user)  # the home tab shows the new next step

    async def _on_submit(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A multiple-answer check: the ticked checkboxes travel in the payload's state."""
        await ack()
        user = body["user"]["id"]
        chosen: list[int] = []
        for block in body.get("state", {}).get("values", {}).values():
            for element in block.values():
                for option in element.get("selected_options") or ():
                    if str(option.get("value", "")).isdigit():
                        chosen.append(int(option["value"]))
        channel = await self._reply_channel(body, user)
        closing = None
        if body.get("message") is not None:
            labels = ", ".join(str(i + 1) for i in sorted(chosen)) or "nothing ticked"
            closing = self._close_buttons(channel, body["message"], {"text": {"text": labels}}, answered=True)
        event = Answer(
            learner=await self._learner(user), source_id=f"a{action.get('action_ts')}:{user}",
            ref=action.get("value", ""), choices=tuple(sorted(set(chosen))),
        )
        await self._handle(event, channel, alongside=closing)

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
        """`/learn [next|path|progress|badges|settings|team|help]`. The answer always goes to the
        learner's DM with the app: in a channel, nobody else sees a lesson or an answer."""
        user, channel = command["user_id"], command.get("channel_id", "")
        in_app_dm = channel == await self._dm_channel(user)
        await ack() if in_app_dm else await ack(text="I have answered you in our direct messages.")
        word, _, args = (command.get("text") or "").strip().partition(" ")
        name = word.lower() or "next"
        learner = await self._learner(user)
        source = f"s{command.get('trigger_id')}"
        first, _, rest = args.strip().partition(" ")
        if name == "team" and first.lower() == "sync":
            await self._team_sync(learner, source, rest, typed_in=channel, bot_user=context.bot_user_id)
            return
        event: Event
        if name == "next":
            event = Next(learner=learner, source_id=source)
        elif name == "start":
            event = Start(learner=learner, source_id=source, timezone=learner.timezone)
        else:
            event = Command(learner=learner, source_id=source, name=name[:64], args=args)
        await self._handle(event, await self._dm_channel(user))

    async def _team_sync(
        self, learner: LearnerRef, source: str, args: str, *, typed_in: str, bot_user: str | None
    ) -> None:
        """`/learn team sync #channel [@manager]`: the core says who may; the members are read
        only then, people only (no bots), and the core writes the team in one transaction."""
        dm = await self._dm_channel(learner.user_id)
        if not await self._core.may_set_teams(learner):
            await self.send(dm, [Text(texts.ADMINS_ONLY)])
            return
        try:
            request = team_sync.parse(args, typed_in)
            manager = await self._person(request.manager_id) if request.manager_id else None
            if manager is not None and not manager.is_person:
                raise team_sync.SyncProblem("A bot or an app cannot manage a team: name a person.")
            channel = await team_sync.read_channel(self.client, request.channel_id, self._member_page_size)
        except team_sync.SyncProblem as problem:
            await self.send(dm, [Text(str(problem))])
            return
        lookups = asyncio.Semaphore(LOOKUPS)

        async def looked_up(user: str) -> SlackPerson:
            async with lookups:
                return await self._person(user)

        candidates = [user for user in channel.member_ids if user not in (bot_user, SLACKBOT)]
        people = [p for p in await asyncio.gather(*map(looked_up, candidates)) if p.is_person]
        event = TeamFromChannel(
            learner=learner, source_id=source, team_name=f"#{channel.name}", members=tuple(p.ref for p in people),
            manager=manager.ref if manager is not None else None,
        )
        await self._handle(event, dm)

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        reference = body.get("event_id") or body.get("trigger_id") or (body.get("actions") or [{}])[0].get("action_ts")
        log.error("Slack request %s failed: %s: %s", reference, type(error).__name__, error, exc_info=error)
        user = body.get("user_id") or (body.get("user") or {}).get("id") or (body.get("event") or {}).get("user")
        if isinstance(user, str):
            try:
                await self.client.chat_postMessage(channel=await self._dm_channel(user), text=SORRY)
            except SlackApiError:
                log.error("Slack request %s: could not tell the learner", reference)

    # --- the learner and where to answer -----------------------------------------------------------
    async def _learner(self, user: str) -> LearnerRef:
        """Who the user is, with their timezone from users.info (asked once per process)."""
        return (await self._person(user)).ref

    async def _person(self, user: str) -> SlackPerson:
        known = self._people.get(user)
        if known is not None:
            return known
        name, timezone, is_person = "", None, True
        try:
            info = (await self.client.users_info(user=user)).get("user") or {}
            name = (info.get("profile") or {}).get("display_name") or info.get("real_name") or info.get("name") or ""
            timezone = info.get("tz") or None
            is_person = not (info.get("is_bot") or info.get("deleted"))
        except SlackApiError as error:
            log.warning("Slack users.info failed for a user: %s", error.response.get("error"))
        person = self._people[user] = SlackPerson(LearnerRef(PLATFORM, user, name, timezone), is_person)
        if len(self._people) > REMEMBERED:
            self._people.popitem(last=False)
        return person

    async def _dm_channel(self, user: str) -> str:
        channel = self._dm_channels.get(user)
        if channel is None:
            opened = await self.client.conversations_open(users=user)
            channel = self._dm_channels[user] = opened["channel"]["id"]
        return channel

    async def _reply_channel(self, body: dict[str, Any], user: str) -> str:
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        if isinstance(channel, str) and channel.startswith("D"):
            return channel
        return await self._dm_channel(user)

    # --- outbound -------------------------------------------------------------------------------
    async def _handle(self, event: Event, channel: str, alongside: Awaitable[None] | None = None) -> None:
        """One learner's turn. `alongside` (closing the pressed buttons) runs concurrently with
        the core: neither waits for the other, and the next turn waits for both."""
        async with self._one_at_a_time(event.learner.user_id):
            side = asyncio.ensure_future(alongside) if alongside is not None else None
            try:
                replies = await self._core.handle(event)
                await self.send(channel, replies)
            finally:
                if side is not None:
                    await side

    async def send(self, channel: str, replies: list[Reply]) -> None:
        """Post replies in order; announcements go to ANNOUNCE_CHANNEL (if set)."""
        for reply in replies:
            target = self._settings.announce_channel if isinstance(reply, Announcement) else channel
            if target is None:
                continue
            for message in render(reply):
                async with self._channel_limiter(target):
                    await self.client.chat_postMessage(channel=target, text=message.text, blocks=message.blocks)

    async def send_to_user(self, user: str, replies: list[Reply]) -> None:
        """Replies the bot starts (a nudge), in the learner's DM with the app; never while the
        learner has Do Not Disturb on (then NotNow says until when)."""
        until = await self._do_not_disturb_until(user)
        if until is not None:
            raise NotNow(until)
        await self.send(await self._dm_channel(user), replies)

    async def _do_not_disturb_until(self, user: str) -> datetime | None:
        info = await self.client.dnd_info(user=user)
        now = time.time()
        if info.get("snooze_enabled") and float(info.get("snooze_endtime") or 0) > now:
            return datetime.fromtimestamp(float(info["snooze_endtime"]), timezone.utc)
        start, end = float(info.get("next_dnd_start_ts") or 0), float(info.get("next_dnd_end_ts") or 0)
        if info.get("dnd_enabled") and start <= now < end:
            return datetime.fromtimestamp(end, timezone.utc)
        return None

    async def _publish_home(self, user: str) -> None:
        home = await self._core.home(await self._learner(user))
        await self.client.views_publish(user_id=user, view=home_view(list(home.sections), home.buttons))

    async def _close_buttons(self, channel: str, message: dict[str, Any], action: dict[str, Any], *, answered: bool) -> None:
        """Update the pressed message so the same check (or button) cannot be pressed twice."""
        label = str((action.get("text") or {}).get("text", ""))
        blocks = message.get("blocks") or []
        kept = answered_question(blocks, label) if answered else [b for b in blocks if b.get("type") != "actions"]
        try:
            await self.client.chat_update(channel=channel, ts=message["ts"], text=message.get("text") or " ", blocks=kept)
        except SlackApiError as error:
            log.info("Slack: message %s not updated: %s", message.get("ts"), error.response.get("error"))

    @asynccontextmanager
    async def _one_at_a_time(self, user: str) -> AsyncIterator[None]:
        """One learner's events in arrival order; different learners concurrently."""
        lock = self._user_locks.setdefault(user, asyncio.Lock())
        self._lock_users[user] += 1
        try:
            async with lock:
                yield
        finally:
            self._lock_users[user] -= 1
            if not self._lock_users[user]:
                del self._lock_users[user], self._user_locks[user]

    def _channel_limiter(self, channel: str) -> AsyncLimiter:
        limiter = self._channel_limiters.get(channel)
        if limiter is None:
            if len(self._channel_limiters) > REMEMBERED:
                self._channel_limiters.clear()  # idle buckets are full again anyway
            limiter = self._channel_limiters[channel] = AsyncLimiter(self._channel_burst, self._channel_period)
        return limiter
