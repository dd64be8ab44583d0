"""Requests as Slack sends them to an app: signed bodies for the Events API, interactivity and
slash commands (https://api.slack.com/authentication/verifying-requests-from-slack).

Event bodies are dicts (sent as JSON); interactivity and slash-command bodies are
form-urlencoded strings, as Slack sends them. `post` signs and sends either. This is Slack's
side of the wire as fakes/slack_api.py is; it enforces no limit itself (Slack's 3 seconds for an
acknowledgement are checked by benchmarks/slack.py).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

JSON = dict[str, Any]

TEAM_ID = "T0001"
API_APP_ID = "A0APP"
BOT_USER_ID = "U0BOT"
DM_CHANNEL = "D000000001"  # the first DM channel FakeSlack hands out
# A response_url nobody listens on (connection refused at once, never the internet); pass
# FakeSlack.response_url(...) to capture what the app posts there.
UNROUTABLE_RESPONSE_URL = "http://127.0.0.1:9/response/unset"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
FORM = "application/x-www-form-urlencoded"

_counter = itertools.count(1)


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """v0= + hex HMAC-SHA256 of "v0:{timestamp}:{body}" keyed with the signing secret."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if timestamp is None else timestamp
    return {"X-Slack-Request-Timestamp": str(stamp), "X-Slack-Signature": signature(secret, body, stamp)}


async def post(
    client: httpx.AsyncClient,
    path: str,
    body: JSON | str | bytes,
    secret: str,
    *,
    content_type: str | None = None,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str | None = None,
) -> httpx.Response:
    """POST a signed request; a dict body goes as JSON, a string as a form unless told otherwise."""
    raw = json.dumps(body).encode() if isinstance(body, dict) else body.encode() if isinstance(body, str) else body
    content_type = content_type or ("application/json" if isinstance(body, dict) else FORM)
    headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, **signed_headers(secret, raw, timestamp)}
    if retry_num is not None:  # Slack's redelivery of an event the app did not ack in time
        headers["X-Slack-Retry-Num"] = str(retry_num)
    if retry_reason is not None:
        headers["X-Slack-Retry-Reason"] = retry_reason
    return await client.post(path, content=raw, headers=headers)


# -- Events API ---------------------------------------------------------------------------------


def event_callback(
    event: JSON,
    team_id: str = TEAM_ID,
    event_id: str | None = None,
    event_time: int | None = None,
    *,
    api_app_id: str = API_APP_ID,
    bot_user_id: str = BOT_USER_ID,
) -> JSON:
    """The Events API envelope around `event`, with a unique event_id unless given."""
    return {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_counter):010d}",
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {"enterprise_id": None, "team_id": team_id, "user_id": bot_user_id, "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-fake-{next(_counter)}",
    }


def url_verification(challenge: str) -> JSON:
    return {"token": "legacy-verification-token", "challenge": challenge, "type": "url_verification"}


def message_im(user: str, text: str, channel: str = DM_CHANNEL, ts: str | None = None, *, team_id: str = TEAM_ID) -> JSON:
    """A `message` event of a user writing in the app's DM (wrap it in event_callback)."""
    ts = ts or new_ts()
    return {
        "type": "message",
        "channel_type": "im",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": team_id,
        "client_msg_id": f"fake-msg-{next(_counter)}",
        "blocks": [
            {
                "type": "rich_text",
                "block_id": "fake",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
            }
        ],
    }


def app_home_opened(user: str, tab: str = "home", channel: str = DM_CHANNEL, view: JSON | None = None) -> JSON:
    """The user opened the app's home (or messages) tab; `view` is the last published home."""
    event: JSON = {"type": "app_home_opened", "user": user, "channel": channel, "tab": tab, "event_ts": new_ts()}
    if view is not None:
        event["view"] = view
    return event


# -- interactivity and commands (form bodies) ---------------------------------------------------


def block_actions(
    user: str,
    channel: str,
    message_ts: str,
    action_id: str,
    value: str,
    block_id: str | None = None,
    trigger_id: str | None = None,
    response_url: str = UNROUTABLE_RESPONSE_URL,
    *,
    message: JSON | None = None,
    username: str = "ana",
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    label: str | None = None,
    state: JSON | None = None,
    in_home_view: JSON | None = None,
) -> str:
    """A button press under a message, as the single `payload` form field Slack sends. Pass the
    pressed `message` (e.g. FakeSlack.message(...)) to echo its text and blocks; `label` is the
    button's text, `state` the inputs' values (ticked checkboxes), `in_home_view` the App Home
    view the button is in (then there is no message)."""
    message = message or {"type": "message", "user": BOT_USER_ID, "ts": message_ts, "text": "", "blocks": []}
    block_id = block_id or _block_id_of(message.get("blocks") or [], action_id) or "fake-block"
    payload = {
        "type": "block_actions",
        "token": "legacy-verification-token",
        "api_app_id": api_app_id,
        "user": {"id": user, "username": username, "name": username, "team_id": team_id},
        "team": {"id": team_id, "domain": "fake-team"},
        "enterprise": None,
        "is_enterprise_install": False,
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {**message, "ts": message_ts},
        "state": state or {"values": {}},
        "trigger_id": trigger_id or new_trigger_id(),
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "type": "button",
                "text": {"type": "plain_text", "text": label or value, "emoji": True},
                "action_ts": new_ts(),
            }
        ],
    }
    if in_home_view is not None:  # a press in the App Home: a view container, no channel, no message
        payload["container"] = {"type": "view", "view_id": in_home_view.get("id", "V0")}
        payload["view"] = in_home_view
        del payload["channel"], payload["message"]
    return urlencode({"payload": json.dumps(payload)})


def slash_command(
    user: str,
    command: str = "/learn",
    text: str = "next",
    channel: str = DM_CHANNEL,
    *,
    user_name: str = "ana",
    team_id: str = TEAM_ID,
    response_url: str = UNROUTABLE_RESPONSE_URL,
    trigger_id: str | None = None,
    api_app_id: str = API_APP_ID,
) -> str:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "team_domain": "fake-team",
            "channel_id": channel,
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )


def new_ts() -> str:
    """A fresh, unique Slack-style timestamp "seconds.micro"."""
    return f"{int(time.time())}.{next(_counter) % 1_000_000:06d}"


def new_trigger_id() -> str:
    return f"{next(_counter)}.{int(time.time())}.fake{next(_counter):08x}"


def _block_id_of(blocks: list[JSON], action_id: str) -> str | None:
    """The block holding the element with `action_id`, so the payload matches the message."""
    for block in blocks:
        elements = [*(block.get("elements") or []), block.get("accessory") or {}]
        if any(isinstance(element, dict) and element.get("action_id") == action_id for element in elements):
            return block.get("block_id")
    return None
