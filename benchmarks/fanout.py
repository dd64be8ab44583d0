"""The daily nudge of N learners, delivered by 1, 2 and 4 `run_bot.py serve` processes from one
PostgreSQL database through one fake Telegram server that enforces Telegram's flood limits.

For each worker count: a fresh database on the server of --database-url (dropped afterwards),
migrated, then --learners learners (every day a working day, in several timezones where it is
daytime now) and one daily nudge each, due a minute ago, bulk-inserted, then ANALYZEd (as
autovacuum would; it may be off on a test server). Only then the workers start: real
`run_bot.py serve` processes (webhook mode, so none polls) sharing one send rate through the
database (TELEGRAM_MESSAGES_PER_SECOND = 29 for the bot), against one fake Bot API server
(fakes/telegram_api.py, a thread of this process) that answers 429 with retry_after beyond
1 message a second per chat, 30 a second overall and 20 a minute per group
(`enforce_rate_limits(per_chat_per_second=1, global_per_second=30, group_per_minute=20)`).

    python benchmarks/fanout.py                        # 10,000 learners; 1, 2 and 4 workers (~18 min)
    python benchmarks/fanout.py --learners 600         # a quick run
    python benchmarks/fanout.py --workers 4 --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

Figures, all taken at the fake server (Call.at, its arrival time):
- seconds: from the first to the last delivered nudge (every message);
- achieved msgs/s: the steady rate after a warm-up. The window opens 2 s after the later of the
  first delivery and the last worker's setWebhook call (every worker is sending by then) and
  closes at the last delivery; rate = (deliveries in the window - 1) / (last - first of them),
  i.e. intervals over time. Share = that rate / 30 (the aim: at least 95%);
- 429s: every 429 the fake answered; max retries of one message: the most 429 answers one chat's
  sendMessage got (each learner gets one message, so per chat = per message; the aim: at most 1).

Every learner must get exactly one nudge (at the fake: one successful sendMessage per chat, none
to anyone else; in the database: every seeded nudge `sent`); otherwise the run fails with no table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, literal, select, text
from sqlalchemy.engine import make_url

from benchmarks.support import Incomplete, drop_postgres, fresh_postgres
from bot.store.database import create_engine, normalize_url
from bot.store.migrate import upgrade_async
from bot.store.models import LearnerRow, NudgeRow
from credentials.keystore import KeyStore
from fakes.serving import free_port
from fakes.telegram_api import Call, FakeTelegram, running_fake_telegram
from fakes.zones import daytime_zones

PROJECT_DIR = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
TOKEN = "123456:FANOUT-TOKEN-abcdefghijklmnop"
FIRST_CHAT = 1_000_000  # learner n is Telegram user (and private chat) FIRST_CHAT + n
LIMIT = 30  # the fake's overall messages a second, as Telegram's
RATE = 29.0  # TELEGRAM_MESSAGES_PER_SECOND: what all workers together send a second
WARM_UP = 2.0  # seconds after every worker is sending
SETTLE = 3.0  # seconds to wait after the last learner's nudge for any second copy


@dataclass(frozen=True)
class Result:
    workers: int
    messages: int
    seconds: float  # first to last delivery
    window_messages: int
    window_seconds: float
    too_many_requests: int
    max_retries: int  # most 429 answers to one chat's sendMessage
    retried_messages: int  # messages that got at least one 429
    seed_seconds: float
    startup_seconds: float  # workers started -> first delivery
    claims_lost: int  # "claim expired" warnings in the workers' logs
    code: str  # the commit the workers ran
    reclaimed: int  # seeded nudges claimed more than once (a lease ran out)

    @property
    def rate(self) -> float:
        return (self.window_messages - 1) / self.window_seconds


async def seed(url: str, learners: int, zones: list[str], now: datetime) -> int:
    """Learners (every day a working day) with a daily nudge due a minute ago: one bulk INSERT
    for the learners (SQLAlchemy batches the rows into multi-row VALUES), one INSERT ... SELECT
    for the nudges. Returns the last seeded nudge's id (the planner adds later ones)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(LearnerRow),
                [
                    {
                        "platform": "telegram",
                        "platform_user_id": str(FIRST_CHAT + i),
                        "display_name": f"L{i}",
                        "timezone": zones[i % len(zones)],
                        "timezone_confirmed": True,
                        "daily_time": "09:00",
                        "working_days": "1234567",
                        "announce": True,
                        "nudges": "on",
                        "created_at": now,
                    }
                    for i in range(learners)
                ],
            )
            await connection.execute(
                insert(NudgeRow).from_select(
                    ["learner_id", "kind", "due_at", "status", "attempts"],
                    select(
                        LearnerRow.id,
                        literal("daily"),
                        literal(now - timedelta(seconds=60), NudgeRow.due_at.type),
                        literal("pending"),
                        literal(0),
                    ),
                )
            )
            count, last = (await connection.execute(select(func.count(), func.max(NudgeRow.id)))).one()
        if count != learners:
            raise Incomplete(f"seeded {count} nudges for {learners} learners")
        async with engine.begin() as connection:
            # Statistics, as autovacuum would gather after a bulk load (it may be off on a test
            # server): without them the claim's plan assumes empty tables.
            await connection.execute(text("ANALYZE learners, nudges"))
        return int(last)
    finally:
        await engine.dispose()


