"""Slack under Slack's real limits: 100 learners in one workspace enter at once (by a DM, by the
App Home, by `/learn` in a channel) and then learn by pressing buttons, against a bare bolt app
measured in the same run.

Both apps are served by uvicorn on 127.0.0.1 (a free port, in a thread of this process with its
own event loop) and call their own fresh fake Slack Web API (fakes/slack_api.py, real HTTP
on 127.0.0.1, a uvicorn thread in this process) that enforces Slack's limits as Slack publishes
them: every method's tier per workspace (chat.update 50 a minute, views.publish and users.info
100 a minute, ...; a minute's quota as the burst), about one message a second per channel
(bursts of 3), a response_url used at most 5 times; beyond, 429 with Retry-After; a request sent
again before its Retry-After ran out is recorded.

Ours: the project's ASGI app (web/app.py create_app with events_router) around the real
SlackBot (adapters/slack/app.py) with Slack's pacing as `serve` runs it, on the real core,
database and shipped curriculum. For each way in (--entries), --learners simulated learners,
each with its own kept-alive httpx client, enter together (each after a pause, as below):
  dm    a DM "hi", then the greeting's "Start now" button;
  home  opening the App Home tab (app_home_opened), then its "Start now" button;
  slash `/learn` typed in a channel (the answer comes in the DM).
Then each takes --steps steps. Before every request a learner pauses a random --think seconds, as
a person reads (so the 100 arrive within those seconds, not at one instant); then it
presses what the app offered (Next on cards, the correct answer on questions, checkboxes and
"Submit answer" on multiple-answer checks, else the first button), or sends a DM "next" when
nothing is offered. Every press carries the interaction's response_url, as Slack sends it.

Baseline: a bare slack-bolt AsyncApp (same signing secret, AsyncWebClient(base_url=fake) with
slack-sdk's rate-limit retry handler) served by a Starlette route with AsyncSlackRequestHandler,
whose message listener acks and posts one message per event; its learners send DMs with the
same pauses, as many requests as ours.

Ack latency: each request's HTTP response time at the client (Slack wants one within 3 s).
Reply latency: request sent -> arrival at the fake of the first thing the learner sees: a
chat.postMessage in their DM, or for opening the App Home the views.publish of it. A learner
takes its next step once the app has finished its request (the app says so across threads).

The run checks the work it reports and exits 1, naming what failed, unless: every learner got
an answer to every request; every message was delivered (every refused chat.postMessage was
sent again and went through; nothing logged as undeliverable; no "Sorry"); every request was
acked within 3 s; no request was sent again before its Retry-After; reply p95 under 1.5 s.

    python benchmarks/slack.py                      # 100 learners, each way in, temporary SQLite
    python benchmarks/slack.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
    python benchmarks/slack.py --before /tmp/before # first the same run of ours on an earlier commit's copy
                                                    # (git archive 3e0ed48 | tar -x -C /tmp/before), compared

Also reported per way in: requests a second (from the first sent to the last reply) and messages
posted per request.

With a PostgreSQL URL a fresh database is made on that server for each way in and dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import random
import re
import shlex
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

# This file's folder comes first on sys.path when run as a script, and this file is called
# slack.py (slack-sdk ships a legacy `slack` package): drop the folder, add the project.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import aiohttp  # noqa: E402
import httpx  # noqa: E402
import uvicorn  # noqa: E402
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler  # noqa: E402
from slack_bolt.async_app import AsyncAck, AsyncApp  # noqa: E402
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from adapters.slack.app import SORRY, SlackBot, SlackSettings, web_client  # noqa: E402
from adapters.slack.http import PATH, events_router  # noqa: E402
from adapters.slack.inbound import Delivery  # noqa: E402
from benchmarks.support import (  # noqa: E402
    Incomplete,
    all_of,
    cpu_since,
    drop_postgres,
    fresh_postgres,
    load_shipped_curriculum,
    percentile,
    run_before,
    thread_cpu,
    without_before,
)
from bot.clock import SystemClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.store.database import create_engine, create_sessionmaker, normalize_url  # noqa: E402
from bot.store.migrate import upgrade_async  # noqa: E402

try:
    from bot.store.store import SqlStore as Store
except ImportError:  # the code before the store was split (an earlier commit, measured with --before)
    # mypy reads this tree, where the store is split: the module exists only in that earlier one
    from bot.store.repository import ProgressStore as Store  # type: ignore[import-not-found,no-redef]
from content.model import Check  # noqa: E402
from credentials.issuer import IssuerIdentity  # noqa: E402
from credentials.keystore import KeyStore  # noqa: E402
from fakes import slack_signing as signing  # noqa: E402
from fakes.slack_api import Call, FakeSlack, elements_of, running_fake_slack, text_of  # noqa: E402
from web.app import create_app  # noqa: E402

TOKEN = "xoxb-bench-token"
SECRET = "8f742231b10e8888abcd99yez67291ff"
ENTRIES = ("dm", "home", "slash")
ACK_LIMIT = 3.0  # seconds: Slack's
REPLY_P95_LIMIT = 1.5  # seconds: the aim
CHANNEL = "C0GENERAL"  # where /learn is typed
ASGIApp = Any
Notify = Callable[[str], None]
ROLES = ("learners (main)", "app server", "fake server", "other threads")


def role_of(tid: int, main: bool, name: str) -> str:
    return (
        "learners (main)"
        if main
        else "fake server"
        if name.startswith("fake-slack")
        else "app server"
        if name.startswith(("our-app", "baseline-app"))
        else "other threads"
    )


# ---------------------------------------------------------------------------------------------
# Serving: the fake Web API and the apps under test, each in a thread with its own event loop


def tcp_socket() -> socket.socket:
    """A socket on a free port of 127.0.0.1 for uvicorn, made with proto=IPPROTO_TCP, so asyncio
    sets TCP_NODELAY on the connections it accepts, as it does when uvicorn binds host and port
    itself (for proto 0 it does not: Nagle could then delay answers on kept-alive connections)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    return sock


