"""Strangers at /slack/events, at the wire: requests that Slack did not sign are refused with 401
before anything in them is read; signed bodies the bot cannot use get a 4xx. Either way no Web
API call reaches Slack (the fake), no learner is written, and nothing from the request reaches
the log: a line break in a field cannot forge a log line."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

from bot.store.store import SqlStore
from fakes import slack_signing as signing
from fakes.slack_api import FakeSlack
from tests.slack.client import AppClient
from tests.slack.test_slack_app import SECRET, fake, http  # noqa: F401

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

FORGED = "\nERROR adapters.slack.app: forged line"
COMMAND = signing.slash_command("U0ANA", text="next", channel="C0GENERAL", trigger_id="1.2.x" + FORGED).encode()
EVENT = json.dumps(signing.event_callback(signing.message_im("U0ANA", "hi" + FORGED))).encode()
FORM, JSON_TYPE = signing.FORM, "application/json"


UNSIGNED: dict[str, tuple[bytes, str, Mapping[str, str | bytes]]] = {
    "a timestamp that is not a number": (COMMAND, FORM, {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}),
    "no signature": (COMMAND, FORM, {"X-Slack-Request-Timestamp": str(int(time.time()))}),
    "no timestamp": (COMMAND, FORM, {"X-Slack-Signature": signing.signature(SECRET, COMMAND, int(time.time()))}),
    "a wrong secret": (COMMAND, FORM, signing.signed_headers("not-the-secret", COMMAND)),
    "a replay after 6 minutes": (EVENT, JSON_TYPE, signing.signed_headers(SECRET, EVENT, int(time.time()) - 360)),
    "another body's signature": (EVENT, JSON_TYPE, signing.signed_headers(SECRET, COMMAND)),
    # Arabic-Indic digits, sent as UTF-8: int() would read them as a number, Slack's check must not
    "a timestamp in other digits": (
        EVENT,
        JSON_TYPE,
        {
            "X-Slack-Request-Timestamp": "١٧٠٠٠٠٠٠٠٠".encode(),  # noqa: RUF001
            "X-Slack-Signature": "v0=00",
        },
    ),
}


def nested(depth: int) -> bytes:
    return ('{"type": "event_callback", "deep": ' + "[" * depth + "]" * depth + "}").encode()


def payload(value: object) -> bytes:
    return urlencode({"payload": json.dumps(value)}).encode()


PRESS = json.loads(dict(parse_qsl(signing.block_actions("U0ANA", signing.DM_CHANNEL, "1.000100", "mb:0", "next")))["payload"])

MALFORMED = {
    "bad UTF-8": (b'{"type": "event_callback", "text": "\xff\xfe"}', JSON_TYPE, 400),
    "a JSON array": (b'[{"type": "event_callback"}]', JSON_TYPE, 400),
    "NaN": (b'{"type": "event_callback", "event_time": NaN}', JSON_TYPE, 400),
    "a number too large for a float": (b'{"type": "event_callback", "event_time": 1e999}', JSON_TYPE, 400),
    "5,000-deep nesting": (nested(5000), JSON_TYPE, 400),
    "70-deep nesting": (nested(70), JSON_TYPE, 400),
    "a huge body": (b'{"type": "event_callback", "text": "' + b"x" * (2 << 20) + b'"}', JSON_TYPE, 413),
    "text, not JSON or a form": (b"hello", "text/plain", 415),
    "a form whose payload is an array": (payload([1, 2]), FORM, 400),
    "a press whose user id forges a log line": (payload({**PRESS, "user": {"id": "U0ANA" + FORGED}}), FORM, 400),
    "a press without actions": (payload({**PRESS, "actions": "next"}), FORM, 400),
    "an event that is not an object": (json.dumps({**json.loads(EVENT), "event": "hi"}).encode(), JSON_TYPE, 400),
    "a command whose trigger id forges a log line": (COMMAND, FORM, 400),
    "a command from a user id above 2^63": (signing.slash_command("U" + "9" * 40, text="next").encode(), FORM, 400),
}


async def nothing_happened(fake: FakeSlack, http: httpx.AsyncClient, store: SqlStore, caplog: pytest.LogCaptureFixture) -> None:
    assert isinstance(http, AppClient), "an app served in the test's loop"
    await http.idle()
    assert fake.calls == [] and fake.responses == [], fake.dump()
    async with store.transaction() as tx:
        assert await tx.learners.find("slack", "U0ANA") is None
    for record in caplog.records:
        assert "forged" not in record.getMessage() and "\n" not in record.getMessage(), record.getMessage()
        assert record.exc_info is None, "no traceback"


@pytest.mark.parametrize("case", list(UNSIGNED))
async def test_a_request_slack_did_not_sign_is_refused_and_does_nothing(
    case: str, fake: FakeSlack, http: httpx.AsyncClient, store: SqlStore, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    fake.add_user("U0ANA", "ana")
    body, content_type, headers = UNSIGNED[case]
    # httpx sends a bytes header value as it is, though its types name str only: one case sends non-ASCII bytes
    response = await http.post("/slack/events", content=body, headers={"Content-Type": content_type, **headers})  # type: ignore[arg-type]
    assert response.status_code == 401
    await nothing_happened(fake, http, store, caplog)


@pytest.mark.parametrize("case", list(MALFORMED))
async def test_a_signed_body_the_bot_cannot_use_gets_a_4xx_and_does_nothing(
    case: str, fake: FakeSlack, http: httpx.AsyncClient, store: SqlStore, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    body, content_type, status = MALFORMED[case]
    response = await http.post(
        "/slack/events", content=body, headers={"Content-Type": content_type, **signing.signed_headers(SECRET, body)}
    )
    assert response.status_code == status
    await nothing_happened(fake, http, store, caplog)
