"""A quarter of a real programme, simulated day by day on SQLite and PostgreSQL: L&D gives 50
people the job role Machine Operator (Workplace Safety Foundations and Lockout/Tagout
Practitioner, due in 30 days). Some finish in time, some start and stall, some never start,
some finish late, and some held Lockout/Tagout from last year: it is assigned again before it
expires, and some of them renew it while the others let it lapse.

Each learner reads their `/path` at the end of several days, through the bot, as they would. At
the end of the quarter an auditor asks the compliance matrix about each of those days (as of the
date, answered from the record): every cell must agree with what that person was shown that day.
How the credentials were earned is not under test here (tests/integration/test_awards.py is):
the awards are written as the awarder writes them, on the day they are earned."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot import assignments
from bot.assignments import Standing
from bot.clock import ManualClock
from bot.compliance import ORGANISATION, ROLE_PREFIX, compliance_matrix, scope_choices
from bot.core import Core
from bot.people import Person, import_people
from bot.records import Award
from bot.replies import Text
from bot.store.store import SqlStore
from content.loader import load_curriculum
from content.model import Curriculum
from tests.support import Chat, found

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday: the role is given; due 4 February
ROLE = "machine-operator"
SAFETY, LOTO = "safety-foundations", "loto-practitioner"
CHECKPOINTS = (3, 12, 25, 33, 40, 52, 70, 89)  # days of the quarter on which everyone reads /path


def day(n: int, hour: int = 10) -> datetime:
    return START.replace(hour=hour) + timedelta(days=n)


# Who does what, by day of the quarter (awards as the awarder would write them).
GROUPS: dict[str, dict[str, object]] = {
    "on-time": {"count": 10, "earn": {SAFETY: 10, LOTO: 20}},
    "stalled": {"count": 10, "start": 6},  # starts a lesson, never finishes: overdue after day 30
    "never": {"count": 6},
    "late": {"count": 8, "earn": {SAFETY: 38, LOTO: 45}},  # overdue on days 31-44, then valid
    # In the role since last year: Lockout/Tagout earned then expires on day 15 of the quarter
    # (Safety later); it is assigned again (recertification) 30 days before.
    "renewing": {"count": 6, "since": -400, "held": {LOTO: -350, SAFETY: -200}, "renew": {LOTO: 10}},
    "lapsing": {"count": 6, "since": -400, "held": {LOTO: -350, SAFETY: -200}},
    # Joined the role on day 0 holding a Lockout/Tagout that expires on day 15: the role's own
    # assignment (due day 30) is what asks them to earn it again.
    "expiring": {"count": 4, "held": {LOTO: -350}, "earn": {SAFETY: 8}},
}


@pytest.fixture(scope="module")
def sample() -> Curriculum:
    result = load_curriculum(Path(__file__).parents[2] / "content")
    assert result.curriculum is not None, "\n".join(map(str, result.problems))
    return result.curriculum


def people() -> list[tuple[str, str]]:
    """(user id, group) of all 50."""
    found_people = [(f"{group}-{i}", group) for group, plan in GROUPS.items() for i in range(int(plan["count"]))]  # type: ignore[call-overload]
    assert len(found_people) == 50
    return found_people


async def give_award(store: SqlStore, curriculum: Curriculum, user: str, definition_id: str, at: datetime, renewal: int = 0) -> None:
    definition = curriculum.credentials[definition_id]
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("console", user))
        valid_until = at + timedelta(days=definition.valid_for_days) if definition.valid_for_days else None
        award = Award(str(uuid.uuid4()), learner.id, definition_id, definition.kind.value, renewal, at, valid_until, evidence={})
        assert await tx.awards.add(award)


def assigned_lines(replies: list) -> dict[str, str]:
    """What the top of /path shows, by credential title: '📌 ...' (open) or '⚠️ ...' (overdue)."""
    [text] = [r for r in replies if isinstance(r, Text)]
    lines = text.text.split("\n")
    if "**Assigned to you**" not in lines and "Assigned to you" not in [line.strip("*") for line in lines]:
        return {}
    shown = {}
    for line in lines:
        if line.startswith(("📌 **", "⚠️ **")):
            title = line.split("**")[1]
            shown[title] = line
    return shown


def agrees(cell: Standing | None, line: str | None) -> bool:
    """Whether a matrix cell and what the learner read that day tell the same story."""
    if cell in (Standing.VALID,):
        return line is None  # met: nothing left to do
    if cell is Standing.EXPIRING:
        return line is None or line.startswith("📌")  # met, or asked to recertify in time
    if cell is Standing.OVERDUE:
        return line is not None and line.startswith("⚠️") and "overdue by" in line
    if cell in (Standing.IN_PROGRESS, Standing.NOT_STARTED, Standing.EXPIRED):
        # Still to do, not late yet (EXPIRED: held once, lapsed, and assigned again: due later).
        return line is not None and line.startswith("📌")
    return False  # no cell: everyone here holds the role


async def test_a_quarter_of_a_job_role_the_matrix_as_of_each_day_agrees_with_what_each_learner_saw(store: SqlStore, sample: Curriculum):
    clock = ManualClock(day(0, 8))
    core = Core(curriculum=sample, store=store, clock=clock)
    everyone = people()
    # Before the quarter: who was in the role last year, and what they earned then.
    await import_people(
        store,
        [
            Person("console", user, user.title(), "Line 2", "learner", (), roles=(ROLE,) if "since" in GROUPS[group] else ())
            for user, group in everyone
        ]
        + [Person("console", "lnd", "L And D", None, "admin", ())],
        now=day(-400),
        curriculum=sample,
    )
    for user, group in everyone:
        for definition_id, when in dict(GROUPS[group].get("held", {})).items():  # type: ignore[call-overload]
            await give_award(store, sample, user, definition_id, day(when))
    # Day 0: L&D gives everyone the job role (the CSV's roles column).
    imported = await import_people(
        store,
        [Person("console", user, user.title(), "Line 2", "learner", (), roles=(ROLE,)) for user, _ in everyone],
        now=day(0, 8),
        curriculum=sample,
    )
    assert imported.people == 50

    seen: dict[int, dict[str, dict[str, str]]] = {}  # checkpoint day -> user -> title -> line
    for n in range(0, 90):
        clock.set(day(n, 9))
        async with store.transaction() as tx:  # the daily pass: what expires soon is assigned again
            for user, _ in everyone:
                learner = found(await tx.learners.find("console", user))
                await assignments.recertify(tx, sample, learner, now=clock.now())
        for user, group in everyone:
            plan = GROUPS[group]
            if plan.get("start") == n:
                clock.set(day(n, 10))
                await Chat(core, user, "console").next()  # the lesson toward the most urgent assignment
            for definition_id, when in dict(plan.get("earn", {})).items():  # type: ignore[call-overload]
                if when == n:
                    await give_award(store, sample, user, definition_id, day(n))
            for definition_id, when in dict(plan.get("renew", {})).items():  # type: ignore[call-overload]
                if when == n:
                    await give_award(store, sample, user, definition_id, day(n), renewal=1)
        if n in CHECKPOINTS:
            clock.set(day(n, 23))
            seen[n] = {}
            for user, _ in everyone:
                seen[n][user] = assigned_lines(await Chat(core, user, "console").command("path"))

    # The end of the quarter: the auditor asks about each of those days.
    clock.set(day(90, 9))
    titles = {SAFETY: sample.credentials[SAFETY].title, LOTO: sample.credentials[LOTO].title}
    disagreements = []
    tally: dict[Standing, int] = {}
    async with store.transaction() as tx:
        admin = found(await tx.learners.find("console", "lnd"))
        choices = {c.key: c for c in await scope_choices(tx, sample, admin)}
        for n in CHECKPOINTS:
            as_of = day(n).date()
            for key in (f"{ROLE_PREFIX}{ROLE}", ORGANISATION):
                matrix = await compliance_matrix(tx, sample, choices[key], now=clock.now(), as_of=as_of, page_size=None)
                assert {c.id for c in matrix.columns} == {SAFETY, LOTO}, key
                rows = [row for row in matrix.rows if row.person.name != "L And D"]
                assert len(rows) == 50 and all(cell is None for row in matrix.rows if row not in rows for cell in row.cells), (key, n)
                for row in rows:
                    user = next(u for u, _ in everyone if u.title() == row.person.name)
                    for column, cell in zip(matrix.columns, row.cells, strict=True):
                        line = seen[n][user].get(titles[column.id])
                        if cell is not None and key == ORGANISATION:
                            tally[cell] = tally.get(cell, 0) + 1
                        if not agrees(cell, line):
                            disagreements.append(f"day {n} ({as_of}) {key} {user} {column.id}: matrix {cell}, learner saw {line!r}")
    assert disagreements == []
    # The quarter went through every state a cell can show here (else it tested less than it says).
    assert {Standing.VALID, Standing.EXPIRING, Standing.OVERDUE, Standing.IN_PROGRESS, Standing.NOT_STARTED} <= set(tally), tally

    # Spot checks of the story itself, as of the days.
    def on(n: int, user: str, credential: str) -> Standing | None:
        return _cells[n][user][credential]

    _cells: dict[int, dict[str, dict[str, Standing | None]]] = {}
    async with store.transaction() as tx:
        for n in CHECKPOINTS:
            matrix = await compliance_matrix(
                tx, sample, choices[f"{ROLE_PREFIX}{ROLE}"], now=clock.now(), as_of=day(n).date(), page_size=None
            )
            _cells[n] = {
                next(u for u, _ in everyone if u.title() == row.person.name): {
                    c.id: s for c, s in zip(matrix.columns, row.cells, strict=True)
                }
                for row in matrix.rows
            }
    assert on(25, "on-time-0", LOTO) is Standing.VALID
    assert on(12, "stalled-0", SAFETY) is Standing.IN_PROGRESS and on(33, "stalled-0", SAFETY) is Standing.OVERDUE
    assert on(12, "never-0", SAFETY) is Standing.NOT_STARTED and on(33, "never-0", LOTO) is Standing.OVERDUE
    assert on(40, "late-0", SAFETY) is Standing.VALID and on(40, "late-0", LOTO) is Standing.OVERDUE
    assert on(52, "late-0", LOTO) is Standing.VALID
    assert on(3, "renewing-0", LOTO) is Standing.EXPIRING and on(12, "renewing-0", LOTO) is Standing.VALID  # renewed day 10
    assert (
        on(25, "lapsing-0", LOTO) is Standing.OVERDUE and on(89, "lapsing-0", LOTO) is Standing.OVERDUE
    )  # due on day 15, its last valid day
    assert on(25, "expiring-0", LOTO) is Standing.EXPIRED and on(33, "expiring-0", LOTO) is Standing.OVERDUE
    # What a learner read on a checkpoint, in their own words.
    assert seen[3]["renewing-0"][titles[LOTO]] == (
        f"📌 **{titles[LOTO]}** (badge): due Tue 20 Jan (in 12 days) · recertification: renew it before it expires"
    )
    assert titles[LOTO] not in seen[12]["renewing-0"]
    assert seen[33]["never-0"][titles[SAFETY]].startswith(f"⚠️ **{titles[SAFETY]}** (badge): due Wed 4 Feb (overdue by 3 days)")
    assert date(2026, 2, 4) == (day(0) + timedelta(days=30)).date()
