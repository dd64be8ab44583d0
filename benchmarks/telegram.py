"""Telegram adapter throughput and reply latency over the Bot API wire, against a bare
python-telegram-bot echo bot measured in the same run.

Both bots long-poll their own fresh fake Bot API server (fakes/telegram_api.py: real HTTP on
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

Under Telegram's limits (--telegram-limits): the fake server enforces Telegram's published limits
(30 messages a second per bot, about one a second per chat after a burst of 3, 20 a minute per
group; edits and answers to presses do not count) and our bot runs with the DeliveryLimiter that
`serve` builds (29 messages a second; on PostgreSQL the send rate shared through the database).
N learners are active at once: each pauses --think seconds (uniform, as a person reads) before
each of its --steps measured actions, so 100 learners pausing 2-4 s could ask for about 33
actions a second, more than 30 messages a second allow at one message each. Reported: actions a
second, reply p50/p95, messages and paced calls (turns of the 30-a-second budget) per action,
and unanswered actions (no reply within --answer-within s; every action must still be answered
eventually, or the run fails). There is no echo bot in this mode; `--before DIR` measures the same
run first on the product code in DIR (a copy of an earlier commit, e.g.
`git archive 3e0ed48 | tar -x -C /tmp/before`), with this harness, and reports the ratios:

    python benchmarks/telegram.py --telegram-limits --learners 100 --before /tmp/before
    python benchmarks/telegram.py --telegram-limits --learners 300 --before /tmp/before
    python benchmarks/telegram.py --telegram-limits --learners 100 --before /tmp/before \
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

The run checks what it reports and exits 1 naming what failed: every learner took its steps and
every action was answered (within --answer-within s), no Bot API call failed but for 429s (which
are waited out), and, at 100 learners, the aim of issue 13: at least 24 actions a second and a
reply p95 under 1.5 s.

With a PostgreSQL URL a fresh database is created on that server and dropped afterwards.
The fake Bot API server is fakes/telegram_api.py, in a thread of this process.

Updates per second: measured updates / wall time from queueing the first measured update to
the arrival of the last reply message. Reply latency: from queueing an update at the fake server
to the arrival there of the first message sent in reply (sendMessage/sendPoll/sendPhoto; the
acknowledgement of a button and the removal of its keyboard do not count as a reply). Prints a
Markdown table; a run that does not complete every step fails with a dump, never a partial table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import random
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
from bot.store.send_rate import SharedSendRate  # noqa: E402
from content.model import Check  # noqa: E402
from fakes.telegram_api import Call, FakeTelegram, counts_against_limits, running_fake_telegram  # noqa: E402

TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnop"
FIRST_USER = 700_000  # learner n is user (and private chat) FIRST_USER + n
REPLY_METHODS = frozenset({"sendMessage", "sendPoll", "sendPhoto"})
DONE_GROUP = 1_000  # a handler group after every handler of the bot: "this update is handled"
ONBOARDING = ("/start", "Europe", "Berlin", "08:00", "Start now")
WARM_UP = len(ONBOARDING)  # the baseline's learners send as many warm-up updates


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
        for call in calls[self._cursor :]:
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
        new, self.seen = mine[self.seen :], len(mine)
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


def busiest(times: list[float]) -> int:
    """The most of these (sorted) moments within any 1 s."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def phase_calls(fake: FakeTelegram, since: float) -> tuple[int, int, int, int, Counter[str]]:
    """Bot API calls since `since`, failed ones, 429s, the most messages in any 1 s window, and
    the calls by method."""
    calls = [c for c in fake.calls if c.method != "getUpdates" and c.at >= since]
    messages = sorted(c.at for c in calls if c.ok and c.method.startswith(("send", "edit")))
    methods = Counter(c.method for c in calls)
    return len(calls), sum(not c.ok for c in calls), sum(c.status == 429 for c in calls), busiest(messages), methods


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
            Application.builder()
            .token(TOKEN)
            .base_url(base)
            .base_file_url(base.removesuffix("/bot") + "/file/bot")
            .concurrent_updates(True)
            .build()
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
        core = Core(curriculum=load_shipped_curriculum(), store=Store(create_sessionmaker(engine)), clock=SystemClock())
        return await measure_ours(core, limiter, args)
    finally:
        await engine.dispose()