Build = Callable[[], Awaitable[tuple[ASGIApp, Callable[[], Awaitable[None]]]]]


@contextmanager
def app_server(build: Build, name: str) -> Iterator[str]:
    """Serve the ASGI app that `build()` makes (in the server's own thread and event loop, so its
    database engine and clients belong to that loop) with uvicorn; yields its base URL."""
    sock = tcp_socket()
    port = sock.getsockname()[1]
    holder: dict[str, uvicorn.Server] = {}
    failures: list[BaseException] = []

    async def serve() -> None:
        app, close = await build()
        try:
            # Keep-alive longer than httpx keeps an idle connection (5 s): learners pause 3-7 s,
            # and a connection closed by the server just as a learner reuses it fails the request.
            server = uvicorn.Server(
                uvicorn.Config(
                    app, log_level="warning", lifespan="off", access_log=False, timeout_graceful_shutdown=2, timeout_keep_alive=30
                )
            )
            holder["server"] = server
            await server.serve(sockets=[sock])
        finally:
            await close()

    def run() -> None:
        try:
            asyncio.run(serve())
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=run, name=f"{name}-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while "server" not in holder:
            if failures or not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{name} was not built: {failures!r}")
            time.sleep(0.01)
        deadline = time.monotonic() + 15
        while not holder["server"].started:
            if failures or not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{name} on port {port} did not start: {failures!r}")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        if "server" in holder:
            holder["server"].should_exit = True
        thread.join(timeout=30)
        sock.close()
        if failures:
            raise RuntimeError(f"{name} failed: {failures!r}")


class ErrorCount(logging.Handler):
    """ERROR records of the app under test (a message that could not be delivered is one)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}"[:300])


# ---------------------------------------------------------------------------------------------
# What the apps posted, per learner, and when they finished each request


class Wire:
    """Reads the fake's call log incrementally; learns from the app (across threads) when it has
    finished a learner's request, i.e. everything it sends for it has been answered by the fake
    and so is in the call log."""

    def __init__(self, fake: FakeSlack, loop: asyncio.AbstractEventLoop) -> None:
        self.fake = fake
        self._loop = loop
        self._cursor = 0
        self.posts: dict[str, list[Call]] = {}  # DM channel -> its delivered chat.postMessage calls
        self.publishes: dict[str, list[Call]] = {}  # user -> their delivered views.publish calls
        self._handled: Counter[str] = Counter()
        self._waiting: dict[str, tuple[int, asyncio.Future[None]]] = {}

    def notify(self, user: str) -> None:
        """Called in the app's thread: one request of that learner is handled."""
        self._loop.call_soon_threadsafe(self._handled_one, user)

    def _handled_one(self, user: str) -> None:
        self._handled[user] += 1
        waiting = self._waiting.get(user)
        if waiting and self._handled[user] >= waiting[0] and not waiting[1].done():
            waiting[1].set_result(None)

    async def wait_handled(self, user: str, count: int, timeout: float) -> None:
        if self._handled[user] >= count:
            return
        future: asyncio.Future[None] = self._loop.create_future()
        self._waiting[user] = (count, future)
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            del self._waiting[user]

    def collect(self) -> None:
        calls = self.fake.calls
        for call in calls[self._cursor :]:
            if call.ok and call.method == "chat.postMessage" and call.channel:
                self.posts.setdefault(call.channel, []).append(call)
            elif call.ok and call.method == "views.publish":
                self.publishes.setdefault(str(call.params.get("user_id")), []).append(call)
        self._cursor = len(calls)


