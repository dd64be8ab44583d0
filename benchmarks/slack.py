"""Slack adapter ack latency, reply latency and throughput over real HTTP, against a bare
slack-bolt app measured in the same run.

Both apps are served by uvicorn on 127.0.0.1 (a free port, in a thread of this process with its
own event loop) and post to their own fresh fake Slack Web API (tests/slack/fake_api.py: real
HTTP on 127.0.0.1, a uvicorn thread in this process). N simulated learners act concurrently,
each through its own kept-alive httpx.AsyncClient (--shared-client: one client with a pool of
2 x learners, whose pool bookkeeping then dominates; see http_clients()); each sends one
correctly signed request to /slack/events, waits until the app has finished handling it
(all its reply messages are out: both apps say so across threads, see BenchSlackBot), looks at what the app offered and takes its next step, as a
person would, only without thinking time.

Ours: the project's ASGI app (web/app.py create_app, with events_router) around the real
SlackBot (adapters/slack/app.py) on the real core, database and shipped curriculum. Warm-up (not
measured): a DM "hi", then "Start now". Then --steps measured steps each: an Events API DM
message "next", or a block_actions press of what the app offered: "Next" on cards, the correct
answer on questions (a button; for multiple-answer checks the ticked checkboxes travel in the
state of the "Submit answer" press), otherwise the first button offered; "next" when there is
none. SlackBot gets channel_burst=1_000_000: this measures handling, not the deliberate pacing
of one message a second per channel that Slack asks for.

Baseline: a bare slack-bolt AsyncApp (same signing secret, AsyncWebClient(base_url=fake) as
slack-sdk builds it) served by a Starlette route with AsyncSlackRequestHandler, whose message
listener acks and posts one message (chat.postMessage) per event. Its learners send DM message
events (2 warm-up, then --steps measured) and wait for that message.

    python benchmarks/slack.py                       # 50 learners x 12 steps, temporary SQLite
    python benchmarks/slack.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

With a PostgreSQL URL a fresh database is created on that server and dropped afterwards.
The fake is tests' running_fake_slack() as it is: the Nagle delay on kept-alive connections that
benchmarks/telegram.py works around cannot arise, as slack-sdk's AsyncWebClient (without a
session) opens a new connection for every call (measured: the same figures on a proto-0 socket).

Ack latency: the HTTP response time of each request to /slack/events (request sent → response
read, on the client). Reply latency: request sent → arrival at the fake Web API of the first
chat.postMessage for that learner (Call.at; both time.monotonic() in this process). Events per
second: measured requests / wall time from sending the first measured request to the arrival of
the last measured reply. Prints a Markdown table; a run in which any learner does not complete
every step fails with a dump, never a partial table.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import re
import shlex
import socket
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# This file's folder comes first on sys.path when run as a script, and this file is called
# slack.py (slack-sdk ships a legacy `slack` package): drop the folder, add the project.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler  # noqa: E402
from slack_bolt.async_app import AsyncAck, AsyncApp  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from adapters.slack.app import SORRY, SlackBot, SlackSettings  # noqa: E402
from adapters.slack.http import PATH, events_router  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.store.database import create_engine, create_sessionmaker, normalize_url  # noqa: E402
from bot.store.migrate import upgrade_async  # noqa: E402
from bot.store.repository import ProgressStore  # noqa: E402
from content.model import Check  # noqa: E402
from credentials.issuer import IssuerIdentity  # noqa: E402
from credentials.keystore import KeyStore  # noqa: E402
from tests.slack import signing  # noqa: E402
from tests.slack.client import elements_of, text_of  # noqa: E402
from tests.slack.fake_api import Call, FakeSlack, running_fake_slack  # noqa: E402
from web.app import create_app  # noqa: E402

TOKEN = "xoxb-bench-token"
SECRET = "8f742231b10e8888abcd99yez67291ff"
WARM_UP = ("hi", "Start now")  # ours: a DM, then the button; the baseline sends as many DMs
OUR_BURST = 1_000_000
ASGIApp = Any
Notify = Callable[[str], None]
from benchmarks.support import Incomplete, all_of, cpu_since, drop_postgres, fresh_postgres, load_shipped_curriculum, percentile, thread_cpu  # noqa: E402

def role_of(tid: int, main: bool, name: str) -> str:
    return ("learners (main)" if main else "fake server" if name.startswith("fake-slack")
            else "app server" if name.startswith(("our-app", "baseline-app")) else "other threads")


ROLES = ("learners (main)", "app server", "fake server", "other threads")






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
            server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                                                   timeout_graceful_shutdown=2))
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
        _wait_started(holder["server"], thread, failures, f"{name} on port {port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        if "server" in holder:
            holder["server"].should_exit = True
        thread.join(timeout=30)
        sock.close()
        if failures:
            raise RuntimeError(f"{name} failed: {failures!r}")


def _wait_started(server: uvicorn.Server, thread: threading.Thread, failures: list[BaseException], what: str) -> None:
    deadline = time.monotonic() + 15
    while not server.started:
        if failures or not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start: {failures!r}")
        time.sleep(0.01)


# ---------------------------------------------------------------------------------------------
# What the apps posted, per channel, and when they finished each request


class Wire:
    """Reads the fake's call log incrementally; learns from the app (across threads) when it has
    finished handling a learner's request, i.e. every reply of it has been answered by the fake
    and so is in the call log."""

    def __init__(self, fake: FakeSlack, loop: asyncio.AbstractEventLoop) -> None:
        self.fake = fake
        self._loop = loop
        self._cursor = 0
        self.posts: dict[str, list[Call]] = {}  # channel -> its chat.postMessage calls, in order
        self._handled: Counter[str] = Counter()
        self._waiting: dict[str, tuple[int, asyncio.Future[None]]] = {}

    def notify(self, channel: str) -> None:
        """Called in the app's thread: one request of that channel's learner is handled."""
        self._loop.call_soon_threadsafe(self._handled_one, channel)

    def _handled_one(self, channel: str) -> None:
        self._handled[channel] += 1
        waiting = self._waiting.get(channel)
        if waiting and self._handled[channel] >= waiting[0] and not waiting[1].done():
            waiting[1].set_result(None)

    async def wait_handled(self, channel: str, count: int, timeout: float) -> None:
        if self._handled[channel] >= count:
            return
        future: asyncio.Future[None] = self._loop.create_future()
        self._waiting[channel] = (count, future)
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            del self._waiting[channel]

    def collect(self) -> None:
        calls = self.fake.calls
        for call in calls[self._cursor:]:
            if call.ok and call.method == "chat.postMessage" and call.channel:
                self.posts.setdefault(call.channel, []).append(call)
        self._cursor = len(calls)


# ---------------------------------------------------------------------------------------------
# Learners


@dataclass
class Sample:
    kind: str  # what the learner did
    sent: float  # time.monotonic() just before the request went out
    acked: float  # time.monotonic() when its HTTP response had been read
    first_reply: float  # Call.at of the first chat.postMessage in reply
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
    history: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.user = f"U{self.number + 1:08d}"
        self.fake.add_user(self.user, name=f"learner{self.number}", tz="Europe/Berlin")
        self.channel = self.fake.dm_channel(self.user)

    @property
    def fake(self) -> FakeSlack:
        return self.wire.fake

    async def act(self, kind: str, body: dict[str, Any] | str) -> tuple[Sample, list[Call]]:
        """Send one signed request, wait until it is handled, return its timing and replies."""
        raw = json.dumps(body).encode() if isinstance(body, dict) else body.encode()
        headers = {"Content-Type": "application/json" if isinstance(body, dict) else signing.FORM,
                   "User-Agent": signing.USER_AGENT, **signing.signed_headers(SECRET, raw)}
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
            await self.wire.wait_handled(self.channel, self.requests, self.timeout)
        except TimeoutError:
            raise Incomplete(self._dump(f"request {kind!r} not handled within {self.timeout:g} s")) from None
        self.wire.collect()
        mine = self.wire.posts.get(self.channel, [])
        new, self.seen = mine[self.seen:], len(mine)
        if not new:
            raise Incomplete(self._dump(f"request {kind!r} was handled without a reply message"))
        for call in new:
            if str(call.params.get("text", "")).startswith(SORRY[:30]):
                raise Incomplete(self._dump(f"request {kind!r} failed in the app: it said {SORRY!r}"))
        return Sample(kind, sent, acked, new[0].at, new[-1].at), new

    def says(self, words: str) -> dict[str, Any]:
        return signing.event_callback(signing.message_im(self.user, words, channel=self.channel))

    def current(self, call: Call) -> dict[str, Any]:
        return self.fake.message(self.channel, call.response["ts"]) or call.response.get("message") or {}

    def _dump(self, problem: str) -> str:
        lines = [f"learner {self.number} (user {self.user}, channel {self.channel}): {problem}",
                 "  its steps: " + " → ".join(self.history[-8:])]
        lines.append("  last messages in its channel (as they are now):")
        for call in self.fake.messages_in(self.channel)[-6:]:
            if call.method == "chat.postMessage":
                current = self.current(call)
                lines.append(f"    {call.response['ts']}: {text_of(current)[:160]!r} controls={_labels(current)}")
        lines.append("  the fake server's last calls:\n" + self.fake.dump(last=40))
        return "\n".join(lines)


class Ours:
    """A learner of our app: warms up, then keeps taking whatever step the app offers."""

    def __init__(self, learner: Learner, checks: list[Check]) -> None:
        self.learner = learner
        self.checks = checks
        self.last: list[Call] = []

    async def warm_up(self) -> None:
        _, self.last = await self.learner.act("warm-up: hi", self.learner.says(WARM_UP[0]))
        message, button = self._button(WARM_UP[1])
        _, self.last = await self.learner.act(f"warm-up: {WARM_UP[1]}", self._press(message, button))

    async def step(self) -> Sample:
        learner = self.learner
        message = learner.current(self.last[-1])
        elements = elements_of(message)
        buttons = [e for e in elements if e.get("type") == "button" and "url" not in e]
        checkboxes = [e for e in elements if e.get("type") == "checkboxes"]
        if checkboxes:
            check = self._check_of(message)
            correct = [i for i, option in enumerate(check.options) if option.correct]
            body = self._ticks_and_submit(message, checkboxes, correct)
            sample, self.last = await learner.act("Submit answer (checkboxes)", body)
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

    def _press(self, message: dict[str, Any], button: dict[str, Any]) -> str:
        learner = self.learner
        return signing.block_actions(
            learner.user, learner.channel, message["ts"], button["action_id"], button.get("value", ""),
            message=message, label=button["text"]["text"], username=f"learner{learner.number}",
        )

    def _ticks_and_submit(self, message: dict[str, Any], groups: list[dict[str, Any]], chosen: list[int]) -> str:
        """As tests/slack/client.py ticks_and_submits: the ticked options in the submit's state."""
        learner = self.learner
        submit = next((e for e in elements_of(message) if e.get("type") == "button" and e["text"]["text"].startswith("Submit")), None)
        if submit is None:
            raise Incomplete(learner._dump("checkboxes without a Submit button"))
        values: dict[str, Any] = {}
        for group in groups:
            block_id = next(b["block_id"] for b in message["blocks"] if group in (b.get("elements") or []))
            ticked = [o for o in group["options"] if int(o["value"]) in chosen]
            values[block_id] = {group["action_id"]: {"type": "checkboxes", "selected_options": ticked}}
        return signing.block_actions(
            learner.user, learner.channel, message["ts"], submit["action_id"], submit["value"], message=message,
            label=submit["text"]["text"], state={"values": values}, username=f"learner{learner.number}",
        )

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
    """A learner of the baseline: says something, waits for the reply."""

    def __init__(self, learner: Learner) -> None:
        self.learner = learner
        self.count = 0

    async def step(self, kind: str = 'DM "next"') -> Sample:
        self.count += 1
        words = f"next {self.count}"
        sample, replies = await self.learner.act(kind, self.learner.says(words))
        if replies[0].params.get("text") != f"echo: {words}":
            raise Incomplete(self.learner._dump(f"the reply to {words!r} was {replies[0].params.get('text')!r}"))
        return sample


