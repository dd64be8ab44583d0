"""The compliance matrix (bot/compliance.py) over the in-memory store: who is in it and what is
required of them as of a date, each cell as `bot.assignments.standing` says, a credential held on
14 March and lost later shown valid as of 14 March, the scopes each viewer may choose, pages and
status filters, and the days it answers for."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import compliance
from bot.assignments import Standing, current, roles_at, standing
from bot.records import Assignment, Award, MatrixScope
from bot.vocabulary import Role, SessionKind, SessionStatus, Target
from content.model import Curriculum
from tests.compliance_support import FORMULA, MARCH_14, NOW, Programme, seed, with_roles
from tests.memory_store import MemoryStore

VALID, EXPIRING, EXPIRED, OVERDUE, IN_PROGRESS, NOT_STARTED = (
    Standing.VALID,
    Standing.EXPIRING,
    Standing.EXPIRED,
    Standing.OVERDUE,
    Standing.IN_PROGRESS,
    Standing.NOT_STARTED,
)
EVERYONE = compliance.ScopeChoice(compliance.ORGANISATION, "The whole organisation", MatrixScope(), "organisation")


@pytest.fixture
def programme_curriculum(curriculum: Curriculum) -> Curriculum:
    return with_roles(curriculum)


async def matrix(store: MemoryStore, curriculum: Curriculum, **options: object) -> compliance.Matrix:
    async with store.transaction() as tx:
        return await compliance.compliance_matrix(tx, curriculum, options.pop("choice", EVERYONE), now=NOW, **options)  # type: ignore[arg-type]


def cells(found: compliance.Matrix) -> dict[str, tuple[Standing | None, ...]]:
    return {row.person.name: row.cells for row in found.rows}


async def test_held_on_14_march_and_lost_later_is_valid_as_of_14_march(programme_curriculum: Curriculum):
    store = MemoryStore()
    people = await seed(store)
    # Bo also held a Deckhand that lapsed on 1 March: expiring a fortnight before, expired after.
    async with store.transaction() as tx:
        lapsed = datetime(2025, 3, 1, 9, tzinfo=UTC)
        await tx.awards.add(Award("p-bo-old", people.bo, "deckhand", "badge", 0, lapsed, lapsed + timedelta(days=365), {}))
    then = await matrix(store, programme_curriculum, as_of=MARCH_14)
    assert then.at == datetime(2026, 3, 14, 23, 59, 59, 999999, tzinfo=UTC) and not then.today
    assert [c.title for c in then.columns] == ["Deckhand", "Mariner Certificate"]
    assert cells(then)["Ana Lima"] == (VALID, None), "held on 14 March; revoked on 20 March"
    assert cells(then)["Bo Chen"] == (EXPIRED, NOT_STARTED), "his lapsed on 1 March, the navigator's due date (30 April) still ahead"
    assert cells(then)[FORMULA] == (OVERDUE, None), "awarded only on 1 May"
    assert cells(then)["Cy Silva"] == (IN_PROGRESS, None)
    assert cells(then)["Dee Park"] == (None, None), "nothing required of her"
    assert then.note == compliance.MEMBERSHIP_NOTE
    now = await matrix(store, programme_curriculum)
    assert (
        cells(now)["Ana Lima"] == (OVERDUE, None) and cells(now)["Bo Chen"] == (OVERDUE, OVERDUE) and cells(now)[FORMULA] == (VALID, None)
    )
    assert now.today and now.note is None
    fortnight = await matrix(store, programme_curriculum, as_of=date(2026, 2, 14))
    assert cells(fortnight)["Bo Chen"] == (None,), "not a navigator yet: nobody was, so no Mariner column"
    assert cells(fortnight)["Cy Silva"] == (None,) and cells(fortnight)["Ana Lima"] == (VALID,)
    wide = await matrix(store, programme_curriculum, expiring_within=timedelta(days=150))
    assert cells(wide)[FORMULA] == (EXPIRING, None), "valid until 28 October: within 150 days, not within 30"


async def test_people_not_there_then_are_left_out_and_a_future_day_is_refused(programme_curriculum: Curriculum):
    store = MemoryStore()
    await seed(store)
    before = await matrix(store, programme_curriculum, as_of=date(2025, 12, 31))
    assert before.people == 0 and before.rows == () and before.columns == ()
    with pytest.raises(compliance.AsOfRefused, match="2026-06-02 is in the future"):
        await matrix(store, programme_curriculum, as_of=date(2026, 6, 2))
    today = await matrix(store, programme_curriculum, as_of=date(2026, 6, 1))
    assert today.at == NOW and today.today and today.note is None, "today's date means now"


async def test_each_cell_is_standing_of_the_persons_whole_record(programme_curriculum: Curriculum):
    """Random histories: the matrix, which narrows each person's record to what a cell reads and
    shares answers between cells, says what `standing` says of the whole record, at every date."""
    rng = random.Random(15)
    store = MemoryStore()
    credentials = ["deckhand", "mariner"]
    start = datetime(2025, 6, 1, tzinfo=UTC)
    async with store.transaction() as tx:
        for n in range(40):
            person, _ = await tx.learners.person("console", f"p{n}", f"Person {n:02d}", now=start)
            person.timezone = rng.choice(["UTC", "Europe/Berlin", "Asia/Kolkata", "America/Los_Angeles"])
            await tx.learners.save(person)
            for role in rng.sample(["deck-crew", "navigator"], rng.randint(0, 2)):
                given = start + timedelta(days=rng.randint(0, 200))
                await tx.job_roles.give(person.id, role, at=given)
                if rng.random() < 0.3:
                    await tx.job_roles.end(person.id, role, at=given + timedelta(days=rng.randint(1, 200)))
            for _ in range(rng.randint(0, 3)):
                made = start + timedelta(days=rng.randint(0, 300), hours=rng.randint(0, 23))
                due = (made + timedelta(days=rng.randint(-5, 90))).date()
                added = await tx.assignments.add(Assignment(person.id, Target.CREDENTIAL, rng.choice(credentials), due, "manager", made))
                if rng.random() < 0.2:
                    await tx.assignments.withdraw(added.id, at=made + timedelta(days=rng.randint(1, 60)))
            for renewal in range(rng.randint(0, 2)):
                for credential in rng.sample(credentials, rng.randint(1, 2)):
                    awarded = start + timedelta(days=rng.randint(0, 330), minutes=rng.randint(0, 1440))
                    award = Award(
                        f"p{n}-{credential}-{renewal}", person.id, credential, "badge", renewal, awarded, awarded + timedelta(days=180), {}
                    )
                    if await tx.awards.add(award) and rng.random() < 0.15:
                        await tx.awards.revoke(award.id, at=awarded + timedelta(days=rng.randint(1, 100)), reason="test")
            if rng.random() < 0.5:
                lesson = await tx.sessions.open(
                    person.id,
                    SessionKind.LESSON,
                    "t",
                    [],
                    now=start + timedelta(days=rng.randint(0, 300)),
                    lesson_id=rng.choice(["tides", "knots"]),
                )
                if rng.random() < 0.5:
                    lesson.status, lesson.completed_at = SessionStatus.COMPLETED, lesson.started_at + timedelta(days=rng.randint(0, 40))
                    await tx.sessions.save(lesson)
    seen: set[Standing] = set()
    for day in [date(2025, 8, 1) + timedelta(days=13 * k) for k in range(24)]:
        async with store.transaction() as tx:
            found = await compliance.compliance_matrix(tx, programme_curriculum, EVERYONE, now=NOW, as_of=day, page_size=None)
            record = await tx.compliance.matrix(MatrixScope(), found.at)
        for row, somebody in zip(found.rows, record.people, strict=True):
            counting = current(record.assignments.get(somebody.id, []), found.at)
            held = roles_at(record.roles.get(somebody.id, []), found.at)
            required = compliance.required_of(programme_curriculum, held, counting)
            for column, cell in zip(found.columns, row.cells, strict=True):
                if column.id not in required:
                    assert cell is None
                    continue
                expected = standing(
                    programme_curriculum,
                    Target.CREDENTIAL,
                    column.id,
                    assignment=counting.get((Target.CREDENTIAL, column.id)),
                    awards=record.awards.get(somebody.id, []),
                    completed=record.completed.get(somebody.id, set()),
                    started=record.started.get(somebody.id, set()),
                    at=found.at,
                    timezone=somebody.timezone,
                )
                assert cell is expected, (day, somebody.name, column.id)
                seen.add(expected)
    assert seen >= {VALID, EXPIRING, EXPIRED, OVERDUE, IN_PROGRESS, NOT_STARTED}, "the histories reach every status"


async def test_each_viewer_chooses_among_what_they_may_see(programme_curriculum: Curriculum):
    store = MemoryStore()
    people = await seed(store)
    async with store.transaction() as tx:
        lee = await tx.learners.by_id(people.lee)
        maria = await tx.learners.by_id(people.maria)
        ana = await tx.learners.by_id(people.ana)
        assert lee is not None and maria is not None and ana is not None
        admin = await compliance.scope_choices(tx, programme_curriculum, lee)
        manager = await compliance.scope_choices(tx, programme_curriculum, maria)
        assert await compliance.scope_choices(tx, programme_curriculum, ana) == []
        assert await compliance.scope_choices(tx, programme_curriculum, replace(ana, role=Role.LEARNER)) == []
    assert [c.key for c in admin] == ["all", f"team-{people.deck}", f"team-{people.engine}", "role-deck-crew", "role-navigator"]
    assert admin[0].scope == MatrixScope() and admin[0].label == "The whole organisation"
    assert [c.key for c in manager] == ["all", f"team-{people.deck}", "role-deck-crew", "role-navigator"]
    assert manager[0].scope == MatrixScope(frozenset({people.deck})) and manager[0].label == "All your teams"
    crew = next(c for c in manager if c.key == "role-deck-crew")
    assert crew.scope == MatrixScope(frozenset({people.deck}), "deck-crew"), "a manager's role: its holders in her teams"
    found = await matrix(store, programme_curriculum, choice=crew)
    assert [r.person.name for r in found.rows] == [FORMULA, "Ana Lima"] and [c.id for c in found.columns] == ["deckhand"]
    everyone = await matrix(store, programme_curriculum, choice=next(c for c in admin if c.key == "role-deck-crew"))
    assert [r.person.name for r in everyone.rows] == [FORMULA, "Ana Lima", "Cy Silva"]


async def test_pages_and_status_filters(programme_curriculum: Curriculum, monkeypatch: pytest.MonkeyPatch):
    store = MemoryStore()
    await seed(store)
    first = await matrix(store, programme_curriculum, page_size=3)
    assert [r.person.name for r in first.rows] == [FORMULA, "Ana Lima", "Bo Chen"]
    assert (first.people, first.first, first.more, first.matching) == (7, 1, True, 7)
    third = await matrix(store, programme_curriculum, page_size=3, page=3)
    assert [r.person.name for r in third.rows] == ["Maria Manager"] and (third.first, third.more) == (7, False)
    monkeypatch.setattr(compliance, "BATCH", 2)  # read two people at a time, then four, ...
    overdue = await matrix(store, programme_curriculum, statuses=[OVERDUE], page_size=1)
    assert [r.person.name for r in overdue.rows] == ["Ana Lima"], "the formula person's is valid now"
    assert overdue.more and overdue.matching is None, "it stopped reading once the page was full and one more was found"
    rest = await matrix(store, programme_curriculum, statuses=[OVERDUE], page_size=1, page=2)
    assert [r.person.name for r in rest.rows] == ["Bo Chen"] and not rest.more and rest.matching == 2
    both = await matrix(store, programme_curriculum, statuses=[OVERDUE, IN_PROGRESS], page_size=None)
    assert [r.person.name for r in both.rows] == ["Ana Lima", "Bo Chen", "Cy Silva"] and both.matching == 3
    none = await matrix(store, programme_curriculum, statuses=[EXPIRED])
    assert none.rows == () and none.people == 7 and none.matching == 0
    then = await matrix(store, programme_curriculum, statuses=[VALID], as_of=MARCH_14, page_size=None)
    assert [r.person.name for r in then.rows] == ["Ana Lima"]
    assert compliance.table(then) == [["person", "team", "Deckhand", "Mariner Certificate"], ["Ana Lima", "Deck", "valid", "not required"]]


async def test_a_credential_assigned_outside_any_role_is_a_column_until_withdrawn(programme_curriculum: Curriculum):
    store = MemoryStore()
    people: Programme = await seed(store)
    engine = compliance.ScopeChoice(f"team-{people.engine}", "Team: Engine", MatrixScope(frozenset({people.engine})), "team")
    async with store.transaction() as tx:
        mariner = await tx.assignments.add(
            Assignment(people.cy, Target.CREDENTIAL, "mariner", date(2026, 5, 1), "dashboard", datetime(2026, 4, 1, tzinfo=UTC))
        )
        await tx.assignments.withdraw(mariner.id, at=datetime(2026, 5, 10, tzinfo=UTC))
    april = await matrix(store, programme_curriculum, choice=engine, as_of=date(2026, 4, 15))
    assert [c.id for c in april.columns] == ["deckhand", "mariner"] and cells(april)["Cy Silva"] == (IN_PROGRESS, IN_PROGRESS)
    may = await matrix(store, programme_curriculum, choice=engine, as_of=date(2026, 5, 5))
    assert cells(may)["Cy Silva"] == (IN_PROGRESS, OVERDUE), "due 1 May"
    june = await matrix(store, programme_curriculum, choice=engine)
    assert [c.id for c in june.columns] == ["deckhand"] and cells(june)["Cy Silva"] == (IN_PROGRESS,), "withdrawn on 10 May"