# ---------------------------------------------------------------------------------------------
# Learners


@dataclass
class Sample:
    kind: str  # what the learner did
    sent: float  # time.monotonic() just before the request went out
    acked: float  # time.monotonic() when its HTTP response had been read
    first_reply: float  # Call.at of the first thing the learner sees in reply
    last_reply: float  # Call.at of the last one

    @property
    def ack(self) -> float:
        return self.acked - self.sent

    @property
    def reply(self) -> float:
        return self.first_reply - self.sent


@dataclass
class Learner:
    wire: Wire
    http: httpx.AsyncClient
    number: int
    timeout: float
    requests: int = 0
    seen: int = 0  # reply messages already looked at
    published: int = 0  # App Homes already looked at
    history: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.user = f"U{self.number + 1:08d}"
        self.fake.add_user(self.user, name=f"learner{self.number}", tz="Europe/Berlin")
        self.channel = self.fake.dm_channel(self.user)

    @property
    def fake(self) -> FakeSlack:
        return self.wire.fake

    async def act(self, kind: str, body: dict[str, Any] | str, *, home: bool = False) -> tuple[Sample, list[Call]]:
        """Send one signed request, wait until it is handled, return its timing and what the
        learner sees in reply: DM messages, or (`home`) the App Home published."""
        raw = json.dumps(body).encode() if isinstance(body, dict) else body.encode()
        headers = {
            "Content-Type": "application/json" if isinstance(body, dict) else signing.FORM,
            "User-Agent": signing.USER_AGENT,
            **signing.signed_headers(SECRET, raw),
        }
        self.history.append(kind)
        sent = time.monotonic()
        try:
            response = await self.http.post(PATH, content=raw, headers=headers)
        except httpx.HTTPError as error:
            raise Incomplete(self._dump(f"request {kind!r} failed: {type(error).__name__}: {error}")) from None
        acked = time.monotonic()
        if response.status_code != 200:
            raise Incomplete(self._dump(f"request {kind!r} answered {response.status_code}: {response.text[:300]}"))
        self.requests += 1
        try:
            await self.wire.wait_handled(self.user, self.requests, self.timeout)
        except TimeoutError:
            raise Incomplete(self._dump(f"request {kind!r} not handled within {self.timeout:g} s")) from None
        self.wire.collect()
        mine = self.wire.publishes.get(self.user, []) if home else self.wire.posts.get(self.channel, [])
        start = self.published if home else self.seen
        new = mine[start:]
        if home:
            self.published = len(mine)
        else:
            self.seen = len(mine)
        if not new:
            raise Incomplete(self._dump(f"request {kind!r} was handled without a reply"))
        for call in new:
            if str(call.params.get("text", "")).startswith(SORRY[:30]):
                raise Incomplete(self._dump(f"request {kind!r} failed in the app: it said {SORRY!r}"))
        return Sample(kind, sent, acked, new[0].at, new[-1].at), new

    def says(self, words: str) -> dict[str, Any]:
        return signing.event_callback(signing.message_im(self.user, words, channel=self.channel))

    def current(self, call: Call) -> dict[str, Any]:
        return self.fake.message(self.channel, call.response["ts"]) or call.response.get("message") or {}

    def _dump(self, problem: str) -> str:
        lines = [
            f"learner {self.number} (user {self.user}, channel {self.channel}): {problem}",
            "  its steps: " + " → ".join(self.history[-8:]),
        ]
        lines.append("  last messages in its channel (as they are now):")
        for call in self.fake.messages_in(self.channel)[-6:]:
            if call.method == "chat.postMessage":
                current = self.current(call)
                lines.append(f"    {call.response['ts']}: {text_of(current)[:160]!r} controls={_labels(current)}")
        lines.append("  the fake server's last calls:\n" + self.fake.dump(last=40))
        return "\n".join(lines)


