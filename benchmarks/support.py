"""What the platform benchmarks share: percentiles, running learners concurrently, CPU per
thread, a throwaway PostgreSQL database and the shipped curriculum."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store.database import create_engine
from content.loader import load_curriculum
from content.model import Curriculum

CONTENT = Path(os.environ.get("CONTENT_DIR") or Path(__file__).resolve().parents[1] / "content")
# (native thread id, is the main thread, thread name) -> a role such as "fake server"
RoleOf = Callable[[int, bool, str], str]


class Incomplete(Exception):
    """A learner did not get through its steps: the run reports no figures."""


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default) of sorted values."""
    if not values:
        return float("nan")
    position = (len(values) - 1) * q
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


async def all_of(coroutines: list[Any]) -> list[Any]:
    """Run concurrently; the first failure cancels the rest and is raised."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(c) for c in coroutines]
    except BaseExceptionGroup as errors:
        incomplete = [e for e in errors.exceptions if isinstance(e, Incomplete)]
        first: BaseException = incomplete[0] if incomplete else errors.exceptions[0]
        raise first from None
    return [task.result() for task in tasks]


def thread_cpu(role_of: RoleOf) -> dict[int, tuple[str, float]]:
    """CPU seconds so far of each thread of this process, by native id, with a role (Linux)."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    main = threading.main_thread().native_id
    tick = os.sysconf("SC_CLK_TCK")
    cpu: dict[int, tuple[str, float]] = {}
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return cpu
    for task in tasks:
        try:
            with open(f"/proc/self/task/{task}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue  # the thread has ended
        tid, seconds = int(task), (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        cpu[tid] = (role_of(tid, tid == main, names.get(tid, "")), seconds)
    return cpu


def cpu_since(before: dict[int, tuple[str, float]], role_of: RoleOf, roles: tuple[str, ...]) -> dict[str, float]:
    spent: dict[str, float] = {}
    for tid, (role, seconds) in thread_cpu(role_of).items():
        spent[role] = spent.get(role, 0.0) + seconds - before.get(tid, (role, 0.0))[1]
    return {role: spent.get(role, 0.0) for role in roles}


async def fresh_postgres(url: str) -> str:
    """A new database on the server of `url` (as benchmarks/core.py does)."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"microbadge_bench_{uuid.uuid4().hex[:8]}"
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def drop_postgres(admin_url: str, url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def load_shipped_curriculum() -> Curriculum:
    result = load_curriculum(CONTENT)
    if result.curriculum is None:
        raise SystemExit("the shipped content has problems: run `python run_bot.py content check`")
    return result.curriculum


def run_before(before: Path, script: str, argv: Sequence[str], harness: Sequence[str] = ()) -> Any:
    """Run benchmarks/`script` of this checkout on the product code in `before` (a copy of an
    earlier commit), with this checkout's benchmarks/support.py and `harness` files (the fakes),
    in a process of its own, given `argv` and --json-out: the figures it wrote there. The same
    harness on both sides, so the comparison is of the product code only."""
    here = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="bench-before-") as folder:
        code = Path(folder) / "code"
        shutil.copytree(before, code, ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", "data", "__pycache__"))
        for name in (f"benchmarks/{script}", "benchmarks/support.py", *harness):
            (code / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(here / name, code / name)
        out = Path(folder) / "before.json"
        print(f"measuring the code in {before} first ...", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, str(code / "benchmarks" / script), *argv, "--json-out", str(out)], cwd=folder)
        if done.returncode != 0 or not out.exists():
            raise SystemExit(f"the run on the code in {before} did not complete (exit {done.returncode})")
        return json.loads(out.read_text())


def without_before(argv: Sequence[str]) -> list[str]:
    """The command line's arguments without --before and its folder."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--before":
            skip = True
        elif not arg.startswith("--before="):
            kept.append(arg)
    return kept
