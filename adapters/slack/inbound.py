"""What arrives at /slack/events, checked before anything acts on it.

`verified` checks Slack's signature (v0 HMAC-SHA256 of the timestamp and the raw body) and the
timestamp's age; nothing else of a request is read before it passes. `parse` reads a verified
body strictly (UTF-8, a JSON object without NaN or deep nesting, or a form); `delivery_of`
names the work a body asks for (a DM, opening the App Home, a button, `/learn`) as a
`Delivery`: a JSON value that can be journaled and processed again later, in another process.
Anything malformed raises `Malformed`: the request gets a 4xx, never a traceback."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from adapters.slack.render import BUTTON_ACTION, SUBMIT_ACTION

MAX_BODY = 1 << 20  # bytes: Slack's largest payloads (a message with 50 blocks, escaped) fit well
MAX_AGE = 5 * 60  # seconds a signed request stays valid (Slack's advice against replays)
MAX_DEPTH = 64  # nesting of a JSON body; Slack's payloads stay under 20
MAX_FIELDS = 100  # fields of a form body
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
COMMAND = "/learn"
POINTER = "I have answered you in our direct messages."

_USER = re.compile(r"[UW][A-Z0-9]{1,31}")
_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # event ids, action timestamps, trigger ids

JSON = dict[str, Any]


class Malformed(ValueError):
    """A signed request the bot cannot use; `status` is the HTTP answer (a 4xx)."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class Delivery:
    """One thing a learner did, as Slack delivered it: `key` is Slack's id for it (a redelivery
    has the same), `user` whose it is, `body` the verified payload."""

    kind: str  # message | home | action | command
    key: str
    user: str
    body: JSON

    def payload(self) -> JSON:
        return {"kind": self.kind, "key": self.key, "user": self.user, "body": self.body}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Delivery:
        return cls(str(payload["kind"]), str(payload["key"]), str(payload["user"]), dict(payload["body"]))


def verified(secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float | None = None) -> bool:
    """Whether `body` carries Slack's signature for `secret`, made in the last 5 minutes."""
    if not timestamp or not signature or len(timestamp) > 12 or not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def parse(body: bytes, content_type: str | None) -> JSON:
    """A verified body as Slack sends it: JSON (the Events API) or a form (a command's fields,
    or interactivity's one `payload` field of JSON)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("the body is not UTF-8") from None
    media = (content_type or "").split(";")[0].strip().lower()
    if media == JSON_TYPE:
        return _json_object(text)
    if media == FORM_TYPE:
        try:
            fields = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except ValueError:
            raise Malformed(f"a form of more than {MAX_FIELDS} fields") from None
        form = dict(fields)
        if len(form) != len(fields):
            raise Malformed("a form field given twice")
        return _json_object(form["payload"]) if "payload" in form else form
    raise Malformed(f"content type {media[:40] or 'missing'!r}, not JSON or a form", status=415)


def _json_object(text: str) -> JSON:
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise Malformed("JSON nested too deeply") from None
    except ValueError as error:
        raise Malformed(f"not JSON: {error}"[:120]) from None
    if not isinstance(value, dict):
        raise Malformed(f"a JSON {type(value).__name__}, not an object")
    _check_depth(value)
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("a number too large")
    return number


def _check_depth(value: Any) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Malformed(f"JSON nested deeper than {MAX_DEPTH}")
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack += [(child, depth + 1) for child in children if isinstance(child, dict | list)]


def delivery_of(body: JSON) -> Delivery | None:
    """The work a verified body asks for; None when there is none (an event or a button the bot
    only acknowledges). Raises Malformed for a body that says what it is but not enough."""
    if body.get("type") == "event_callback":
        return _event(body)
    if body.get("type") == "block_actions":
        return _action(body)
    if "command" in body:
        return _command(body)
    return None


def command_ack(body: JSON) -> JSON | None:
    """What `/learn` typed outside a DM answers at once, only to the person who typed it: the
    answer goes to their DM with the app, where nobody else sees a lesson or an answer."""
    if "command" in body and not str(body.get("channel_id") or "").startswith("D"):
        return {"response_type": "ephemeral", "text": POINTER}
    return None


def _event(body: JSON) -> Delivery | None:
    event = body.get("event")
    if not isinstance(event, dict):
        raise Malformed("an event callback without an event")
    key = _id(body.get("event_id"), "event_id")
    kind = event.get("type")
    if kind == "message":
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return None  # only what a person writes to the app in its DM
        if not isinstance(event.get("text", ""), str) or not isinstance(event.get("channel", ""), str):
            raise Malformed("a message without text")
        return Delivery("message", f"e{key}", _user(event.get("user")), body)
    if kind == "app_home_opened":
        if event.get("tab") != "home":
            return None
        return Delivery("home", f"e{key}", _user(event.get("user")), body)
    return None


def _action(body: JSON) -> Delivery | None:
    user = body.get("user")
    actions = body.get("actions")
    if not isinstance(user, dict) or not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise Malformed("a button press without a user or an action")
    action = actions[0]
    action_id = action.get("action_id")
    if not isinstance(action_id, str) or not (BUTTON_ACTION.match(action_id) or SUBMIT_ACTION.match(action_id)):
        return None  # a link button, a ticked checkbox: nothing to do until submitted
    if not isinstance(action.get("value", ""), str):
        raise Malformed("a button without a text value")
    who = _user(user.get("id"))
    return Delivery("action", f"a{_id(action.get('action_ts'), 'action_ts')}:{who}", who, body)


def _command(body: JSON) -> Delivery | None:
    if body.get("command") != COMMAND:
        return None
    if not all(isinstance(body.get(name, ""), str) for name in ("text", "channel_id", "response_url")):
        raise Malformed("a command with fields that are not text")
    return Delivery("command", f"s{_id(body.get('trigger_id'), 'trigger_id')}", _user(body.get("user_id")), body)


def _user(value: object) -> str:
    if not isinstance(value, str) or not _USER.fullmatch(value):
        raise Malformed("no user, or not a Slack user id")
    return value


def _id(value: object, name: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise Malformed(f"no usable {name}")
    return value