class Ours:
    """A learner of our app: enters one way, then keeps taking whatever step the app offers."""

    def __init__(self, learner: Learner, checks: list[Check], think: tuple[float, float], rng: random.Random) -> None:
        self.learner = learner
        self.checks = checks
        self.think = think
        self.rng = rng
        self.last: list[Call] = []

    async def enter(self, entry: str) -> list[Sample]:
        learner = self.learner
        await self._pause()
        if entry == "dm":
            first, self.last = await learner.act('enter: DM "hi"', learner.says("hi"))
            message, button = self._button("Start now")
            await self._pause()
            second, self.last = await learner.act("enter: Start now (DM)", self._press(message, button))
        elif entry == "home":
            event = signing.app_home_opened(learner.user, view=learner.fake.home_of(learner.user))
            first, published = await learner.act("enter: open the App Home", signing.event_callback(event), home=True)
            home = published[-1].response["view"]
            start = next((e for e in elements_of(home) if e.get("type") == "button" and e["text"]["text"] == "Start now"), None)
            if start is None:
                raise Incomplete(learner._dump("no Start now button in the App Home"))
            press = signing.block_actions(
                learner.user,
                "",
                "",
                start["action_id"],
                start["value"],
                label="Start now",
                in_home_view=home,
                username=f"learner{learner.number}",
            )
            await self._pause()
            second, self.last = await learner.act("enter: Start now (App Home)", press)
        else:
            body = signing.slash_command(learner.user, text="", channel=CHANNEL, user_name=f"learner{learner.number}")
            first, self.last = await learner.act("enter: /learn in a channel", body)
            return [first]
        return [first, second]

    async def _pause(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.think))  # reading, as a person does

    async def step(self) -> Sample:
        await self._pause()
        learner = self.learner
        message = learner.current(self.last[-1])
        elements = elements_of(message)
        buttons = [e for e in elements if e.get("type") == "button" and "url" not in e]
        checkboxes = [e for e in elements if e.get("type") == "checkboxes"]
        if checkboxes:
            check = self._check_of(message)
            correct = [i for i, option in enumerate(check.options) if option.correct]
            sample, self.last = await learner.act("Submit answer (checkboxes)", self._ticks_and_submit(message, checkboxes, correct))
        elif any(b["text"]["text"].startswith("1)") for b in buttons):
            check = self._check_of(message)
            first = next(i for i, option in enumerate(check.options) if option.correct)
            message, button = self._button(f"{first + 1})")
            sample, self.last = await learner.act("answer button", self._press(message, button))
        elif buttons and buttons[0]["text"]["text"].startswith("Next"):
            sample, self.last = await learner.act(f"{buttons[0]['text']['text']} button", self._press(message, buttons[0]))
        elif buttons:
            sample, self.last = await learner.act(f"other button ({buttons[0]['text']['text']})", self._press(message, buttons[0]))
        else:
            sample, self.last = await learner.act('DM "next"', learner.says("next"))
        return sample

    def _press(self, message: dict[str, Any], button: dict[str, Any], state: dict[str, Any] | None = None) -> str:
        learner = self.learner
        return signing.block_actions(
            learner.user,
            learner.channel,
            message["ts"],
            button["action_id"],
            button.get("value", ""),
            message=message,
            label=button["text"]["text"],
            username=f"learner{learner.number}",
            state=state,
            response_url=learner.fake.response_url_for(learner.channel, message["ts"]),
        )

    def _ticks_and_submit(self, message: dict[str, Any], groups: list[dict[str, Any]], chosen: list[int]) -> str:
        """As tests/slack/client.py ticks_and_submits: the ticked options in the submit's state."""
        submit = next((e for e in elements_of(message) if e.get("type") == "button" and e["text"]["text"].startswith("Submit")), None)
        if submit is None:
            raise Incomplete(self.learner._dump("checkboxes without a Submit button"))
        values: dict[str, Any] = {}
        for group in groups:
            block_id = next(b["block_id"] for b in message["blocks"] if group in (b.get("elements") or []))
            ticked = [o for o in group["options"] if int(o["value"]) in chosen]
            values[block_id] = {group["action_id"]: {"type": "checkboxes", "selected_options": ticked}}
        return self._press(message, submit, state={"values": values})

    def _button(self, label: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The newest message of the last replies with a button whose label starts with `label`."""
        for call in reversed(self.last):
            message = self.learner.current(call)
            for element in elements_of(message):
                if element.get("type") == "button" and "url" not in element and element["text"]["text"].startswith(label):
                    return message, element
        raise Incomplete(self.learner._dump(f"no button {label!r} among the app's latest replies"))

    def _check_of(self, message: dict[str, Any]) -> Check:
        """The curriculum's check whose question the message asks (compared by words only, so
        mrkdwn escaping and emphasis do not matter); the longest match wins."""
        shown = _words(text_of(message))
        found = [c for c in self.checks if _words(c.question) and _words(c.question) in shown]
        if not found:
            raise Incomplete(self.learner._dump(f"no check of the curriculum in {text_of(message)[:200]!r}"))
        return max(found, key=lambda c: len(c.question))


class Echoing:
    """A learner of the baseline: says something, waits for the reply, pauses as ours do."""

    def __init__(self, learner: Learner, think: tuple[float, float], rng: random.Random) -> None:
        self.learner, self.think, self.rng = learner, think, rng
        self.count = 0

    async def step(self, kind: str = 'DM "next"') -> Sample:
        await asyncio.sleep(self.rng.uniform(*self.think))
        self.count += 1
        words = f"next {self.count}"
        sample, replies = await self.learner.act(kind, self.learner.says(words))
        if replies[0].params.get("text") != f"echo: {words}":
            raise Incomplete(self.learner._dump(f"the reply to {words!r} was {replies[0].params.get('text')!r}"))
        return sample


# ---------------------------------------------------------------------------------------------
# The two apps


def issuer_in(folder: Path) -> IssuerIdentity:
    """A fresh issuer, as adapters/wiring.py load_issuer makes it (no public URL)."""
    keys = KeyStore(folder / "keys")
    return IssuerIdentity.create(
        key=keys.load_or_create(),
        retired=tuple(keys.retired()),
        name="Benchmark Academy",
        public_url=None,
        local_url="http://127.0.0.1:8000",
    )


def build_ours(url: str, fake: FakeSlack, notify: Notify, folder: Path) -> Build:
    async def build() -> tuple[ASGIApp, Callable[[], Awaitable[None]]]:
        await upgrade_async(url)
        engine = create_engine(url)
        curriculum = load_shipped_curriculum()
        store = Store(create_sessionmaker(engine))
        issuer, clock = issuer_in(folder), SystemClock()
        core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
        settings = SlackSettings(bot_token=TOKEN, signing_secret=SECRET, api_url=fake.api_url, announce_channel=None)

        def settled(delivery: Delivery, outcome: str) -> None:
            notify(delivery.user)

        session = aiohttp.ClientSession()  # kept-alive connections to Slack, as `serve` has them
        bot = SlackBot(
            core=core, store=store, settings=settings, clock=clock, on_settled=settled, client=web_client(settings, session=session)
        )
        app = create_app(store=store, curriculum=curriculum, issuer=issuer, clock=clock, platform_routers=[events_router(bot.app, SECRET)])

        async def close() -> None:
            await bot.close()
            await session.close()
            await engine.dispose()

        return app, close

    return build


def build_baseline(fake: FakeSlack, notify: Notify) -> Build:
    async def build() -> tuple[ASGIApp, Callable[[], Awaitable[None]]]:
        client = AsyncWebClient(
            token=TOKEN,
            base_url=fake.api_url,  # with slack-sdk's own 429 handler
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=20)],
        )
        bolt = AsyncApp(client=client, signing_secret=SECRET)

        @bolt.event("message")
        async def on_message(ack: AsyncAck, event: dict[str, Any], client: AsyncWebClient) -> None:
            await ack()
            try:
                await client.chat_postMessage(channel=event["channel"], text=f"echo: {event.get('text', '')}")
            finally:
                notify(event["user"])

        handler = AsyncSlackRequestHandler(bolt)

        async def events(request: Request) -> Response:
            return await handler.handle(request)

        async def nothing() -> None:
            return None

        return Starlette(routes=[Route(PATH, events, methods=["POST"])]), nothing

    return build


@dataclass
class Measured:
    name: str
    samples: list[Sample]
    calls: Counter[str]  # Web API calls by method, whole run
    refused: Counter[str]  # of them answered 429, by method
    early: int  # requests sent again before their Retry-After ran out
    undelivered: int  # refused chat.postMessage never sent again successfully
    errors: list[str]  # ERROR log records of the app
    responses: int  # posts to response_urls
    posted: int = 0  # messages delivered (chat.postMessage answered ok)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per thread role

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def rate(self) -> float:
        """Requests a second: from the first sent to the last reply."""
        return self.requests / (max(s.last_reply for s in self.samples) - min(s.sent for s in self.samples))

    def ack_ms(self, q: float, kind: str | None = None) -> float:
        return 1000 * percentile(sorted(s.ack for s in self.samples if kind is None or s.kind == kind), q)

    def reply_ms(self, q: float, kind: str | None = None) -> float:
        return 1000 * percentile(sorted(s.reply for s in self.samples if kind is None or s.kind == kind), q)

    @property
    def max_ack(self) -> float:
        return max(s.ack for s in self.samples)


@asynccontextmanager
async def http_clients(base_url: str, learners: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One kept-alive httpx.AsyncClient per learner (a pool of 4 connections, one in use at a time)."""
    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=base_url, timeout=httpx.Timeout(60.0), limits=httpx.Limits(max_connections=4, max_keepalive_connections=4)
                )
            )
            for _ in range(learners)
        ]


