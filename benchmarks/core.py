"""Learner interactions per second through the core, against plain inserts, in one run.

An interaction is one event in (start, a button press, an answer), its replies out, and the
learner's progress stored in one transaction. Each learner comes from a platform that knows
their timezone (as Slack does), so first contact greets them with the first lesson offered; they
press Start now, read every card of the first lesson (Next) and answer every check (the correct
option), until the lesson-complete summary: 2 + cards + checks interactions each. The run checks
that every learner finished the lesson with exactly that many interactions, and fails loudly
otherwise: a change in the flow (onboarding, say) must not quietly turn it into a benchmark of
something else. The baseline is the same number of plain single-row inserts through SQLAlchemy,
each in its own transaction, on the same database; it runs interleaved with the core (after each
learner, as many inserts as that learner's interactions), so a change in the machine's load
weighs on both alike. Statements per interaction are counted by kind (SQLAlchemy's
before_cursor_execute; SQLite's BEGIN IMMEDIATE is one, a COMMIT none), so the cost of the answer
path is visible.

    python benchmarks/core.py                      # SQLite, and PostgreSQL if reachable
    python benchmarks/core.py --learners 200 --backend postgresql
    python benchmarks/core.py --before /tmp/before --rounds 3   # an earlier commit's code too

`--before DIR` measures the product code in DIR (a copy of an earlier commit, e.g.
`git archive 0f3e091 | tar -x -C /tmp/before`) with this harness, in a process of its own, and
`--rounds N` alternates the two N times; the tables give every round and the medians.

Prints Markdown tables; docs/benchmarks.md records the figures and the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Column, Integer, MetaData, String, Table, event, text
from sqlalchemy.engine import make_url

from benchmarks.support import run_before
from bot.clock import ManualClock
from bot.core import Core
from bot.events import Answer, ButtonPressed, Event, LearnerRef, Start
from bot.replies import Question, Reply, Text
from bot.store.database import create_engine, create_sessionmaker
from bot.store.migrate import upgrade_async
from bot.store.store import SqlStore
from content.loader import load_curriculum

HERE = Path(__file__).resolve()
CONTENT = Path(os.environ.get("CONTENT_DIR") or HERE.parents[1] / "content")
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
KINDS = ("start", "start now", "next", "answer")


@dataclass(frozen=True)
class Result:
    backend: str
    interactions: int
    core_seconds: float
    baseline_seconds: float
    lesson: str
    per_learner: int
    statements_per_interaction: float
    kinds: dict[str, int]  # interactions of each kind
    statements_by_kind: dict[str, float]  # SQL statements an interaction of that kind ran, on average
    code: str = "this checkout"

    @property
    def core_rate(self) -> float:
        return self.interactions / self.core_seconds

    @property
    def baseline_rate(self) -> float:
        return self.interactions / self.baseline_seconds

    @property
    def cost_ratio(self) -> float:
        """How many baseline inserts' worth of time one interaction costs."""
        return self.core_seconds / self.baseline_seconds


class NotMeasured(Exception):
    """The run did not do the work it would report."""


async def play_one_lesson(core: Core, learner: LearnerRef, counter: list[int], statements: list[int], kinds: list[tuple[str, int]]) -> int:
    """Start (greeted, first lesson offered), Start now, every card, every check, until the
    lesson-complete summary. Returns this learner's interactions; appends each one's kind and
    the SQL statements it ran."""
    played = 0

    async def send(kind: str, event_type: type[Event], **fields: Any) -> list[Reply]:
        nonlocal played
        counter[0] += 1
        played += 1
        before = statements[0]
        replies = await core.handle(event_type(learner=learner, source_id=f"m{counter[0]}", **fields))
        kinds.append((kind, statements[0] - before))
        return replies

    replies = await send("start", Start, timezone=learner.timezone)
    start_now = next((b for r in replies for b in getattr(r, "buttons", ()) if b.label == "Start now"), None)
    if start_now is None:
        raise NotMeasured(f"first contact offered no Start now button: {replies!r:.300}")
    replies = await send("start now", ButtonPressed, action=start_now.action)
    while not any(isinstance(r, Text) and "Lesson complete" in r.text for r in replies):
        last = replies[-1]
        if isinstance(last, Question):
            choice = last.correct_option if last.correct_option is not None else 0
            replies = await send("answer", Answer, ref=last.ref, choices=(choice,))
        elif (buttons := getattr(last, "buttons", ())) and buttons[0].label.startswith("Next"):
            replies = await send("next", ButtonPressed, action=buttons[0].action)
        else:
            raise NotMeasured(f"the lesson stopped before its summary: {last!r:.300}")
    return played


