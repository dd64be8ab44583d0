"""Telegram adapter throughput and reply latency over the Bot API wire, against a bare
python-telegram-bot echo bot measured in the same run.

Both bots long-poll their own fresh fake Bot API server (tests/telegram/fake_api.py: real HTTP on
127.0.0.1, a uvicorn thread in this process). N simulated learners act concurrently; each queues
one update, waits until the bot has finished handling it (all its reply messages are out), looks
at what the bot offered and takes its next step, as a person would, only without thinking time.

Ours: the real TelegramBot (adapters/telegram/bot.py) on the real core, database and shipped
curriculum. Learners onboard (/start, region, zone, daily time, "Start now": warm-up, not
measured), then take --steps measured steps each: "Next" on cards, the correct answer to
questions (by button, or in the poll for multiple-answer checks), otherwise the first button
offered, or /next when there is none.

Baseline: a python-telegram-bot Application with `concurrent_updates(True)` (PTB's simple update
processor, up to 256 updates at once, no per-chat ordering), no rate limiter, PTB's default
connection pool (256), whose MessageHandler sends the same text back and whose
CallbackQueryHandler answers the query and sends one message. Its learners send text messages
(5 warm-up, then --steps measured) and wait for the echo.

    python benchmarks/telegram.py                       # 50 learners x 12 steps, temporary SQLite
    python benchmarks/telegram.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
    python benchmarks/telegram.py --telegram-limits     # our bot paced as Telegram requires

With a PostgreSQL URL a fresh database is created on that server and dropped afterwards.
The fake Bot API server is tests/telegram/fake_api.py, in a thread of this process.

Updates per second: measured updates / wall time from queueing the first measured update to
the arrival of the last reply message. Reply latency: from queueing an update at the fake server
to the arrival there of the first message sent in reply (sendMessage/sendPoll/sendPhoto; the
acknowledgement of a button and the removal of its keyboard do not count as a reply). Prints a
Markdown table; a run that does not complete every step fails with a dump, never a partial table.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import shlex
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# This file's folder comes first on sys.path when run as a script, and this file is called
# telegram.py: drop the folder, or `import telegram` would import this file instead of PTB.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import telegram  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import (  # noqa: E402
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from adapters.inbox import Inbox  # noqa: E402
from adapters.telegram.bot import ALLOWED_UPDATES, SORRY, TelegramBot, TelegramSettings  # noqa: E402
from adapters.telegram.delivery import DeliveryLimiter  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.store.database import create_engine, create_sessionmaker, normalize_url  # noqa: E402
from bot.store.migrate import upgrade_async  # noqa: E402
from bot.store.repository import ProgressStore  # noqa: E402
from content.model import Check  # noqa: E402
from tests.telegram.fake_api import Call, FakeTelegram, running_fake_telegram  # noqa: E402

TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnop"
FIRST_USER = 700_000  # learner n is user (and private chat) FIRST_USER + n
REPLY_METHODS = frozenset({"sendMessage", "sendPoll", "sendPhoto"})
DONE_GROUP = 1_000  # a handler group after every handler of the bot: "this update is handled"
ONBOARDING = ("/start", "Europe", "Berlin", "08:00", "Start now")
WARM_UP = len(ONBOARDING)  # the baseline's learners send as many warm-up updates
from benchmarks.support import Incomplete, all_of, cpu_since, drop_postgres, fresh_postgres, load_shipped_curriculum, percentile, thread_cpu  # noqa: E402

def role_of(tid: int, main: bool, name: str) -> str:
    return "main" if main else "fake server" if name.startswith("fake-telegram") else "other threads"


ROLES = ("main", "fake server", "other threads")






# ---------------------------------------------------------------------------------------------
# What the bot sent, per chat, and when it finished each update


class Wire:
    """Reads the fake server's call log incrementally and hands out per-update completions.

    Completion comes from a TypeHandler in a handler group after all of the bot's handlers
    (added the same way to both bots): when it runs, every reply of that update has been
    answered by the fake server, so it is in the call log."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self._cursor = 0
        self.replies: dict[int, list[Call]] = {}  # chat id -> its reply messages, in order
        self._done: dict[int, asyncio.Future[float]] = {}

    def _future(self, update_id: int) -> asyncio.Future[float]:
        future = self._done.get(update_id)
        if future is None:
            future = self._done[update_id] = asyncio.get_running_loop().create_future()
        return future

    async def handled(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        future = self._future(update.update_id)
        if not future.done():
            future.set_result(time.monotonic())

    async def wait_handled(self, update_id: int, timeout: float) -> None:
        await asyncio.wait_for(asyncio.shield(self._future(update_id)), timeout)
        del self._done[update_id]

    def collect(self) -> None:
        calls = self.fake.calls
        for call in calls[self._cursor:]:
            if call.ok and call.method in REPLY_METHODS and isinstance(call.chat_id, int):
                self.replies.setdefault(call.chat_id, []).append(call)
        self._cursor = len(calls)


# ---------------------------------------------------------------------------------------------
# Learners


@dataclass
class Sample:
    kind: str  # what the learner did
    queued: float  # time.monotonic() when the update was queued
    first_reply: float  # Call.at of the first reply message
    last_reply: float  # Call.at of the last reply message

    @property
    def latency(self) -> float:
        return self.first_reply - self.queued


@dataclass
class Learner:
    wire: Wire
    number: int
    timeout: float
    seen: int = 0  # reply messages already looked at
    history: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        return FIRST_USER + self.number

    @property
    def fake(self) -> FakeTelegram:
        return self.wire.fake

    async def act(self, kind: str, queue: Callable[[], dict[str, Any]]) -> tuple[Sample, list[Call]]:
        """Queue one update, wait until it is handled, return its timing and reply messages."""
        queued = time.monotonic()
        update = queue()
        self.history.append(f"{kind} (update {update['update_id']})")
        try:
            await self.wire.wait_handled(int(update["update_id"]), self.timeout)
        except TimeoutError:
            raise Incomplete(self._dump(f"update {update['update_id']} ({kind}) not handled within {self.timeout:g} s")) from None
        self.wire.collect()
        mine = self.wire.replies.get(self.id, [])
        new, self.seen = mine[self.seen:], len(mine)
        if not new:
            raise Incomplete(self._dump(f"update {update['update_id']} ({kind}) was handled without a reply message"))
        for call in new:
            if _text_of(call.result).startswith(SORRY[:30]):
                raise Incomplete(self._dump(f"update {update['update_id']} ({kind}) failed in the bot: {SORRY!r}"))
        return Sample(kind, queued, new[0].at, new[-1].at), new

    def says(self, words: str) -> Callable[[], dict[str, Any]]:
        return lambda: self.fake.user_sends_text(self.id, words)

    def presses(self, message: dict[str, Any], data: str) -> Callable[[], dict[str, Any]]:
        return lambda: self.fake.user_presses(self.id, message, data)

    def votes(self, poll_id: str, options: list[int]) -> Callable[[], dict[str, Any]]:
        return lambda: self.fake.user_answers_poll(self.id, poll_id, options)

    def _dump(self, problem: str) -> str:
        lines = [f"learner {self.number} (user {self.id}): {problem}", "  its steps: " + " → ".join(self.history[-8:])]
        lines.append("  last messages to its chat (as they are now):")
        for call in self.fake.messages_to(self.id)[-6:]:
            current = self.fake.message(self.id, call.result["message_id"]) or call.result
            lines.append(f"    {call.method} #{call.result['message_id']}: {_text_of(current)[:160]!r} buttons={_labels(current)}")
        lines.append(f"  updates still queued at the fake server: {len(self.fake.pending_updates)}")
        lines.append("  the fake server's last calls:\n" + self.fake.dump(last=40))
        return "\n".join(lines)


class Ours:
    """A learner of our bot: onboards, then keeps taking whatever step the bot offers."""

    def __init__(self, learner: Learner, checks: list[Check]) -> None:
        self.learner = learner
        self.checks = checks
        self.last: list[Call] = []

    async def onboard(self) -> None:
        learner = self.learner
        _, self.last = await learner.act("/start", learner.says("/start"))
        for label in ONBOARDING[1:]:
            message, data = self._button(label)
            _, self.last = await learner.act(label, learner.presses(message, data))

    async def step(self) -> Sample:
        learner = self.learner
        newest = self.last[-1]
        message = self.fake.message(learner.id, newest.result["message_id"]) or newest.result
        buttons = _buttons(message)
        if "poll" in message and not message["poll"].get("is_closed"):
            check = self._check_of([_text_of(c.result) for c in self.last])
            correct = [i for i, option in enumerate(check.options) if option.correct]
            sample, self.last = await learner.act("poll answer", learner.votes(message["poll"]["id"], correct))
        elif "❓" in _text_of(message) and buttons:
            check = self._check_of([_text_of(message)])
            first_correct = next(i for i, option in enumerate(check.options) if option.correct)
            message, data = self._button(f"{first_correct + 1})")
            sample, self.last = await learner.act("answer button", learner.presses(message, data))
        elif buttons and buttons[0][0].startswith("Next"):
            sample, self.last = await learner.act("Next on a card", learner.presses(message, buttons[0][1]))
        elif buttons:
            sample, self.last = await learner.act(f"other button ({buttons[0][0]})", learner.presses(message, buttons[0][1]))
        else:
            sample, self.last = await learner.act("/next", learner.says("/next"))
        return sample

    @property
    def fake(self) -> FakeTelegram:
        return self.learner.fake

    def _button(self, label: str) -> tuple[dict[str, Any], str]:
        """The newest message of this step's replies with a button whose label starts with `label`."""
        for call in reversed(self.last):
            message = self.fake.message(self.learner.id, call.result["message_id"]) or call.result
            for text_, data in _buttons(message):
                if text_.startswith(label):
                    return message, data
        raise Incomplete(self.learner._dump(f"no button {label!r} among the bot's latest replies"))

    def _check_of(self, texts: list[str]) -> Check:
        for shown in reversed(texts):
            for check in self.checks:
                if check.question in shown:
                    return check
        raise Incomplete(self.learner._dump(f"no check of the curriculum in {texts!r}"))


class Echoing:
    """A learner of the baseline: says something, waits for the echo."""

    def __init__(self, learner: Learner) -> None:
        self.learner = learner
        self.count = 0

    async def step(self, kind: str = "text") -> Sample:
        self.count += 1
        words = f"hello {self.learner.number} #{self.count}"
        sample, replies = await self.learner.act(kind, self.learner.says(words))
        if _text_of(replies[0].result) != words:
            raise Incomplete(self.learner._dump(f"the echo of {words!r} was {_text_of(replies[0].result)!r}"))
        return sample


# ---------------------------------------------------------------------------------------------
# The two bots


@dataclass
class Measured:
    name: str
    samples: list[Sample]
    calls: int  # Bot API calls the bot made in the measured phase (getUpdates excluded)
    failed_calls: int
    too_many_requests: int
    busiest_second: int  # most messages (send/edit calls) the server received in any 1 s window
    methods: Counter[str]  # Bot API calls by method (getUpdates excluded)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per thread role, measured phase

    @property
    def updates(self) -> int:
        return len(self.samples)

    @property
    def wall(self) -> float:
        return max(s.last_reply for s in self.samples) - min(s.queued for s in self.samples)

    @property
    def rate(self) -> float:
        return self.updates / self.wall

    def latency_ms(self, q: float, kind: str | None = None) -> float:
        values = sorted(s.latency for s in self.samples if kind is None or s.kind == kind)
        return 1000 * percentile(values, q)


def phase_calls(fake: FakeTelegram, since: float) -> tuple[int, int, int, int, Counter[str]]:
    """Bot API calls since `since`, failed ones, 429s, the most messages in any 1 s window, and
    the calls by method."""
    calls = [c for c in fake.calls if c.method != "getUpdates" and c.at >= since]
    messages = sorted(c.at for c in calls if c.ok and c.method.startswith(("send", "edit")))
    busiest, start = 0, 0
    for end, at in enumerate(messages):
        while at - messages[start] >= 1.0:
            start += 1
        busiest = max(busiest, end - start + 1)
    methods = Counter(c.method for c in calls)
    return len(calls), sum(not c.ok for c in calls), sum(c.status == 429 for c in calls), busiest, methods


async def measure_ours(core: Core, limiter: DeliveryLimiter, args: argparse.Namespace) -> Measured:
    learners, steps, timeout = args.learners, args.steps, args.step_timeout
    checks = [check for lesson in core.curriculum.lessons.values() for check in lesson.checks]
    with running_fake_telegram(TOKEN, bot_username="bench_bot") as fake:
        wire = Wire(fake)
        settings = TelegramSettings(token=TOKEN, api_base_url=fake.base_url, poll_timeout=1, announce_chat=None)
        # Every update is journaled on disk before Telegram hears it arrived, as in `serve`.
        journal = tempfile.TemporaryDirectory(prefix="bench-journal-")
        inbox = await Inbox(Path(journal.name) / "inbox.sqlite3" if args.journal == "disk" else None).open()
        bot = TelegramBot(core=core, settings=settings, rate_limiter=limiter, images=None, inbox=inbox)
        bot.application.add_handler(TypeHandler(Update, wire.handled), group=DONE_GROUP)
        await bot.start()
        try:
            people = [Ours(Learner(wire, n, timeout), checks) for n in range(learners)]
            await all_of([person.onboard() for person in people])
            since, cpu = time.monotonic(), thread_cpu(role_of)

            async def walk(person: Ours) -> list[Sample]:
                return [await person.step() for _ in range(steps)]

            samples = [s for walked in await all_of([walk(p) for p in people]) for s in walked]
            spent = cpu_since(cpu, role_of, ROLES)
        finally:
            await bot.stop()
            await inbox.close()
            journal.cleanup()
        return Measured("ours: TelegramBot + core", samples, *phase_calls(fake, since), spent)


async def measure_baseline(args: argparse.Namespace) -> Measured:
    learners, steps, timeout = args.learners, args.steps, args.step_timeout

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        await context.bot.send_message(message.chat_id, message.text)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.from_user is not None
        await query.answer()
        await context.bot.send_message(query.from_user.id, f"pressed {query.data}")

    with running_fake_telegram(TOKEN, bot_username="bench_bot") as fake:
        wire = Wire(fake)
        base = fake.base_url
        app = (
            Application.builder().token(TOKEN).base_url(base).base_file_url(base.removesuffix("/bot") + "/file/bot")
            .concurrent_updates(True).build()
        )
        app.add_handler(MessageHandler(filters.TEXT, echo))
        app.add_handler(CallbackQueryHandler(pressed))
        app.add_handler(TypeHandler(Update, wire.handled), group=DONE_GROUP)
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=1)
        try:
            people = [Echoing(Learner(wire, n, timeout)) for n in range(learners)]

            async def warm_up(person: Echoing) -> None:
                for _ in range(WARM_UP):
                    await person.step("warm-up")

            await all_of([warm_up(p) for p in people])
            since, cpu = time.monotonic(), thread_cpu(role_of)

            async def walk(person: Echoing) -> list[Sample]:
                return [await person.step() for _ in range(steps)]

            samples = [s for walked in await all_of([walk(p) for p in people]) for s in walked]
            spent = cpu_since(cpu, role_of, ROLES)
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
        return Measured("baseline: PTB echo bot", samples, *phase_calls(fake, since), spent)