# ---------------------------------------------------------------------------------------------
# The two apps


class BenchSlackBot(SlackBot):
    """The real SlackBot, telling the benchmark when it has finished a learner's request: after
    `send` has posted every reply (or after the error handler has told the learner)."""

    def __init__(self, *, notify: Notify, **options: Any) -> None:
        self._notify = notify
        super().__init__(**options)

    async def send(self, channel: str, replies: list[Any]) -> None:
        await super().send(channel, replies)
        self._notify(channel)  # a failure reaches _on_error instead, which notifies once

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        await super()._on_error(error, body)
        user = body.get("user_id") or (body.get("user") or {}).get("id") or (body.get("event") or {}).get("user")
        if isinstance(user, str):
            self._notify(await self._dm_channel(user))


def issuer_in(folder: Path) -> IssuerIdentity:
    """A fresh issuer, as bot/bootstrap.py load_issuer makes it (no public URL)."""
    keys = KeyStore(folder / "keys")
    return IssuerIdentity.create(key=keys.load_or_create(), retired=tuple(keys.retired()), name="Benchmark Academy",
                                 public_url=None, local_url="http://127.0.0.1:8000")


def build_ours(url: str, fake: FakeSlack, notify: Notify, folder: Path) -> Build:
    async def build() -> tuple[ASGIApp, Callable[[], Awaitable[None]]]:
        await upgrade_async(url)
        engine = create_engine(url)
        curriculum = load_shipped_curriculum()
        store = ProgressStore(create_sessionmaker(engine))
        issuer, clock = issuer_in(folder), SystemClock()
        core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
        settings = SlackSettings(bot_token=TOKEN, signing_secret=SECRET, api_url=fake.api_url, announce_channel=None)
        bot = BenchSlackBot(notify=notify, core=core, settings=settings, channel_burst=OUR_BURST, channel_period=1.0)
        app = create_app(store=store, curriculum=curriculum, issuer=issuer, clock=clock,
                         platform_routers=[events_router(bot.app)])
        return app, engine.dispose

    return build


