"""The fake Slack Web API, driven by the real slack_sdk AsyncWebClient over HTTP, and the signed
requests of signing.py, accepted (or refused) by a real slack_bolt app."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fakes import slack_signing as signing
from fakes.slack_api import FakeSlack, running_fake_slack
from tests.support import found

TOKEN = "xoxb-test-token"
SECRET = "signing-secret"
USER = "U0ANA"
CHANNEL = "C0LEARN"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(action_id: str, value: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "value": value, "text": {"type": "plain_text", "text": "Next"}}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with running_fake_slack(TOKEN) as fake:
        fake.add_user(USER, "ana", real_name="Ana Lima", tz="Europe/Berlin")
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=fake.api_url)


async def api_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value


# -- Web API -------------------------------------------------------------------------------------


async def test_auth_test_and_unknown_method(fake: FakeSlack, client: AsyncWebClient) -> None:
    answer = await client.auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0001", "U0BOT", "B0BOT")
    assert fake.sent("auth.test")
    error = await api_error(client.api_call("no.such"))
    assert error.response.status_code == 404
    assert error.response["error"] == "unknown_method"


async def test_post_update_and_read_back(fake: FakeSlack, client: AsyncWebClient) -> None:
    blocks = [section("*Lesson 1*"), {"type": "actions", "elements": [button("next", "lesson-2")]}]
    posted = await client.chat_postMessage(channel=CHANNEL, text="Lesson 1", blocks=blocks)
    assert posted["channel"] == CHANNEL and without_ids(posted["message"]["blocks"]) == blocks
    assert all(block["block_id"] for block in posted["message"]["blocks"]), "Slack gives every block an id"
    later = await client.chat_postMessage(channel=CHANNEL, text="second")
    assert float(later["ts"]) > float(posted["ts"])

    updated = await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="Lesson 1 (done)", blocks=[section("~Lesson 1~")])
    assert updated["message"]["text"] == "Lesson 1 (done)"
    current = fake.message(CHANNEL, posted["ts"])
    assert current is not None and without_ids(current["blocks"]) == [section("~Lesson 1~")] and "edited" in current
    assert [call.method for call in fake.messages_in(CHANNEL)] == ["chat.postMessage"] * 2 + ["chat.update"]

    # Form-encoded bodies carry blocks as JSON text; the fake decodes them.
    await client.api_call("chat.postMessage", data={"channel": CHANNEL, "blocks": json.dumps(blocks)})
    assert fake.sent("chat.postMessage")[-1].params["blocks"] == blocks

    await client.chat_delete(channel=CHANNEL, ts=posted["ts"])
    assert fake.message(CHANNEL, posted["ts"]) is None
    missing = await api_error(client.chat_update(channel=CHANNEL, ts=posted["ts"], text="gone"))
    assert missing.response["error"] == "message_not_found"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing:UserWarning")  # on purpose
async def test_message_validation(client: AsyncWebClient) -> None:
    too_many = await api_error(client.chat_postMessage(channel=CHANNEL, text="x", blocks=[section("b")] * 51))
    assert too_many.response["error"] == "invalid_blocks"
    assert too_many.response["response_metadata"]["messages"] == ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"]
    long_section = await api_error(client.chat_postMessage(channel=CHANNEL, blocks=[section("x" * 3001)]))
    assert long_section.response["error"] == "invalid_blocks"
    assert "/blocks/0/text/text" in long_section.response["errors"][0]
    long_action = [{"type": "actions", "elements": [button("a" * 256, "v" * 2001)]}]
    bad_button = await api_error(client.chat_postMessage(channel=CHANNEL, blocks=long_action))
    assert len(bad_button.response["errors"]) == 2
    assert (await api_error(client.chat_postMessage(channel=CHANNEL))).response["error"] == "no_text"
    too_long = await api_error(client.chat_postMessage(channel=CHANNEL, text="x" * 40_001))
    assert too_long.response["error"] == "msg_too_long"


async def test_tokens(fake: FakeSlack) -> None:
    wrong = await api_error(AsyncWebClient("xoxb-wrong", base_url=fake.api_url).auth_test())
    assert (wrong.response.status_code, wrong.response["error"]) == (200, "invalid_auth")
    missing = await api_error(AsyncWebClient(base_url=fake.api_url).auth_test())
    assert missing.response["error"] == "not_authed"
    app_client = AsyncWebClient("xapp-test-token", base_url=fake.api_url)
    connection = await app_client.apps_connections_open(app_token="xapp-test-token")
    assert connection["url"] == f"ws://127.0.0.1:{fake.port}/socket"
    bot_instead = await api_error(AsyncWebClient(TOKEN, base_url=fake.api_url).apps_connections_open(app_token=TOKEN))
    assert bot_instead.response["error"] == "not_allowed_token_type"


async def test_rate_limit_is_retried_by_the_sdk_handler(fake: FakeSlack) -> None:
    client = AsyncWebClient(TOKEN, base_url=fake.api_url, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
    fake.fail_next("chat.postMessage")
    started = time.monotonic()
    await client.chat_postMessage(channel=CHANNEL, text="hi")
    assert time.monotonic() - started >= 1
    assert fake.ratelimited == 1
    assert [call.status for call in fake.calls] == [429, 200]


async def test_rate_limit_and_injected_errors_without_retry(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.fail_next("chat.postMessage")
    limited = await api_error(client.chat_postMessage(channel=CHANNEL, text="hi"))
    assert limited.response.status_code == 429
    assert (limited.response["error"], limited.response.headers["Retry-After"]) == ("ratelimited", "1")

    fake.fail_next("chat.postMessage", error="channel_not_found")
    gone = await api_error(client.chat_postMessage(channel=CHANNEL, text="hi"))
    assert (gone.response.status_code, gone.response["error"]) == (200, "channel_not_found")
    fake.fail_next("users.info", status=500)
    broken = await api_error(client.users_info(user=USER))
    assert (broken.response.status_code, broken.response["error"]) == (500, "internal_error")
    assert len(fake.sent()) == 0


async def test_enforced_rate_limit_per_channel(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.enforce_rate_limits(per_channel_per_second=1, burst=1)
    await client.chat_postMessage(channel=CHANNEL, text="one")
    await client.chat_postMessage(channel="C0OTHER", text="other channel")
    limited = await api_error(client.chat_postMessage(channel=CHANNEL, text="two"))
    assert limited.response.status_code == 429 and limited.response.headers["Retry-After"] == "1"
    assert fake.ratelimited == 1


async def test_every_method_is_held_to_its_tier_per_workspace(fake: FakeSlack, client: AsyncWebClient) -> None:
    held = time.monotonic()
    fake.rate_clock = lambda: held  # every request at one moment: no token comes back while the test sends
    posted = await client.chat_postMessage(channel=CHANNEL, text="v0")
    for n in range(50):  # chat.update is Tier 3: 50 a minute, a minute's quota at once
        await client.chat_update(channel=CHANNEL, ts=posted["ts"], text=f"v{n + 1}")
    limited = await api_error(client.chat_update(channel=CHANNEL, ts=posted["ts"], text="one too many"))
    assert limited.response.status_code == 429 and limited.response["error"] == "ratelimited"
    assert int(limited.response.headers["Retry-After"]) == 2, "the next token comes in 1.2 s: whole seconds, rounded up"
    assert found(fake.message(CHANNEL, posted["ts"]))["text"] == "v50"

    for _ in range(100):  # views.publish is Tier 4, and its own bucket
        await client.views_publish(user_id=USER, view={"type": "home", "blocks": [section("home")]})
    assert (await api_error(client.views_publish(user_id=USER, view={"type": "home", "blocks": []}))).response.status_code == 429
    for _ in range(20):  # dnd.teamInfo is Tier 2
        await client.dnd_teamInfo(users=USER)
    assert (await api_error(client.dnd_teamInfo(users=USER))).response.status_code == 429
    assert fake.ratelimited == 3

    fake.set_tier("dnd.teamInfo", None)  # the knob for tests about something else
    await client.dnd_teamInfo(users=USER)
    fake.lift_rate_limits()
    await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="no limits")


async def test_posting_is_about_one_message_a_second_per_channel_with_short_bursts(fake: FakeSlack, client: AsyncWebClient) -> None:
    for n in range(3):
        await client.chat_postMessage(channel=USER, text=f"burst {n}")  # a user id: their DM
    limited = await api_error(client.chat_postMessage(channel=fake.dm_channel(USER), text="fourth"))
    assert (limited.response.status_code, limited.response.headers["Retry-After"]) == (429, "1")
    await client.chat_postMessage(channel=CHANNEL, text="another channel has its own pace")
    await asyncio.sleep(1.05)
    await client.chat_postMessage(channel=USER, text="a second later")
    assert [c.status for c in fake.calls] == [200, 200, 200, 429, 200, 200]


async def test_a_request_sent_again_before_its_retry_after_ran_out_is_recorded(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.fail_next("chat.postMessage", retry_after=1)
    await api_error(client.chat_postMessage(channel=CHANNEL, text="hi"))
    await client.chat_postMessage(channel=CHANNEL, text="something else")  # another request: not a re-send
    assert fake.early_retries == []
    await client.chat_postMessage(channel=CHANNEL, text="hi")  # the same one, at once
    [early] = fake.early_retries
    assert (early.method, early.params["text"], early.status) == ("chat.postMessage", "hi", 200)

    patient = AsyncWebClient(TOKEN, base_url=fake.api_url, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
    fake.fail_next("users.info", retry_after=1)
    await patient.users_info(user=USER)
    assert len(fake.early_retries) == 1, "waiting out Retry-After is not early"


async def test_a_response_url_replaces_the_pressed_message_at_most_five_times_within_30_minutes(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(
        channel=CHANNEL, text="Q", blocks=[section("Q?"), {"type": "actions", "elements": [button("a", "1")]}]
    )
    url = fake.response_url_for(CHANNEL, posted["ts"])
    for n in range(5):
        answer = await AsyncWebhookClient(url).send(replace_original=True, text=f"answered {n}", blocks=[section(f"Your answer: {n}")])
        assert answer.status_code == 200
    assert without_ids(found(fake.message(CHANNEL, posted["ts"]))["blocks"]) == [section("Your answer: 4")]
    assert fake.sent("chat.update") == [], "a response_url does not spend chat.update"
    sixth = await AsyncWebhookClient(url).send(replace_original=True, text="again")
    assert (sixth.status_code, sixth.body) == (404, "used_url")
    old = fake.response_url_for(CHANNEL, posted["ts"], age=30 * 60 + 1)
    expired = await AsyncWebhookClient(old).send(replace_original=True, text="late")
    assert (expired.status_code, expired.body) == (404, "expired_url")
    assert [post.status for post in fake.responses] == [200] * 5 + [404, 404]
    gone = fake.response_url_for(CHANNEL, posted["ts"])
    assert (await AsyncWebhookClient(gone).send(delete_original=True)).status_code == 200
    assert fake.message(CHANNEL, posted["ts"]) is None


async def test_users_conversations_and_dnd(fake: FakeSlack, client: AsyncWebClient) -> None:
    info = (await client.users_info(user=USER))["user"]
    assert (info["tz"], info["profile"]["real_name"]) == ("Europe/Berlin", "Ana Lima")
    assert info["tz_offset"] in (3600, 7200)
    assert (await api_error(client.users_info(user="U0NOBODY"))).response["error"] == "user_not_found"

    first = (await client.conversations_open(users=USER))["channel"]["id"]
    again = await client.conversations_open(users=[USER])
    assert first.startswith("D") and again["channel"]["id"] == first and again["already_open"]
    assert fake.dm_channel(USER) == first == signing.DM_CHANNEL
    by_user = await client.chat_postMessage(channel=USER, text="to the user id")
    assert by_user["channel"] == first and fake.messages_in(first)

    assert (await client.dnd_info(user=USER))["dnd_enabled"] is False
    fake.set_dnd(USER, snoozing=True, window=(int(time.time()) - 60, int(time.time()) + 3600))
    dnd = await client.dnd_info(user=USER)
    assert dnd["dnd_enabled"] is True and dnd["next_dnd_end_ts"] > time.time() + 3500
    assert "snooze_enabled" not in dnd, "Slack shows a snooze only to the user themselves"
    fake.set_dnd(fake.bot_user_id, snoozing=True)
    own = await client.dnd_info()
    assert own["snooze_enabled"] is True and own["snooze_remaining"] > 3500
    team = (await client.dnd_teamInfo(users=[USER, fake.bot_user_id, "U0NOBODY"]))["users"]
    assert set(team) == {USER, fake.bot_user_id} and team[USER]["dnd_enabled"] is True
    assert (await api_error(client.dnd_teamInfo(users=[]))).response["error"] == "no_users_provided"


async def test_channel_info_and_members_page_by_page(fake: FakeSlack, client: AsyncWebClient) -> None:
    people = [f"U0P{i:02d}" for i in range(7)]
    fake.add_channel("C0DESIGN", "product-design", people)
    fake.add_channel("G0SECRET", "secret", people, private=True, bot_is_member=False)
    info = (await client.conversations_info(channel="C0DESIGN"))["channel"]
    assert (info["name"], info["is_private"], info["is_member"]) == ("product-design", False, True)
    seen, cursors = [], []
    cursor = None
    while True:
        page = await client.conversations_members(channel="C0DESIGN", limit=3, cursor=cursor)
        assert len(page["members"]) <= 3
        seen += page["members"]
        cursor = page["response_metadata"]["next_cursor"]
        cursors.append(cursor)
        if not cursor:
            break
    assert seen == [*people, fake.bot_user_id] and len(cursors) == 3 and cursors[-1] == ""
    fake.set_members("C0DESIGN", people[:2])
    assert (await client.conversations_members(channel="C0DESIGN"))["members"] == [*people[:2], fake.bot_user_id]

    for call in (
        client.conversations_info(channel="G0SECRET"),
        client.conversations_members(channel="G0SECRET"),
        client.conversations_members(channel="C0NOWHERE"),
    ):
        hidden = await api_error(call)
        assert (hidden.response.status_code, hidden.response["error"]) == (200, "channel_not_found")
    bad = await api_error(client.conversations_members(channel="C0DESIGN", cursor="not a cursor"))
    assert bad.response["error"] == "invalid_cursor"
    assert (await api_error(client.conversations_members(channel="C0DESIGN", limit=1001))).response["error"] == "invalid_limit"
    fake.fail_next("conversations.members", error="not_in_channel")
    assert (await api_error(client.conversations_members(channel="C0DESIGN"))).response["error"] == "not_in_channel"


async def test_views(fake: FakeSlack, client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": [section("Your progress")]}
    published = await client.views_publish(user_id=USER, view=home)
    stored = fake.home_of(USER)
    assert stored is not None and stored["id"] == published["view"]["id"] and stored["blocks"] == home["blocks"]
    republished = await client.views_publish(user_id=USER, view={**home, "blocks": [section("v2")]})
    assert republished["view"]["id"] == stored["id"] and found(fake.home_of(USER))["blocks"] == [section("v2")]
    too_big = await api_error(client.views_publish(user_id=USER, view={"type": "home", "blocks": [section("b")] * 101}))
    assert too_big.response["error"] == "invalid_arguments"
    assert "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]" in (too_big.response["response_metadata"]["messages"])

    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Quiz"}, "blocks": [section("Q1")]}
    opened = await client.views_open(trigger_id="1.2.abc", view=modal)
    await client.views_update(view_id=opened["view"]["id"], view={**modal, "blocks": [section("Q2")]})
    assert found(fake.view(opened["view"]["id"]))["blocks"] == [section("Q2")]


async def test_files_upload_v2(fake: FakeSlack, client: AsyncWebClient) -> None:
    data = bytes(range(256)) * 4
    answer = await client.files_upload_v2(
        channel=CHANNEL, content=data, filename="badge.png", title="Your badge", initial_comment="Well done!"
    )
    [upload] = fake.uploads
    assert (upload.data, upload.channel, upload.title, upload.completed) == (data, CHANNEL, "Your badge", True)
    assert answer["file"]["id"] == upload.file_id and answer["file"]["size"] == len(data)
    assert [call.method for call in fake.sent()] == ["files.getUploadURLExternal", "files.completeUploadExternal"]


# -- signed requests through slack_bolt ----------------------------------------------------------


def bolt_app(fake: FakeSlack) -> AsyncApp:
    app = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(TOKEN, base_url=fake.api_url))

    @app.command("/learn")
    async def learn(ack: Any, command: dict[str, Any], say: Any, respond: Any) -> None:
        await ack()
        await say(
            text=f"next lesson for {command['user_id']}",
            blocks=[section("Lesson"), {"type": "actions", "elements": [button("next", "lesson-2")]}],
        )
        await respond(text="on its way")

    @app.action("next")
    async def next_lesson(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"], text=f"done: {body['actions'][0]['value']}")

    @app.event("message")
    async def on_message(event: dict[str, Any], say: Any) -> None:
        await say(text=f"echo {event['text']}")

    return app


@pytest.fixture
async def bolt(fake: FakeSlack) -> AsyncIterator[httpx.AsyncClient]:
    handler = AsyncSlackRequestHandler(bolt_app(fake))

    async def endpoint(request: Request) -> Response:
        return await handler.handle(request)

    web = Starlette(routes=[Route("/slack/events", endpoint, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bolt.test") as client:
        yield client


async def test_bolt_accepts_signed_command_and_action(fake: FakeSlack, bolt: httpx.AsyncClient) -> None:
    channel = fake.dm_channel(USER)
    body = signing.slash_command(USER, channel=channel, response_url=fake.response_url("cmd-1"))
    assert (await signing.post(bolt, "/slack/events", body, SECRET)).status_code == 200
    await fake.wait_for(lambda f: len(f.messages_in(channel)) == 1 and len(f.responses) == 1)
    assert fake.sent("auth.test")  # bolt authorized against the fake
    assert fake.responses_to("cmd-1")[0].body["text"] == "on its way"

    posted = fake.messages_in(channel)[0].response
    press = signing.block_actions(USER, channel, posted["ts"], "next", "lesson-2", message=posted["message"])
    assert (await signing.post(bolt, "/slack/events", press, SECRET)).status_code == 200
    await fake.wait_for(lambda f: bool(f.sent("chat.update")))
    assert found(fake.message(channel, posted["ts"]))["text"] == "done: lesson-2"


async def test_bolt_events_and_url_verification(fake: FakeSlack, bolt: httpx.AsyncClient) -> None:
    answer = await signing.post(bolt, "/slack/events", signing.url_verification("abc"), SECRET)
    assert answer.json() == {"challenge": "abc"}
    event = signing.event_callback(signing.message_im(USER, "hello"))
    answer = await signing.post(bolt, "/slack/events", event, SECRET, retry_num=1, retry_reason="http_timeout")
    assert answer.status_code == 200
    await fake.wait_for(lambda f: any(c.params.get("text") == "echo hello" for c in f.sent("chat.postMessage")))


async def test_bolt_rejects_bad_signatures(fake: FakeSlack, bolt: httpx.AsyncClient) -> None:
    body = signing.slash_command(USER)
    wrong = await signing.post(bolt, "/slack/events", body, "not-the-secret")
    stale = await signing.post(bolt, "/slack/events", body, SECRET, timestamp=int(time.time()) - 6 * 60)
    assert (wrong.status_code, stale.status_code) == (401, 401)
    assert fake.sent() == []


def without_ids(blocks: list[dict]) -> list[dict]:
    return [{k: v for k, v in block.items() if k != "block_id"} for block in blocks]
