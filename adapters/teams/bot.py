"""The Teams bot: activities from the Bot Connector in, core events to the core, its replies out
as Adaptive Cards in the learner's personal chat.

Why the Teams SDK (microsoft-teams-apps), not the Microsoft 365 Agents SDK: it is Microsoft's
maintained SDK for Teams bots (the successor of the retired Bot Framework SDK for Teams), and
everything it does can be pointed at a Bot Connector on 127.0.0.1 through public configuration,
so the wire tests run the code production runs: inbound JWT validation reads the OpenID metadata
URL of its `CloudEnvironment` (`with_overrides(PUBLIC, openid_metadata_url=...)`; issuer
https://api.botframework.com, audience = the app id, the `serviceurl` claim); outbound calls go
to each conversation's service URL through its httpx `Client`, whose middleware (`Client.use`)
retries what Teams throttles (adapters/teams/patience.py); the outbound token comes from any
token provider (adapters/teams/tokens.py: MSAL insists on https and on asking
login.microsoftonline.com about unknown hosts); and its `HttpServerAdapter` lets /api/messages
live on our FastAPI app (adapters/teams/http.py). The Agents SDK builds its JWKS addresses from
the token's issuer with fixed Microsoft hosts. The SDK loads a .env file from the working folder
when imported (`load_dotenv`); every setting this bot uses is passed explicitly.

A request's way in: the SDK refuses what is not signed by the Bot Connector (401, nothing acted
on); an accepted activity is journaled (adapters/inbox.py) and the request answered at once,
then processed in its learner's lane (one learner's activities in order, different learners at
once). Every conversation an activity came from is kept (bot/store/teams_conversations.py), so
a nudge or an announcement can be sent from any `serve` process.

A press on a card's button comes back as a message whose `value` is the button's data; once the
core has recorded it, the card is updated to show what was chosen without buttons, so a check
cannot be answered twice (an update is one more operation in the conversation's budget:
patience.py waits for it like for any other)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from microsoft_teams.api.activities.message import MessageActivityInput
from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
from microsoft_teams.apps import App
from microsoft_teams.apps.routing.activity_context import ActivityContext
from microsoft_teams.common.http.client import Client, ClientOptions

from adapters.inbox import Entry, Inbox, JournalUnavailable, Outcome
from adapters.journal_lanes import REDELIVER_EVERY, JournalLanes
from adapters.teams.cards import ACTION, ANSWER, CHOICES, PictureLinks, answered, render
from adapters.teams.http import RouterAdapter
from adapters.teams.pacing import Pacer
from adapters.teams.patience import Patience
from adapters.teams.tokens import ClientCredentialsToken
from bot import commands, i18n, texts
from bot.core import Core
from bot.events import Answer, ButtonPressed, Command, Event, LearnerRef, Start
from bot.i18n import N_
from bot.ports import StoreUnavailable, TeamsConversations
from bot.records import ConversationReference
from bot.replies import Announcement, Reply, Text
from bot.teams_settings import TeamsSettings
from bot.vocabulary import Platform

log = logging.getLogger(__name__)

PLATFORM = Platform.TEAMS
BOT_SCOPE = PUBLIC.bot_scope  # the Bot Connector's: https://api.botframework.com/.default
SORRY = N_("Sorry, something went wrong on my side. Your progress is safe: type **next** to continue where you are.")
TELL_AGAIN_AFTER = 600.0  # seconds: one "kept" note per learner per outage, not one per press
REMEMBERED = 10_000
_MENTION = re.compile(r"<at>.*?</at>", re.DOTALL)
Settled = Callable[[str, Outcome], None]


class NoConversation(Exception):
    """The bot was never in a conversation with this learner (Teams lets a bot start none)."""


class TeamsBot:
    def __init__(
        self,
        *,
        core: Core,
        settings: TeamsSettings,
        conversations: TeamsConversations,
        inbox: Inbox | None = None,
        patience: Patience | None = None,
        token_client: httpx.AsyncClient | None = None,
        concurrency: int = 16,
        on_settled: Settled | None = None,
        pictures: PictureLinks | None = None,
    ) -> None:
        """`pictures`: a lesson picture's public address, which Teams' clients fetch (adapters/media.py);
        without one, pictures are said in words."""
        self._core, self._settings, self._conversations = core, settings, conversations
        self._pictures = pictures
        self._inbox = inbox or Inbox(None)
        self.patience = patience or Patience(pacer=Pacer())
        self._journal = JournalLanes(inbox=self._inbox, platform=PLATFORM, settle=self._settle, concurrency=concurrency, name="Teams")
        self._on_settled = on_settled
        self._senders: dict[str, asyncio.Lock] = {}  # conversation -> one send at a time, in order
        self._kept: dict[str, ConversationReference] = {}  # references written by this process (written again when changed)
        self._told: dict[str, float] = {}  # user -> when last told their activity was kept
        cloud = with_overrides(PUBLIC, login_endpoint=settings.login_url, openid_metadata_url=settings.openid_metadata_url)
        self.tokens = ClientCredentialsToken(
            login_url=cloud.login_endpoint,
            app_id=settings.app_id,
            app_password=settings.app_password,
            tenant_id=settings.tenant_id,
            client=token_client,
        )
        client = Client(ClientOptions(timeout=30.0))
        client.use(self.patience)
        self.adapter = RouterAdapter()
        self.app = App(
            client_id=settings.app_id,
            tenant_id=settings.tenant_id,
            token=self.tokens,
            client=client,
            cloud=cloud,
            service_url=settings.service_url,
            http_server_adapter=self.adapter,
            dangerously_allow_unauthenticated_requests=False,
            state=False,
            fetch_user_token=False,
        )
        self.app.on_activity(self._accept)

    async def start(self) -> None:
        """Set up the SDK (JWT validation, the /api/messages route on `self.adapter.router`):
        before the router is included in the web app."""
        await self.app.initialize()

    async def reachable(self) -> None:
        """For /healthz: the token endpoint gives this app a token (kept until near its expiry)."""
        await self.tokens(BOT_SCOPE)

    # --- lifecycle ------------------------------------------------------------------------------
    async def redeliver(self, stopping: asyncio.Event, every: float = REDELIVER_EVERY) -> None:
        """Until `stopping`: process journaled activities again that were not recorded."""
        await self._journal.redeliver(stopping, every)

    async def join(self) -> None:
        """Until every activity accepted so far is processed."""
        await self._journal.join()

    async def close(self, grace: float = 10.0) -> None:
        await self._journal.stop(grace)
        await self.tokens.aclose()

    # --- the front door: the SDK has verified the token -----------------------------------------
    async def _accept(self, ctx: ActivityContext[Any]) -> None:
        activity = ctx.activity.model_dump(mode="json", by_alias=True, exclude_none=True)
        user = str((activity.get("from") or {}).get("id") or "")
        key = str(activity.get("id") or "")
        if not user or not key:
            return
        try:
            entry = await self._inbox.keep(platform=PLATFORM, key=key, conversation=user, payload=activity)
        except JournalUnavailable as error:
            log.error("Teams: %s", error)
            raise  # the SDK answers 500: the Bot Connector delivers it again
        if entry is None:
            log.info("Teams activity %s came again: ignored", key)
        else:
            self._journal.put(entry)

    # --- the worker (adapters/journal_lanes.py calls it, each learner's in order) -------------------

    async def _settle(self, entry: Entry) -> Outcome:
        activity = entry.payload
        try:
            await self._process(activity, taken_over=entry.taken_over)
            outcome = Outcome.DONE
        except StoreUnavailable as error:
            log.warning("Teams activity %s waits for the database: %s", entry.key, type(error).__name__)
            outcome = Outcome.LATER
            await self._tell_kept(_reference(activity), self._said(activity, texts.KEPT))
        except Exception as error:
            log.error("Teams activity %s failed: %s", entry.key, type(error).__name__, exc_info=error)
            outcome = Outcome.FAILED
            with contextlib.suppress(Exception):
                await self._send(_reference(activity), [Text(self._said(activity, SORRY))])
        await self._inbox.settle(entry, outcome)
        if self._on_settled is not None:
            self._on_settled(entry.key, outcome)
        return outcome

    def _said(self, activity: dict[str, Any], text: str) -> str:
        """What the adapter says itself (no learner to read: the database may be away), in the
        language of the person's Teams client; English when it does not say."""
        locale = activity.get("locale")
        return self._core.translators.of(i18n.supported(locale if isinstance(locale, str) else None)).gettext(text)

    async def _tell_kept(self, reference: ConversationReference, said: str) -> None:
        """Once per learner per outage: what they did is kept and will count."""
        user = reference.user_id or ""
        if not user or time.monotonic() - self._told.get(user, -TELL_AGAIN_AFTER) < TELL_AGAIN_AFTER:
            return
        self._told[user] = time.monotonic()
        if len(self._told) > REMEMBERED:
            self._told.clear()
        try:
            await self._send(reference, [Text(said)])
        except Exception as error:  # telling is a courtesy; the activity itself is kept
            log.error("Teams: could not tell a learner their activity is kept: %s", type(error).__name__)

    async def _process(self, activity: dict[str, Any], *, taken_over: bool) -> None:
        reference = _reference(activity)
        if self._kept.get(reference.conversation_id) != reference:
            await self._conversations.keep(reference)
            if len(self._kept) > REMEMBERED:
                self._kept.clear()
            self._kept[reference.conversation_id] = reference
        kind = activity.get("type")
        if reference.kind != "personal":
            if reference.kind == "channel" and kind == "conversationUpdate" and _bot_added(activity):
                log.warning(
                    "Teams: added to a team; its channel's conversation id is %s (TEAMS_ANNOUNCE_CONVERSATION)", reference.conversation_id
                )
            return  # lessons happen in personal chats only: nothing from a channel or group chat reaches the core
        learner = _learner(activity)
        source = str(activity["id"])
        handle = self._core.handle_taken_over if taken_over else self._core.handle
        if kind == "conversationUpdate":
            if _bot_added(activity):  # the app installed in a personal chat: the greeting
                await self._send(reference, await handle(Start(learner=learner, source_id=source, timezone=_timezone(activity))))
            return
        if kind != "message":
            return
        value = activity.get("value")
        if isinstance(value, dict) and (ACTION in value or ANSWER in value):
            await self._pressed(reference, learner, source, activity, value, handle)
            return
        text = _MENTION.sub("", str(activity.get("text") or "")).strip()
        command, name, args = commands.read(text, PLATFORM)
        if command is None and text.startswith("/"):
            event: Event = Command(learner=learner, source_id=source, name=name.lower()[:64], args=args)
        else:
            event = commands.event_for(command or commands.START, learner, source, args, timezone=_timezone(activity))
        await self._send(reference, await handle(event))

    async def _pressed(
        self,
        reference: ConversationReference,
        learner: LearnerRef,
        source: str,
        activity: dict[str, Any],
        value: dict[str, Any],
        handle: Any,
    ) -> None:
        heading = str(value.get("heading") or "")
        if ANSWER in value:
            chosen = _choices(value.get(CHOICES))
            event: Event = Answer(learner=learner, source_id=source, ref=str(value[ANSWER]), choices=chosen)
            given = value.get("options")
            options: list[Any] = given if isinstance(given, list) else []
            label = "; ".join(str(options[i]) if i < len(options) else str(i + 1) for i in chosen) or "nothing ticked"
        else:
            event = ButtonPressed(learner=learner, source_id=source, action=str(value[ACTION]))
            label = str(value.get("label") or "")
        replies: list[Reply] = await handle(event)
        card_id = activity.get("replyToId")
        if isinstance(card_id, str) and card_id:  # recorded: now the card shows the choice, nothing to press
            await self._update(reference, card_id, answered(heading, label))
        await self._send(reference, replies)

    # --- outbound -------------------------------------------------------------------------------
    async def send_to_user(self, user: str, replies: list[Reply]) -> None:
        """Replies the bot starts (a nudge) in the learner's personal chat, from any process."""
        reference = await self._conversations.personal(user)
        if reference is None:
            raise NoConversation(f"no personal chat with Teams user {user!r} is known")
        await self._send(reference, replies)

    async def _send(self, reference: ConversationReference, replies: list[Reply]) -> None:
        """Post replies in order; announcements go to TEAMS_ANNOUNCE_CONVERSATION (if set)."""
        mine = [reply for reply in replies if not isinstance(reply, Announcement)]
        async with self._sender(reference.conversation_id):
            for reply in mine:
                await self._post(reference, render(reply, self._pictures))
        team = self._settings.announce_conversation
        announcements = [reply for reply in replies if isinstance(reply, Announcement)]
        if team is not None and announcements:
            channel = await self._conversations.find(team)
            target = channel or ConversationReference(team, reference.service_url, "channel")
            async with self._sender(team):
                for announcement in announcements:
                    await self._post(target, render(announcement))

    def _sender(self, conversation: str) -> asyncio.Lock:
        if len(self._senders) > 10_000:
            self._senders = {key: lock for key, lock in self._senders.items() if lock.locked()}
        return self._senders.setdefault(conversation, asyncio.Lock())

    async def _post(self, reference: ConversationReference, activity: dict[str, Any]) -> None:
        api = self.app.api.from_service_url(reference.service_url)
        await api.conversations.create_activity(reference.conversation_id, _message(activity))

    async def _update(self, reference: ConversationReference, activity_id: str, activity: dict[str, Any]) -> None:
        api = self.app.api.from_service_url(reference.service_url)
        try:
            await api.conversations.update_activity(reference.conversation_id, activity_id, _message(activity))
        except httpx.HTTPStatusError as error:  # the answer is recorded; only the old buttons stay
            log.error("Teams: the buttons of a pressed card (%s) are still there: %s", activity_id, error.response.status_code)