def build_baseline(fake: FakeSlack, notify: Notify) -> Build:
    async def build() -> tuple[ASGIApp, Callable[[], Awaitable[None]]]:
        bolt = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=fake.api_url), signing_secret=SECRET)

        @bolt.event("message")
        async def on_message(ack: AsyncAck, event: dict[str, Any], client: AsyncWebClient) -> None:
            await ack()
            try:
                await client.chat_postMessage(channel=event["channel"], text=f"echo: {event.get('text', '')}")
            finally:
                notify(event["channel"])

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
    calls: int  # Web API calls the app made in the measured phase
    failed_calls: int
    methods: Counter[str]
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per thread role, measured phase

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def wall(self) -> float:
        return max(s.last_reply for s in self.samples) - min(s.sent for s in self.samples)

    @property
    def rate(self) -> float:
        return self.requests / self.wall

    def ack_ms(self, q: float, kind: str | None = None) -> float:
        return 1000 * percentile(sorted(s.ack for s in self.samples if kind is None or s.kind == kind), q)

    def reply_ms(self, q: float, kind: str | None = None) -> float:
        return 1000 * percentile(sorted(s.reply for s in self.samples if kind is None or s.kind == kind), q)


@asynccontextmanager
async def http_clients(base_url: str, learners: int, shared: bool) -> AsyncIterator[list[httpx.AsyncClient]]:
    """The learners' HTTP clients: by default one httpx.AsyncClient per learner (a pool of 4 kept-alive
    connections each, one in use at a time). `shared`: one client for all, with a pool of 2 x learners;
    httpcore's pool then looks at every connection (a poll() and a getpeername() each) for every
    request it places, and the load generator, not the app, sets the pace."""
    def client(pool: int) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(60.0),
                                 limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool))

    async with AsyncExitStack() as stack:
        if shared:
            one = await stack.enter_async_context(client(max(100, 2 * learners)))
            yield [one] * learners
        else:
            yield [await stack.enter_async_context(client(4)) for _ in range(learners)]