# ---------------------------------------------------------------------------------------------
# Under Telegram's limits

HARNESS = ("fakes/__init__.py", "fakes/serving.py", "fakes/telegram_api.py")
AIM_LEARNERS, AIM_RATE, AIM_P95 = 100, 24.0, 1.5  # issue 13: at 100 learners, >= 24 actions/s, reply p95 < 1.5 s


def seconds_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    try:
        bounds = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds like 2-4, got {text!r}") from None
    if not 0 <= bounds[0] <= bounds[1]:
        raise argparse.ArgumentTypeError(f"expected 0 <= LOW <= HIGH, got {text!r}")
    return bounds


@dataclass
class Limited:
    """One run under Telegram's limits, in a form JSON carries (the --before run is another process)."""

    code: str  # whose product code was measured
    dialect: str
    learners: int
    steps: int
    actions: int
    wall: float  # from the first measured action queued to its last reply
    latencies: list[float]  # seconds from queueing each action to its first reply
    messages: int  # messages Telegram accepted in the measured phase (send*, copy*, forward*)
    paced: int  # calls that took a turn of the bot's overall budget (a retry after a 429 takes another)
    too_many_requests: int
    failed: int  # Bot API calls refused otherwise (a 400, a 5xx): there should be none
    busiest_second: int  # most messages the fake accepted in any 1 s
    unanswered: int  # actions without a reply within --answer-within seconds
    kinds: dict[str, int]

    @property
    def rate(self) -> float:
        return self.actions / self.wall

    def latency_ms(self, q: float) -> float:
        return 1000 * percentile(sorted(self.latencies), q)

    def problems(self, answer_within: float) -> list[str]:
        """What this run fails of its checks and of the aim."""
        found = []
        if self.actions != self.learners * self.steps:
            found.append(f"{self.actions} actions measured, not {self.learners} learners x {self.steps}")
        if self.failed:
            found.append(f"{self.failed} Bot API calls failed (other than 429s)")
        if self.unanswered:
            found.append(f"{self.unanswered} actions were not answered within {answer_within:g} s")
        if self.learners == AIM_LEARNERS and self.rate < AIM_RATE:
            found.append(f"{self.rate:.1f} actions a second, under the aim of {AIM_RATE:g}")
        if self.learners == AIM_LEARNERS and self.latency_ms(0.95) >= 1000 * AIM_P95:
            found.append(f"reply p95 {self.latency_ms(0.95):.0f} ms, not under {AIM_P95 * 1000:.0f} ms")
        return found


class _Counting:
    """AIORateLimiter's own overall bucket (the code before issue 13, on SQLite), counted."""

    def __init__(self, bucket: Any, count: list[int]) -> None:
        self._bucket, self._count = bucket, count

    async def __aenter__(self) -> None:
        self._count[0] += 1
        await self._bucket.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        await self._bucket.__aexit__(*exc)


def count_paced(limiter: Any) -> Callable[[], int]:
    """Count the calls that take a turn of the bot's overall budget, whichever code is measured:
    the limiter's pacer (a shared or a local send rate), or AIORateLimiter's own bucket, which
    the code before issue 13 used on SQLite for every call naming a chat (edits too)."""
    count = [0]
    pacer = getattr(limiter, "_pacer", None)
    if pacer is not None:
        take_turn = pacer.wait_turn

        async def wait_turn() -> None:
            count[0] += 1
            await take_turn()

        pacer.wait_turn = wait_turn
    bucket = getattr(limiter, "_base_limiter", None)
    if bucket is not None:
        limiter._base_limiter = _Counting(bucket, count)
    if pacer is None and bucket is None:
        raise SystemExit("cannot count the paced calls of this DeliveryLimiter")
    return lambda: count[0]


