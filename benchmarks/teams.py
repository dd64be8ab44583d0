"""Microsoft Teams under Teams' documented limits: --learners simulated learners in one tenant
learn at once through the Teams adapter, against a bare Teams SDK echo bot measured in the same
run, on the same kind of fake Bot Connector.

Both bots are served by uvicorn on 127.0.0.1 (a thread of this process with its own event loop)
and talk to their own fresh fake Bot Connector (fakes/teams_connector.py: real HTTP on
127.0.0.1, activities signed with its key and checked by the SDK's JWT validation, a token
endpoint, the /v3/conversations REST API) that enforces Microsoft's limits: per conversation 7
operations a second, 60 in 30 s, 1,800 an hour; 50 requests a second per app per tenant; beyond,
429 with Retry-After.

Ours: the project's ASGI app (web/app.py create_app with /api/messages) around the real TeamsBot
(adapters/teams/bot.py) as `serve` runs it, on the real core, database and shipped curriculum.
Each learner says "hi", then takes --steps steps, pausing a random --think seconds before each
(the same pauses for both bots), as a person reads: it presses what the newest card offers (Next,
Start now, the first option of a check, Submit with the first option ticked), or says "next"
when nothing is offered, and takes its next step once the bot has settled the last one.

Baseline: a bare Teams SDK App (the SDK's own FastAPIAdapter at /api/messages, the same token
provider and the same 429 middleware, since the SDK retries nothing itself) whose message handler
sends one echo per activity; its learners send as many activities.

Events a second: activities settled / seconds from the first sent to the last settled.
Reply latency: activity sent -> the fake answering the first message the bot sends for it
(ours often sends two or three: the pressed card updated, the next card).

The run exits 1, naming what failed, unless every activity got its replies (no "Sorry") and no
request was sent again before its Retry-After.

    python benchmarks/teams.py                      # 50 learners x 12 steps, temporary SQLite
    python benchmarks/teams.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.teams.bot import TeamsBot
from adapters.teams.patience import Patience
from adapters.teams.tokens import ClientCredentialsToken
from benchmarks.support import drop_postgres, fresh_postgres, load_shipped_curriculum, percentile
from bot.clock import SystemClock
from bot.core import Core
from bot.store.database import create_engine, create_sessionmaker
from bot.store.migrate import upgrade_async
from bot.store.store import SqlStore
from bot.store.teams_conversations import SqlTeamsConversations
from bot.teams_settings import TeamsSettings
from credentials.issuer import IssuerIdentity
from credentials.keystore import KeyStore
from fakes.teams_connector import FakeConnector, actions_of, card_of, running_fake_connector, text_of
from web.app import create_app

APP_ID = "6f1c2a90-3b7e-4a51-9d0e-2c4b8e7f1a23"
PASSWORD = "benchmark-secret"
TENANT = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
Build = Callable[[], Awaitable[tuple[Any, Callable[[], Awaitable[None]]]]]


@dataclass
class Measured:
    name: str
    events: int = 0
    seconds: float = 0.0
    replies: list[float] = field(default_factory=list)  # seconds, one per activity
    throttled: int = 0
    early: int = 0
    sorry: int = 0
    operations: int = 0  # REST calls the connector carried out
    refusals: str = ""  # 429s by the limit met


@contextmanager
def app_server(build: Build, name: str) -> Iterator[str]:
    """Serve what `build()` makes, in a thread with its own event loop; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    holder: dict[str, uvicorn.Server] = {}

    async def serve() -> None:
        app, close = await build()
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False, timeout_keep_alive=30))
        holder["server"] = server
        try:
            await server.serve(sockets=[sock])
        finally:
            await close()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), name=f"{name}-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while "server" not in holder or not holder["server"].started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        holder["server"].should_exit = True
        thread.join(timeout=30)
        sock.close()


def settings_for(fake: FakeConnector) -> TeamsSettings:
    return TeamsSettings(
        app_id=APP_ID,
        app_password=PASSWORD,
        tenant_id=TENANT,
        service_url=fake.service_url,
        login_url=fake.login_url,
        openid_metadata_url=fake.openid_metadata_url,
    )


