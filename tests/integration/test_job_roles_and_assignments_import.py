"""Job roles from `people import` and assignments from `assignments import`, on SQLite and
PostgreSQL: the roles stored, what they require assigned with its due date in each person's
timezone, the CSV authoritative for the job roles of the people it lists (and silent on them
without a roles column), assignments to a person, a team and a job role's holders, re-assigning,
and nothing written when any row is wrong, whether the CSV or the database says so."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot import people as people_module
from bot.assignment_import import import_assignments, imported_text, read_assignments
from bot.assignments import current, roles_at
from bot.clock import ManualClock
from bot.core import Core
from bot.events import LearnerRef, Start
from bot.people import import_people, read_people
from bot.people import imported_text as people_imported_text
from bot.records import Learner
from bot.store.store import SqlStore
from bot.vocabulary import EventKind
from content.model import Curriculum
from tests.job_roles import with_job_roles
from tests.support import found

PROJECT_DIR = Path(__file__).resolve().parents[2]
PEOPLE = """platform,user_id,name,team,role,manages,roles
console,ana,Ana Lima,Deck,learner,,deck-crew
console,bo,Bo Chen,Deck,learner,,deck-crew;navigator
console,cy,Cy Reyes,Engine,learner,,
telegram,900,Maria Manager,,manager,Deck;Bridge,
"""
HONOLULU = "Pacific/Honolulu"  # 08:00 UTC on 2 March is still 1 March there


@pytest.fixture
def curriculum(curriculum: Curriculum) -> Curriculum:
    return with_job_roles(curriculum)


async def person(store: SqlStore, user_id: str, platform: str = "console") -> Learner:
    async with store.transaction() as tx:
        return found(await tx.learners.find(platform, user_id))


async def roles_of(store: SqlStore, user_id: str, now: datetime) -> set[str]:
    learner = await person(store, user_id)
    async with store.transaction() as tx:
        return roles_at(await tx.job_roles.of(learner.id), now)


async def counting(store: SqlStore, user_id: str, now: datetime) -> dict[str, tuple[date, str]]:
    """What counts for the person now: target id -> (due, origin)."""
    learner = await person(store, user_id)
    async with store.transaction() as tx:
        return {key[1]: (a.due_on, a.origin) for key, a in current(await tx.assignments.of(learner.id), now).items()}


async def imported(store: SqlStore, curriculum: Curriculum, text: str, now: datetime) -> str:
    found_people, problems = read_people(text, job_roles=curriculum.roles)
    assert problems == []
    return people_imported_text(await import_people(store, found_people, now=now, curriculum=curriculum))


async def test_job_roles_from_the_csv_assign_what_they_require_and_the_csv_stays_authoritative(
    core: Core, store: SqlStore, curriculum: Curriculum, clock: ManualClock
):
    await core.handle(Start(learner=LearnerRef("console", "ana", "Ana"), source_id="s1", timezone=HONOLULU))
    now = clock.now()

    summary = await imported(store, curriculum, PEOPLE, now)

    assert summary == "Imported 4 people (3 new) in 3 teams; 1 manage teams. Job roles: 3 given, 0 ended; 3 credentials assigned."
    assert await roles_of(store, "ana", now) == {"deck-crew"}
    assert await roles_of(store, "bo", now) == {"deck-crew", "navigator"}
    assert await roles_of(store, "cy", now) == set()
    # Due complete_within_days from the person's today: Ana's is still 1 March in Honolulu.
    assert await counting(store, "ana", now) == {"deckhand": (date(2026, 3, 31), "role:deck-crew")}
    assert await counting(store, "bo", now) == {
        "deckhand": (date(2026, 4, 1), "role:deck-crew"),
        "mariner": (date(2026, 5, 1), "role:navigator"),
    }
    async with store.transaction() as tx:
        trail = await tx.trail.of((await person(store, "bo")).id)
    assert [e.payload for e in trail if e.kind == EventKind.JOB_ROLES_CHANGED] == [
        {"given": ["deck-crew", "navigator"], "ended": [], "by": None}
    ]

    later = now + timedelta(days=3)
    changed = PEOPLE.replace("deck-crew;navigator", "deck-crew").replace("Deck,learner,,deck-crew\n", "Deck,learner,,\n", 1)
    summary = await imported(store, curriculum, changed, later)

    assert summary.endswith("Job roles: 0 given, 2 ended; 0 credentials assigned.")
    assert await roles_of(store, "ana", later) == set(), "an empty cell: no job roles"
    assert await counting(store, "ana", later) == {}, "what the ended role assigned is withdrawn"
    assert await roles_of(store, "bo", later) == {"deck-crew"}
    assert await counting(store, "bo", later) == {"deckhand": (date(2026, 4, 1), "role:deck-crew")}

    no_roles_column = "platform,user_id,name,team,role,manages\nconsole,bo,Bo Chen,Engine,learner,\n"
    summary = await imported(store, curriculum, no_roles_column, later)
    assert summary == "Imported 1 people (0 new) in 1 teams; 0 manage teams. Job roles unchanged (the file has no roles column)."
    assert await roles_of(store, "bo", later) == {"deck-crew"}, "no roles column: job roles are left as they are"


async def test_a_failure_part_way_through_the_job_roles_leaves_nothing_imported(
    store: SqlStore, curriculum: Curriculum, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
):
    real = people_module.set_job_roles
    calls = 0

    async def failing_on_the_second(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the database went away")
        return await real(*args, **kwargs)

    monkeypatch.setattr(people_module, "set_job_roles", failing_on_the_second)
    found_people, problems = read_people(PEOPLE, job_roles=curriculum.roles)
    assert problems == []
    with pytest.raises(RuntimeError):
        await import_people(store, found_people, now=clock.now(), curriculum=curriculum)

    async with store.transaction() as tx:
        assert await tx.learners.find("console", "ana") is None, "the first person, roles and all, was rolled back"
        assert await tx.teams.all() == []
        assert await tx.job_roles.holders("deck-crew", at=clock.now()) == []


ASSIGN = "platform,user_id,team,job_role,credential,pathway,due,due_in_days,days_after_joining\n"


async def test_assignments_from_the_csv_reach_a_person_a_team_and_a_job_roles_holders(
    core: Core, store: SqlStore, curriculum: Curriculum, clock: ManualClock
):
    await core.handle(Start(learner=LearnerRef("console", "ana", "Ana"), source_id="s1", timezone=HONOLULU))
    await imported(store, curriculum, PEOPLE, clock.now())
    now = clock.now() + timedelta(days=5)  # 7 March, 08:00 UTC
    text = ASSIGN + (
        "console,cy,,,mariner,,2026-06-30,,\n"
        ",,Deck,,,seamanship,,10,\n"  # Ana and Bo (Maria manages Deck, she is not in it)
        ",,,deck-crew,deckhand,,,,14\n"  # Ana and Bo again: their role assigned it already
    )
    rows, problems = read_assignments(text, curriculum, today=now.date())
    assert problems == []

    done, problems = await import_assignments(store, rows, now=now)

    assert problems == [] and done is not None
    assert imported_text(done) == "Imported 3 rows: 5 assignments for 3 people (3 new, 2 re-assigned: the latest counts)."
    assert await counting(store, "cy", now) == {"mariner": (date(2026, 6, 30), "csv")}
    assert await counting(store, "ana", now) == {
        "seamanship": (date(2026, 3, 16), "csv"),  # 10 days from her today, 6 March in Honolulu
        "deckhand": (date(2026, 3, 15), "csv"),  # 14 days after she joined, on 1 March her time
    }
    assert await counting(store, "bo", now) == {
        "seamanship": (date(2026, 3, 17), "csv"),
        "deckhand": (date(2026, 3, 16), "csv"),  # the CSV's is the latest: it counts
        "mariner": (date(2026, 5, 1), "role:navigator"),
    }
    bo = await person(store, "bo")
    async with store.transaction() as tx:
        history = [a for a in await tx.assignments.of(bo.id) if a.target_id == "deckhand"]
        trail = [e.payload for e in await tx.trail.of(bo.id) if e.kind == EventKind.ASSIGNED]
    assert [(a.origin, a.withdrawn_at, a.assigned_by) for a in history] == [("role:deck-crew", None, None), ("csv", None, None)]
    expected = {"target_kind": "pathway", "target": "seamanship", "due_on": "2026-03-17", "origin": "csv", "by": None}
    assert expected.items() <= trail[-2].items()

    again, _ = await import_assignments(store, rows[:1], now=now)
    assert again is not None and (again.new, again.reassigned) == (0, 1)


async def test_an_assignment_row_naming_nobody_leaves_every_row_unwritten(
    core: Core, store: SqlStore, curriculum: Curriculum, clock: ManualClock
):
    await imported(store, curriculum, PEOPLE.replace("deck-crew;navigator", "deck-crew"), clock.now())
    now = clock.now()
    text = ASSIGN + (
        ",,Deck,,deckhand,,2026-06-30,,\n"  # good
        "console,zed,,,deckhand,,2026-06-30,,\n"
        ",,deck,,deckhand,,2026-06-30,,\n"
        ",,Bridge,,deckhand,,2026-06-30,,\n"  # Maria manages it; nobody learns in it
        ",,,navigator,deckhand,,2026-06-30,,\n"
    )
    rows, problems = read_assignments(text, curriculum, today=now.date())
    assert problems == []
    before = await counting(store, "ana", now)

    done, problems = await import_assignments(store, rows, now=now)

    assert done is None
    assert problems == [
        "row 3: the bot does not know console user zed: add them with `people import` first",
        "row 4: there is no team 'deck' (did you mean 'Deck'?)",
        "row 5: team 'Bridge' has no members: nothing to assign",
        "row 6: nobody holds the job role 'navigator': nothing to assign (give it with the roles column of `people import`)",
    ]
    assert await counting(store, "ana", now) == before == {"deckhand": (date(2026, 4, 1), "role:deck-crew")}
    assert await counting(store, "bo", now) == {"deckhand": (date(2026, 4, 1), "role:deck-crew")}


def test_the_commands_import_job_roles_and_assignments_with_the_content_and_refuse_a_bad_file_whole(tmp_path: Path):
    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    for setting in ("DATABASE_URL", "CONTENT_DIR"):
        env.pop(setting, None)  # the project's own content: its job roles machine-operator and maintenance-technician

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(PROJECT_DIR / "run_bot.py"), *args], capture_output=True, text=True, env=env, timeout=120
        )

    def file(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    people_csv = (
        "platform,user_id,name,team,role,manages,roles\n"
        "telegram,4242,Ana Lima,Line 2,learner,,machine-operator\n"
        "telegram,4343,Caio Souza,Line 2,learner,,machine-operator;maintenance-technician\n"
    )
    bad_people = file("bad-people.csv", people_csv + 'telegram,4444,Eve,Line 2,learner,,"machine-operator, maintenance-technician"\n')
    refused = run("people", "import", bad_people)
    assert refused.returncode == 1
    assert (
        f"{bad_people}: row 4: job roles 'machine-operator, maintenance-technician' look like a list:"
        " separate job roles with ; (e.g. machine-operator;maintenance-technician)" in refused.stderr
    )
    assert "nothing was imported" in refused.stderr and "Traceback" not in refused.stderr
    imported_people = run("people", "import", file("people.csv", people_csv))
    assert imported_people.returncode == 0, imported_people.stderr
    # machine-operator requires 2 credentials; maintenance-technician adds 1 more for Caio.
    assert "Imported 2 people (2 new) in 1 teams; 0 manage teams. Job roles: 3 given, 0 ended; 5 credentials assigned." in (
        imported_people.stdout
    )

    good_rows = ASSIGN + ",,Line 2,,,workplace-safety,,30,\n"
    bad = file("bad.csv", good_rows + ",,,machine-operator,no-such-badge,,,30,\n")
    refused = run("assignments", "import", bad)
    assert refused.returncode == 1
    assert f"{bad}: row 3: unknown credential 'no-such-badge' (known credentials: " in refused.stderr
    assert "1 problem(s): nothing was assigned." in refused.stderr and "Traceback" not in refused.stderr
    nobody = run("assignments", "import", file("nobody.csv", good_rows + ",,Line 3,,,workplace-safety,,30,\n"))
    assert nobody.returncode == 1 and "row 3: there is no team 'Line 3'" in nobody.stderr

    assigned = run("assignments", "import", file("good.csv", good_rows))
    assert assigned.returncode == 0, assigned.stderr
    # 0 re-assigned: neither refused file wrote anything.
    assert assigned.stdout.strip() == "Imported 1 row: 2 assignments for 2 people (2 new, 0 re-assigned: the latest counts)."
