"""A fake Slack Web API server for the wire tests and the benchmarks.

It speaks real HTTP on 127.0.0.1 so the real slack_sdk AsyncWebClient (aiohttp, its JSON and
form encoding, retry handlers and error mapping) and slack_bolt are exercised end to end.
Answers have Slack's shapes: API errors are HTTP 200 with {"ok": false, "error": ...}, rate
limits are 429 with a Retry-After header, unknown methods are 404. Block Kit is checked for the
documented counts and string lengths only, not against the full schema.

Slack's rate limits are enforced by default, as Slack publishes them
(https://api.slack.com/apis/rate-limits): every method has its tier of requests a minute per
workspace (METHOD_TIERS), a bucket of one minute's quota that refills at that rate, so short
bursts pass and a steady excess does not; chat.postMessage allows about one message a second
per channel (a burst of CHANNEL_BURST); a response_url takes at most 5 posts within 30
minutes. Beyond a limit the answer is 429 with Retry-After (whole seconds, as Slack sends it).
A request re-sent before its Retry-After ran out is recorded in `early_retries`. Tests that
are not about limits may relax them (`set_tier`, `enforce_rate_limits`, `lift_rate_limits`).

Users are a closed world (register them with add_user: users.info, dnd.info, postEphemeral,
conversations.open and posts to a user id need them). Channels are an open world for posting
(any id is accepted; inject `error="channel_not_found"` to simulate a missing one) and a closed
one for reading: conversations.info and conversations.members know the channels registered with
add_channel, and hide a private channel the bot is not in (channel_not_found), as Slack does.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import itertools
import json
import math
import mimetypes
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from fakes.serving import serving_in_thread

JSON = dict[str, Any]

MAX_TEXT = 40_000
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
SECTION_TEXT = 3000
SECTION_FIELD_TEXT = 2000
SECTION_FIELDS = 10
HEADER_TEXT = 150
IMAGE_URL = 3000  # an image block's image_url
IMAGE_ALT_TEXT = 2000
IMAGE_TITLE = 2000
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")  # what Slack's image block shows
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
BLOCK_ID = 255
ACTIONS_ELEMENTS = 25
CONTEXT_ELEMENTS = 10
PRIVATE_METADATA = 3000
MODAL_TITLE = 24
# Fields the SDK sends as JSON text inside form or query bodies.
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "files", "metadata"})
SERVER_ERRORS = {500: "internal_error", 503: "service_unavailable", 504: "request_timeout"}
MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.update"})

# Requests a minute per method per workspace: Slack's tiers, each method's tier as its reference
# page states it. auth.test is "Special" (generous); it is given Tier 4 here.
TIER_1, TIER_2, TIER_3, TIER_4 = 1, 20, 50, 100
METHOD_TIERS: dict[str, int] = {
    "auth.test": TIER_4,
    "chat.update": TIER_3,
    "chat.delete": TIER_3,
    "chat.postEphemeral": TIER_4,
    "conversations.open": TIER_3,
    "conversations.info": TIER_3,
    "conversations.members": TIER_4,
    "users.info": TIER_4,
    "views.publish": TIER_4,
    "views.open": TIER_4,
    "views.update": TIER_4,
    "dnd.info": TIER_3,
    "dnd.teamInfo": TIER_2,
    "files.getUploadURLExternal": TIER_4,
    "files.completeUploadExternal": TIER_4,
    "apps.connections.open": TIER_1,
}
CHANNEL_PER_SECOND = 1.0  # chat.postMessage: about one message a second per channel ...
CHANNEL_BURST = 3  # ... with short bursts
RESPONSE_URL_USES = 5  # a response_url takes this many posts ...
RESPONSE_URL_LIFETIME = 30 * 60.0  # ... within this many seconds of the interaction
DND_TEAM_INFO_USERS = 50


# ---------------------------------------------------------------------------------------------
# Errors


class ApiError(Exception):
    """An error answer: Slack's {"ok": false, "error": ...} body, its HTTP status and headers."""

    def __init__(self, error: str, status: int = 200, *, retry_after: int | None = None, messages: Sequence[str] = ()) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.retry_after = retry_after
        self.messages = list(messages)

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error": self.error}
        if self.error == "invalid_blocks":
            body["errors"] = list(self.messages)  # chat.* repeat the problems unprefixed here
        if self.messages:
            body["response_metadata"] = {"messages": [f"[ERROR] {message}" for message in self.messages]}
        return body

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


def injected_error(status: int | None, retry_after: int | None, error: str | None) -> ApiError:
    """What fail_next() queues: 429 by default, HTTP 200 when only `error` is given."""
    if status is None:
        status = 200 if error else 429
    if status == 429:
        return ApiError(error or "ratelimited", 429, retry_after=retry_after)
    if status == 200:
        return ApiError(error or "fatal_error")
    return ApiError(error or SERVER_ERRORS.get(status, "fatal_error"), status)


# ---------------------------------------------------------------------------------------------
# Block Kit limits (the messages imitate Slack's json-pointer style)


def block_problems(blocks: object, pointer: str, limit: int) -> list[str]:
    """Problems with a list of blocks at `pointer` (e.g. "/blocks"), empty when valid."""
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{pointer}]"]
    problems = []
    if len(blocks) > limit:
        problems.append(f"no more than {limit} items allowed [json-pointer:{pointer}]")
    for index, block in enumerate(blocks):
        problems += _one_block_problems(block, f"{pointer}/{index}")
    return problems


