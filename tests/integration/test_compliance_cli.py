"""`run_bot.py report compliance` on SQLite and PostgreSQL, in a process of its own, over the
programme of tests/compliance_support.py (its two job roles written as content files): the same
cells as the dashboard as of 14 March, a team, a role, CSV on stdout with the membership note on
stderr, and clear errors for what it cannot answer."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.store.store import SqlStore
from tests.compliance_support import FORMULA, seed
from tests.conftest import FIXTURE_CONTENT, PROJECT_DIR

ROLES = {
    "deck-crew.md": "---\nid: deck-crew\ntitle: Deck crew\nrequires: [deckhand]\ncomplete_within_days: 30\n---\n\nWorks the deck safely.\n",
    "navigator.md": (
        "---\nid: navigator\ntitle: Navigator\nrequires: [deckhand, mariner]\ncomplete_within_days: 60\n---\n\nPlans the passage.\n"
    ),
}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    (folder / "roles").mkdir()
    for name, text in ROLES.items():
        (folder / "roles" / name).write_text(text, encoding="utf-8")
    return folder


def report(database_url: str, content: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "CONTENT_DIR": str(content), "DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "report", "compliance", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


async def test_the_matrix_as_of_14_march_as_a_table_and_as_csv(store: SqlStore, database_url: str, content: Path, tmp_path: Path):
    await seed(store)
    table = report(database_url, content, tmp_path, "--as-of", "2026-03-14")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == "Compliance: The whole organisation, as the record stood at the end of 2026-03-14 (UTC)"
    assert lines[1].startswith("Team membership has no history")
    assert "  C1   Deckhand" in lines and "  C2   Mariner Certificate" in lines
    rows = {line.split("  ")[0]: line.split() for line in lines if line.startswith(("Ana Lima", "Bo Chen", "Cy Silva", "Dee Park"))}
    assert rows["Ana Lima"][-2:] == ["valid", "-"], "she held Deckhand on 14 March; it was revoked on 20 March"
    assert rows["Bo Chen"][-4:] == ["not", "started", "not", "started"]
    assert rows["Cy Silva"][-4:] == ["Engine", "in", "progress", "-"]
    assert rows["Dee Park"][-2:] == ["-", "-"]
    assert any(line.startswith('=HYPERLINK("https://evil.exa') and "OVERDUE" in line for line in lines), "overdue stands out"

    as_csv = report(database_url, content, tmp_path, "--as-of", "2026-03-14", "--csv", "--status", "valid", "--status", "overdue")
    assert as_csv.returncode == 0, as_csv.stderr
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [
        ["person", "team", "Deckhand", "Mariner Certificate"],
        ["'" + FORMULA, "Deck", "overdue", "not required"],
        ["Ana Lima", "Deck", "valid", "not required"],
    ], "the dashboard's CSV, formula-safe"
    assert as_csv.stderr.startswith("Team membership has no history")


async def test_a_team_a_role_and_what_it_cannot_answer(store: SqlStore, database_url: str, content: Path, tmp_path: Path):
    await seed(store)
    engine = report(database_url, content, tmp_path, "--team", "Engine", "--as-of", "2026-03-14", "--csv")
    assert list(csv.reader(io.StringIO(engine.stdout))) == [["person", "team", "Deckhand"], ["Cy Silva", "Engine", "in progress"]]
    navigators = report(database_url, content, tmp_path, "--role", "Navigator", "--as-of", "2026-03-14", "--csv")
    assert list(csv.reader(io.StringIO(navigators.stdout)))[1:] == [["Bo Chen", "Deck", "not started", "not started"]]
    for args, said in (
        (("--team", "Bridge"), "No team named 'Bridge'"),
        (("--role", "captain"), "No job role 'captain'; job roles: deck-crew, navigator"),
        (("--as-of", "14/03/2026"), "--as-of is a day, YYYY-MM-DD: '14/03/2026' is not"),
        (("--as-of", "2999-01-01"), "2999-01-01 is in the future"),
        (("--within", "0"), "--within is a number of days from 1 to 3650"),
    ):
        refused = report(database_url, content, tmp_path, *args)
        assert refused.returncode == 1 and said in refused.stderr and "Traceback" not in refused.stderr, (args, refused.stderr)
        assert refused.stdout == ""
    both = report(database_url, content, tmp_path, "--team", "Deck", "--role", "navigator")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