def outcome(name: str, fake: FakeSlack, samples: list[Sample], errors: ErrorCount, cpu: dict[str, float]) -> Measured:
    calls = fake.calls
    refused = [c for c in calls if c.status == 429]
    delivered = {json.dumps(c.params, sort_keys=True, default=repr) for c in calls if c.ok and c.method == "chat.postMessage"}
    undelivered = sum(
        1 for c in refused if c.method == "chat.postMessage" and json.dumps(c.params, sort_keys=True, default=repr) not in delivered
    )
    posted = sum(1 for c in calls if c.ok and c.method == "chat.postMessage")
    return Measured(
        name,
        samples,
        Counter(c.method for c in calls),
        Counter(c.method for c in refused),
        len(fake.early_retries),
        undelivered,
        list(errors.records),
        len(fake.responses),
        posted,
        cpu,
    )


async def measure_ours(url: str, entry: str, args: argparse.Namespace, folder: Path) -> Measured:
    checks = [check for lesson in load_shipped_curriculum().lessons.values() for check in lesson.checks]
    rng = random.Random(f"{args.seed}:{entry}")
    errors = ErrorCount()
    logging.getLogger("adapters").setLevel(logging.ERROR)  # counted here, and shown on stderr
    logging.getLogger("adapters").addHandler(errors)
    try:
        with running_fake_slack(bot_token=TOKEN) as fake:
            wire = Wire(fake, asyncio.get_running_loop())
            with app_server(build_ours(url, fake, wire.notify, folder), "our-app") as base_url:
                async with http_clients(base_url, args.learners) as http:
                    people = [Ours(Learner(wire, http[n], n, args.step_timeout), checks, args.think, rng) for n in range(args.learners)]
                    cpu = thread_cpu(role_of)

                    async def walk(person: Ours) -> list[Sample]:
                        samples = await person.enter(entry)
                        return samples + [await person.step() for _ in range(args.steps)]

                    samples = [s for walked in await all_of([walk(p) for p in people]) for s in walked]
                    spent = cpu_since(cpu, role_of, ROLES)
            return outcome(f"ours, entering by {entry}", fake, samples, errors, spent)
    finally:
        logging.getLogger("adapters").removeHandler(errors)