class Settled:
    """Activity ids the bot has finished, told across threads."""

    def __init__(self) -> None:
        self._done: set[str] = set()
        self._lock = threading.Lock()

    def add(self, key: str, *_: object) -> None:
        with self._lock:
            self._done.add(key)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._done


def build_ours(url: str, fake: FakeConnector, settled: Settled, folder: Path) -> Build:
    async def build() -> tuple[Any, Callable[[], Awaitable[None]]]:
        await upgrade_async(url)
        engine = create_engine(url)
        store, clock = SqlStore(create_sessionmaker(engine)), SystemClock()
        curriculum = load_shipped_curriculum()
        keys = KeyStore(folder / "keys")
        issuer = IssuerIdentity.create(key=keys.load_or_create(), name="Benchmark", public_url=None, local_url="http://127.0.0.1:8000")
        core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
        bot = TeamsBot(core=core, settings=settings_for(fake), conversations=SqlTeamsConversations(engine, clock), on_settled=settled.add)
        await bot.start()
        app = create_app(store=store, curriculum=curriculum, issuer=issuer, clock=clock, platform_routers=[bot.adapter.router])

        async def close() -> None:
            await bot.close()
            await engine.dispose()

        return app, close

    return build


def build_baseline(fake: FakeConnector, settled: Settled) -> Build:
    async def build() -> tuple[Any, Callable[[], Awaitable[None]]]:
        from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
        from microsoft_teams.apps import App
        from microsoft_teams.apps.http import FastAPIAdapter
        from microsoft_teams.common.http.client import Client, ClientOptions

        cloud = with_overrides(PUBLIC, login_endpoint=fake.login_url, openid_metadata_url=fake.openid_metadata_url)
        tokens = ClientCredentialsToken(login_url=fake.login_url, app_id=APP_ID, app_password=PASSWORD, tenant_id=TENANT)
        client = Client(ClientOptions(timeout=30.0))
        client.use(Patience())
        adapter = FastAPIAdapter()
        app = App(client_id=APP_ID, tenant_id=TENANT, token=tokens, client=client, cloud=cloud, http_server_adapter=adapter)

        @app.on_message
        async def echo(ctx: Any) -> None:
            await ctx.send(f"echo: {ctx.activity.text}")
            settled.add(str(ctx.activity.id))

        await app.initialize()

        async def close() -> None:
            await tokens.aclose()

        return adapter.app, close

    return build


class Learner:
    def __init__(self, fake: FakeConnector, http: httpx.AsyncClient, settled: Settled, number: int, *, echo: bool) -> None:
        self.fake, self.http, self.settled, self.echo = fake, http, settled, echo
        self.id = f"29:learner-{number}"
        self.conversation = fake.personal(self.id)
        self.latencies: list[float] = []

    async def act(self, **fields: Any) -> None:
        activity = self.fake.activity(self.id, name=f"Learner {self.id[-3:]}", localTimezone="Europe/Berlin", **fields)
        sent = time.monotonic()
        response = await self.http.post("/api/messages", json=activity, headers=self.fake.signed(activity))
        if response.status_code not in (200, 201, 202):
            raise RuntimeError(f"{self.id}: the bot answered {response.status_code}")
        deadline = sent + 120
        while activity["id"] not in self.settled:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.id}: {activity['id']} was not settled within 120 s")
            await asyncio.sleep(0.005)
        mine = (c.at for c in self.fake.calls() if c.conversation == self.conversation and c.status < 300 and c.at >= sent)
        first = min(mine, default=None)
        if first is None:
            raise RuntimeError(f"{self.id}: no reply to {activity['id']}")
        self.latencies.append(first - sent)

    async def step(self) -> None:
        if self.echo:
            await self.act(text="next")
            return
        for activity in reversed(self.fake.activities(self.conversation)):
            submits = [a for a in actions_of(activity) if a.get("type") == "Action.Submit"]
            if not submits:
                continue
            choice = next((a for a in submits if a.get("title") in ("Next", "Start now")), submits[0])
            value = dict(choice["data"])
            card = card_of(activity) or {}
            if any(e.get("type") == "Input.ChoiceSet" for e in card.get("body") or []):
                value["mb_choices"] = "0"
            await self.act(value=value, replyToId=activity["id"])
            return
        await self.act(text="next")


