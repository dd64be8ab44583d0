"""`people import`: teams, managers and admins from CSV; every bad row named, nothing half-imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.events import LearnerRef, Start
from bot.people import import_people, read_people

PROJECT_DIR = Path(__file__).resolve().parents[2]
GOOD = """platform,user_id,name,team,role,manages
telegram,4242,Ana Lima,Maintenance,learner,
telegram,4343,Caio Souza,Safety,learner,
slack,U0BO7,Bo Chen,,manager,Maintenance;Safety
slack,U0ADM,Dee Admin,,admin,
"""


def test_every_bad_row_is_named_with_what_is_wrong():
    text = """platform,user_id,name,team,role,manages
telegram,4242,Ana,Maintenance,learner,
fax,1,Old,,learner,
telegram,ana,Ana2,,learner,
slack,U0BO7,Bo,,manager,
telegram,5,Eve,,learner,Maintenance
slack,U0XY,Xi,,boss,

telegram,4242,Ana again,,learner,
"""
    _people, problems = read_people(text)
    assert problems == [
        "row 3: platform 'fax' is not one of telegram, slack, teams, console",
        "row 4: a Telegram user id is a number, not 'ana'",
        "row 5: a manager needs the teams they manage in 'manages' (separated by ;)",
        "row 6: only a manager or admin manages teams: set role to manager, or empty 'manages'",
        "row 7: role 'boss' is not one of learner, manager, admin (the access role; job roles go in 'roles')",
        "row 9: telegram user 4242 is also on row 2",
    ]


def test_a_header_without_the_identity_columns_is_refused():
    _, problems = read_people("name,team,colour\nAna,Maintenance,red\n")
    assert problems == [
        "row 1: the header needs the columns platform, user_id",
        "row 1: unknown column 'colour' (known: platform, user_id, name, team, role, manages, roles)",
    ]


async def test_a_good_file_creates_teams_people_and_managers_and_a_second_import_updates(core, store, clock):
    await core.handle(Start(learner=LearnerRef("telegram", "4242", "Ana"), source_id="s", timezone="Europe/Berlin"))
    people, problems = read_people(GOOD)
    assert problems == []
    seen: list[tuple[int, int]] = []
    done = await import_people(store, people, now=clock.now(), progress=lambda n, total: seen.append((n, total)))
    assert (done.people, done.created, done.teams, done.managers) == (4, 3, 2, 1)
    assert seen[-1] == (4, 4)
    async with store.transaction() as tx:
        ana = await tx.learners.find("telegram", "4242")
        bo = await tx.learners.find("slack", "U0BO7")
        assert (ana.display_name, ana.timezone, await tx.teams.name_of(ana.id)) == ("Ana Lima", "Europe/Berlin", "Maintenance")
        assert (bo.role, await tx.teams.managed_names(bo.id)) == ("manager", ["Maintenance", "Safety"])
    moved = GOOD.replace("telegram,4242,Ana Lima,Maintenance", "telegram,4242,Ana Lima,Safety").replace("Maintenance;Safety", "Safety")
    await import_people(store, read_people(moved)[0], now=clock.now())
    async with store.transaction() as tx:
        ana = await tx.learners.find("telegram", "4242")
        bo = await tx.learners.find("slack", "U0BO7")
        assert await tx.teams.name_of(ana.id) == "Safety" and await tx.teams.managed_names(bo.id) == ["Safety"]


def test_the_command_imports_a_good_file_and_refuses_a_bad_one_without_writing(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "slack,nope,Zed,,learner,\n", encoding="utf-8")
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    refused = run("people", "import", str(bad))
    assert refused.returncode == 1
    assert f"{bad}: row 6: a Slack user id looks like U0123ABCD, not 'nope'" in refused.stderr
    assert "nothing was imported" in refused.stderr and "Traceback" not in refused.stderr
    assert "Learners: 0" in run("status").stdout, "nothing half-imported"
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    imported = run("people", "import", str(good))
    assert imported.returncode == 0, imported.stderr
    assert "Imported 4 people (4 new) in 2 teams; 1 manage teams." in imported.stdout
    assert "Learners: 4 (2 on slack, 2 on telegram)" in run("status").stdout