def _message(activity: dict[str, Any]) -> MessageActivityInput:
    """The SDK's model of a rendered activity (cards.py builds them as JSON, as Teams documents them)."""
    return MessageActivityInput.model_validate(activity)


def _reference(activity: dict[str, Any]) -> ConversationReference:
    conversation = activity.get("conversation") or {}
    kind = str(conversation.get("conversationType") or "personal")
    tenant = conversation.get("tenantId") or ((activity.get("channelData") or {}).get("tenant") or {}).get("id")
    user = str((activity.get("from") or {}).get("id") or "") if kind == "personal" else None
    return ConversationReference(
        conversation_id=str(conversation.get("id") or ""),
        service_url=str(activity.get("serviceUrl") or "").rstrip("/"),
        kind=kind,
        user_id=user,
        tenant_id=str(tenant) if tenant else None,
    )


def _learner(activity: dict[str, Any]) -> LearnerRef:
    sender = activity.get("from") or {}
    locale = activity.get("locale")
    return LearnerRef(
        platform=PLATFORM,
        user_id=str(sender.get("id")),
        display_name=str(sender.get("name") or ""),
        timezone=_timezone(activity),
        language=str(locale) if isinstance(locale, str) and locale else None,
    )


def _timezone(activity: dict[str, Any]) -> str | None:
    """The IANA zone Teams' client says it is in (`localTimezone`, or the clientInfo entity)."""
    zone = activity.get("localTimezone")
    if not zone:
        info = next((e for e in activity.get("entities") or [] if isinstance(e, dict) and e.get("type") == "clientInfo"), {})
        zone = info.get("timezone")
    if not isinstance(zone, str) or not 0 < len(zone) <= 64:
        return None
    try:
        ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        return None
    return zone


def _bot_added(activity: dict[str, Any]) -> bool:
    bot = (activity.get("recipient") or {}).get("id")
    return any(isinstance(m, dict) and m.get("id") == bot for m in activity.get("membersAdded") or [])


def _choices(raw: object) -> tuple[int, ...]:
    """The ticks of an Input.ChoiceSet: Teams sends the chosen values joined by commas."""
    parts = str(raw or "").split(",")
    return tuple(sorted({int(p) for p in parts if p.strip().isdigit() and len(p.strip()) < 4}))


__all__ = ["PLATFORM", "SORRY", "NoConversation", "TeamsBot"]