async def measure_baseline(args: argparse.Namespace) -> Measured:
    rng = random.Random(f"{args.seed}:baseline")
    errors = ErrorCount()
    with running_fake_slack(bot_token=TOKEN) as fake:
        wire = Wire(fake, asyncio.get_running_loop())
        with app_server(build_baseline(fake, wire.notify), "baseline-app") as base_url:
            async with http_clients(base_url, args.learners) as http:
                people = [Echoing(Learner(wire, http[n], n, args.step_timeout), args.think, rng) for n in range(args.learners)]
                cpu = thread_cpu(role_of)

                async def walk(person: Echoing) -> list[Sample]:
                    samples = [await person.step("enter: DM"), await person.step("enter: DM")]
                    return samples + [await person.step() for _ in range(args.steps)]

                samples = [s for walked in await all_of([walk(p) for p in people]) for s in walked]
                spent = cpu_since(cpu, role_of, ROLES)
        return outcome("baseline: bare slack-bolt AsyncApp", fake, samples, errors, spent)


async def measure_entry(entry: str, args: argparse.Namespace) -> Measured:
    """Ours, entering one way, on a database of its own."""
    with tempfile.TemporaryDirectory() as folder:
        if args.database_url is None:
            return await measure_ours(f"sqlite+aiosqlite:///{folder}/bench.sqlite3", entry, args, Path(folder))
        given = normalize_url(args.database_url)
        if make_url(given).get_backend_name() != "postgresql":
            return await measure_ours(given, entry, args, Path(folder))
        url = await fresh_postgres(given)
        try:
            return await measure_ours(url, entry, args, Path(folder))
        finally:
            await drop_postgres(given, url)


def dialect_of(args: argparse.Namespace) -> str:
    if args.database_url is None:
        return "sqlite (aiosqlite), a temporary file for each way in"
    backend = make_url(normalize_url(args.database_url))
    if backend.get_backend_name() == "postgresql":
        return (
            f"postgresql ({backend.get_driver_name()}), a fresh database for each way in on {backend.host}:{backend.port}, "
            "dropped afterwards"
        )
    return f"{backend.get_backend_name()} ({backend.get_driver_name()})"


# ---------------------------------------------------------------------------------------------
# Checks and output


def failures_of(m: Measured, expected: int) -> list[str]:
    """What the run promised and this app did not do."""
    problems = []
    if m.requests != expected:
        problems.append(f"{m.name}: {m.requests} of {expected} requests answered")
    if m.max_ack >= ACK_LIMIT:
        late = sum(1 for s in m.samples if s.ack >= ACK_LIMIT)
        problems.append(f"{m.name}: {late} requests acked after {ACK_LIMIT:g} s (slowest {m.max_ack:.2f} s)")
    if m.early:
        problems.append(f"{m.name}: {m.early} requests sent again before their Retry-After ran out")
    if m.undelivered:
        problems.append(f"{m.name}: {m.undelivered} refused messages never delivered")
    if m.errors:
        problems.append(f"{m.name}: {len(m.errors)} errors logged, e.g. {m.errors[0]!r}")
    if m.reply_ms(0.95) >= REPLY_P95_LIMIT * 1000:
        problems.append(f"{m.name}: reply p95 {m.reply_ms(0.95):.0f} ms, not under {REPLY_P95_LIMIT * 1000:.0f} ms")
    return problems