async def measure_limited(url: str, dialect: str, args: argparse.Namespace) -> Limited:
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        core = Core(curriculum=load_shipped_curriculum(), store=Store(create_sessionmaker(engine)), clock=SystemClock())
        # As `serve` builds it: on PostgreSQL every process takes turns from one shared rate.
        pacer = SharedSendRate(engine, "telegram", 29.0) if engine.dialect.name == "postgresql" else None
        limiter = DeliveryLimiter(overall_per_second=29.0, pacer=pacer)
        paced = count_paced(limiter)
        checks = [check for lesson in core.curriculum.lessons.values() for check in lesson.checks]
        with running_fake_telegram(TOKEN, bot_username="bench_bot") as fake:
            fake.enforce_rate_limits()  # Telegram's published limits
            wire = Wire(fake)
            settings = TelegramSettings(token=TOKEN, api_base_url=fake.base_url, poll_timeout=1, announce_chat=None)
            journal = tempfile.TemporaryDirectory(prefix="bench-journal-")
            inbox = await Inbox(Path(journal.name) / "inbox.sqlite3" if args.journal == "disk" else None).open()
            bot = TelegramBot(core=core, settings=settings, rate_limiter=limiter, images=None, inbox=inbox)
            bot.application.add_handler(TypeHandler(Update, wire.handled), group=DONE_GROUP)
            await bot.start()
            try:
                people = [Ours(Learner(wire, n, args.step_timeout), checks) for n in range(args.learners)]
                await all_of([person.onboard() for person in people])
                since, turns = time.monotonic(), paced()
                low, high = args.think

                async def walk(person: Ours) -> list[Sample]:
                    pauses = random.Random(person.learner.number)  # the same pauses for every run
                    walked = []
                    for _ in range(args.steps):
                        await asyncio.sleep(pauses.uniform(low, high))
                        walked.append(await person.step())
                    return walked

                samples = [s for walked in await all_of([walk(p) for p in people]) for s in walked]
                turns = paced() - turns
            finally:
                await bot.stop()
                await inbox.close()
                journal.cleanup()
            accepted = sorted(c.at for c in fake.calls if c.at >= since and c.ok and counts_against_limits(c.method))
            refused = sum(1 for c in fake.calls if c.at >= since and c.status == 429)
            failed = sum(1 for c in fake.calls if c.at >= since and c.status not in (200, 429))
    finally:
        await engine.dispose()
    latencies = [s.latency for s in samples]
    return Limited(
        code=str(args.code),
        dialect=dialect,
        learners=args.learners,
        steps=args.steps,
        actions=len(samples),
        wall=max(s.last_reply for s in samples) - min(s.queued for s in samples),
        latencies=latencies,
        messages=len(accepted),
        paced=turns,
        too_many_requests=refused,
        failed=failed,
        busiest_second=busiest(accepted),
        unanswered=sum(latency > args.answer_within for latency in latencies),
        kinds=dict(Counter(s.kind for s in samples).most_common()),
    )


async def measure_limited_on(args: argparse.Namespace) -> Limited:
    """A run on a temporary SQLite file, or a fresh database on the PostgreSQL server given."""
    if args.database_url is None:
        with tempfile.TemporaryDirectory() as folder:
            return await measure_limited(f"sqlite+aiosqlite:///{folder}/bench.sqlite3", "SQLite", args)
    given = normalize_url(args.database_url)
    if make_url(given).get_backend_name() != "postgresql":
        return await measure_limited(given, make_url(given).get_backend_name(), args)
    url = await fresh_postgres(given)
    try:
        return await measure_limited(url, "PostgreSQL", args)
    finally:
        await drop_postgres(given, url)


def measure_before(args: argparse.Namespace) -> Limited:
    """The same run on the product code in --before, with this harness, in a process of its own."""
    figures = run_before(args.before, "telegram.py", without_before(sys.argv[1:]), HARNESS)
    return Limited(**{**figures, "code": str(args.before)})


async def under_limits(args: argparse.Namespace) -> None:
    args.code = "this checkout" if args.json_out is None else "before"
    before = measure_before(args) if args.before is not None else None
    try:
        current = await measure_limited_on(args)
    except Incomplete as problem:
        print(f"INCOMPLETE, no results: {problem}", file=sys.stderr)
        raise SystemExit(1) from None
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(current.__dict__))
        return
    report_limited(args, current, before)
    problems = current.problems(args.answer_within)
    if problems:
        print(f"\nFAILED: {'; '.join(problems)}")
        raise SystemExit(1)
    print("\nAll checks passed" + (" and the aim is met." if args.learners == AIM_LEARNERS else "."))


