"""A fake Telegram Bot API server for the wire tests and the benchmarks.

It speaks real HTTP on 127.0.0.1 so the real python-telegram-bot client (its HTTPX request
layer, JSON/form/multipart encoding and error mapping) is exercised end to end. It is stricter
than Telegram in one place on purpose: in HTML parse mode an unescaped `&` is an error, so a
bot that forgets to escape author text fails here instead of rendering oddly in production.
Markdown parse modes are accepted but not parsed (the text is echoed as sent).

Telegram's flood limits, as published (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this),
once `enforce_rate_limits()` is called (the Telegram wire tests do so in their fixtures): about
30 messages a second per bot, about one a second in a chat with short bursts allowed (a bucket
of CHAT_BURST that refills at one a second), 20 a minute in a group; beyond a limit the answer
is 429 with `retry_after` (whole seconds, as Telegram sends it). Only messages count
(send*, copy*, forward*; not sendChatAction): edits, answers to button presses and stopPoll
are not said to count, so they do not. Tests that are not about pacing may relax a limit.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from io import BytesIO
from typing import Any

from PIL import Image, UnidentifiedImageError
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fakes.serving import serving_in_thread

JSON = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
# A photo, as Telegram's sendPhoto documents it: at most 10 MB, width + height at most 10000, a ratio of at most 20.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10_000
MAX_PHOTO_RATIO = 20
ALBUM_SIZES = range(2, 11)  # sendMediaGroup: 2 to 10 items
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Form fields that are plain strings; every other form value is JSON-encoded by the client
# (PTB sends ints, bools, lists and objects as JSON text in form and multipart bodies).
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "question",
        "explanation",
        "parse_mode",
        "caption_parse_mode",
        "explanation_parse_mode",
        "question_parse_mode",
        "callback_query_id",
        "url",
        "action",
        "language_code",
        "photo",
        "inline_message_id",
        "file_id",
        "secret_token",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "description",
        "title",
    }
)
BUTTON_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "web_app",
        "login_url",
        "switch_inline_query",
        "copy_text",
        "pay",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "callback_game",
    }
)
DEFAULT_UPDATE_TYPES_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Telegram's published limits (see the module docstring).
GLOBAL_PER_SECOND = 30
CHAT_PER_SECOND = 1
CHAT_BURST = 3
GROUP_PER_MINUTE = 20


# ---------------------------------------------------------------------------------------------
# Errors


class ApiError(Exception):
    """An error answer; the dispatcher turns it into Telegram's error body and HTTP status."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def too_many_requests(retry_after: int | None) -> ApiError:
    if retry_after is None:
        return ApiError(429, "Too Many Requests")
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def injected_error(status: int, retry_after: int | None, description: str | None) -> ApiError:
    if status == 429:
        error = too_many_requests(retry_after)
        return error if description is None else ApiError(429, description, error.retry_after)
    defaults = {
        400: "Bad Request: injected failure",
        403: "Forbidden: bot was blocked by the user",
        409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    }
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown Error"
    return ApiError(status, description or defaults.get(status, phrase))


# ---------------------------------------------------------------------------------------------
# HTML parse mode (modelled on tdlib's parser, whose error texts Telegram returns)

TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
CHAR_ENTITY = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
TAG_NAME = re.compile(r"[^\s>]*")
ATTRIBUTE = re.compile(r"""([a-zA-Z0-9_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


def utf16_len(text: str) -> int:
    """Telegram counts entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _decode_char_entity(match: re.Match[str]) -> str | None:
    if match[3]:
        return NAMED_ENTITIES[match[3]]
    code = int(match[1]) if match[1] else int(match[2], 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _unescape_attribute(value: str) -> str:
    # Lenient like Telegram: a bare `&` in an attribute (a URL query) is kept as is.
    return CHAR_ENTITY.sub(lambda match: _decode_char_entity(match) or match[0], value)


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset of the tag's content in the plain text
    attributes: dict[str, str]
    language: str | None = None  # set on <pre> by a nested <code class="language-...">


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """The plain text and entities of `text` in HTML parse mode, or ApiError 400."""
    plain: list[str] = []
    position = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []

    def fail(reason: str) -> ApiError:
        return bad_request(f"can't parse entities: {reason}")

    def byte_offset(index: int) -> int:
        return len(text[:index].encode())

    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            match = CHAR_ENTITY.match(text, i)
            decoded = _decode_char_entity(match) if match else None
            if match is None or decoded is None:
                raise fail(f'unescaped "&" at byte offset {byte_offset(i)}; use "&amp;"')
            plain.append(decoded)
            position += utf16_len(decoded)
            i = match.end()
        elif char != "<":
            plain.append(char)
            position += utf16_len(char)
            i += 1
        elif text.startswith("</", i):
            close = text.find(">", i)
            if close < 0:
                raise fail(f"Unclosed end tag at byte offset {byte_offset(i)}")
            name = text[i + 2 : close].strip().lower()
            if not stack:
                raise fail(f"Unexpected end tag at byte offset {byte_offset(i)}")
            tag = stack.pop()
            if name != tag.name:
                raise fail(f'Unmatched end tag at byte offset {byte_offset(i)}, expected "</{tag.name}>", found "</{name}>"')
            entity = _entity_for(tag, position, stack)
            if entity is not None:
                entities.append(entity)
            i = close + 1
        else:
            name_match = TAG_NAME.match(text, i + 1)
            assert name_match is not None  # the pattern matches the empty string
            name = name_match[0].lower()
            if name_match.end() >= len(text):
                raise fail(f"Unclosed start tag at byte offset {byte_offset(i)}")
            if name not in TAG_ENTITY:
                raise fail(f'Unsupported start tag "{name}" at byte offset {byte_offset(i)}')
            attributes, end = _parse_attributes(text, name_match.end(), name, fail, byte_offset(i))
            if name == "span" and attributes.get("class") != "tg-spoiler":
                raise fail(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(i)}')
            stack.append(_OpenTag(name, position, attributes))
            i = end
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(plain), entities


def _parse_attributes(text: str, index: int, tag: str, fail: Callable[[str], ApiError], tag_offset: int) -> tuple[dict[str, str], int]:
    """Attributes of a start tag from `index` on, and the index just past its `>`."""
    attributes: dict[str, str] = {}
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            raise fail(f"Unclosed start tag at byte offset {tag_offset}")
        if text[index] == ">":
            return attributes, index + 1
        match = ATTRIBUTE.match(text, index)
        if match is None:
            raise fail(f'Empty attribute name in the tag "{tag}" at byte offset {tag_offset}')
        value = next((group for group in match.groups()[1:] if group is not None), "")
        attributes[match[1].lower()] = _unescape_attribute(value)
        index = match.end()


def _entity_for(tag: _OpenTag, end: int, stack: list[_OpenTag]) -> JSON | None:
    length = end - tag.start
    language = tag.attributes.get("class", "")
    if tag.name == "code" and stack and stack[-1].name == "pre" and language.startswith("language-"):
        stack[-1].language = language.removeprefix("language-")  # <pre><code class=...> is one entity
        return None
    if length == 0:
        return None  # Telegram drops empty entities
    entity: JSON = {"type": TAG_ENTITY[tag.name], "offset": tag.start, "length": length}
    if tag.name == "a":
        if not tag.attributes.get("href"):
            return None
        entity["url"] = tag.attributes["href"]
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attributes:
        entity["type"] = "expandable_blockquote"
    return entity


def formatted(text: str, parse_mode: object, entities: object) -> tuple[str, list[JSON]]:
    """Plain text and entities after applying `parse_mode` (or the explicit entities)."""
    mode = str(parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode not in ("", "markdown", "markdownv2"):
        raise bad_request("unsupported parse_mode")
    return text, list(entities) if isinstance(entities, list) else []


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded in a multipart body."""

    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class Call:
    """One request the bot made, with the answer it got."""

    method: str
    params: JSON
    at: float  # time.monotonic() on arrival
    status: int
    response: JSON = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def chat_id(self) -> int | str | None:
        return _normal_chat_id(self.params.get("chat_id"))


def _normal_chat_id(value: object) -> int | str | None:
    if value is None or isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return str(value)


def is_message_method(method: str) -> bool:
    """Methods that put a message on screen or change one: what messages_to() lists."""
    return method.startswith(("send", "edit")) and method != "sendChatAction"


def counts_against_limits(method: str) -> bool:
    """What Telegram's flood limits count: new messages, not edits (nor presses, reads, polls closed)."""
    return method.startswith(("send", "copy", "forward")) and method != "sendChatAction"


@dataclass
class _Queued:
    update: JSON
    replay: bool  # queued raw: delivered even below the bot's offset, dropped once delivered
    delivered: bool = False

    @property
    def id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next((key for key in self.update if key != "update_id"), "")


@dataclass
class _StoredFile:
    file_id: str
    unique_id: str
    data: bytes | None
    width: int
    height: int

    @property
    def path(self) -> str:
        return f"photos/{self.unique_id}.jpg"


@dataclass(frozen=True)
class _RateLimits:
    per_chat_per_second: float
    chat_burst: int
    global_per_second: int
    group_per_minute: int


# ---------------------------------------------------------------------------------------------
# The fake


class FakeTelegram:
    """State and behaviour of the fake Bot API. All state is guarded by one lock: the server
    runs in its own thread while tests read and inject from theirs."""

    def __init__(self, token: str = "123456:TEST-TOKEN", bot_username: str = "microbadge_bot") -> None:
        self.token = token
        self.bot_username = bot_username
        self.port: int | None = None
        self.bot_user: JSON = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Microbadge",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._lock = threading.RLock()
        self._held_chat: int | None = None
        self._release_held = True
        self.held_client_port: int | None = None
        self.dropped_by_disconnect = 0
        self._closing = False
        self._calls: list[Call] = []
        self._queue: list[_Queued] = []
        self._allowed_updates: frozenset[str] | None = None
        self._update_ids = itertools.count(1000)
        self._last_update_id = 999
        self._counter = itertools.count(1)  # callback query, poll and file ids
        self._message_ids: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._languages: dict[int, str | None] = {}  # user id -> their client's language_code
        self._forgotten: set[int] = set()
        self._blocked: set[int] = set()
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._polls: dict[str, JSON] = {}
        self._poll_messages: dict[str, tuple[int, int]] = {}
        self._poll_votes: dict[str, dict[int, list[int]]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._menu_buttons: dict[int | None, JSON] = {}
        self._webhook: JSON = {"url": ""}
        self._failures: dict[str, deque[ApiError]] = {}
        self._limits: _RateLimits | None = None
        self._deliveries: deque[tuple[float, int, bool]] = deque()  # (at, chat id, is group)
        self._chat_buckets: dict[int, tuple[float, float]] = {}  # chat id -> (level, when it was that)
        self._too_many_requests = 0
        self._handlers: dict[str, Callable[[JSON], Any]] = {
            "getMe": lambda params: self.bot_user,
            "logOut": lambda params: True,
            "close": lambda params: True,
            "getUpdates": lambda params: [],  # served by _get_updates (it waits)
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPoll": self._send_poll,
            "stopPoll": self._stop_poll,
            "sendPhoto": self._send_photo,
            "sendMediaGroup": self._send_media_group,
            "getFile": self._get_file,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": lambda params: copy.deepcopy(self._commands.get(self._commands_key(params), [])),
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getChat": self._get_chat,
        }
        self._method_names = {name.lower(): name for name in self._handlers}  # Telegram ignores case
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._download, methods=["GET"]),
            ]
        )

    # -- addresses ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """For Bot(base_url=...) / ApplicationBuilder().base_url(...): PTB appends token/method."""
        return f"http://127.0.0.1:{self._port()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self._port()}/file/bot"

    def _port(self) -> int:
        if self.port is None:
            raise RuntimeError("the fake is not serving; use running_fake_telegram()")
        return self.port

    # -- what the bot did --------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def sent(self, method: str | None = None, chat_id: int | str | None = None) -> list[Call]:
        """Successful calls, oldest first; without `method`, all but getUpdates (polling noise)."""
        method = self._method_names.get(method.lower(), method) if method else None
        return [
            call
            for call in self.calls
            if call.ok
            and (call.method == method if method else call.method != "getUpdates")
            and (chat_id is None or call.chat_id == _normal_chat_id(chat_id))
        ]

    def messages_to(self, chat_id: int | str) -> list[Call]:
        """Successful send*/edit* calls to that chat (not sendChatAction); `.result` is the message."""
        return [call for call in self.sent(chat_id=chat_id) if is_message_method(call.method)]

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """The current state (after edits) of a message the bot sent, or None once deleted."""
        with self._lock:
            return copy.deepcopy(self._messages.get((chat_id, message_id)))

    def poll(self, poll_id: str) -> JSON | None:
        with self._lock:
            return copy.deepcopy(self._polls.get(poll_id))

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates queued and not yet confirmed by the bot's offset."""
        with self._lock:
            return [copy.deepcopy(entry.update) for entry in self._queue]

    @property
    def webhook(self) -> JSON:
        with self._lock:
            return copy.deepcopy(self._webhook)

    @property
    def too_many_requests(self) -> int:
        """How many 429 answers were sent (injected or by the rate limits)."""
        with self._lock:
            return self._too_many_requests

    def dump(self, last: int = 30) -> str:
        calls = self.calls[-last:]
        if not calls:
            return "  (no calls)"
        start = calls[0].at
        lines = []
        for call in calls:
            detail = call.response.get("description") or json.dumps(call.params, default=repr, ensure_ascii=False)
            lines.append(f"  +{call.at - start:7.3f}s {call.method} -> {call.status} {detail[:300]}")
        return "\n".join(lines)

    async def wait_for(self, predicate: Callable[[FakeTelegram], bool], timeout: float = 10.0) -> None:
        """Poll `predicate(self)` from the caller's event loop until it holds."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s; recent calls:\n{self.dump()}")
            await asyncio.sleep(0.01)

    # -- test controls -----------------------------------------------------------------------

    def forget_chat(self, chat_id: int) -> None:
        """Sends to this chat now fail with 'chat not found'."""
        with self._lock:
            self._forgotten.add(chat_id)

    def user_blocks_bot(self, chat_id: int) -> None:
        """Sends to this chat now fail with 403 'bot was blocked by the user'."""
        with self._lock:
            self._blocked.add(chat_id)

    def fail_next(
        self,
        method: str,
        times: int = 1,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
    ) -> None:
        """The next `times` calls of `method` get this error (recorded, not delivered)."""
        name = self._method_names.get(method.lower(), method)
        with self._lock:
            queue = self._failures.setdefault(name, deque())
            queue.extend(injected_error(status, retry_after, description) for _ in range(times))

    def enforce_rate_limits(
        self,
        per_chat_per_second: float = CHAT_PER_SECOND,
        global_per_second: int = GLOBAL_PER_SECOND,
        group_per_minute: int = GROUP_PER_MINUTE,
        chat_burst: int = CHAT_BURST,
    ) -> None:
        """Answer 429 (with a computed retry_after) when messages exceed these limits, as
        Telegram's flood control does: the defaults are Telegram's published ones. Per bot and
        per group a sliding window (a second, a minute); per chat a bucket of `chat_burst`
        messages that refills at `per_chat_per_second`."""
        with self._lock:
            self._limits = _RateLimits(per_chat_per_second, chat_burst, global_per_second, group_per_minute)

    def lift_rate_limits(self) -> None:
        with self._lock:
            self._limits = None

    # -- updates a user produces -------------------------------------------------------------

    def make_text_update(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Ana",
        username: str | None = None,
    ) -> JSON:
        """A message update (not queued), e.g. to POST to a webhook yourself."""
        chat_id = user_id if chat_id is None else chat_id
        user = self._user(user_id, first_name, username)
        chat: JSON = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat.update({key: value for key, value in user.items() if key in ("first_name", "username")})
        else:
            chat["title"] = f"Group {chat_id}"
        with self._lock:
            self._chats[chat_id] = chat
            message: JSON = {
                "message_id": self._next_message_id(chat_id),
                "date": int(time.time()),
                "chat": chat,
                "from": user,
                "text": text,
            }
            command = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?(?=\s|$)", text)
            if command:  # PTB's CommandHandler only fires on a bot_command entity at offset 0
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command[0])}]
            return {"update_id": self._next_update_id(), "message": message}

    def make_callback_update(
        self,
        user_id: int,
        message: JSON,
        callback_data: str,
        first_name: str = "Ana",
        username: str | None = None,
    ) -> JSON:
        """A callback_query update for pressing a button under `message` (not queued)."""
        with self._lock:
            query_id = str(4_000_000_000 + next(self._counter))
            self._callback_queries[query_id] = False
            return {
                "update_id": self._next_update_id(),
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id, first_name, username),
                    "message": copy.deepcopy(message),
                    "chat_instance": str(-abs(hash(message["chat"]["id"]))),
                    "data": callback_data,
                },
            }

    def make_poll_answer_update(
        self,
        user_id: int,
        poll_id: str,
        option_ids: list[int],
        first_name: str = "Ana",
        username: str | None = None,
    ) -> JSON:
        with self._lock:
            options = self._polls.get(poll_id, {}).get("options", [])
            persistent_ids = [options[i]["persistent_id"] if i < len(options) else str(i) for i in option_ids]
            return {
                "update_id": self._next_update_id(),
                "poll_answer": {
                    "poll_id": poll_id,
                    "user": self._user(user_id, first_name, username),
                    "option_ids": list(option_ids),
                    "option_persistent_ids": persistent_ids,
                },
            }

    def user_sends_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Ana",
        username: str | None = None,
    ) -> JSON:
        return self._enqueue(self.make_text_update(user_id, text, chat_id, chat_type, first_name, username))

    def user_presses(self, user_id: int, message: JSON, callback_data: str) -> JSON:
        return self._enqueue(self.make_callback_update(user_id, message, callback_data))

    def user_answers_poll(self, user_id: int, poll_id: str, option_ids: list[int]) -> JSON:
        """Queue a poll_answer and count the vote (a new answer replaces the user's previous one)."""
        with self._lock:
            poll = self._polls.get(poll_id)
            if poll is not None:
                self._count_vote(poll, user_id, option_ids)
            return self._enqueue(self.make_poll_answer_update(user_id, poll_id, option_ids))

    def queue_raw_update(self, update: JSON) -> JSON:
        """Queue `update` as is. It is delivered even if its id is below the bot's offset (a
        replay), and dropped once delivered and confirmed."""
        update = copy.deepcopy(update)
        with self._lock:
            while self._last_update_id < int(update["update_id"]):  # later ids stay unique
                self._next_update_id()
            self._queue.append(_Queued(update, replay=True))
        return update

    # -- HTTP --------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        arrived = time.monotonic()
        name = request.path_params["method"]
        method = self._method_names.get(name.lower(), name)
        try:
            params = await _read_params(request)
        except ValueError as error:
            params, outcome = {}, bad_request(f"can't parse request: {error}")
            with self._lock:
                status, body = self._record(method, params, arrived, outcome)
            return JSONResponse(body, status_code=status)
        if (
            self._held_chat is not None
            and not self._release_held
            and is_message_method(method)
            and (self.held_client_port is not None or _normal_chat_id(params.get("chat_id")) == self._held_chat)
        ):
            # Hold the request unprocessed, as a slow Telegram would; a client that goes away
            # meanwhile (killed) never had it delivered. Once the chat's message has arrived,
            # every other message is held too, so a test can kill its sender while nothing
            # it sent is answered but unrecorded.
            if self.held_client_port is None:
                self.held_client_port = request.client.port if request.client else None
            # A flag polled, not an asyncio.Event: release() is called from the test's thread,
            # and an Event belongs to this server thread's loop.
            while not self._release_held:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            for _ in range(100):  # the client's death may take a moment to reach this loop
                if await request.is_disconnected():
                    self.dropped_by_disconnect += 1
                    return JSONResponse({"ok": False, "error_code": 499, "description": "client went away"}, status_code=499)
                await asyncio.sleep(0.01)
        status, body = await self._answer(request.path_params["token"], method, params, arrived)
        return JSONResponse(body, status_code=status)

    def hold_sends_to(self, chat_id: int) -> None:
        """Hold the next message to `chat_id`, and every message after it, unprocessed until
        `release()`; `held_client_port` then names the connection that sent the first (so a test
        can find, and kill, the process sending it)."""
        self._held_chat, self._release_held, self.held_client_port = chat_id, False, None

    def release(self) -> None:
        self._release_held = True

    async def _answer(self, token: str, method: str, params: JSON, arrived: float) -> tuple[int, JSON]:
        with self._lock:  # one lock section: state change and record are seen together
            try:
                if token != self.token:
                    raise ApiError(401, "Unauthorized")
                if method not in self._handlers:
                    raise ApiError(404, "Not Found: method not found")
                failures = self._failures.get(method)
                if failures:
                    raise failures.popleft()
                if method != "getUpdates":
                    return self._record(method, params, arrived, self._run(method, params))
            except ApiError as error:
                return self._record(method, params, arrived, error)
        try:
            outcome: Any = await self._get_updates(params)
        except ApiError as error:
            outcome = error
        with self._lock:
            return self._record(method, params, arrived, outcome)

    def _run(self, method: str, params: JSON) -> Any:
        if not counts_against_limits(method):
            return self._handlers[method](params)
        chat_id = _normal_chat_id(params.get("chat_id"))
        if isinstance(chat_id, int):
            self._check_rate_limits(chat_id)
        result = self._handlers[method](params)
        if isinstance(chat_id, int):
            now = time.monotonic()
            self._deliveries.append((now, chat_id, self._is_group(chat_id)))
            self._chat_buckets[chat_id] = (self._chat_level(chat_id, now) + 1, now)
        return result

    def _record(self, method: str, params: JSON, arrived: float, outcome: Any) -> tuple[int, JSON]:
        if isinstance(outcome, ApiError):
            status, body = outcome.status, outcome.body()
            if status == 429:
                self._too_many_requests += 1
        else:
            status, body = 200, {"ok": True, "result": outcome}
        self._calls.append(Call(method, params, arrived, status, copy.deepcopy(body)))
        return status, body

    async def _download(self, request: Request) -> Response:
        with self._lock:
            stored = next((file for file in self._files.values() if file.path == request.path_params["path"]), None)
        if request.path_params["token"] != self.token or stored is None or stored.data is None:
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404)
        return Response(stored.data, media_type="image/jpeg")

    # -- getUpdates and webhooks -------------------------------------------------------------

    async def _get_updates(self, params: JSON) -> list[JSON]:
        try:
            offset = int(params.get("offset") or 0)
            limit = min(max(int(params.get("limit") or 100), 1), 100)
            deadline = time.monotonic() + max(float(params.get("timeout") or 0), 0.0)
        except (TypeError, ValueError):
            raise bad_request("wrong parameter offset, limit or timeout") from None
        with self._lock:
            if self._webhook["url"]:
                raise ApiError(
                    409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
                )
            if isinstance(params.get("allowed_updates"), list):  # remembered until changed, as Telegram does
                self._allowed_updates = frozenset(params["allowed_updates"]) or None
            self._confirm(offset)
        while True:  # long polling: 10 ms checks keep this simple and thread-safe
            with self._lock:
                batch = self._take_batch(limit)
                if batch or self._closing or time.monotonic() >= deadline:
                    return batch
            await asyncio.sleep(0.01)

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._queue = [e for e in self._queue if e.id >= offset or (e.replay and not e.delivered)]
        elif offset < 0:
            self._queue = self._queue[offset:]  # Telegram: only the last -offset updates remain

    def _take_batch(self, limit: int) -> list[JSON]:
        allowed = self._allowed_updates
        wanted = [entry for entry in self._queue if (entry.kind in allowed if allowed else entry.kind not in DEFAULT_UPDATE_TYPES_EXCLUDED)]
        # Ascending ids: PTB confirms with the last id + 1, which must cover the whole batch.
        batch = sorted(wanted, key=lambda entry: entry.id)[:limit]
        for entry in batch:
            entry.delivered = True
        return [copy.deepcopy(entry.update) for entry in batch]

    def _set_webhook(self, params: JSON) -> bool:
        url = str(params.get("url") or "")
        if url and not re.match(r"https?://", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._webhook = {
            "url": url,
            "secret_token": params.get("secret_token"),
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": params.get("max_connections", 40),
        }
        return True

    def _delete_webhook(self, params: JSON) -> bool:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._webhook = {"url": ""}
        return True

    def _get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {"url": self._webhook["url"], "has_custom_certificate": False, "pending_update_count": len(self._queue)}
        if self._webhook["url"]:
            info["max_connections"] = self._webhook["max_connections"]
            if self._webhook["allowed_updates"]:
                info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    # -- messages ----------------------------------------------------------------------------

    def _send_message(self, params: JSON) -> JSON:
        chat = self._chat(params)
        text, entities = self._message_text(params)
        markup = _inline_markup(params.get("reply_markup"))
        return self._store_new(chat, text=text, entities=entities, reply_markup=markup)

    def _edit_message_text(self, params: JSON) -> JSON:
        chat = self._chat(params)
        old = self._stored(chat["id"], params, "message to edit not found")
        if "text" not in old:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._message_text(params)
        markup = _inline_markup(params.get("reply_markup"))  # omitted: Telegram removes the keyboard
        if (text, entities, markup) == (old["text"], old.get("entities", []), old.get("reply_markup")):
            raise bad_request(NOT_MODIFIED)
        return self._store_edit(old, text=text, entities=entities, reply_markup=markup)

    def _edit_message_reply_markup(self, params: JSON) -> JSON:
        chat = self._chat(params)
        old = self._stored(chat["id"], params, "message to edit not found")
        markup = _inline_markup(params.get("reply_markup"))
        if markup == old.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        return self._store_edit(old, reply_markup=markup)

    def _delete_message(self, params: JSON) -> bool:
        chat = self._chat(params)
        old = self._stored(chat["id"], params, "message to delete not found")
        del self._messages[(chat["id"], old["message_id"])]
        return True

    def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if self._callback_queries.get(query_id, True):  # unknown or already answered
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = True
        return True

    def _send_photo(self, params: JSON) -> JSON:
        chat = self._chat(params)
        stored = self._photo_file(params.get("photo"))
        caption, entities = formatted(str(params.get("caption") or ""), params.get("parse_mode"), params.get("caption_entities"))
        if len(caption) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        size = {"file_id": stored.file_id, "file_unique_id": stored.unique_id, "width": stored.width, "height": stored.height}
        if stored.data is not None:
            size["file_size"] = len(stored.data)
        return self._store_new(
            chat, photo=[size], caption=caption, caption_entities=entities, reply_markup=_inline_markup(params.get("reply_markup"))
        )

    def _send_media_group(self, params: JSON) -> list[JSON]:
        """An album of photos: every item is checked before any is stored; each becomes a message
        of the same media_group_id, captions their own."""
        chat = self._chat(params)
        media = params.get("media")
        if not isinstance(media, list) or len(media) not in ALBUM_SIZES:
            raise bad_request("wrong number of media in the album: send 2 to 10")
        items = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") != "photo":
                raise bad_request("this fake takes albums of photos only")
            reference = item.get("media")
            if isinstance(reference, str) and reference.startswith("attach://"):
                reference = params.get(reference.removeprefix("attach://"))  # the file uploaded under that name
            stored = self._photo_file(reference)
            caption, entities = formatted(str(item.get("caption") or ""), item.get("parse_mode"), item.get("caption_entities"))
            if len(caption) > MAX_CAPTION:
                raise bad_request("message caption is too long")
            items.append((stored, caption, entities))
        group = f"album-{next(self._counter)}"
        return [
            self._store_new(chat, photo=[self._size(stored)], caption=caption, caption_entities=entities, media_group_id=group)
            for stored, caption, entities in items
        ]

    @staticmethod
    def _size(stored: _StoredFile) -> JSON:
        size: JSON = {"file_id": stored.file_id, "file_unique_id": stored.unique_id, "width": stored.width, "height": stored.height}
        if stored.data is not None:
            size["file_size"] = len(stored.data)
        return size

    def _photo_file(self, photo: object) -> _StoredFile:
        if photo is None or photo == "":
            raise bad_request("there is no photo in the request")
        if isinstance(photo, str) and photo in self._files:
            return self._files[photo]
        if isinstance(photo, str) and not re.match(r"https?://", photo):
            raise bad_request("wrong file identifier/HTTP URL specified")
        data = photo.data if isinstance(photo, Upload) else None
        width, height = 800, 600  # a URL photo: the fake does not fetch it
        if data is not None:
            if len(data) > MAX_PHOTO_BYTES:
                raise bad_request("file is too big")
            try:
                with Image.open(BytesIO(data)) as image:
                    width, height = image.size
            except (UnidentifiedImageError, OSError):
                raise bad_request("IMAGE_PROCESS_FAILED") from None  # e.g. an SVG sent as a photo
            if width + height > MAX_PHOTO_SIDES or max(width, height) > MAX_PHOTO_RATIO * min(width, height):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
        number = next(self._counter)
        stored = _StoredFile(f"fake-photo-{number}", f"fake-unique-{number}", data, width, height)
        self._files[stored.file_id] = stored
        return stored

    def _get_file(self, params: JSON) -> JSON:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        file: JSON = {"file_id": stored.file_id, "file_unique_id": stored.unique_id, "file_path": stored.path}
        if stored.data is not None:
            file["file_size"] = len(stored.data)
        return file

    def _send_chat_action(self, params: JSON) -> bool:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _message_text(self, params: JSON) -> tuple[str, list[JSON]]:
        raw = params.get("text")
        if not isinstance(raw, str) or not raw.strip():
            raise bad_request("message text is empty")
        text, entities = formatted(raw, params.get("parse_mode"), params.get("entities"))
        if not text.strip():
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT:
            raise bad_request("message is too long")
        return text, entities

    # -- polls -------------------------------------------------------------------------------

    def _send_poll(self, params: JSON) -> JSON:
        chat = self._chat(params)
        question = str(params.get("question") or "")
        options = [option if isinstance(option, str) else str(option.get("text", "")) for option in params.get("options") or []]
        kind = params.get("type") or "regular"
        correct = params.get("correct_option_ids")  # Bot API 9.6; correct_option_id before it
        if correct is None and params.get("correct_option_id") is not None:
            correct = [params["correct_option_id"]]
        multiple = bool(params.get("allows_multiple_answers"))
        if not question.strip():
            raise bad_request("poll question must be non-empty")
        if len(question) > 300:
            raise bad_request("poll question length must not exceed 300")
        if len(options) < 2:
            raise bad_request("poll must have at least 2 option")
        if len(options) > 12:
            raise bad_request("poll can't have more than 12 options")
        if any(not option.strip() or len(option) > 100 for option in options):
            raise bad_request("poll options length must be between 1 and 100")
        if kind not in ("regular", "quiz"):
            raise bad_request("poll type is invalid")
        if kind == "quiz" and not _valid_correct_ids(correct, len(options)):
            raise bad_request("wrong correct option ids specified")
        poll: JSON = {
            "id": str(5_000_000_000 + next(self._counter)),
            "question": question,
            "options": [{"persistent_id": str(index), "text": option, "voter_count": 0} for index, option in enumerate(options)],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": params.get("is_anonymous", True) is not False,
            "type": kind,
            "allows_multiple_answers": multiple,
            "allows_revoting": bool(params.get("allows_revoting", kind == "regular")),  # Bot API 9.6 defaults
            "members_only": bool(params.get("members_only", False)),
        }
        if kind == "quiz":
            assert isinstance(correct, list)  # _valid_correct_ids checked it above
            poll["correct_option_ids"] = list(correct)
            explanation, entities = formatted(
                str(params.get("explanation") or ""), params.get("explanation_parse_mode"), params.get("explanation_entities")
            )
            if len(explanation) > 200:
                raise bad_request("explanation is too long")
            if explanation:
                poll["explanation"] = explanation
            if entities:
                poll["explanation_entities"] = entities
        for key in ("open_period", "close_date"):
            if params.get(key) is not None:
                poll[key] = params[key]
        message = self._store_new(chat, poll=poll, reply_markup=_inline_markup(params.get("reply_markup")))
        self._polls[poll["id"]] = poll
        self._poll_messages[poll["id"]] = (chat["id"], message["message_id"])
        self._poll_votes[poll["id"]] = {}
        return message

    def _stop_poll(self, params: JSON) -> JSON:
        chat = self._chat(params)
        message = self._stored(chat["id"], params, "message with poll to stop not found")
        if "poll" not in message:
            raise bad_request("message with poll to stop not found")
        poll = self._polls[message["poll"]["id"]]
        if poll["is_closed"]:
            raise bad_request("poll has already been closed")
        self._replace_poll({**poll, "is_closed": True})
        markup = _inline_markup(params.get("reply_markup"))
        key = (chat["id"], message["message_id"])
        self._messages[key] = _without_empty({**self._messages[key], "reply_markup": markup})
        return copy.deepcopy(self._polls[poll["id"]])

    def _count_vote(self, poll: JSON, user_id: int, option_ids: list[int]) -> None:
        if poll["is_anonymous"]:
            raise ValueError("anonymous polls produce no poll_answer updates")
        if poll["is_closed"]:
            raise ValueError("the poll is closed; a user cannot vote in it")
        if any(not 0 <= option < len(poll["options"]) for option in option_ids):
            raise ValueError(f"option ids {option_ids} out of range")
        if len(option_ids) > 1 and not poll["allows_multiple_answers"]:
            raise ValueError("this poll allows a single answer")
        votes = self._poll_votes.setdefault(poll["id"], {})
        if votes.get(user_id) and not poll["allows_revoting"]:
            raise ValueError("this poll does not allow changing an answer")
        votes[user_id] = list(option_ids)
        counts = [sum(index in chosen for chosen in votes.values()) for index in range(len(poll["options"]))]
        options = [{**option, "voter_count": count} for option, count in zip(poll["options"], counts, strict=True)]
        self._replace_poll({**poll, "options": options, "total_voter_count": sum(1 for chosen in votes.values() if chosen)})

    def _replace_poll(self, poll: JSON) -> None:
        self._polls[poll["id"]] = poll
        key = self._poll_messages.get(poll["id"])
        if key in self._messages:
            self._messages[key] = {**self._messages[key], "poll": poll}

    # -- commands, menu, chats ---------------------------------------------------------------

    def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description must be 1-256 characters")
        self._commands[self._commands_key(params)] = copy.deepcopy(commands)
        return True

    def _delete_my_commands(self, params: JSON) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_chat_menu_button(self, params: JSON) -> bool:
        chat_id = self._chat(params)["id"] if params.get("chat_id") is not None else None
        self._menu_buttons[chat_id] = params.get("menu_button") or {"type": "default"}
        return True

    def _get_chat_menu_button(self, params: JSON) -> JSON:
        chat_id = self._chat(params)["id"] if params.get("chat_id") is not None else None
        return copy.deepcopy(self._menu_buttons.get(chat_id) or self._menu_buttons.get(None) or {"type": "default"})

    def _get_chat(self, params: JSON) -> JSON:
        chat = self._chat(params)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    def _chat(self, params: JSON) -> JSON:
        """The chat a call addresses; any integer id is known unless forgotten or blocked."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat_id = _normal_chat_id(raw)
        if not isinstance(chat_id, int) or chat_id in self._forgotten:
            raise bad_request("chat not found")
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self._chats:
            kind = "private" if chat_id > 0 else "supergroup" if str(chat_id).startswith("-100") else "group"
            self._chats[chat_id] = {"id": chat_id, "type": kind} | (
                {"first_name": "Ana"} if kind == "private" else {"title": f"Group {chat_id}"}
            )
        return copy.deepcopy(self._chats[chat_id])

    def _is_group(self, chat_id: int) -> bool:
        return self._chats.get(chat_id, {}).get("type", "private" if chat_id > 0 else "group") != "private"

    # -- storage helpers ---------------------------------------------------------------------

    def _store_new(self, chat: JSON, **content: Any) -> JSON:
        message = _without_empty(
            {
                "message_id": self._next_message_id(chat["id"]),
                "from": self.bot_user,
                "chat": chat,
                "date": int(time.time()),
                **content,
            }
        )
        self._messages[(chat["id"], message["message_id"])] = message
        return copy.deepcopy(message)

    def _store_edit(self, old: JSON, **changes: Any) -> JSON:
        message = _without_empty({**old, **changes, "edit_date": int(time.time())})
        self._messages[(old["chat"]["id"], old["message_id"])] = message
        return copy.deepcopy(message)

    def _stored(self, chat_id: int, params: JSON, missing: str) -> JSON:
        try:
            message_id = int(params.get("message_id"))  # type: ignore[arg-type]  # missing (None): TypeError, answered below
        except (TypeError, ValueError):
            raise bad_request("message identifier is not specified") from None
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise bad_request(missing)
        return message

    def _next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _next_update_id(self) -> int:
        self._last_update_id = next(self._update_ids)
        return self._last_update_id

    def _enqueue(self, update: JSON) -> JSON:
        with self._lock:
            self._queue.append(_Queued(copy.deepcopy(update), replay=False))
        return update

    def user_speaks(self, user_id: int, language_code: str | None) -> None:
        """The language of the user's Telegram client, sent as `from.language_code` with every
        update they produce from now on ("en" until then; None: Telegram sends none)."""
        with self._lock:
            self._languages[user_id] = language_code

    def _user(self, user_id: int, first_name: str, username: str | None) -> JSON:
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        language = self._languages.get(user_id, "en")
        if language is not None:
            user["language_code"] = language
        if username:
            user["username"] = username
        return user

    def _check_rate_limits(self, chat_id: int) -> None:
        limits = self._limits
        now = time.monotonic()
        while self._deliveries and now - self._deliveries[0][0] >= 60:
            self._deliveries.popleft()
        if limits is None:
            return
        waits = [
            (self._chat_level(chat_id, now) + 1 - limits.chat_burst) / limits.per_chat_per_second,
            _wait([at for at, _, _ in self._deliveries], now, 1, limits.global_per_second),
        ]
        if self._is_group(chat_id):
            waits.append(_wait([at for at, chat, _ in self._deliveries if chat == chat_id], now, 60, limits.group_per_minute))
        wait = max(waits)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))

    def _chat_level(self, chat_id: int, now: float) -> float:
        """How full a chat's bucket is now: it drains at the per-chat rate (at once while limits are lifted)."""
        level, at = self._chat_buckets.get(chat_id, (0.0, now))
        if self._limits is None:
            return 0.0
        return max(0.0, level - (now - at) * self._limits.per_chat_per_second)


def _wait(times: list[float], now: float, window: float, capacity: int) -> float:
    """Seconds until one more event fits `capacity` per sliding `window` (0 if it fits now)."""
    recent = [at for at in times if now - at < window]
    if len(recent) < capacity:
        return 0.0
    return recent[-capacity] + window - now


def _valid_correct_ids(correct: object, option_count: int) -> bool:
    """Quiz answers: a non-empty, increasing list of option indexes."""
    if not isinstance(correct, list) or not correct or not all(isinstance(i, int) for i in correct):
        return False
    return correct == sorted(set(correct)) and correct[0] >= 0 and correct[-1] < option_count


def _without_empty(message: JSON) -> JSON:
    return {key: value for key, value in message.items() if value not in (None, "", [])}


def _inline_markup(markup: object) -> JSON | None:
    """The inline keyboard Telegram echoes back (reply keyboards are not echoed), validated."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict) or not str(button.get("text") or "").strip():
            raise bad_request("BUTTON_TEXT_INVALID")
        if not BUTTON_ACTIONS & button.keys():
            raise bad_request("text buttons are unallowed in the inline keyboard")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button and not re.match(r"(https?|tg)://\S+$", str(button["url"])):
            raise bad_request("BUTTON_URL_INVALID")
    return copy.deepcopy({"inline_keyboard": rows})


async def _read_params(request: Request) -> JSON:
    """Parameters from the query string and a JSON, form-urlencoded or multipart body."""
    params: JSON = {key: _decode_field(key, value) for key, value in request.query_params.items()}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        if body:
            loaded = json.loads(body)  # a JSON body is already typed
            if not isinstance(loaded, dict):
                raise ValueError("the JSON body must be an object")
            params.update(loaded)
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        async with request.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    params[key] = Upload(value.filename, value.content_type, await value.read())
                else:
                    params[key] = _decode_field(key, value)
    return params


def _decode_field(key: str, value: str) -> Any:
    if key in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id "@channel"


# ---------------------------------------------------------------------------------------------
# Serving


@contextmanager
def running_fake_telegram(token: str = "123456:TEST-TOKEN", bot_username: str = "microbadge_bot") -> Iterator[FakeTelegram]:
    """Serve a FakeTelegram with uvicorn on 127.0.0.1 in a thread with its own event loop."""
    fake = FakeTelegram(token, bot_username)

    def end_long_polls() -> None:
        with fake._lock:
            fake._closing = True  # pending long polls answer [] now, so shutdown is quick

    with serving_in_thread(fake.app, "fake-telegram", before_stop=end_long_polls) as port:
        fake.port = port
        yield fake