async def measure_ours(url: str, args: argparse.Namespace, folder: Path) -> Measured:
    learners, steps, timeout = args.learners, args.steps, args.step_timeout
    checks = [check for lesson in load_shipped_curriculum().lessons.values() for check in lesson.checks]
    with running_fake_slack(bot_token=TOKEN) as fake:
        wire = Wire(fake, asyncio.get_running_loop())
        with app_server(build_ours(url, fake, wire.notify, folder), "our-app") as base_url:
            async with http_clients(base_url, learners, args.shared_client) as http:
                people = [Ours(Learner(wire, http[n], n, timeout), checks) for n in range(learners)]
                await all_of([person.warm_up() for person in people])
                since, cpu = time.monotonic(), thread_cpu(role_of)

                async def walk(person: Ours) -> list[Sample]:
                    return [await person.step() for _ in range(steps)]

                samples = [s for walked in await all_of([walk(p) for p in people]) for s in walked]
                spent = cpu_since(cpu, role_of, ROLES)
        return Measured("ours: SlackBot + core in create_app", samples, *phase_calls(fake, since), spent)


async def measure_baseline(args: argparse.Namespace) -> Measured:
    learners, steps, timeout = args.learners, args.steps, args.step_timeout
    with running_fake_slack(bot_token=TOKEN) as fake:
        wire = Wire(fake, asyncio.get_running_loop())
        with app_server(build_baseline(fake, wire.notify), "baseline-app") as base_url:
            async with http_clients(base_url, learners, args.shared_client) as http:
                people = [Echoing(Learner(wire, http[n], n, timeout)) for n in range(learners)]

                async def warm_up(person: Echoing) -> None:
                    for _ in WARM_UP:
                        await person.step("warm-up")

                await all_of([warm_up(p) for p in people])
                since, cpu = time.monotonic(), thread_cpu(role_of)

                async def walk(person: Echoing) -> list[Sample]:
                    return [await person.step() for _ in range(steps)]

                samples = [s for walked in await all_of([walk(p) for p in people]) for s in walked]
                spent = cpu_since(cpu, role_of, ROLES)
        return Measured("baseline: bare slack-bolt AsyncApp", samples, *phase_calls(fake, since), spent)