# ---------------------------------------------------------------------------------------------
# Database


async def measure_with_database(url: str, args: argparse.Namespace, limiter: DeliveryLimiter) -> Measured:
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        core = Core(curriculum=load_shipped_curriculum(), store=ProgressStore(create_sessionmaker(engine)), clock=SystemClock())
        return await measure_ours(core, limiter, args)
    finally:
        await engine.dispose()


# ---------------------------------------------------------------------------------------------
# Output


def _text_of(message: dict[str, Any] | None) -> str:
    if not message:
        return ""
    if "poll" in message:
        return message["poll"]["question"]
    return message.get("text") or message.get("caption") or ""


def _buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row if "callback_data" in b]


def _labels(message: dict[str, Any]) -> list[str]:
    return [label for label, _ in _buttons(message)]


def report(args: argparse.Namespace, dialect: str, ours: Measured, baseline: Measured) -> None:
    command = shlex.join(["python", "benchmarks/telegram.py", *sys.argv[1:]])
    print(f"command: {command}")
    print(f"Python {platform.python_version()} ({platform.python_implementation()}), python-telegram-bot {telegram.__version__}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (os.cpu_count), {platform.system()} {platform.release()}")
    print(f"database: {dialect}")
    if args.telegram_limits:
        print("delivery: our bot with Telegram's real limits: DeliveryLimiter() (29 messages/s overall, 19/min per group,"
              " 3 per 3 s per chat): latency includes deliberate pacing")
    else:
        print("delivery: our bot's DeliveryLimiter lifted (overall 1e6/s, group 1e6/min, chat burst 1e6 per 1 s), so this"
              " measures handling, not Telegram's deliberate pacing (--telegram-limits applies the real limits)")
    print("journal: each update of ours journaled " + ("on disk (SQLite, fsync), as `serve` does" if args.journal == "disk"
                                                     else "in memory (--journal memory: what the journal costs)"))
    print("baseline: python-telegram-bot Application, concurrent_updates(True) (256 updates at once, no per-chat order),"
          " no rate limiter, default 256-connection pool; echoes each text with one sendMessage")
    print(f"learners: {args.learners} concurrent, {args.steps} measured steps each after {WARM_UP} warm-up updates"
          " (ours: onboarding); each waits until its update is handled before the next step")
    print("fake Bot API: tests/telegram/fake_api.py, in a thread of this process;"
          " getUpdates looks for new updates every 10 ms")
    print()
    print("| bot | updates | wall (s) | updates/s | p50 latency (ms) | p95 (ms) | p99 (ms) | Bot API calls/update | msgs in busiest 1 s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for m in (ours, baseline):
        print(f"| {m.name} | {m.updates} | {m.wall:.2f} | {m.rate:.0f} | {m.latency_ms(0.5):.1f} | {m.latency_ms(0.95):.1f}"
              f" | {m.latency_ms(0.99):.1f} | {m.calls / m.updates:.2f} | {m.busiest_second} |")
    print(f"| ours / baseline | | {ours.wall / baseline.wall:.2f}x | {ours.rate / baseline.rate:.2f}x"
          f" | {ours.latency_ms(0.5) / baseline.latency_ms(0.5):.2f}x | {ours.latency_ms(0.95) / baseline.latency_ms(0.95):.2f}x"
          f" | {ours.latency_ms(0.99) / baseline.latency_ms(0.99):.2f}x | | |")
    print()
    print("Our measured steps by kind:")
    print()
    print("| step | count | p50 latency (ms) | p95 (ms) | p99 (ms) |")
    print("|---|---|---|---|---|")
    for kind, count in Counter(s.kind for s in ours.samples).most_common():
        print(f"| {kind} | {count} | {ours.latency_ms(0.5, kind):.1f} | {ours.latency_ms(0.95, kind):.1f} | {ours.latency_ms(0.99, kind):.1f} |")
    print()
    print("Measured phase, per bot: Bot API calls that failed or got 429, CPU seconds by thread (the fake server"
          " shares this process and its GIL; on SQLite the database driver runs in its own threads), and Bot API"
          " calls per update by method:")
    print()
    for m in (ours, baseline):
        cpu = ", ".join(f"{role} {seconds:.1f}" for role, seconds in m.cpu.items()) or "not measured"
        per_update = ", ".join(f"{method} {count / m.updates:.2f}" for method, count in m.methods.most_common())
        print(f"- {m.name}: {m.failed_calls} failed ({m.too_many_requests} of them 429); CPU s: {cpu}; wall {m.wall:.1f} s;"
              f" calls per update: {per_update}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--steps", type=int, default=12, help="measured interactions per learner after onboarding")
    parser.add_argument("--database-url", help="default: a temporary SQLite file; a PostgreSQL URL gets a fresh database on that server")
    parser.add_argument("--telegram-limits", action="store_true", help="our bot with Telegram's real delivery limits")
    parser.add_argument("--step-timeout", type=float, default=60.0, help="seconds a learner waits for one update to be handled")
    parser.add_argument("--journal", choices=("disk", "memory"), default="disk",
                        help="where our bot journals each update before it is acknowledged: on disk with fsync as "
                             "`serve` does (default), or in memory, to see what the journal costs")
    args = parser.parse_args()
    if args.learners < 1 or args.steps < 1:
        parser.error("--learners and --steps must be at least 1")
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")

    limiter = (
        DeliveryLimiter() if args.telegram_limits
        else DeliveryLimiter(overall_per_second=1e6, group_per_minute=1e6, chat_burst=1_000_000, chat_period=1.0)
    )
    try:
        baseline = await measure_baseline(args)
        if args.database_url is None:
            with tempfile.TemporaryDirectory() as folder:
                dialect = "sqlite (aiosqlite), temporary file"
                ours = await measure_with_database(f"sqlite+aiosqlite:///{folder}/bench.sqlite3", args, limiter)
        else:
            given = normalize_url(args.database_url)
            backend = make_url(given)
            if backend.get_backend_name() == "postgresql":
                url = await fresh_postgres(given)
                dialect = (f"postgresql ({backend.get_driver_name()}), fresh database {make_url(url).database} on "
                           f"{backend.host}:{backend.port}, dropped afterwards")
                try:
                    ours = await measure_with_database(url, args, limiter)
                finally:
                    await drop_postgres(given, url)
            else:
                dialect = f"{backend.get_backend_name()} ({backend.get_driver_name()}), {backend.render_as_string()}"
                ours = await measure_with_database(given, args, limiter)
    except Incomplete as problem:
        print(f"INCOMPLETE, no results: {problem}", file=sys.stderr)
        raise SystemExit(1) from None
    expected = args.learners * args.steps
    for m in (ours, baseline):
        if m.updates != expected:  # cannot happen without an Incomplete above; never print partial figures
            raise SystemExit(f"INCOMPLETE: {m.name} measured {m.updates} of {expected} steps")
    report(args, dialect, ours, baseline)


if __name__ == "__main__":
    asyncio.run(main())