async def run_learners(name: str, base: str, fake: FakeConnector, settled: Settled, args: argparse.Namespace, *, echo: bool) -> Measured:
    limits = httpx.Limits(max_connections=args.learners, max_keepalive_connections=args.learners)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        learners = [Learner(fake, http, settled, n, echo=echo) for n in range(args.learners)]
        start = time.monotonic()

        async def learn(learner: Learner) -> None:
            pause = random.Random(learner.id)  # the same pauses for ours and the baseline
            await asyncio.sleep(pause.uniform(*args.think))
            await learner.act(text="hi")
            for _ in range(args.steps):
                await asyncio.sleep(pause.uniform(*args.think))  # a person reads before pressing
                await learner.step()

        await asyncio.gather(*(learn(learner) for learner in learners))
        seconds = time.monotonic() - start
    events = args.learners * (args.steps + 1)
    measured = Measured(name, events=events, seconds=seconds, throttled=fake.throttled(), early=fake.early_retries)
    measured.operations = sum(1 for c in fake.calls() if c.status < 300)
    measured.refusals = ", ".join(f"{kind} {n}" for kind, n in sorted(fake.refusals.items())) or "none"
    measured.replies = sorted(latency for learner in learners for latency in learner.latencies)
    measured.sorry = sum("Sorry, something went wrong" in text_of(a) for learner in learners for a in fake.activities(learner.conversation))
    return measured


async def measure(args: argparse.Namespace, *, ours: bool) -> Measured:
    with tempfile.TemporaryDirectory() as folder, running_fake_connector(app_id=APP_ID, app_password=PASSWORD, tenant_id=TENANT) as fake:
        settled = Settled()
        if not ours:
            with app_server(build_baseline(fake, settled), "baseline") as base:
                return await run_learners("bare SDK echo bot", base, fake, settled, args, echo=True)
        url = await fresh_postgres(args.database_url) if args.database_url else f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        try:
            with app_server(build_ours(url, fake, settled, Path(folder)), "ours") as base:
                return await run_learners("ours", base, fake, settled, args, echo=False)
        finally:
            if args.database_url:
                await drop_postgres(args.database_url, url)


def report(args: argparse.Namespace, ours: Measured, baseline: Measured) -> list[str]:
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}")
    database = " --database-url ..." if args.database_url else ""
    think = f"{args.think[0]:g}-{args.think[1]:g}"
    print(f"Command: python benchmarks/teams.py --learners {args.learners} --steps {args.steps} --think {think}{database}")
    print(f"Database: {'PostgreSQL' if args.database_url else 'SQLite'}")
    for m in (ours, baseline):
        rate = m.events / m.seconds
        p50, p95 = percentile(m.replies, 0.5) * 1000, percentile(m.replies, 0.95) * 1000
        print(
            f"{m.name:>18}: {m.events} activities in {m.seconds:.1f} s = {rate:.1f}/s; reply p50 {p50:.0f} ms, p95 {p95:.0f} ms; "
            f"{m.operations / m.events:.1f} REST operations per activity; 429s {m.throttled} ({m.refusals}), early retries {m.early}"
        )
    ratio = (ours.events / ours.seconds) / (baseline.events / baseline.seconds)
    print(f"Throughput ours / bare SDK: {ratio:.2f} (aim: at least 0.5)")
    problems = []
    for m in (ours, baseline):
        if len(m.replies) != m.events:
            problems.append(f"{m.name}: {m.events - len(m.replies)} activities without a reply")
        if m.early:
            problems.append(f"{m.name}: {m.early} requests sent again before their Retry-After")
        if m.sorry:
            problems.append(f"{m.name}: {m.sorry} 'Sorry' messages")
    return problems


def think_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--think", type=think_range, default=(1.0, 3.0), help="seconds a learner pauses before each step, as LOW-HIGH")
    args = parser.parse_args()
    baseline = await measure(args, ours=False)
    ours = await measure(args, ours=True)
    problems = report(args, ours, baseline)
    for problem in problems:
        print(f"FAILED: {problem}")
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