def report_limited(args: argparse.Namespace, current: Limited, before: Limited | None) -> None:
    command = shlex.join(["python", "benchmarks/telegram.py", *sys.argv[1:]])
    print(f"command: {command}")
    print(
        f"Python {platform.python_version()}, python-telegram-bot {telegram.__version__};"
        f" machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"
    )
    print(f"database: {current.dialect}, fresh for each run; journal {'on disk' if args.journal == 'disk' else 'in memory'}")
    print(
        "fake Bot API: Telegram's published limits (30 messages/s per bot, per chat 1/s after a burst of 3,"
        " 20/min per group; edits and answers to presses do not count), 429 with retry_after beyond them"
    )
    print("our bot: DeliveryLimiter(overall_per_second=29" + (", pacer=SharedSendRate)" if current.dialect == "PostgreSQL" else ")"))
    print(
        f"learners: {args.learners} at once, each pausing {args.think[0]:g}-{args.think[1]:g} s before each of"
        f" {args.steps} measured actions (after onboarding: /start, region, zone, daily time, Start now)"
    )
    print()
    print(
        "| code | actions | actions/s | reply p50 (ms) | reply p95 (ms) | messages/action | paced calls/action"
        f" | unanswered (> {args.answer_within:g} s) | 429s | msgs in busiest 1 s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for run in ([before] if before else []) + [current]:
        print(
            f"| {run.code} | {run.actions} | {run.rate:.1f} | {run.latency_ms(0.5):.0f} | {run.latency_ms(0.95):.0f}"
            f" | {run.messages / run.actions:.2f} | {run.paced / run.actions:.2f} | {run.unanswered} | {run.too_many_requests}"
            f" | {run.busiest_second} |"
        )
    if before:
        print(
            f"| this / before | | {current.rate / before.rate:.2f}x | {current.latency_ms(0.5) / before.latency_ms(0.5):.3f}x"
            f" | {current.latency_ms(0.95) / before.latency_ms(0.95):.3f}x"
            f" | {current.messages / current.actions / (before.messages / before.actions):.2f}x"
            f" | {current.paced / current.actions / (before.paced / before.actions):.2f}x | | | |"
        )
    print()
    print("actions by kind (this checkout): " + ", ".join(f"{kind} {count}" for kind, count in current.kinds.items()))
    if before:
        for problem in before.problems(args.answer_within):
            print(f"before: {problem}")


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
    print(
        "delivery: our bot's DeliveryLimiter lifted (overall 1e6/s, group 1e6/min, chat burst 1e6 per 1 s), so this"
        " measures handling, not Telegram's deliberate pacing (--telegram-limits: a run under Telegram's limits)"
    )
    print(
        "journal: each update of ours journaled "
        + ("on disk (SQLite, fsync), as `serve` does" if args.journal == "disk" else "in memory (--journal memory: what the journal costs)")
    )
    print(
        "baseline: python-telegram-bot Application, concurrent_updates(True) (256 updates at once, no per-chat order),"
        " no rate limiter, default 256-connection pool; echoes each text with one sendMessage"
    )
    print(
        f"learners: {args.learners} concurrent, {args.steps} measured steps each after {WARM_UP} warm-up updates"
        " (ours: onboarding); each waits until its update is handled before the next step"
    )
    print("fake Bot API: fakes/telegram_api.py, in a thread of this process; getUpdates looks for new updates every 10 ms")
    print()
    print("| bot | updates | wall (s) | updates/s | p50 latency (ms) | p95 (ms) | p99 (ms) | Bot API calls/update | msgs in busiest 1 s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for m in (ours, baseline):
        print(
            f"| {m.name} | {m.updates} | {m.wall:.2f} | {m.rate:.0f} | {m.latency_ms(0.5):.1f} | {m.latency_ms(0.95):.1f}"
            f" | {m.latency_ms(0.99):.1f} | {m.calls / m.updates:.2f} | {m.busiest_second} |"
        )
    print(
        f"| ours / baseline | | {ours.wall / baseline.wall:.2f}x | {ours.rate / baseline.rate:.2f}x"
        f" | {ours.latency_ms(0.5) / baseline.latency_ms(0.5):.2f}x | {ours.latency_ms(0.95) / baseline.latency_ms(0.95):.2f}x"
        f" | {ours.latency_ms(0.99) / baseline.latency_ms(0.99):.2f}x | | |"
    )
    print()
    print("Our measured steps by kind:")
    print()
    print("| step | count | p50 latency (ms) | p95 (ms) | p99 (ms) |")
    print("|---|---|---|---|---|")
    for kind, count in Counter(s.kind for s in ours.samples).most_common():
        print(
            f"| {kind} | {count} | {ours.latency_ms(0.5, kind):.1f} | {ours.latency_ms(0.95, kind):.1f}"
            f" | {ours.latency_ms(0.99, kind):.1f} |"
        )
    print()
    print(
        "Measured phase, per bot: Bot API calls that failed or got 429, CPU seconds by thread (the fake server"
        " shares this process and its GIL; on SQLite the database driver runs in its own threads), and Bot API"
        " calls per update by method:"
    )
    print()
    for m in (ours, baseline):
        cpu = ", ".join(f"{role} {seconds:.1f}" for role, seconds in m.cpu.items()) or "not measured"
        per_update = ", ".join(f"{method} {count / m.updates:.2f}" for method, count in m.methods.most_common())
        print(
            f"- {m.name}: {m.failed_calls} failed ({m.too_many_requests} of them 429); CPU s: {cpu}; wall {m.wall:.1f} s;"
            f" calls per update: {per_update}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=None, help="default: 50; under --telegram-limits 100")
    parser.add_argument("--steps", type=int, default=12, help="measured interactions per learner after onboarding")
    parser.add_argument("--database-url", help="default: a temporary SQLite file; a PostgreSQL URL gets a fresh database on that server")
    parser.add_argument(
        "--telegram-limits",
        action="store_true",
        help="learners active at once against a fake that enforces Telegram's published limits,"
        " our bot with the DeliveryLimiter `serve` builds",
    )
    parser.add_argument(
        "--think",
        type=seconds_range,
        default=(2.0, 4.0),
        metavar="LOW-HIGH",
        help="--telegram-limits: seconds a learner pauses before each measured action (default 2-4)",
    )
    parser.add_argument(
        "--answer-within",
        type=float,
        default=30.0,
        help="--telegram-limits: an action without a reply within this many seconds is unanswered",
    )
    parser.add_argument(
        "--before",
        type=Path,
        metavar="DIR",
        help="--telegram-limits: measure the product code in DIR (an earlier commit's copy) first, same run",
    )
    parser.add_argument("--json-out", type=Path, help=argparse.SUPPRESS)  # the --before run hands its figures back
    parser.add_argument(
        "--step-timeout",
        type=float,
        default=None,
        help="seconds a learner waits for one update to be handled (default 60; 600 under --telegram-limits)",
    )
    parser.add_argument(
        "--journal",
        choices=("disk", "memory"),
        default="disk",
        help="where our bot journals each update before it is acknowledged: on disk with fsync as "
        "`serve` does (default), or in memory, to see what the journal costs",
    )
    args = parser.parse_args()
    args.learners = args.learners or (100 if args.telegram_limits else 50)
    args.step_timeout = args.step_timeout or (600.0 if args.telegram_limits else 60.0)
    if args.learners < 1 or args.steps < 1:
        parser.error("--learners and --steps must be at least 1")
    if args.before is not None and not (args.telegram_limits and (args.before / "adapters" / "telegram").is_dir()):
        parser.error("--before needs --telegram-limits and a folder holding the project's code (adapters/telegram)")
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    if args.telegram_limits:
        await under_limits(args)
        return

    limiter = DeliveryLimiter(overall_per_second=1e6, group_per_minute=1e6, chat_burst=1_000_000, chat_period=1.0)
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
                dialect = (
                    f"postgresql ({backend.get_driver_name()}), fresh database {make_url(url).database} on "
                    f"{backend.host}:{backend.port}, dropped afterwards"
                )
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