async def measure(backend: str, url: str, learners: int) -> Result:
    await upgrade_async(url)
    engine = create_engine(url)
    curriculum = load_curriculum(CONTENT).curriculum
    if curriculum is None:
        raise SystemExit("the shipped content has problems: run `python run_bot.py content check`")
    first = curriculum.lessons_in_order()[0]
    expected = 2 + len(first.cards) + len(first.checks)
    core = Core(
        curriculum=curriculum,
        store=SqlStore(create_sessionmaker(engine)),
        clock=ManualClock(datetime(2026, 3, 2, 9, tzinfo=UTC)),
    )
    table = Table("bench_rows", MetaData(), Column("id", Integer, primary_key=True), Column("body", String(64)))
    async with engine.begin() as connection:
        await connection.run_sync(table.metadata.create_all)
    sessionmaker = create_sessionmaker(engine)
    statements, counting = [0], [True]

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(*_: object) -> None:
        statements[0] += counting[0]

    counter, kinds = [0], list[tuple[str, int]]()
    core_seconds = baseline_seconds = 0.0
    inserted = 0
    for n in range(learners):
        counting[0] = True
        started = time.perf_counter()
        played = await play_one_lesson(core, LearnerRef("bench", f"learner-{n}", timezone="Europe/Berlin"), counter, statements, kinds)
        core_seconds += time.perf_counter() - started
        if played != expected:
            raise NotMeasured(f"learner {n} finished {first.title!r} in {played} interactions, not {expected}")
        counting[0] = False
        started = time.perf_counter()
        for _ in range(played):  # the baseline: as many plain inserts, each its own transaction
            async with sessionmaker() as session, session.begin():
                await session.execute(table.insert().values(body=f"row {inserted}"))
            inserted += 1
        baseline_seconds += time.perf_counter() - started
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT count(*) FROM bench_rows"))).scalar_one()
    await engine.dispose()
    if counter[0] != learners * expected or rows != counter[0]:
        raise NotMeasured(f"{counter[0]} interactions and {rows} baseline rows, not {learners} x {expected}")
    per_kind = Counter(kind for kind, _ in kinds)
    statements_by_kind = {kind: sum(n for k, n in kinds if k == kind) / count for kind, count in per_kind.items()}
    return Result(
        backend,
        counter[0],
        core_seconds,
        baseline_seconds,
        first.title,
        expected,
        statements[0] / counter[0],
        dict(per_kind),
        statements_by_kind,
    )


async def postgres_database() -> str | None:
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"microbadge_bench_{uuid.uuid4().hex[:8]}"
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # no server: say so and measure SQLite only
        print(f"PostgreSQL skipped: {type(error).__name__}: {error}", file=sys.stderr)
        return None
    finally:
        await admin.dispose()
    return make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)


async def drop_postgres(url: str) -> None:
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    await admin.dispose()


async def measure_here(args: argparse.Namespace) -> list[Result]:
    results = []
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            results.append(await measure("SQLite", f"sqlite+aiosqlite:///{folder}/bench.sqlite3", args.learners))
    if args.backend in ("postgresql", "both"):
        url = await postgres_database()
        if url:
            try:
                results.append(await measure("PostgreSQL", url, args.learners))
            finally:
                await drop_postgres(url)
    return results


def measure_before(args: argparse.Namespace) -> list[Result]:
    """The same run on the product code in --before, with this harness, in a process of its own."""
    argv = ["--learners", str(args.learners), "--backend", args.backend]
    return [Result(**{**figures, "code": "before"}) for figures in run_before(args.before, "core.py", argv)]


def report(args: argparse.Namespace, rounds: list[list[Result]]) -> None:
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average before the run {args.load[0]:.2f} {args.load[1]:.2f} {args.load[2]:.2f}"
    )
    print(f"command: {shlex.join(['python', 'benchmarks/core.py', *sys.argv[1:]])}")
    first = rounds[0][0]
    print(
        f"each learner: first contact, Start now, then {first.lesson!r} to its summary: {first.per_learner} interactions"
        f" ({', '.join(f'{n // args.learners} {kind}' for kind, n in first.kinds.items())}); checked for every learner\n"
    )
    codes = [(args.before, "before"), ("this checkout", "this checkout")] if args.before else [("this checkout", "this checkout")]
    print(
        "| code | backend | round | interactions | core (per s) | baseline inserts (per s) | core cost / insert |"
        " statements / interaction | " + " | ".join(KINDS) + " |"
    )
    print("|---|---|---|---|---|---|---|---|" + "---|" * len(KINDS))
    for number, results in enumerate(rounds, 1):
        for r in results:
            shown = next(name for name, code in codes if code == r.code)
            print(
                f"| {shown} | {r.backend} | {number} | {r.interactions} | {r.core_rate:.0f} | {r.baseline_rate:.0f} |"
                f" {r.cost_ratio:.2f}x | {r.statements_per_interaction:.2f} | "
                + " | ".join(f"{r.statements_by_kind.get(kind, 0):.1f}" for kind in KINDS)
                + " |"
            )
    if len(rounds) > 1:
        print("\nmedians over the rounds:\n")
        print("| code | backend | core cost / insert (median) | range |")
        print("|---|---|---|---|")
        for shown, code in codes:
            for backend in dict.fromkeys(r.backend for results in rounds for r in results):
                ratios = [r.cost_ratio for results in rounds for r in results if r.code == code and r.backend == backend]
                if ratios:
                    print(f"| {shown} | {backend} | {statistics.median(ratios):.2f}x | {min(ratios):.2f}-{max(ratios):.2f}x |")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--before", type=Path, help="also measure the product code in this folder (an earlier commit)")
    parser.add_argument("--rounds", type=int, default=1, help="measure this many times (alternating with --before)")
    parser.add_argument("--json-out", type=Path, help=argparse.SUPPRESS)  # the --before run's figures
    args = parser.parse_args()
    args.load = os.getloadavg()
    if args.json_out is not None:
        args.json_out.write_text(json.dumps([asdict(r) for r in await measure_here(args)]))
        return
    rounds = []
    for _ in range(args.rounds):
        results = measure_before(args) if args.before else []
        rounds.append(results + await measure_here(args))
    report(args, rounds)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except NotMeasured as problem:
        print(f"NOT MEASURED: {problem}", file=sys.stderr)
        sys.exit(1)