def phase_calls(fake: FakeSlack, since: float) -> tuple[int, int, Counter[str]]:
    calls = [c for c in fake.calls if c.at >= since]
    return len(calls), sum(not c.ok for c in calls), Counter(c.method for c in calls)


# ---------------------------------------------------------------------------------------------
# Database


async def measure_with_database(args: argparse.Namespace) -> tuple[str, Measured]:
    with tempfile.TemporaryDirectory() as folder:
        if args.database_url is None:
            dialect = "sqlite (aiosqlite), temporary file"
            return dialect, await measure_ours(f"sqlite+aiosqlite:///{folder}/bench.sqlite3", args, Path(folder))
        given = normalize_url(args.database_url)
        backend = make_url(given)
        if backend.get_backend_name() != "postgresql":
            dialect = f"{backend.get_backend_name()} ({backend.get_driver_name()}), {backend.render_as_string()}"
            return dialect, await measure_ours(given, args, Path(folder))
        url = await fresh_postgres(given)
        dialect = (f"postgresql ({backend.get_driver_name()}), fresh database {make_url(url).database} on "
                   f"{backend.host}:{backend.port}, dropped afterwards")
        try:
            return dialect, await measure_ours(url, args, Path(folder))
        finally:
            await drop_postgres(given, url)


# ---------------------------------------------------------------------------------------------
# Output


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