def _words(text_: str) -> str:
    text_ = text_.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return " ".join(re.findall(r"\w+", text_.lower()))


def _labels(message: dict[str, Any]) -> list[str]:
    labels = []
    for element in elements_of(message):
        if element.get("type") == "button":
            labels.append(element["text"]["text"])
        elif element.get("type") == "checkboxes":
            labels.append(f"[{len(element.get('options', []))} checkboxes]")
    return labels


def report(args: argparse.Namespace, ours: list[Measured], baseline: Measured, problems: list[str]) -> None:
    command = shlex.join(["python", "benchmarks/slack.py", *sys.argv[1:]])
    print(f"command: {command}")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), slack-bolt {version('slack-bolt')},"
        f" slack-sdk {version('slack-sdk')}, uvicorn {uvicorn.__version__}, httpx {httpx.__version__}"
    )
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (os.cpu_count), {platform.system()} {platform.release()}")
    print(f"database: {dialect_of(args)}")
    print(
        "fake Slack: fakes/slack_api.py with Slack's limits (tiers per method per workspace, ~1 message a second"
        " per channel with bursts of 3, response_url 5 uses); a fresh one per app and way in"
    )
    print(
        f"learners: {args.learners} in one workspace, entering together, then {args.steps} steps each; a pause of"
        f" {args.think[0]:g}-{args.think[1]:g} s before every request (seed {args.seed}); each waits until its request is handled"
    )
    print(
        "serving: each app by uvicorn (h11, asyncio loop) in its own thread on 127.0.0.1; one httpx.AsyncClient per"
        " learner in the main thread; the fake in a thread of this process: one GIL for all three"
    )
    print()
    print(
        "| app | requests | requests/s | messages/request | ack p50 (ms) | ack p95 (ms) | ack max (ms) | reply p50 (ms)"
        " | reply p95 (ms) | reply p99 (ms) | 429s | sent again early | undelivered |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for m in [*ours, baseline]:
        refused = ", ".join(f"{method} {n}" for method, n in m.refused.most_common()) or "0"
        print(
            f"| {m.name} | {m.requests} | {m.rate:.1f} | {m.posted / m.requests:.2f} | {m.ack_ms(0.5):.1f} | {m.ack_ms(0.95):.1f}"
            f" | {1000 * m.max_ack:.1f} | {m.reply_ms(0.5):.1f} | {m.reply_ms(0.95):.1f} | {m.reply_ms(0.99):.1f} | {refused}"
            f" | {m.early} | {m.undelivered} |"
        )
    for m in ours:
        print(
            f"| {m.name} / baseline | | | | {m.ack_ms(0.5) / baseline.ack_ms(0.5):.2f}x | {m.ack_ms(0.95) / baseline.ack_ms(0.95):.2f}x"
            f" | | {m.reply_ms(0.5) / baseline.reply_ms(0.5):.2f}x | {m.reply_ms(0.95) / baseline.reply_ms(0.95):.2f}x"
            f" | {m.reply_ms(0.99) / baseline.reply_ms(0.99):.2f}x | | | |"
        )
    print()
    print("Ours, by request (all ways in):")
    print()
    print("| request | count | ack p95 (ms) | reply p50 (ms) | reply p95 (ms) |")
    print("|---|---|---|---|---|")
    every = Measured("all", [s for m in ours for s in m.samples], Counter(), Counter(), 0, 0, [], 0, 0)
    for kind, count in Counter(s.kind for s in every.samples).most_common():
        print(f"| {kind} | {count} | {every.ack_ms(0.95, kind):.1f} | {every.reply_ms(0.5, kind):.1f} | {every.reply_ms(0.95, kind):.1f} |")
    print()
    print("Web API calls per request, by method (whole run), response_url posts, and CPU seconds by thread:")
    print()
    for m in [*ours, baseline]:
        per_request = ", ".join(f"{method} {count / m.requests:.2f}" for method, count in m.calls.most_common())
        cpu = ", ".join(f"{role} {seconds:.1f}" for role, seconds in m.cpu.items())
        print(f"- {m.name}: {per_request}; response_url {m.responses / m.requests:.2f}; CPU s: {cpu}")
    print()
    if problems:
        print("FAILED:")
        for problem in problems:
            print(f"- {problem}")
    else:
        print(
            f"checked: every learner answered ({sum(m.requests for m in ours)} requests), every message delivered,"
            f" every request acked within {ACK_LIMIT:g} s, none sent again before its Retry-After,"
            f" reply p95 under {REPLY_P95_LIMIT:g} s"
        )


@dataclass(frozen=True)
class Figures:
    """What the comparison with --before reads of a run (that run hands it over as JSON)."""

    name: str
    requests: int
    rate: float  # requests a second
    reply_p50: float  # ms
    reply_p95: float  # ms
    messages: float  # messages posted per request
    responses: float  # response_url posts per request
    refused: int  # 429s

    @classmethod
    def of(cls, m: Measured) -> Figures:
        return cls(
            m.name.removeprefix("ours, "),
            m.requests,
            m.rate,
            m.reply_ms(0.5),
            m.reply_ms(0.95),
            m.posted / m.requests,
            m.responses / m.requests,
            sum(m.refused.values()),
        )


# What the --before run takes from this checkout: the benchmark and the fakes it imports.
HARNESS = ("fakes/__init__.py", "fakes/serving.py", "fakes/slack_api.py", "fakes/slack_signing.py")


def measure_before(args: argparse.Namespace) -> list[Figures]:
    """The same run of ours on the product code in --before (a copy of an earlier commit), with
    this benchmark and this checkout's fake Slack (HARNESS), in a process of its own; no baseline there."""
    return [Figures(**figures) for figures in run_before(args.before, "slack.py", without_before(sys.argv[1:]), HARNESS)]


def compare(args: argparse.Namespace, before: list[Figures], after: list[Figures]) -> None:
    print()
    print(f"Before ({args.before}) and after (this checkout), the same run:")
    print()
    print("| way in | code | requests | requests/s | reply p50 (ms) | reply p95 (ms) | messages/request | response_url/request | 429s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for old, new in zip(before, after, strict=True):  # the same ways in, in the same order
        for code, f in (("before", old), ("after", new)):
            print(
                f"| {f.name} | {code} | {f.requests} | {f.rate:.1f} | {f.reply_p50:.0f} | {f.reply_p95:.0f} | {f.messages:.2f}"
                f" | {f.responses:.2f} | {f.refused} |"
            )
        print(
            f"| {new.name} | after / before | | {new.rate / old.rate:.2f}x | {new.reply_p50 / old.reply_p50:.2f}x"
            f" | {new.reply_p95 / old.reply_p95:.2f}x | {new.messages / old.messages:.2f}x | | |"
        )


def think_range(text_: str) -> tuple[float, float]:
    low, _, high = text_.partition("-")
    try:
        pause = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text_!r}: seconds, e.g. 3-7") from None
    if not 0 <= pause[0] <= pause[1]:
        raise argparse.ArgumentTypeError(f"{text_!r}: from 0 up, the smaller first")
    return pause


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--steps", type=int, default=10, help="steps per learner after entering")
    parser.add_argument("--entries", default=",".join(ENTRIES), help="ways in, of dm,home,slash")
    parser.add_argument("--think", type=think_range, default=(3.0, 7.0), help="seconds a learner pauses before a step")
    parser.add_argument("--seed", default="slack", help="for the pauses")
    parser.add_argument("--database-url", help="default: a temporary SQLite file; a PostgreSQL URL gets a fresh database on that server")
    parser.add_argument("--step-timeout", type=float, default=120.0, help="seconds a learner waits for one request to be handled")
    parser.add_argument(
        "--before", type=Path, metavar="DIR", help="measure ours on the product code in DIR (an earlier commit's copy) first, and compare"
    )
    parser.add_argument("--json-out", type=Path, help=argparse.SUPPRESS)  # the --before run hands its figures back
    args = parser.parse_args()
    entries = [e.strip() for e in args.entries.split(",") if e.strip()]
    if args.learners < 1 or args.steps < 1 or not entries or set(entries) - set(ENTRIES):
        parser.error("--learners and --steps must be at least 1; --entries some of dm,home,slash")
    if args.before is not None and not (args.before / "adapters" / "slack").is_dir():
        parser.error("--before needs a folder holding the project's code (adapters/slack)")
    logging.basicConfig(level=logging.CRITICAL, format="%(levelname)s %(name)s: %(message)s")
    before = measure_before(args) if args.before is not None else None
    try:
        if args.json_out is not None:
            ours = [await measure_entry(entry, args) for entry in entries]
            args.json_out.write_text(json.dumps([Figures.of(m).__dict__ for m in ours]))
            return
        baseline = await measure_baseline(args)
        ours = [await measure_entry(entry, args) for entry in entries]
    except Incomplete as problem:
        print(f"INCOMPLETE, no results: {problem}", file=sys.stderr)
        raise SystemExit(1) from None
    problems = [p for m in ours for p in failures_of(m, args.learners * (args.steps + (1 if m.name.endswith("slash") else 2)))]
    problems += [p for p in failures_of(baseline, args.learners * (args.steps + 2)) if "reply p95" not in p]
    report(args, ours, baseline, problems)
    if before is not None:
        compare(args, before, [Figures.of(m) for m in ours])
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