def _one_block_problems(block: object, at: str) -> list[str]:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return [f"missing required field: type [json-pointer:{at}]"]
    problems = _too_long(block.get("block_id"), BLOCK_ID, f"{at}/block_id")
    kind = block["type"]
    if kind == "section":
        problems += _text_problems(block.get("text"), SECTION_TEXT, f"{at}/text")
        fields = block.get("fields") or []
        problems += _count_problem(fields, SECTION_FIELDS, f"{at}/fields")
        for index, item in enumerate(fields if isinstance(fields, list) else []):
            problems += _text_problems(item, SECTION_FIELD_TEXT, f"{at}/fields/{index}")
        if isinstance(block.get("accessory"), dict):
            problems += _element_problems(block["accessory"], f"{at}/accessory")
    elif kind == "header":
        problems += _text_problems(block.get("text"), HEADER_TEXT, f"{at}/text")
    elif kind == "image":
        problems += _image_problems(block, at)
    elif kind in ("actions", "context"):
        elements = block.get("elements") or []
        problems += _count_problem(elements, ACTIONS_ELEMENTS if kind == "actions" else CONTEXT_ELEMENTS, f"{at}/elements")
        for index, element in enumerate(elements if isinstance(elements, list) else []):
            if isinstance(element, dict):
                problems += _element_problems(element, f"{at}/elements/{index}")
    return problems


def _image_problems(block: JSON, at: str) -> list[str]:
    """Slack's image block: an image_url (at most 3000 characters) or a slack_file, a plain-text
    alt_text (at most 2000) and an optional plain-text title (at most 2000)."""
    problems = []
    if "image_url" not in block and "slack_file" not in block:
        problems.append(f"must provide either image_url or slack_file [json-pointer:{at}]")
    problems += _too_long(block.get("image_url"), IMAGE_URL, f"{at}/image_url")
    if not isinstance(block.get("alt_text"), str) or not block["alt_text"]:
        problems.append(f"missing required field: alt_text [json-pointer:{at}]")
    problems += _too_long(block.get("alt_text"), IMAGE_ALT_TEXT, f"{at}/alt_text")
    problems += _text_problems(block.get("title"), IMAGE_TITLE, f"{at}/title")
    return problems


def _element_problems(element: JSON, at: str) -> list[str]:
    problems = _too_long(element.get("action_id"), ACTION_ID, f"{at}/action_id")
    if element.get("type") == "button":
        problems += _too_long(element.get("value"), BUTTON_VALUE, f"{at}/value")
        problems += _text_problems(element.get("text"), BUTTON_TEXT, f"{at}/text")
    return problems


def _text_problems(text: object, limit: int, at: str) -> list[str]:
    return _too_long(text.get("text"), limit, f"{at}/text") if isinstance(text, dict) else []


def _too_long(value: object, limit: int, at: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{at}]"]
    return []


def _count_problem(items: object, limit: int, at: str) -> list[str]:
    if isinstance(items, list) and len(items) > limit:
        return [f"no more than {limit} items allowed [json-pointer:{at}]"]
    return []


def view_problems(view: object, kinds: tuple[str, ...]) -> list[str]:
    if not isinstance(view, dict):
        return ["must be an object [json-pointer:/view]"]
    problems = []
    if view.get("type") not in kinds:
        problems.append(f"must be one of {', '.join(kinds)} [json-pointer:/view/type]")
    if view.get("type") == "modal":
        title = view.get("title")
        if not isinstance(title, dict):
            problems.append("missing required field: title [json-pointer:/view]")
        problems += _text_problems(title, MODAL_TITLE, "/view/title")
    if "blocks" not in view:
        problems.append("missing required field: blocks [json-pointer:/view]")
    else:
        problems += block_problems(view["blocks"], "/view/blocks", MAX_VIEW_BLOCKS)
    problems += _too_long(view.get("private_metadata"), PRIVATE_METADATA, "/view/private_metadata")
    problems += _too_long(view.get("callback_id"), 255, "/view/callback_id")
    return problems


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class Call:
    """One Web API request the app made, with the answer it got (the token is not kept)."""

    method: str
    params: JSON
    at: float  # time.monotonic() on arrival
    status: int
    response: JSON = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.response.get("ok") is True

    @property
    def error(self) -> str | None:
        return None if self.ok else self.response.get("error")

    @property
    def channel(self) -> str | None:
        """The channel answered (a posted-to user id becomes its DM), else the one asked for."""
        answered = self.response.get("channel")
        if isinstance(answered, str):
            return answered
        asked = self.params.get("channel") or self.params.get("channel_id")
        return str(asked) if asked else None


@dataclass
class Upload:
    """A file announced with files.getUploadURLExternal; `data` arrives at the upload URL."""

    file_id: str
    filename: str
    length: int
    data: bytes | None = field(default=None, repr=False)
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None
    completed: bool = False


@dataclass(frozen=True)
class ResponsePost:
    """A POST to a response_url handed out by FakeSlack.response_url() or response_url_for()."""

    id: str
    body: Any  # the decoded JSON (or form fields, or text)
    at: float
    status: int = 200  # 404 for a used or expired response_url

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class _ResponseUrl:
    """A response_url of one interaction: the message it may replace, how often it was used."""

    channel: str | None
    ts: str | None
    issued: float  # time.monotonic() when Slack handed it out
    uses: int = 0


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    display_name: str
    tz: str
    is_bot: bool = False
    locale: str = "en-US"


