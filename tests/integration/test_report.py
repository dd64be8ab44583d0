"""The L&D report from real learning: two learners, one who earns the badge and one who drifts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from adapters.cli.report import programme_report
from tests.support import Chat, study_daily_until

PROJECT_DIR = Path(__file__).resolve().parents[2]


async def test_the_report_counts_learners_completions_credentials_and_drift(core, store, clock):
    start = clock.now()
    bo = Chat(core, "bo")
    await bo.start()
    await bo.take_next_lesson()  # one lesson, then nothing: Bo drifts
    ana = Chat(core, "ana")
    await ana.start()
    await ana.take_next_lesson()
    await ana.take_next_lesson()
    day, _ = await study_daily_until(ana, clock, days=30, until="You earned the Deckhand badge")
    assert day is not None
    clock.advance(days=15)
    report = await programme_report(store, core.curriculum, start, clock.now())
    assert report.active_learners == 2
    assert report.lessons_completed == 3 and report.lesson_completers == 2
    assert report.credential_completers == {"Deckhand": 1, "Mariner Certificate": 1}
    assert report.median_days_to_credential is not None and 1 <= report.median_days_to_credential <= 30
    assert report.pathway_completers == {"Seamanship L1": 1}
    assert report.drifted_after == {"Tides": 1}, "Bo stopped after the first lesson; Ana finished everything"
    first_week = report.weekly[0]
    assert first_week[1] == 2 and first_week[2] == 0.5, "of the two active in week one, only Ana came back"
    rows = dict(report.rows())
    assert rows["earned: Deckhand"] == "1" and rows["stopped after lesson: Tides"] == "1"


def test_the_command_prints_the_numbers_and_writes_csv(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    out = tmp_path / "report.csv"
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "report", "--from", "2026-11-01", "--to", "2026-11-30", "--csv", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "period" in result.stdout and "2026-11-01 to 2026-11-30" in result.stdout
    assert re.search(r"active learners +0", result.stdout) and re.search(r"median days to a credential +none earned", result.stdout)
    assert out.read_text(encoding="utf-8").splitlines()[0] == "metric,value"
    bad = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "report", "--from", "2026-12-01", "--to", "2026-11-01"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 1 and "--to must not be before --from" in bad.stderr
