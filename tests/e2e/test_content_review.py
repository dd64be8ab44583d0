"""`run_bot.py content review` on the sample content after a simulated month of 200 learners
(tests/item_histories.py) prints exactly the planted findings, at each check's path:line, exits 0,
and writes the full table with --csv; a learner answering through the core records the wording
of each question, and their answers join the same history."""

from __future__ import annotations

import csv
import shutil
from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.core import Core
from bot.store.database import create_engine, create_sessionmaker
from bot.store.store import SqlStore
from bot.vocabulary import EventKind
from bot.wording import wording_of_check
from content.loader import load_curriculum
from tests.conftest import PROJECT_DIR
from tests.e2e.test_operator_commands import run_bot
from tests.item_histories import NOW, Simulation, planted_findings
from tests.support import Chat, found


async def test_content_review_prints_exactly_the_planted_findings(tmp_path: Path, sqlite_template: Path):
    content = PROJECT_DIR / "content"
    sample = found(load_curriculum(content).curriculum)
    database = tmp_path / "bot.sqlite3"
    shutil.copy(sqlite_template, database)
    url = f"sqlite+aiosqlite:///{database}"
    engine = create_engine(url)
    store = SqlStore(create_sessionmaker(engine))
    try:
        await Simulation(sample).seed_store(store)
        # One more learner, through the core: their answers carry the wording they were shown.
        chat = Chat(Core(curriculum=sample, store=store, clock=ManualClock(NOW - timedelta(days=1))), "real")
        await chat.start()
        await chat.take_next_lesson()
        async with store.transaction() as tx:
            learner = found(await tx.learners.find("test", "real"))
            answers = [e for e in await tx.trail.of(learner.id) if e.kind == EventKind.ANSWERED]
    finally:
        await engine.dispose()
    assert len(answers) == 3
    for event in answers:
        assert event.payload["wording"] == wording_of_check(found(sample.find_check(str(event.check_key))))

    out = tmp_path / "items.csv"
    result = run_bot("content", "review", str(content), "--csv", str(out), env={"DATABASE_URL": url, "DATA_DIR": str(tmp_path)})

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == planted_findings(sample)
    assert "6 warning(s)" in result.stderr
    with out.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    by_check = {(row["check"], row["current"]): row for row in rows}
    assert len(rows) == 31  # 30 checks in their current wording, and work-orders:1 in its earlier one
    assert by_check[("work-orders:1", "no")]["first_try_correct"] == "0.0"
    assert by_check[("work-orders:1", "no")]["learners"] == "40"
    first = answers[0].check_key
    assert by_check[(first, "yes")]["learners"] == "201"  # the simulated 200 and the real learner, one history
    fail = by_check[("lockout-tagout:1", "yes")]
    assert (fail["first_try_correct"], fail["option_1_share"], fail["option_2_share"], fail["right_options"]) == ("0.0", "0.5", "0.0", "2")
    assert fail["path"] == str(found(sample.find_check("lockout-tagout:1")).source.path)