def report(args: argparse.Namespace, dialect: str, ours: Measured, baseline: Measured) -> None:
    command = shlex.join(["python", "benchmarks/slack.py", *sys.argv[1:]])
    print(f"command: {command}")
    print(f"Python {platform.python_version()} ({platform.python_implementation()}), slack-bolt {version('slack-bolt')},"
          f" slack-sdk {version('slack-sdk')}, uvicorn {uvicorn.__version__}, httpx {httpx.__version__}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (os.cpu_count), {platform.system()} {platform.release()}")
    print(f"database: {dialect}")
    print(f"delivery: our SlackBot with channel_burst={OUR_BURST:_} per 1 s, so this measures handling, not the"
          " one-message-a-second-per-channel pacing Slack asks for (SlackBot's default is 3 per 3 s)")
    print("baseline: bare slack-bolt AsyncApp + AsyncSlackRequestHandler in a one-route Starlette app; its message"
          " listener acks and posts one chat.postMessage per event")
    print("acks: slack-bolt acknowledges Events API requests before the listener runs; for block_actions the"
          " listener calls ack() in a task and bolt's runner looks for it every 10 ms (asyncio_runner.py)")
    print(f"learners: {args.learners} concurrent, {args.steps} measured requests each after {len(WARM_UP)} warm-up"
          " requests (ours: DM \"hi\", \"Start now\"); each waits until its request is handled before the next"
          " (a closed loop: each app's latencies are measured under the request rate it sustains itself)")
    clients = (f"one shared httpx.AsyncClient (pool {max(100, 2 * args.learners)})" if args.shared_client
               else "one httpx.AsyncClient per learner (keep-alive)")
    print(f"serving: each app by uvicorn (h11, asyncio loop) in its own thread on 127.0.0.1, TCP_NODELAY; {clients} in the main thread; fake Web API tests/slack/fake_api.py"
          " running_fake_slack(), a thread of this process: one GIL for all three")
    print()
    print("| app | requests | wall (s) | events/s | ack p50 (ms) | ack p95 (ms) | ack p99 (ms) | reply p50 (ms) | reply p99 (ms) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for m in (ours, baseline):
        print(f"| {m.name} | {m.requests} | {m.wall:.2f} | {m.rate:.0f} | {m.ack_ms(0.5):.1f} | {m.ack_ms(0.95):.1f}"
              f" | {m.ack_ms(0.99):.1f} | {m.reply_ms(0.5):.1f} | {m.reply_ms(0.99):.1f} |")
    print(f"| ours / baseline | | | {ours.rate / baseline.rate:.2f}x | {ours.ack_ms(0.5) / baseline.ack_ms(0.5):.2f}x"
          f" | {ours.ack_ms(0.95) / baseline.ack_ms(0.95):.2f}x | {ours.ack_ms(0.99) / baseline.ack_ms(0.99):.2f}x"
          f" | {ours.reply_ms(0.5) / baseline.reply_ms(0.5):.2f}x | {ours.reply_ms(0.99) / baseline.reply_ms(0.99):.2f}x |")
    print()
    print("Our measured requests by kind:")
    print()
    print("| request | count | ack p50 (ms) | ack p99 (ms) | reply p50 (ms) | reply p99 (ms) |")
    print("|---|---|---|---|---|---|")
    for kind, count in Counter(s.kind for s in ours.samples).most_common():
        print(f"| {kind} | {count} | {ours.ack_ms(0.5, kind):.1f} | {ours.ack_ms(0.99, kind):.1f}"
              f" | {ours.reply_ms(0.5, kind):.1f} | {ours.reply_ms(0.99, kind):.1f} |")
    print()
    print("Measured phase, per app: Web API calls that failed, CPU seconds by thread, and Web API calls per request by method:")
    print()
    for m in (ours, baseline):
        cpu = ", ".join(f"{role} {seconds:.1f}" for role, seconds in m.cpu.items()) or "not measured"
        per_request = ", ".join(f"{method} {count / m.requests:.2f}" for method, count in m.methods.most_common())
        print(f"- {m.name}: {m.failed_calls} failed; CPU s: {cpu}; wall {m.wall:.1f} s; calls per request: {per_request}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--steps", type=int, default=12, help="measured requests per learner after the warm-up")
    parser.add_argument("--database-url", help="default: a temporary SQLite file; a PostgreSQL URL gets a fresh database on that server")
    parser.add_argument("--shared-client", action="store_true",
                        help="all learners share one httpx.AsyncClient (pool 2 x learners) instead of one client each")
    parser.add_argument("--step-timeout", type=float, default=60.0, help="seconds a learner waits for one request to be handled")
    args = parser.parse_args()
    if args.learners < 1 or args.steps < 1:
        parser.error("--learners and --steps must be at least 1")
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    try:
        baseline = await measure_baseline(args)
        dialect, ours = await measure_with_database(args)
    except Incomplete as problem:
        print(f"INCOMPLETE, no results: {problem}", file=sys.stderr)
        raise SystemExit(1) from None
    expected = args.learners * args.steps
    for m in (ours, baseline):
        if m.requests != expected:  # cannot happen without an Incomplete above; never print partial figures
            raise SystemExit(f"INCOMPLETE: {m.name} measured {m.requests} of {expected} requests")
    report(args, dialect, ours, baseline)


if __name__ == "__main__":
    asyncio.run(main())