def start_worker(url: str, data_dir: Path, base_url: str, workers: int, args: argparse.Namespace, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATA_DIR": str(data_dir),
        "PORT": str(free_port()),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
        # Several processes share one bot: Telegram then delivers updates by webhook, never by polling.
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.com/telegram/webhook",
        "TELEGRAM_MESSAGES_PER_SECOND": repr(RATE),
        "NUDGE_INTERVAL_SECONDS": str(args.interval),
        "NUDGE_LEASE_SECONDS": str(args.lease),
        "NUDGE_BATCH": str(args.batch),
        "NUDGE_CONCURRENCY": str(args.concurrency),
    }
    with log.open("wb") as stderr:  # a file, not a pipe: a full pipe would block the worker
        return subprocess.Popen(
            [sys.executable, str(PROJECT_DIR / "run_bot.py"), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )


def code_version() -> str:
    """The commit the workers run, and whether the working tree differs from it."""

    def git(*words: str) -> str:
        try:
            return subprocess.run(["git", *words], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = [line for line in git("status", "--porcelain", "--untracked-files=no").splitlines() if line.strip()]
    return head + (f" + uncommitted changes in {len(changed)} files" if changed else "")


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


async def wait_until_delivered(
    fake: FakeTelegram, chats: set[int], processes: list[subprocess.Popen[bytes]], logs: list[Path], timeout: float, workers: int
) -> None:
    """Until every chat has had a successful sendMessage; progress to stderr every 30 s."""
    started = time.monotonic()
    delivered: set[int] = set()
    read, next_report = 0, started + 30
    while True:
        calls = fake.calls
        for call in calls[read:]:
            if call.method == "sendMessage" and call.ok and isinstance(call.chat_id, int):
                delivered.add(call.chat_id)
        read = len(calls)
        if delivered >= chats:
            return
        now = time.monotonic()
        for process, log in zip(processes, logs, strict=True):
            if process.poll() is not None:
                raise Incomplete(
                    f"{workers} worker(s): a worker exited with {process.returncode} after"
                    f" {len(delivered)} of {len(chats)} nudges; its log:\n{tail(log)}"
                )
        if now - started > timeout:
            raise Incomplete(
                f"{workers} worker(s): {len(delivered)} of {len(chats)} learners nudged within"
                f" {timeout:.0f} s; recent calls:\n{fake.dump()}"
            )
        if now >= next_report:
            print(
                f"  {workers} worker(s): {len(delivered)}/{len(chats)} nudged after {now - started:.0f} s,"
                f" {fake.too_many_requests} 429s so far",
                file=sys.stderr,
                flush=True,
            )
            next_report += 30
        await asyncio.sleep(0.5)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Figures(TypedDict):
    """What analyse reads from the fake's calls, for Result."""

    messages: int
    seconds: float
    window_messages: int
    window_seconds: float
    max_retries: int
    retried_messages: int
    startup_seconds: float


def analyse(calls: list[Call], chats: set[int], workers: int, started: float) -> Figures:
    sends = [c for c in calls if c.method == "sendMessage"]
    ok = sorted((c for c in sends if c.ok), key=lambda c: c.at)
    per_chat = Counter(c.chat_id for c in ok)
    missing = chats - per_chat.keys()
    twice = sorted((chat for chat, n in per_chat.items() if n > 1), key=str)  # chat ids as sent: int or str
    strangers = sorted(per_chat.keys() - chats, key=str)
    odd = Counter(c.status for c in sends if c.status not in (200, 429))
    wrong = [c for c in ok if "5-minute lesson" not in str(c.params.get("text"))]
    if missing or twice or strangers or odd or wrong:
        raise Incomplete(
            f"{workers} worker(s): not exactly one nudge per learner: {len(missing)} learners got none,"
            f" {len(twice)} got more than one (e.g. {twice[:5]}), {len(strangers)} unknown chats,"
            f" other failed sendMessage statuses {dict(odd)}, {len(wrong)} messages without the offer"
        )
    ready = sorted(c.at for c in calls if c.method == "setWebhook" and c.ok)
    if len(ready) < workers:
        raise Incomplete(f"{workers} worker(s): only {len(ready)} setWebhook calls")
    opens = max(ok[0].at, ready[workers - 1]) + WARM_UP
    window = [c.at for c in ok if c.at >= opens]
    if len(window) < 2:
        raise Incomplete(f"{workers} worker(s): fewer than 2 deliveries after the warm-up; use more --learners")
    rejected = Counter(c.chat_id for c in sends if c.status == 429)
    return {
        "messages": len(ok),
        "seconds": ok[-1].at - ok[0].at,
        "window_messages": len(window),
        "window_seconds": window[-1] - window[0],
        "max_retries": max(rejected.values(), default=0),
        "retried_messages": len(rejected),
        "startup_seconds": ok[0].at - started,
    }


async def check_database(url: str, learners: int, last_seeded: int, workers: int) -> int:
    """Every seeded nudge is marked sent; returns how many were claimed more than once."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            seeded = (
                await connection.execute(
                    select(NudgeRow.status, NudgeRow.attempts, func.count())
                    .where(NudgeRow.id <= last_seeded)
                    .group_by(NudgeRow.status, NudgeRow.attempts)
                )
            ).all()
    finally:
        await engine.dispose()
    found = {(status, attempts): n for status, attempts, n in seeded}
    statuses: Counter[str] = Counter()
    for (status, _), n in found.items():
        statuses[status] += n
    if statuses != {"sent": learners}:
        raise Incomplete(
            f"{workers} worker(s): the seeded nudges by (status, claims) in the database are {found}, expected all {learners} sent"
        )
    return sum(n for (_, attempts), n in found.items() if attempts > 1)


async def run(given: str, learners: int, workers: int, args: argparse.Namespace) -> Result:
    url = await fresh_postgres(given)
    try:
        await upgrade_async(url)
        now = datetime.now(UTC)
        zones = daytime_zones(now)
        began = time.monotonic()
        last_seeded = await seed(url, learners, zones, now)
        seed_seconds = time.monotonic() - began
        chats = {FIRST_CHAT + i for i in range(learners)}
        with tempfile.TemporaryDirectory() as folder, running_fake_telegram(TOKEN) as fake:
            data_dir = Path(folder)
            KeyStore(data_dir / "keys").load_or_create()  # once, not raced by the workers
            fake.enforce_rate_limits(per_chat_per_second=1, global_per_second=LIMIT, group_per_minute=20)
            logs = [data_dir / f"worker-{n}.log" for n in range(workers)]
            code = code_version()
            started = time.monotonic()
            processes = [start_worker(url, data_dir, fake.base_url, workers, args, log) for log in logs]
            try:
                timeout = 120 + 2 * learners / RATE
                await wait_until_delivered(fake, chats, processes, logs, timeout, workers)
                await asyncio.sleep(SETTLE)  # any second copy would arrive by now
            finally:
                await asyncio.to_thread(stop, processes)
            calls, too_many = fake.calls, fake.too_many_requests
            for process, log in zip(processes, logs, strict=True):
                if process.returncode != 0:
                    raise Incomplete(f"{workers} worker(s): a worker exited with {process.returncode}:\n{tail(log)}")
            claims_lost = sum(log.read_text(errors="replace").count("claim expired") for log in logs)
        figures = analyse(calls, chats, workers, started)
        reclaimed = await check_database(url, learners, last_seeded, workers)
        return Result(
            workers=workers,
            too_many_requests=too_many,
            seed_seconds=seed_seconds,
            claims_lost=claims_lost,
            reclaimed=reclaimed,
            code=code,
            **figures,
        )
    finally:
        await drop_postgres(given, url)


def row(r: Result) -> str:
    return (
        f"| {r.workers} | {r.messages:,} | {r.seconds:.1f} | {r.rate:.2f} | {r.rate / LIMIT:.1%}"
        f" | {r.too_many_requests} | {r.max_retries} |"
    )


def report(args: argparse.Namespace, given: str, results: list[Result]) -> None:
    backend = make_url(given)
    print(f"command: {shlex.join(['python', 'benchmarks/fanout.py', *sys.argv[1:]])}")
    print(f"Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (os.cpu_count), {platform.system()} {platform.release()}")
    print(
        f"database: postgresql ({backend.get_driver_name()}) on {backend.host}:{backend.port}, a fresh database"
        " per worker count (learners and nudges bulk-inserted, then ANALYZEd), dropped afterwards"
    )
    print(
        f"workers: run_bot.py serve, webhook mode, one shared TELEGRAM_MESSAGES_PER_SECOND = {RATE:g},"
        f" NUDGE_BATCH={args.batch}, NUDGE_CONCURRENCY={args.concurrency}, NUDGE_LEASE_SECONDS={args.lease:g},"
        f" NUDGE_INTERVAL_SECONDS={args.interval:g}"
    )
    print(f"fake Telegram: {LIMIT} messages/s overall, 1/s per chat, 20/min per group (429 with retry_after beyond)")
    print(
        f"achieved msgs/s: after a warm-up of {WARM_UP:g} s from when every worker is sending (the later of the"
        " first delivery and the last setWebhook), to the last delivery; seconds: first to last delivery"
    )
    print()
    print(f"| workers | messages | seconds | achieved msgs/s | share of {LIMIT}/s | 429s | max retries of one message |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        print(row(result))
    print()
    for r in results:
        print(
            f"- {r.workers} worker(s): seeded {r.messages:,} learners and nudges in {r.seed_seconds:.2f} s;"
            f" first delivery {r.startup_seconds:.1f} s after starting the workers; window {r.window_messages:,}"
            f" messages in {r.window_seconds:.1f} s; {r.retried_messages} messages got a 429;"
            f' {r.reclaimed} nudges claimed more than once, {r.claims_lost} "claim expired" warnings;'
            f" code {r.code}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts, one run each")
    parser.add_argument("--database-url", default=POSTGRES, help="a PostgreSQL server: a fresh database per run")
    parser.add_argument("--batch", type=int, default=50, help="NUDGE_BATCH (serve's default: 50)")
    parser.add_argument("--concurrency", type=int, default=8, help="NUDGE_CONCURRENCY (serve's default: 8)")
    parser.add_argument("--lease", type=float, default=120, help="NUDGE_LEASE_SECONDS (serve's default: 120)")
    parser.add_argument("--interval", type=float, default=5, help="NUDGE_INTERVAL_SECONDS (serve's default: 5)")
    args = parser.parse_args()
    try:
        counts = [int(n) for n in args.workers.split(",")]
    except ValueError:
        parser.error("--workers: comma-separated integers, e.g. 1,2,4")
    if args.learners < 100 or any(n < 1 for n in counts):
        parser.error("--learners must be at least 100 and every worker count at least 1")
    given = normalize_url(args.database_url)
    if make_url(given).get_backend_name() != "postgresql":
        parser.error("--database-url must be a PostgreSQL URL (several processes share the database)")
    results = []
    try:
        for workers in counts:
            print(f"{workers} worker(s), {args.learners:,} learners ...", file=sys.stderr, flush=True)
            results.append(await run(given, args.learners, workers, args))
            print("  " + row(results[-1]), file=sys.stderr, flush=True)
    except Incomplete as problem:
        print(f"INCOMPLETE, no results: {problem}", file=sys.stderr)
        raise SystemExit(1) from None
    report(args, given, results)


if __name__ == "__main__":
    asyncio.run(main())
