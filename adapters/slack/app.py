"""The Slack app: Events API, interactivity and `/learn` in, core events to the core, its
replies out as Block Kit messages in the learner's DM.

A request's way in: adapters/slack/http.py refuses what is not signed by Slack (401) or cannot
be read (4xx); bolt verifies the signature again; the front door (`_accept`) journals the
delivery (adapters/inbox.py) and acknowledges it (Slack wants an answer within 3 seconds):
no Web API call and no database work happen before the ack. The delivery then waits in its
learner's lane (adapters/lanes.py: one learner's in arrival order, different learners at
once) until a worker processes the verified payload and marks it done. A delivery the database
could not take stays in the journal and is processed again when it is back.

Slack's limits are kept: the Web API client waits out every 429 (adapters/slack/webapi.py);
posting is paced per channel; the message a learner clicked is updated through the
interaction's response_url, which spends no chat.update (Tier 3); profiles are read once and
kept (adapters/slack/profiles.py); posting to a user id opens their DM (no conversations.open);
the App Home is published only when what it shows changed; Do Not Disturb is asked for many
learners at once (adapters/slack/dnd.py)."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiolimiter import AsyncLimiter
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.inbox import Entry, Inbox, JournalUnavailable, Outcome
from adapters.journal_lanes import REDELIVER_EVERY, JournalLanes
from adapters.slack import team_sync, webapi
from adapters.slack.dnd import DoNotDisturb
from adapters.slack.inbound import POINTER, Delivery, Malformed, command_ack, delivery_of
from adapters.slack.profiles import PLATFORM, Profiles, SlackPerson
from adapters.slack.render import MAX_BLOCKS, SUBMIT_ACTION, PictureLinks, answered_question, chat_messages, home_view, render
from bot import actions, commands, i18n, texts
from bot.clock import Clock, SystemClock
from bot.core import Core
from bot.events import Answer, ButtonPressed, Command, Event, LearnerRef, TeamFromChannel
from bot.i18n import N_
from bot.nudges import NotNow
from bot.platform_settings import SlackSettings
from bot.ports import Store, StoreUnavailable
from bot.replies import Announcement, Feedback, Reply, Text

log = logging.getLogger(__name__)

__all__ = ["PLATFORM", "SORRY", "SlackBot", "SlackPerson", "SlackSettings", "web_client"]

SORRY = N_("Sorry, something went wrong on my side. Your progress is safe: `/learn next` continues where you are.")
TELL_AGAIN_AFTER = 600.0  # seconds: one "kept" note per learner per outage, not one per press
REMEMBERED = 10_000
SLACKBOT = "USLACKBOT"  # Slack's own helper: in some channels, never a person
LOOKUPS = 8  # users.info calls at once when reading a channel's members
VERIFIED_BODY = "microbadge_verified_body"  # request context: the body as http.py read it
Settled = Callable[[Delivery, Outcome], None]
# Set while a delivery taken over from the journal is processed: a process that died may have
# recorded it without sending its replies (Core.handle_taken_over gives them again).
_TAKEN_OVER: contextvars.ContextVar[bool] = contextvars.ContextVar("slack_taken_over", default=False)


def web_client(settings: SlackSettings, *, session: aiohttp.ClientSession | None = None) -> webapi.PatientWebClient:
    """The Web API client (adapters/slack/webapi.py): 429s waited out, 5xx and connection errors
    retried. Give it a `session` to keep connections (and TLS) alive between calls."""
    return webapi.web_client(settings.bot_token, base_url=settings.api_url, session=session)


class _FrontDoor(AsyncMiddleware):
    """Runs after bolt's signature check and before its authorization (which would call
    auth.test): every request the bot handles is answered here."""

    def __init__(self, accept: Callable[[AsyncBoltRequest, Callable[[], Awaitable[BoltResponse]]], Awaitable[BoltResponse]]) -> None:
        self._accept = accept

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:  # `next`: bolt's name
        return await self._accept(req, next)


class SlackBot:
    def __init__(
        self,
        *,
        core: Core,
        store: Store,
        settings: SlackSettings,
        client: AsyncWebClient | None = None,
        clock: Clock | None = None,
        inbox: Inbox | None = None,
        channel_burst: int = 3,
        channel_period: float = 3.3,
        member_page_size: int = team_sync.PAGE_SIZE,
        concurrency: int = 16,
        on_settled: Settled | None = None,
        pictures: PictureLinks | None = None,
    ) -> None:
        """`pictures`: a lesson picture's public address (adapters/media.py MediaLinks.url), for
        Slack to fetch; without it pictures are said in words."""
        self._core = core
        self._pictures = pictures
        self._settings = settings
        self.client = client or web_client(settings)
        self._inbox = inbox or Inbox(None)  # in memory: nothing to take over after a restart
        self._profiles = Profiles(store=store, client=self.client, clock=clock or SystemClock())
        self._dnd = DoNotDisturb(self.client)
        self._journal = JournalLanes(inbox=self._inbox, platform=PLATFORM, settle=self._settle, concurrency=concurrency, name="Slack")
        self._on_settled = on_settled
        self._told: dict[str, float] = {}  # user -> when last told their delivery was kept
        self._bot_user_id: str | None = None
        self._homes: dict[str, asyncio.Task[None]] = {}  # App Homes being published in the background
        self._member_page_size = member_page_size
        # Slack asks for about one message a second per channel, allowing short bursts.
        self._channel_burst, self._channel_period = channel_burst, channel_period
        self._channel_limiters: dict[str, AsyncLimiter] = {}
        self.app = AsyncApp(
            client=self.client, signing_secret=settings.signing_secret, name="microbadge", before_authorize=_FrontDoor(self._accept)
        )
        self.app.error(self._on_error)

    # --- lifecycle ------------------------------------------------------------------------------
    async def redeliver(self, stopping: asyncio.Event, every: float = REDELIVER_EVERY) -> None:
        """Until `stopping`: process journaled deliveries again that were not recorded (the
        database was away, or the process that had them died)."""
        await self._journal.redeliver(stopping, every)

    async def join(self) -> None:
        """Until every delivery accepted so far is processed (App Homes published too)."""
        while True:
            await self._journal.join()
            if not self._homes:
                return
            await asyncio.gather(*self._homes.values(), return_exceptions=True)

    async def close(self, grace: float = 10.0) -> None:
        """Stop: what is in work gets `grace` seconds to finish; what is not processed then
        stays in the journal (taken over at the next start)."""
        await self._journal.stop(grace)
        homes = list(self._homes.values())
        for task in homes:
            task.cancel()
        await asyncio.gather(*homes, return_exceptions=True)
        await self._profiles.close()

    # --- the front door -------------------------------------------------------------------------
    async def _accept(self, req: AsyncBoltRequest, next_: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        """Journal, acknowledge, queue: nothing slow, no Web API call, no database."""
        body = req.context.get(VERIFIED_BODY, req.body)  # http.py's strict reading, when it came by HTTP
        if not isinstance(body, dict) or body.get("type") == "url_verification":
            return await next_()
        try:
            delivery = delivery_of(body)
        except Malformed as problem:
            log.warning("Slack: refused a signed request: %s", problem)
            return BoltResponse(status=problem.status, body="")
        if delivery is not None:
            try:
                entry = await self._inbox.keep(platform=PLATFORM, key=delivery.key, conversation=delivery.user, payload=delivery.payload())
            except JournalUnavailable as error:
                log.error("Slack: %s", error)
                return BoltResponse(status=503, body="")  # Slack delivers it again
            if entry is None:
                log.info("Slack delivery %s came again: ignored", delivery.key)
            else:
                self._journal.put(entry)
        return BoltResponse(status=200, body=command_ack(body) or "")

    async def _on_error(self, error: Exception) -> None:
        """An error before the front door answered (never from a request that failed the
        signature check: http.py refuses those first). Only logged: no Web API call."""
        log.error("Slack: a request could not be handled: %s", type(error).__name__, exc_info=error)

    # --- the worker (adapters/journal_lanes.py calls it, each learner's in order) -------------------
    async def _settle(self, entry: Entry) -> Outcome:
        delivery = Delivery.from_payload(entry.payload)
        token = _TAKEN_OVER.set(entry.taken_over)
        try:
            outcome = await self._process(delivery)
        finally:
            _TAKEN_OVER.reset(token)
        await self._inbox.settle(entry, outcome)
        self._profiles.replied(delivery.user)
        if self._on_settled is not None:
            self._on_settled(delivery, outcome)
        return outcome

    async def _process(self, delivery: Delivery) -> Outcome:
        """DONE, LATER (the database is away: kept, processed again) or FAILED (logged)."""
        try:
            handle = {"message": self._on_message, "home": self._on_home, "action": self._on_action, "command": self._on_command}[
                delivery.kind
            ]
            await handle(delivery)
            return Outcome.DONE
        except Exception as error:
            if isinstance(error, StoreUnavailable):
                log.warning("Slack delivery %s waits for the database: %s", delivery.key, type(error).__name__)
                await self._tell_kept(delivery.user)
                return Outcome.LATER
            log.error("Slack delivery %s failed: %s", delivery.key, type(error).__name__, exc_info=error)
            await self._tell(delivery.user, SORRY)
            return Outcome.FAILED

    async def _tell_kept(self, user: str) -> None:
        if time.monotonic() - self._told.get(user, -TELL_AGAIN_AFTER) < TELL_AGAIN_AFTER:
            return
        self._told[user] = time.monotonic()
        if len(self._told) > REMEMBERED:
            self._told.clear()
        await self._tell(user, texts.KEPT)

    async def _tell(self, user: str, text: str) -> None:
        """What the app says itself, in the user's Slack language where this process knows it."""
        said = self._core.translators.of(i18n.supported(self._profiles.language(user))).gettext(text)
        try:
            await self.send(user, [Text(said)])
        except Exception as error:  # telling is a courtesy; the failure itself is logged already
            log.error("Slack: could not tell a learner: %s", type(error).__name__)

    # --- what learners do -----------------------------------------------------------------------
    async def _on_message(self, delivery: Delivery) -> None:
        event = delivery.body["event"]
        text = (event.get("text") or "").strip()
        learner = await self._profiles.learner(delivery.user)
        command, _, args = commands.read(text, PLATFORM)
        if command is commands.TEAM_SYNC:
            await self._team_sync(learner, delivery.key, args, typed_in=str(event.get("channel") or ""))
            return
        if command is None:  # a greeting, or anything else: welcome (back), and the next step
            command = commands.START
        await self._turn(commands.event_for(command, learner, delivery.key, args, timezone=learner.timezone))

    async def _on_home(self, delivery: Delivery) -> None:
        # Slack sends the home it shows; none: nothing was ever published (or it is gone).
        await self._publish_home(delivery.user, shown=delivery.body["event"].get("view"))

    async def _on_action(self, delivery: Delivery) -> None:
        body, user = delivery.body, delivery.user
        action = body["actions"][0]
        learner = await self._profiles.learner(user)
        event: Event
        if SUBMIT_ACTION.match(action["action_id"]):  # a multiple-answer check: the ticks are in the state
            chosen = sorted(set(_ticked(body)))
            event = Answer(learner=learner, source_id=delivery.key, ref=action.get("value", ""), choices=tuple(chosen))
            label, answered = ", ".join(str(i + 1) for i in chosen) or "nothing ticked", True
        else:
            value = action.get("value", "")
            event = ButtonPressed(learner=learner, source_id=delivery.key, action=value)
            label = str((action.get("text") or {}).get("text", ""))
            answered = isinstance(actions.parse(value), actions.ChooseOption)
        container = body.get("container") or {}
        message = body.get("message")
        closing = None
        if isinstance(message, dict) and container.get("type") == "message":
            closing = functools.partial(self._close_buttons, body, message, label, answered=answered)
        await self._turn(event, closing)
        if container.get("type") == "view":
            self._publish_home_later(user)  # the home shows the new next step

    async def _on_command(self, delivery: Delivery) -> None:
        """`/learn <command>` (bot/commands.py; nothing: next). The answer always goes to the
        learner's DM with the app: in a channel, nobody else sees a lesson or an answer."""
        body, user = delivery.body, delivery.user
        typed_in = str(body.get("channel_id") or "")
        command, name, args = commands.read(str(body.get("text") or "").strip() or commands.NEXT.name, PLATFORM)
        learner = await self._profiles.learner(user)
        if command is commands.TEAM_SYNC:
            answered_in = await self._team_sync(learner, delivery.key, args, typed_in=typed_in)
        elif command is None:  # the core says it does not know it, and what it does know
            answered_in = await self._turn(Command(learner=learner, source_id=delivery.key, name=name.lower()[:64], args=args))
        else:
            answered_in = await self._turn(commands.event_for(command, learner, delivery.key, args, timezone=learner.timezone))
        if typed_in.startswith("D") and answered_in is not None and answered_in != typed_in:
            await self._point_to_dm(body)  # typed in a DM with someone else: say where the answer is

    async def _team_sync(self, learner: LearnerRef, source: str, args: str, *, typed_in: str) -> str | None:
        """`/learn team sync #channel [@manager] [role ROLE]`: the core says who may (and knows the
        job roles); the members are read only then, people only (no bots), and the core writes the
        team in one transaction."""
        if not await self._core.may_set_teams(learner):
            return await self.send(learner.user_id, [Text(texts.ADMINS_ONLY)])
        try:
            request = team_sync.parse(args, typed_in)
            manager = await self._profiles.person(request.manager_id) if request.manager_id else None
            if manager is not None and not manager.is_person:
                raise team_sync.SyncProblem("A bot or an app cannot manage a team: name a person.")
            channel = await team_sync.read_channel(self.client, request.channel_id, self._member_page_size)
        except team_sync.SyncProblem as problem:
            return await self.send(learner.user_id, [Text(str(problem))])
        lookups = asyncio.Semaphore(LOOKUPS)

        async def looked_up(user: str) -> SlackPerson:
            async with lookups:
                return await self._profiles.person(user)

        bot_user = await self._bot_user()
        candidates = [user for user in channel.member_ids if user not in (bot_user, SLACKBOT)]
        people = [p for p in await asyncio.gather(*map(looked_up, candidates)) if p.is_person]
        event = TeamFromChannel(
            learner=learner,
            source_id=source,
            team_name=f"#{channel.name}",
            members=tuple(p.ref for p in people),
            manager=manager.ref if manager is not None else None,
            job_role=request.job_role,
        )
        return await self._turn(event)

    async def _turn(self, event: Event, closing: Callable[[Feedback | None], Awaitable[bool]] | None = None) -> str | None:
        """The core handles the event; then the replies go out, and `closing` (taking the
        buttons off the pressed message) runs alongside: only once the core has recorded the
        press, so a message never shows an answer that was not recorded. An answer's feedback
        goes into that update of the answered question where it fits, first, so it reads before
        what follows (an update is not a post: the channel's pace does not apply to it). The
        DM's channel id (as Slack named it) is returned."""
        user = event.learner.user_id
        replies = await (self._core.handle_taken_over if _TAKEN_OVER.get() else self._core.handle)(event)
        await self._profiles.kept(user)
        if closing is None:
            return await self.send(user, replies)
        if replies and isinstance(replies[0], Feedback):
            shown = await closing(replies[0])
            return await self.send(user, replies[1:] if shown else replies)
        _, answered_in = await asyncio.gather(closing(None), self.send(user, replies))
        return answered_in

    # --- outbound -------------------------------------------------------------------------------
    async def send(self, to: str, replies: list[Reply]) -> str | None:
        """Post replies in order to `to` (a user id: their DM with the app, which Slack opens;
        or a channel); announcements go to SLACK_ANNOUNCE_CHANNEL (if set). Returns the channel Slack
        posted the first of them in. A message that cannot be delivered is logged at ERROR."""
        answered_in = None
        # As few messages as read the same (render.chat_messages): a DM takes about one a second.
        for message in chat_messages([reply for reply in replies if not isinstance(reply, Announcement)], self._pictures):
            channel = await self._post(to, message.text, message.blocks)
            answered_in = answered_in or channel
        team = self._settings.announce_channel
        if team is not None:
            for announcement in (reply for reply in replies if isinstance(reply, Announcement)):
                for message in render(announcement):
                    await self._post(team, message.text, message.blocks)
        return answered_in

    async def _post(self, target: str, text: str, blocks: list[dict[str, Any]]) -> str | None:
        async with self._channel_limiter(target):
            try:
                # No previews: a message can carry a dashboard sign-in link, which a preview would fetch.
                posted = await self.client.chat_postMessage(
                    channel=target, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
                )
            except SlackApiError as error:
                log.error("Slack: a message to %s could not be delivered: %s", target, error.response.get("error"))
                return None
            except (TimeoutError, aiohttp.ClientError) as error:
                log.error("Slack: a message to %s could not be delivered: %s", target, type(error).__name__)
                return None
        channel = posted.get("channel")
        return channel if isinstance(channel, str) else None

    async def send_to_user(self, user: str, replies: list[Reply]) -> None:
        """Replies the bot starts (a nudge), in the learner's DM with the app; never while the
        learner has Do Not Disturb on (then NotNow says until when)."""
        until = await self._dnd.until(user)
        if until is not None:
            raise NotNow(until)
        await self.send(user, replies)

    def _publish_home_later(self, user: str) -> None:
        """After a press in the App Home: publish it again in the background, so the learner's
        next step does not wait for views.publish (Tier 4) when many press at once."""
        if user in self._homes:
            return  # one at a time per learner; the one in work reads the newest state
        task = asyncio.get_running_loop().create_task(self._publish_home_quietly(user))
        self._homes[user] = task
        task.add_done_callback(lambda _: self._homes.pop(user, None))

    async def _publish_home_quietly(self, user: str) -> None:
        gates = getattr(self.client, "gates", None)
        if isinstance(gates, webapi.RateLimitGates) and gates.limited("views.publish"):
            return  # busy: the tab is published when next opened (its digest is still the old one)
        try:
            await self._publish_home(user, shown=True)
        except Exception as error:  # the next opening of the tab publishes it
            log.warning("Slack: the App Home could not be published: %s", type(error).__name__)

    async def _publish_home(self, user: str, *, shown: object) -> None:
        """The learner's App Home, published only when it differs from the last one published."""
        learner = await self._profiles.learner(user)
        home = await self._core.home(learner)
        await self._profiles.kept(user)
        view = home_view(list(home.sections), home.buttons, home.title)
        digest = hashlib.sha256(json.dumps(view, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        if shown is not None and digest == await self._profiles.home_digest(user):
            return
        await self.client.views_publish(user_id=user, view=view)
        await self._profiles.keep_home(user, digest)

    async def _close_buttons(
        self, body: dict[str, Any], message: dict[str, Any], label: str, feedback: Feedback | None, *, answered: bool
    ) -> bool:
        """Update the pressed message so the same check (or button) cannot be pressed twice:
        through the interaction's response_url (no chat.update spent), or chat.update when that
        cannot be used (used up, expired: a delivery processed late). An answered question also
        shows the answer's `feedback` under it where it fits; whether it does is returned."""
        blocks = message.get("blocks") or []
        words = feedback.words if feedback is not None else None  # the learner's language, as the core chose it
        kept = answered_question(blocks, label, words) if answered else [b for b in blocks if b.get("type") != "actions"]
        rendered = render(feedback) if answered and feedback is not None else []
        with_feedback = len(rendered) == 1 and len(kept) + len(rendered[0].blocks) <= MAX_BLOCKS
        if with_feedback:
            kept = [*kept, *rendered[0].blocks]
        text = message.get("text") or " "
        url = body.get("response_url")
        if isinstance(url, str) and url:
            try:
                status, answer = await webapi.respond(
                    url, {"replace_original": True, "text": text, "blocks": kept}, session=self.client.session
                )
                if status == 200:
                    return with_feedback
                log.info("Slack: a response_url answered %s %r; the message is updated with chat.update", status, answer[:40])
            except (TimeoutError, aiohttp.ClientError) as error:
                log.info("Slack: a response_url failed (%s); the message is updated with chat.update", type(error).__name__)
        channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
        ts = message.get("ts")
        if not isinstance(channel, str) or not isinstance(ts, str):  # Slack names both for a message's buttons
            log.error("Slack: the buttons of a pressed message (%s) are still there: its channel or ts is missing", ts)
            return False
        try:
            await self.client.chat_update(channel=channel, ts=ts, text=text, blocks=kept)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as error:
            reason = error.response.get("error") if isinstance(error, SlackApiError) else type(error).__name__
            log.error("Slack: the buttons of a pressed message (%s) are still there: %s", ts, reason)
            return False
        return with_feedback

    async def _point_to_dm(self, body: dict[str, Any]) -> None:
        url = body.get("response_url")
        if not isinstance(url, str) or not url:
            return
        try:
            await webapi.respond(url, {"response_type": "ephemeral", "text": POINTER}, session=self.client.session)
        except (TimeoutError, aiohttp.ClientError) as error:
            log.info("Slack: could not say where the answer is: %s", type(error).__name__)

    async def _bot_user(self) -> str | None:
        """The app's own user id (asked once per process)."""
        if self._bot_user_id is None:
            try:
                self._bot_user_id = (await self.client.auth_test()).get("user_id")
            except SlackApiError as error:
                log.warning("Slack auth.test failed: %s", error.response.get("error"))
        return self._bot_user_id

    def _channel_limiter(self, channel: str) -> AsyncLimiter:
        limiter = self._channel_limiters.get(channel)
        if limiter is None:
            if len(self._channel_limiters) > REMEMBERED:
                self._channel_limiters.clear()  # idle buckets are full again anyway
            limiter = self._channel_limiters[channel] = AsyncLimiter(self._channel_burst, self._channel_period)
        return limiter


def _ticked(body: dict[str, Any]) -> list[int]:
    """The options ticked in a message's checkboxes, from the payload's state."""
    values = (body.get("state") or {}).get("values") or {}
    elements = [element for block in values.values() if isinstance(block, dict) for element in block.values()]
    options = [
        option
        for element in elements
        if isinstance(element, dict)
        for option in element.get("selected_options") or ()
        if isinstance(option, dict)
    ]
    ticked = [str(option.get("value", "")) for option in options]
    return [int(value) for value in ticked if value.isascii() and value.isdigit() and len(value) < 4]