@dataclass
class _Channel:
    id: str
    name: str
    members: list[str]
    private: bool = False
    bot_is_member: bool = True


@dataclass(frozen=True)
class _Dnd:
    snoozing: bool = False
    snooze_until: int = 0
    window: tuple[int, int] | None = None  # scheduled DND hours (start, end) as unix times


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True)
class _RateLimit:
    per_second: float
    burst: float


def _per_minute(requests: float) -> _RateLimit:
    """A tier: a minute's quota at once, refilled at that rate."""
    return _RateLimit(requests / 60.0, requests)


# ---------------------------------------------------------------------------------------------
# The fake


class FakeSlack:
    """State and behaviour of the fake Web API. All state is guarded by one lock: the server
    runs in its own thread while tests read and inject from theirs."""

    def __init__(
        self,
        bot_token: str = "xoxb-test-token",
        team_id: str = "T0001",
        bot_user_id: str = "U0BOT",
        app_token: str = "xapp-test-token",
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = "B0BOT"
        self.app_id = "A0APP"
        self.port: int | None = None
        self._lock = threading.RLock()
        self._calls: list[Call] = []
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)  # views and files
        self._messages: dict[tuple[str, str], JSON] = {}
        self._dms: dict[tuple[str, ...], str] = {}
        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._dnd: dict[str, _Dnd] = {}
        self._views: dict[str, JSON] = {}
        self._homes: dict[str, str] = {}  # user id -> view id
        self._uploads: dict[str, Upload] = {}
        self._responses: list[ResponsePost] = []
        self._failures: dict[str, deque[ApiError]] = {}
        self._ratelimited = 0
        self._method_limits: dict[str, _RateLimit] = {m: _per_minute(n) for m, n in METHOD_TIERS.items()}
        self._rate_limit: _RateLimit | None = _RateLimit(CHANNEL_PER_SECOND, CHANNEL_BURST)
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        # The clock the rate limits read. A test about the limits themselves holds it still, so
        # that what it asserts does not depend on how fast a loaded machine sends its requests.
        self.rate_clock: Callable[[], float] = time.monotonic
        self._retry_after: dict[str, float] = {}  # a refused request (method + params) -> when it may come again
        self._early: list[Call] = []
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._slow: dict[str, float] = {}  # method -> seconds its answers take
        self._fetch_image: Callable[[str], tuple[int, str]] | None = None
        self.images_fetched: list[str] = []
        self._handlers: dict[str, Callable[[JSON], JSON]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.delete": self._delete_message,
            "conversations.open": self._open_conversation,
            "conversations.info": self._conversation_info,
            "conversations.members": self._conversation_members,
            "users.info": self._user_info,
            "views.publish": self._publish_view,
            "views.open": self._open_view,
            "views.update": self._update_view,
            "dnd.info": self._dnd_info,
            "dnd.teamInfo": self._dnd_team_info,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "apps.connections.open": self._open_connection,
        }
        self.add_user(bot_user_id, "microbadge", real_name="Microbadge", tz="UTC", is_bot=True)
        self.app = Starlette(
            routes=[
                Route("/api/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/upload/{file_id}", self._receive_upload, methods=["POST"]),
                Route("/response/{id}", self._receive_response, methods=["POST"]),
            ]
        )

    # -- addresses ---------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """For AsyncWebClient(base_url=...): the SDK appends the method name."""
        return f"{self._origin()}/api/"

    def response_url(self, id: str) -> str:
        """A response_url whose POSTs are recorded in `responses` under `id` (a slash command's:
        no message to replace)."""
        with self._lock:
            self._response_urls.setdefault(id, _ResponseUrl(None, None, time.monotonic()))
        return f"{self._origin()}/response/{id}"

    def response_url_for(self, channel: str, ts: str, *, age: float = 0.0) -> str:
        """The response_url of a press on the message (channel, ts): a post with
        replace_original replaces that message (without spending chat.update), delete_original
        deletes it. `age`: seconds since Slack handed it out (30 minutes and it has expired)."""
        id = f"i{next(self._id_counter)}"
        with self._lock:
            self._response_urls[id] = _ResponseUrl(channel, ts, time.monotonic() - age)
        return f"{self._origin()}/response/{id}"

    def _origin(self) -> str:
        if self.port is None:
            raise RuntimeError("the fake is not serving; use running_fake_slack()")
        return f"http://127.0.0.1:{self.port}"

    # -- what the app did --------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def sent(self, method: str | None = None, channel: str | None = None) -> list[Call]:
        """Successful calls, oldest first, optionally of one method and to one channel."""
        return [
            call
            for call in self.calls
            if call.ok
            and (method is None or call.method == method)
            and (channel is None or channel in (call.channel, call.params.get("channel")))
        ]

    def messages_in(self, channel: str) -> list[Call]:
        """Successful chat.postMessage and chat.update calls in that channel."""
        return [call for call in self.sent(channel=channel) if call.method in MESSAGE_METHODS]

    def message(self, channel: str, ts: str) -> JSON | None:
        """The current state (after updates) of a message the app posted, None once deleted."""
        with self._lock:
            return copy.deepcopy(self._messages.get((channel, ts)))

    def home_of(self, user_id: str) -> JSON | None:
        """The home tab view last published for that user."""
        with self._lock:
            view_id = self._homes.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def view(self, view_id: str) -> JSON | None:
        with self._lock:
            return copy.deepcopy(self._views.get(view_id))

    @property
    def uploads(self) -> list[Upload]:
        with self._lock:
            return [replace(upload) for upload in self._uploads.values()]

    @property
    def responses(self) -> list[ResponsePost]:
        with self._lock:
            return list(self._responses)

    def responses_to(self, id: str) -> list[ResponsePost]:
        return [post for post in self.responses if post.id == id]

    @property
    def ratelimited(self) -> int:
        """How many 429 answers were sent (injected or by the rate limits)."""
        with self._lock:
            return self._ratelimited

    @property
    def early_retries(self) -> list[Call]:
        """Requests sent again (same method, same parameters) before the Retry-After of their
        429 had run out. Slack asks apps never to do this."""
        with self._lock:
            return list(self._early)

    def dump(self, last: int = 30) -> str:
        calls = self.calls[-last:]
        if not calls:
            return "  (no calls)"
        start = calls[0].at
        lines = []
        for call in calls:
            detail = call.error or json.dumps(call.params, default=repr, ensure_ascii=False)
            lines.append(f"  +{call.at - start:7.3f}s {call.method} -> {call.status} {detail[:300]}")
        return "\n".join(lines)

    async def wait_for(self, predicate: Callable[[FakeSlack], bool], timeout: float = 10.0) -> None:
        """Poll `predicate(self)` from the caller's event loop until it holds."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s; recent calls:\n{self.dump()}")
            await asyncio.sleep(0.01)

    # -- test controls -----------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str = "Europe/Berlin",
        is_bot: bool = False,
        locale: str = "en-US",
    ) -> None:
        ZoneInfo(tz)  # fail here, not in the server thread, on a misspelt zone
        name = name or user_id.lower()
        with self._lock:
            self._users[user_id] = _User(user_id, name, real_name or name.title(), display_name or name, tz, is_bot, locale)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        members: Sequence[str] = (),
        *,
        private: bool = False,
        bot_is_member: bool = True,
    ) -> None:
        """A channel conversations.info and conversations.members answer for; `members` in the
        order Slack lists them (the bot among them when `bot_is_member`)."""
        with self._lock:
            listed = [m for m in members if m != self.bot_user_id]
            if bot_is_member:
                listed.append(self.bot_user_id)
            self._channels[channel_id] = _Channel(channel_id, name, listed, private, bot_is_member)

    def set_members(self, channel_id: str, members: Sequence[str]) -> None:
        """People join and leave: the channel's members (besides the bot) are now `members`."""
        with self._lock:
            channel = self._channels[channel_id]
            channel.members = [m for m in members if m != self.bot_user_id]
            if channel.bot_is_member:
                channel.members.append(self.bot_user_id)

    def dm_channel(self, user_id: str) -> str:
        """The stable DM channel id ("D...") between the bot and that user."""
        with self._lock:
            return self._dm((user_id,))

    def set_dnd(self, user_id: str, snoozing: bool = False, *, minutes: int = 60, window: tuple[int, int] | None = None) -> None:
        """The user's Do Not Disturb: a snooze of `minutes` from now (as in Slack, dnd.info shows
        a snooze only to the user themselves, never to the bot), and/or scheduled DND hours
        `window` (start, end) as unix times (dnd.info and dnd.teamInfo show them)."""
        until = int(time.time()) + minutes * 60 if snoozing else 0
        with self._lock:
            self._dnd[user_id] = _Dnd(snoozing, until, window)

    def fail_next(
        self,
        method: str,
        times: int = 1,
        *,
        status: int | None = None,
        retry_after: int | None = 1,
        error: str | None = None,
    ) -> None:
        """The next `times` calls of `method` get this error (recorded, not executed): 429 with
        Retry-After by default, HTTP 200 `{"ok": false, "error": error}` when only `error` is given,
        or the given HTTP status (500 gives `internal_error`)."""
        if method not in self._handlers:
            raise ValueError(f"the fake does not implement {method!r}")
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            queue.extend(injected_error(status, retry_after, error) for _ in range(times))

    def enforce_rate_limits(self, per_channel_per_second: float = CHANNEL_PER_SECOND, burst: int = CHANNEL_BURST) -> None:
        """Answer chat.postMessage with 429 + Retry-After beyond this rate per channel (a token
        bucket of `burst` messages), like Slack's special limit for posting (on by default:
        about one a second, short bursts of CHANNEL_BURST)."""
        with self._lock:
            self._rate_limit = _RateLimit(per_channel_per_second, burst)
            self._buckets = {key: bucket for key, bucket in self._buckets.items() if key[0] != "channel"}

    def set_tier(self, method: str, per_minute: float | None) -> None:
        """`method`'s limit: `per_minute` requests a minute per workspace (a minute's quota as
        the burst), or None for no limit."""
        if method not in self._handlers:
            raise ValueError(f"the fake does not implement {method!r}")
        with self._lock:
            if per_minute is None:
                self._method_limits.pop(method, None)
            else:
                self._method_limits[method] = _per_minute(per_minute)
            self._buckets.pop(("method", method), None)

    def slow_down(self, method: str, seconds: float) -> None:
        """Answers of `method` take `seconds` (Slack having a slow moment); 0 ends it."""
        if method not in self._handlers:
            raise ValueError(f"the fake does not implement {method!r}")
        with self._lock:
            self._slow[method] = seconds

    def lift_rate_limits(self) -> None:
        """No tiers and no per-channel limit (for tests about something else; a response_url
        still takes at most 5 posts)."""
        with self._lock:
            self._method_limits.clear()
            self._rate_limit = None
            self._buckets.clear()

    # -- HTTP --------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        arrived = time.monotonic()
        method = request.path_params["method"]
        try:
            params = await _read_params(request)
            token = _bearer_token(request) or str(params.pop("token", "") or "")
        except ApiError as error:
            params, token, outcome = {}, "", error
            with self._lock:
                return self._respond(method, params, arrived, outcome)
        with self._lock:  # one lock section: state change and record are seen together
            response = self._respond(method, params, arrived, self._run(method, token, params))
            slow = self._slow.get(method, 0.0)
        if slow:
            await asyncio.sleep(slow)
        return response

    def _run(self, method: str, token: str, params: JSON) -> JSON | ApiError:
        try:
            if method not in self._handlers:
                raise ApiError("unknown_method", 404)
            self._authenticate(method, token)
            failures = self._failures.get(method)
            if failures:
                raise failures.popleft()
            limit = self._method_limits.get(method)
            if limit is not None:
                self._take_rate_token(("method", method), limit)
            if method == "chat.postMessage" and self._rate_limit is not None:
                channel = self._channel(params)
                self._content(params)  # a refused message posts nothing and takes no turn
                self._take_rate_token(("channel", channel), self._rate_limit)
            return {"ok": True, **self._handlers[method](params)}
        except ApiError as error:
            return error

    def _respond(self, method: str, params: JSON, arrived: float, outcome: JSON | ApiError) -> Response:
        headers: dict[str, str] = {}
        request = _request_key(method, params)
        early = arrived < self._retry_after.get(request, 0.0)
        if isinstance(outcome, ApiError):
            status, body, headers = outcome.status, outcome.body(), outcome.headers()
            if outcome.error == "unknown_method":
                body["req_method"] = method
            if status == 429:
                self._ratelimited += 1
                self._retry_after[request] = arrived + (outcome.retry_after or 0)
        else:
            status, body = 200, outcome
        call = Call(method, copy.deepcopy(params), arrived, status, copy.deepcopy(body))
        self._calls.append(call)
        if early:
            self._early.append(call)
        return JSONResponse(body, status_code=status, headers=headers)

    def _authenticate(self, method: str, token: str) -> None:
        """Bot token for every method but apps.connections.open, which wants the app token."""
        if not token:
            raise ApiError("not_authed")
        wanted, other = (self.app_token, self.bot_token) if method == "apps.connections.open" else (self.bot_token, self.app_token)
        if token == other:
            raise ApiError("not_allowed_token_type")
        if token != wanted:
            raise ApiError("invalid_auth")

    def _take_rate_token(self, key: tuple[str, str], limit: _RateLimit) -> None:
        now = self.rate_clock()
        bucket = self._buckets.setdefault(key, _Bucket(limit.burst, now))
        bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.updated) * limit.per_second)
        bucket.updated = now
        if bucket.tokens < 1:
            wait = (1 - bucket.tokens) / limit.per_second
            raise ApiError("ratelimited", 429, retry_after=max(1, math.ceil(wait)))
        bucket.tokens -= 1

    async def _receive_upload(self, request: Request) -> Response:
        data = await request.body()
        with self._lock:
            upload = self._uploads.get(request.path_params["file_id"])
            if upload is None:
                return PlainTextResponse("not found", status_code=404)
            upload.data = data
        return PlainTextResponse(f"OK - {len(data)}")  # what files.slack.com answers

    async def _receive_response(self, request: Request) -> Response:
        arrived = time.monotonic()
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        body: Any = raw.decode()
        if content_type.startswith("application/json"):
            body = json.loads(raw or b"null")
        elif content_type.startswith("application/x-www-form-urlencoded"):
            body = dict(parse_qsl(body, keep_blank_values=True))
        id = request.path_params["id"]
        with self._lock:
            status, answer = self._use_response_url(id, body, arrived)
            self._responses.append(ResponsePost(id, body, arrived, status))
        return PlainTextResponse(answer, status_code=status)

    def _use_response_url(self, id: str, body: Any, arrived: float) -> tuple[int, str]:
        """At most RESPONSE_URL_USES posts within RESPONSE_URL_LIFETIME; replace_original and
        delete_original act on the pressed message."""
        url = self._response_urls.get(id)
        if url is None:
            return 404, "no_service"
        if arrived - url.issued > RESPONSE_URL_LIFETIME:
            return 404, "expired_url"
        if url.uses >= RESPONSE_URL_USES:
            return 404, "used_url"
        url.uses += 1
        if not isinstance(body, dict) or url.channel is None or url.ts is None:
            return 200, "ok"
        key = (url.channel, url.ts)
        if _flag(body.get("delete_original")):
            self._messages.pop(key, None)
        elif _flag(body.get("replace_original")) and key in self._messages:
            try:
                text, blocks = self._content(body)
            except ApiError as error:
                return 400, error.error
            replaced = {**self._messages[key], "text": text or ""}
            replaced.pop("blocks", None)
            if blocks is not None:
                replaced["blocks"] = blocks
            self._messages[key] = replaced
        return 200, "ok"

    # -- auth and connections ----------------------------------------------------------------

    def _auth_test(self, params: JSON) -> JSON:
        return {
            "url": "https://fake-team.slack.com/",
            "team": "Fake Team",
            "user": self._users[self.bot_user_id].name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _open_connection(self, params: JSON) -> JSON:
        return {"url": f"ws://127.0.0.1:{self.port}/socket"}

    # -- messages ----------------------------------------------------------------------------

    def _post_message(self, params: JSON) -> JSON:
        channel = self._channel(params)
        text, blocks = self._content(params)
        ts = self._next_ts()
        message = _without_none(
            {
                "type": "message",
                "text": text or "",
                "user": self.bot_user_id,
                "bot_id": self.bot_id,
                "app_id": self.app_id,
                "team": self.team_id,
                "ts": ts,
                "blocks": blocks,
                "attachments": params.get("attachments"),
                "thread_ts": params.get("thread_ts"),
            }
        )
        self._messages[(channel, ts)] = message
        return {"channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    def _update_message(self, params: JSON) -> JSON:
        channel = self._channel(params)
        ts = str(params.get("ts") or "")
        old = self._messages.get((channel, ts))
        if old is None:
            raise ApiError("message_not_found")
        text, blocks = self._content(params)
        message = {**old, "edited": {"user": self.bot_user_id, "ts": self._next_ts()}}
        if text is not None:
            message["text"] = text
        if blocks is not None:  # omitted blocks are kept, [] removes them (as Slack documents)
            message["blocks"] = blocks
        self._messages[(channel, ts)] = message
        return {"channel": channel, "ts": ts, "text": message["text"], "message": copy.deepcopy(message)}

    def _post_ephemeral(self, params: JSON) -> JSON:
        self._channel(params)
        if str(params.get("user") or "") not in self._users:
            raise ApiError("user_not_found")
        self._content(params)
        return {"message_ts": self._next_ts()}

    def _delete_message(self, params: JSON) -> JSON:
        channel = self._channel(params)
        ts = str(params.get("ts") or "")
        if self._messages.pop((channel, ts), None) is None:
            raise ApiError("message_not_found")
        return {"channel": channel, "ts": ts}

    def _content(self, params: JSON) -> tuple[str | None, list[Any] | None]:
        """Validated text and blocks of a message; Slack wants at least one of them."""
        text, blocks = params.get("text"), params.get("blocks")
        if blocks == "":
            blocks = None
        if not text and blocks is None and not params.get("attachments"):
            raise ApiError("no_text")
        if isinstance(text, str) and len(text) > MAX_TEXT:
            raise ApiError("msg_too_long")
        if isinstance(blocks, str):
            raise ApiError("invalid_blocks_format")  # form field that was not JSON
        if blocks is not None:
            problems = block_problems(blocks, "/blocks", MAX_MESSAGE_BLOCKS) or self._image_download_problems(blocks)
            if problems:
                raise ApiError("invalid_blocks", messages=problems)
        blocks = copy.deepcopy(blocks)
        for block in blocks or ():
            if isinstance(block, dict) and "block_id" not in block:
                block["block_id"] = uuid.uuid4().hex[:5]  # Slack gives every block an id
        return (None if text is None else str(text)), blocks

    def fetch_images(self, fetch: Callable[[str], tuple[int, str]] | None) -> None:
        """Download every image block's image_url, as Slack does before it accepts a message:
        `fetch(url)` gives the (status, content type) the address answers (a test points it at
        the web app); a picture Slack could not download refuses the whole message."""
        with self._lock:
            self._fetch_image = fetch

    def _image_download_problems(self, blocks: list[Any]) -> list[str]:
        if self._fetch_image is None:
            return []
        problems = []
        for index, block in enumerate(blocks):
            if isinstance(block, dict) and block.get("type") == "image" and isinstance(block.get("image_url"), str):
                status, content_type = self._fetch_image(block["image_url"])
                self.images_fetched.append(block["image_url"])
                if status != 200 or content_type.split(";")[0] not in IMAGE_TYPES:
                    problems.append(f"downloading image failed [json-pointer:/blocks/{index}/image_url]")
        return problems

    def _channel(self, params: JSON) -> str:
        """The channel addressed; a user id means the DM with that user, as Slack does."""
        raw = str(params.get("channel") or params.get("channel_id") or "").strip()
        if not raw:
            raise ApiError("channel_not_found")
        if raw[0] in "UW":
            if raw not in self._users:
                raise ApiError("channel_not_found")
            return self._dm((raw,))
        return raw

    def _next_ts(self) -> str:
        """Unique, increasing message timestamps like "1700000000.000100"."""
        micros = next(self._ts_counter) * 100
        return f"{1_700_000_000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    # -- conversations and users -------------------------------------------------------------

    def _open_conversation(self, params: JSON) -> JSON:
        if params.get("channel"):
            channel = str(params["channel"])
            if channel not in self._dms.values():
                raise ApiError("channel_not_found")
            return {"channel": {"id": channel}, "no_op": True, "already_open": True}
        users = tuple(sorted(user.strip() for user in str(params.get("users") or "").split(",") if user.strip()))
        if not users:
            raise ApiError("users_list_not_supplied")
        if any(user not in self._users for user in users):
            raise ApiError("user_not_found")
        existed = users in self._dms
        return {"channel": {"id": self._dm(users)}, "no_op": existed, "already_open": existed}

    def _readable_channel(self, params: JSON) -> _Channel:
        """A channel the bot may read: Slack answers channel_not_found for a private channel the
        bot is not in, as for one that does not exist. A public channel's members are readable
        without joining it (channels:read)."""
        channel = self._channels.get(str(params.get("channel") or "").strip())
        if channel is None or (channel.private and not channel.bot_is_member):
            raise ApiError("channel_not_found")
        return channel

    def _conversation_info(self, params: JSON) -> JSON:
        channel = self._readable_channel(params)
        info: JSON = {
            "id": channel.id,
            "name": channel.name,
            "name_normalized": channel.name,
            "is_channel": not channel.private,
            "is_group": channel.private,
            "is_im": False,
            "is_mpim": False,
            "is_private": channel.private,
            "is_archived": False,
            "is_general": False,
            "created": 1_600_000_000,
            "creator": "U0CREATOR",
            "is_member": channel.bot_is_member,
            "context_team_id": self.team_id,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        if str(params.get("include_num_members")).lower() in ("1", "true"):
            info["num_members"] = len(channel.members)
        return {"channel": info}

    def _conversation_members(self, params: JSON) -> JSON:
        """One page of member ids. The cursor names the next member (base64 of "user:U0..."),
        like Slack's; the last page has an empty next_cursor."""
        channel = self._readable_channel(params)
        raw_limit = params.get("limit") or 100
        try:
            limit = int(raw_limit)
        except (TypeError, ValueError):
            raise ApiError("invalid_limit") from None
        if not 1 <= limit <= 1000:
            raise ApiError("invalid_limit")
        start = 0
        if params.get("cursor"):
            try:
                kind, _, user = base64.b64decode(str(params["cursor"]), validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise ApiError("invalid_cursor") from None
            if kind != "user" or user not in channel.members:
                raise ApiError("invalid_cursor")
            start = channel.members.index(user)
        page = channel.members[start : start + limit]
        rest = channel.members[start + limit :]
        cursor = base64.b64encode(f"user:{rest[0]}".encode()).decode() if rest else ""
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _dm(self, users: tuple[str, ...]) -> str:
        if users not in self._dms:
            prefix = "D" if len(users) == 1 else "G"  # several users: a group DM
            self._dms[users] = f"{prefix}{len(self._dms) + 1:09d}"
        return self._dms[users]

    def _user_info(self, params: JSON) -> JSON:
        user = self._known_user(params.get("user"))
        zone = datetime.now(ZoneInfo(user.tz))
        offset = zone.utcoffset()
        info: JSON = {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "deleted": False,
            "real_name": user.real_name,
            "tz": user.tz,
            "tz_label": zone.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_bot": user.is_bot,
            "is_admin": False,
            "is_app_user": False,
            "updated": 1_700_000_000,
            "profile": {
                "display_name": user.display_name,
                "display_name_normalized": user.display_name,
                "real_name": user.real_name,
                "real_name_normalized": user.real_name,
                "team": self.team_id,
            },
        }
        if user.is_bot:
            info["profile"]["bot_id"] = self.bot_id
        if str(params.get("include_locale")).lower() in ("1", "true"):
            info["locale"] = user.locale
        return {"user": info}

    def _dnd_info(self, params: JSON) -> JSON:
        user = self._known_user(params.get("user") or self.bot_user_id)
        state = self._dnd.get(user.id, _Dnd())
        remaining = max(0, state.snooze_until - int(time.time()))
        start, end = state.window or (1, 1)  # Slack answers 1 when no DND hours are set
        info: JSON = {"dnd_enabled": state.window is not None, "next_dnd_start_ts": start, "next_dnd_end_ts": end}
        if user.id != self.bot_user_id:
            return info  # "snooze_* properties are only visible if the user being queried is also the current user"
        info["snooze_enabled"] = state.snoozing and remaining > 0
        if info["snooze_enabled"]:
            info.update(snooze_endtime=state.snooze_until, snooze_remaining=remaining, snooze_is_indefinite=False)
        return info

    def _dnd_team_info(self, params: JSON) -> JSON:
        """Scheduled DND hours of up to 50 users; like dnd.info for others, no snooze."""
        users = [user.strip() for user in str(params.get("users") or "").split(",") if user.strip()]
        if not users:
            raise ApiError("no_users_provided")
        if len(users) > DND_TEAM_INFO_USERS:
            raise ApiError("invalid_arguments", messages=[f"no more than {DND_TEAM_INFO_USERS} users allowed"])
        answers: JSON = {}
        for user in users:
            if user in self._users:
                start, end = self._dnd.get(user, _Dnd()).window or (1, 1)
                enabled = self._dnd.get(user, _Dnd()).window is not None
                answers[user] = {"dnd_enabled": enabled, "next_dnd_start_ts": start, "next_dnd_end_ts": end}
        return {"users": answers}

    def _known_user(self, user_id: object) -> _User:
        user = self._users.get(str(user_id or ""))
        if user is None:
            raise ApiError("user_not_found")
        return user

    # -- views -------------------------------------------------------------------------------

    def _publish_view(self, params: JSON) -> JSON:
        user_id = str(params.get("user_id") or "")
        if not user_id:
            raise ApiError("invalid_arguments", messages=["missing required field: user_id"])
        self._check_view(params.get("view"), ("home",))
        view_id = self._homes.get(user_id)
        if view_id:
            self._check_hash(self._views[view_id], params.get("hash"))
        view = self._store_view(params["view"], view_id)
        self._homes[user_id] = view["id"]
        return {"view": view}

    def _open_view(self, params: JSON) -> JSON:
        if not params.get("trigger_id"):
            raise ApiError("invalid_arguments", messages=["missing required field: trigger_id"])
        self._check_view(params.get("view"), ("modal",))
        return {"view": self._store_view(params["view"], None)}

    def _update_view(self, params: JSON) -> JSON:
        view_id = params.get("view_id") or next(
            (id for id, view in self._views.items() if params.get("external_id") and view.get("external_id") == params["external_id"]), None
        )
        if view_id not in self._views:
            raise ApiError("not_found")
        old = self._views[view_id]
        self._check_view(params.get("view"), (old["type"],))
        self._check_hash(old, params.get("hash"))
        return {"view": self._store_view(params["view"], view_id)}

    @staticmethod
    def _check_view(view: object, kinds: tuple[str, ...]) -> None:
        problems = view_problems(view, kinds)
        if problems:  # views.* report schema problems as invalid_arguments, not invalid_blocks
            raise ApiError("invalid_arguments", messages=["failed to match all allowed schemas [json-pointer:/view]", *problems])

    @staticmethod
    def _check_hash(old: JSON, given: object) -> None:
        if given and given != old["hash"]:
            raise ApiError("hash_conflict")

    def _store_view(self, view: JSON, view_id: str | None) -> JSON:
        view_id = view_id or f"V{next(self._id_counter):09d}"
        stored: JSON = {
            "id": view_id,
            "team_id": self.team_id,
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
            **copy.deepcopy(view),
            "hash": f"{int(time.time())}.{next(self._id_counter)}",
        }
        self._views[view_id] = stored
        return copy.deepcopy(stored)

    # -- files -------------------------------------------------------------------------------

    def _get_upload_url(self, params: JSON) -> JSON:
        filename = str(params.get("filename") or "")
        try:
            length = int(params.get("length"))  # type: ignore[arg-type]  # missing (None): TypeError, answered below
        except (TypeError, ValueError):
            raise ApiError("invalid_arguments", messages=["missing required field: length"]) from None
        if not filename:
            raise ApiError("invalid_arguments", messages=["missing required field: filename"])
        file_id = f"F{next(self._id_counter):09d}"
        self._uploads[file_id] = Upload(file_id, filename, length)
        return {"upload_url": f"{self._origin()}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, params: JSON) -> JSON:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            raise ApiError("invalid_arguments", messages=["missing required field: files"])
        uploads = [self._uploads.get(str(entry.get("id"))) if isinstance(entry, dict) else None for entry in entries]
        if any(upload is None or upload.data is None for upload in uploads):
            raise ApiError("file_not_found")  # unknown id, or its bytes never arrived
        channel = self._channel(params) if params.get("channel_id") else None
        files = []
        for entry, upload in zip(entries, uploads, strict=True):
            assert upload is not None and upload.data is not None
            upload.title = entry.get("title") or upload.filename
            upload.channel, upload.initial_comment, upload.completed = channel, params.get("initial_comment"), True
            files.append(self._file_info(upload))
        return {"files": files}

    def _file_info(self, upload: Upload) -> JSON:
        mimetype = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
        return {
            "id": upload.file_id,
            "created": int(time.time()),
            "name": upload.filename,
            "title": upload.title,
            "mimetype": mimetype,
            "size": len(upload.data or b""),
            "user": self.bot_user_id,
            "url_private": f"{self._origin()}/files/{upload.file_id}/{upload.filename}",
        }


def _request_key(method: str, params: JSON) -> str:
    """One request, to tell a re-sent one (same method, same parameters) from another."""
    return method + json.dumps(params, sort_keys=True, default=repr)


def _flag(value: object) -> bool:
    return value is True or str(value).lower() == "true"


def _without_none(values: JSON) -> JSON:
    return {key: value for key, value in values.items() if value is not None}


def _bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def _read_params(request: Request) -> JSON:
    """Parameters from the query string and a JSON or form-urlencoded body. JSON_FIELDS sent
    as text (form and query bodies) are decoded; text that is not JSON is kept as is."""
    params: JSON = dict(request.query_params)
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if body and content_type.startswith("application/json"):
        try:
            loaded = json.loads(body)
        except ValueError:
            raise ApiError("invalid_json") from None
        if not isinstance(loaded, dict):
            raise ApiError("invalid_json")
        params.update(loaded)
    elif body and content_type.startswith("application/x-www-form-urlencoded"):
        try:
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            raise ApiError("invalid_form_data") from None
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            with suppress(ValueError):  # validation reports it, e.g. invalid_blocks_format
                params[key] = json.loads(params[key])
    return params


# ---------------------------------------------------------------------------------------------
# What a person reads of a message the app posted (the tests and the benchmark alike)


def elements_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every interactive element of a Block Kit message, as the tests and the benchmark read one."""
    found: list[dict[str, Any]] = []
    for block in message.get("blocks") or []:
        found += [e for e in block.get("elements") or [] if isinstance(e, dict)]
        if isinstance(block.get("accessory"), dict):
            found.append(block["accessory"])
    return found


def text_of(message: dict[str, Any]) -> str:
    parts = []
    for block in message.get("blocks") or []:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(text.get("text", ""))
        for element in block.get("elements") or []:
            if block.get("type") == "context" and isinstance(element, dict):
                parts.append(element.get("text", ""))
    return "\n".join(parts) or message.get("text", "")


# ---------------------------------------------------------------------------------------------
# Serving


@contextmanager
def running_fake_slack(
    bot_token: str = "xoxb-test-token",
    team_id: str = "T0001",
    bot_user_id: str = "U0BOT",
    *,
    app_token: str = "xapp-test-token",
) -> Iterator[FakeSlack]:
    """Serve a FakeSlack with uvicorn on 127.0.0.1 in a thread with its own event loop."""
    fake = FakeSlack(bot_token, team_id, bot_user_id, app_token)
    with serving_in_thread(fake.app, "fake-slack") as port:
        fake.port = port
        yield fake
