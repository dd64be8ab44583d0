"""Learner interactions per second through the core, against plain inserts, in one run.

An interaction is one event in (start, a button press, an answer), its replies out, and the
learner's progress stored in one transaction. Each learner comes from a platform that knows
their timezone (as Slack does), so first contact greets them with the first lesson offered; they
press Start now, read every card of the first lesson (Next) and answer every check (the correct
option), until the lesson-complete summary: 2 + cards + checks interactions each. The run checks
that every learner finished the lesson with exactly that many interactions, and fails loudly
otherwise: a change in the flow (onboarding, say) must not quietly turn it into a benchmark of
something else. The baseline is the same number of plain single-row inserts through SQLAlchemy,
each in its own transaction, on the same database. Statements per interaction are counted by kind
(SQLAlchemy's before_cursor_execute), so the cost of the answer path is visible.

    python benchmarks/core.py                      # SQLite, and PostgreSQL if reachable
    python benchmarks/core.py --learners 200 --backend postgresql

Prints a Markdown table; docs/benchmarks.md records the figures and the machine.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Column, Integer, MetaData, String, Table, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.events import Answer, ButtonPressed, LearnerRef, Start  # noqa: E402
from bot.replies import Question, Text  # noqa: E402
from bot.store.database import create_engine, create_sessionmaker  # noqa: E402
from bot.store.migrate import upgrade_async  # noqa: E402
from bot.store.store import SqlStore  # noqa: E402
from content.loader import load_curriculum  # noqa: E402

CONTENT = Path(os.environ.get("CONTENT_DIR") or Path(__file__).resolve().parents[1] / "content")
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


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


async def play_one_lesson(core: Core, learner: LearnerRef, counter: list[int], statements: list[int],
                          kinds: list[tuple[str, int]]) -> int:
    """Start (greeted, first lesson offered), Start now, every card, every check, until the
    lesson-complete summary. Returns this learner's interactions; appends each one's kind and
    the SQL statements it ran."""
    played = 0

    async def send(kind: str, event_type, **fields):  # type: ignore[no-untyped-def]
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
        elif getattr(last, "buttons", ()) and last.buttons[0].label.startswith("Next"):
            replies = await send("next", ButtonPressed, action=last.buttons[0].action)
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
        clock=ManualClock(datetime(2026, 3, 2, 9, tzinfo=timezone.utc)),
    )
    statements = [0]

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(*_: object) -> None:
        statements[0] += 1

    counter, kinds = [0], list[tuple[str, int]]()
    started = time.perf_counter()
    for n in range(learners):
        played = await play_one_lesson(core, LearnerRef("bench", f"learner-{n}", timezone="Europe/Berlin"), counter,
                                       statements, kinds)
        if played != expected:
            raise NotMeasured(f"learner {n} finished {first.title!r} in {played} interactions, not {expected}")
    core_seconds = time.perf_counter() - started
    statements_core = statements[0]
    per_kind = Counter(kind for kind, _ in kinds)
    statements_by_kind = {kind: sum(n for k, n in kinds if k == kind) / count for kind, count in per_kind.items()}

    table = Table("bench_rows", MetaData(), Column("id", Integer, primary_key=True), Column("body", String(64)))
    async with engine.begin() as connection:
        await connection.run_sync(table.metadata.create_all)
    sessionmaker = create_sessionmaker(engine)
    started = time.perf_counter()
    for n in range(counter[0]):
        async with sessionmaker() as session, session.begin():
            await session.execute(table.insert().values(body=f"row {n}"))
    baseline_seconds = time.perf_counter() - started
    await engine.dispose()
    if counter[0] != learners * expected:
        raise NotMeasured(f"{counter[0]} interactions, not {learners} x {expected}")
    return Result(backend, counter[0], core_seconds, baseline_seconds, first.title, expected,
                  statements_core / counter[0], dict(per_kind), statements_by_kind)


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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
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
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"command: python benchmarks/core.py --learners {args.learners} --backend {args.backend}")
    for r in results[:1]:
        print(f"each learner: first contact, Start now, then {r.lesson!r} to its summary: {r.per_learner} interactions"
              f" ({', '.join(f'{n // args.learners} {kind}' for kind, n in r.kinds.items())}); checked for every learner\n")
    print("| backend | interactions | core (per s) | baseline inserts (per s) | core cost / insert | statements / interaction |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r.backend} | {r.interactions} | {r.core_rate:.0f} | {r.baseline_rate:.0f} | {r.cost_ratio:.2f}x"
              f" | {r.statements_per_interaction:.1f} |")
    for r in results:
        print(f"\n{r.backend}, SQL statements per interaction by kind: "
              + ", ".join(f"{kind} {n:.1f}" for kind, n in r.statements_by_kind.items()))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except NotMeasured as problem:
        print(f"NOT MEASURED: {problem}", file=sys.stderr)
        sys.exit(1)
