"""`run_bot.py mastery optimize [--apply]` in a process of its own, on SQLite and PostgreSQL, over a
seeded population whose true forgetting is faster than FSRS's defaults (tests/review_histories.py):
the report on held-out learners, nothing applied without --apply, and with it a running bot asks
its next learner's re-check sooner (no restart). Too little history and bad input: one clear line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.mastery import PARAMETERS_FILE, MasteryModel
from bot.ports import Store
from bot.store.store import SqlStore
from content.model import Curriculum
from tests.conftest import FIXTURE_CONTENT, PROJECT_DIR
from tests.review_histories import faster_forgetting, population, seed
from tests.support import Chat
from tests.unit.test_spacing import needs_optimizer


def optimize(database_url: str, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "CONTENT_DIR": str(FIXTURE_CONTENT), "DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "mastery", "optimize", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


async def second_interval(core: Core, store: Store, clock: ManualClock, user: str) -> timedelta:
    """A learner takes the first lesson (right), comes back when its checks are due and answers
    them right again: how long until the bot asks them a third time."""
    chat = Chat(core, user)
    await chat.start()
    await chat.take_next_lesson()
    clock.advance(days=2)
    await chat.next()
    assert "Quick re-check" in chat.text
    await chat.answer_correctly()
    await chat.answer_correctly()
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", user)
        assert learner is not None
        items = await tx.memory.items(learner.id)
    intervals = {item.due - item.last_review for item in items.values() if item.last_review}
    assert len(intervals) == 1 and all(item.reviews == 2 for item in items.values())
    return intervals.pop()


async def test_the_fit_is_reported_on_held_out_learners_and_applied_only_when_asked(
    store: SqlStore, database_url: str, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
):
    needs_optimizer()
    data = tmp_path / "data"
    await seed(store, population(60, 6))
    core = Core(curriculum=curriculum, store=store, clock=clock, mastery=MasteryModel(parameters_file=data / PARAMETERS_FILE))

    shown = optimize(database_url, data)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("Review history: 3,3") and " by 60 learners; " in lines[0]
    assert lines[1].startswith("Fitted on 48 learners' ") and "of the other 12, chosen at random and kept out of the fit" in lines[1]
    default, fitted = (line.split() for line in lines[4:6])
    assert default[:2] == ["default", "parameters"] and fitted[:2] == ["fitted", "parameters"]
    assert float(fitted[2]) < float(default[2]) - 0.01, "held-out log loss"
    assert float(fitted[3]) < float(default[3]), "held-out RMSE"
    assert lines[6] == (
        "Next re-check after a first right answer, then after a second on time:"
        " 2 days, then 11 days (default), 2 days, then 5 days (fitted)."
    )
    assert lines[-1] == "Not applied: run again with --apply to schedule re-checks with the fitted parameters."
    assert not (data / PARAMETERS_FILE).exists()
    before = await second_interval(core, store, clock, "ana")
    assert before.days == 11, "nothing applied: FSRS's defaults"

    applied = optimize(database_url, data, "--apply")
    assert applied.returncode == 0, applied.stderr
    assert " by 61 learners; " in applied.stdout, "Ana's answers count too"
    assert applied.stdout.splitlines()[-1].startswith(f"Applied: written to {data / PARAMETERS_FILE}.")
    record = json.loads((data / PARAMETERS_FILE).read_text())
    assert len(record["parameters"]) == 21 and record["held_out"]["learners"] == 13
    assert record["held_out"]["fitted"]["log_loss"] < record["held_out"]["default"]["log_loss"]

    after = await second_interval(core, store, clock, "bo")
    assert after < before, "the running bot asks again sooner, without a restart"

    again = optimize(database_url, data)
    assert f"In use now: the parameters applied earlier ({data / PARAMETERS_FILE})." in again.stdout.splitlines()
    reset = optimize(database_url, data, "--reset")
    assert reset.returncode == 0 and not (data / PARAMETERS_FILE).exists()
    assert await second_interval(core, store, clock, "cy") == before


async def test_too_little_history_is_one_line_and_changes_nothing(store: SqlStore, database_url: str, tmp_path: Path):
    data = tmp_path / "data"
    await seed(store, population(8, 2))
    shown = optimize(database_url, data, "--apply")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Not enough review history to fit the spacing yet: ")
    assert len(shown.stdout.splitlines()) == 1 and shown.stderr == ""
    assert "from 8 learners" in shown.stdout and shown.stdout.rstrip().endswith("Nothing changed.")
    assert not (data / PARAMETERS_FILE).exists()


async def test_bad_input_is_a_clear_line_without_a_traceback(database_url: str, tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    (data / PARAMETERS_FILE).write_text("{not json", encoding="utf-8")
    broken = optimize(database_url, data)
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert broken.stderr.startswith(f"{data / PARAMETERS_FILE}: not usable as FSRS parameters")
    assert "mastery optimize --reset" in broken.stderr

    both = optimize(database_url, data, "--apply", "--reset")
    assert both.returncode == 2 and both.stderr.splitlines()[-1].endswith("argument --reset: not allowed with argument --apply")
    assert (data / PARAMETERS_FILE).exists()

    reset = optimize(database_url, data, "--reset")
    assert reset.returncode == 0 and not (data / PARAMETERS_FILE).exists()


async def test_the_bot_as_started_reads_the_applied_parameters_from_data_dir(database_url: str, clock: ManualClock, tmp_path: Path):
    """`serve` and the console build the bot with adapters.wiring.build: its model reads DATA_DIR's file."""
    from adapters.wiring import build

    data = tmp_path / "data"
    env = {"DATABASE_URL": database_url, "CONTENT_DIR": str(FIXTURE_CONTENT), "DATA_DIR": str(data)}
    app = await build(Settings.from_env(env), clock=clock)
    try:
        by_default = await second_interval(app.core, app.store, clock, "ana")
        (data / PARAMETERS_FILE).write_text(json.dumps({"parameters": faster_forgetting()}), encoding="utf-8")
        assert await second_interval(app.core, app.store, clock, "bo") < by_default
    finally:
        await app.engine.dispose()


WITHOUT_TORCH = """
import importlib.util, sys
found = importlib.util.find_spec
importlib.util.find_spec = lambda name, *rest: None if name == "torch" else found(name, *rest)  # as if not installed
from adapters.cli.main import command_line
sys.argv = ["run_bot.py", "mastery", "optimize", "--apply"]
command_line()
"""


def without_torch(database_url: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "CONTENT_DIR": str(FIXTURE_CONTENT), "DATA_DIR": str(data)}
    return subprocess.run([sys.executable, "-c", WITHOUT_TORCH], capture_output=True, text=True, env=env, cwd=PROJECT_DIR, timeout=120)


async def test_without_the_optimizer_extra_it_says_what_to_install(store: SqlStore, database_url: str, tmp_path: Path):
    data = tmp_path / "data"
    await seed(store, population(60, 6))
    ran = without_torch(database_url, data)
    assert ran.returncode == 1 and ran.stdout == "" and "Traceback" not in ran.stderr
    assert ran.stderr.strip().endswith("then pip install 'microbadge[optimizer]'. Nothing changed.")
    assert not (data / PARAMETERS_FILE).exists()
