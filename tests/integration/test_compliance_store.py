"""The compliance matrix's bulk reads (bot/ports.py `Compliance`) on SQLite, PostgreSQL and the
in-memory store: the same people, roles, assignments, awards and lessons as of a moment, for a
scope or a page of it, so the matrix the unit tests check in memory is the one a database gives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.ports import Store
from bot.records import Assignment, Award, MatrixScope
from bot.vocabulary import SessionKind, SessionStatus, Target

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MARCH_14 = datetime(2026, 3, 14, 23, 59, 59, 999999, tzinfo=UTC)  # the end of 14 March, UTC
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
CREDENTIALS = ("loto-practitioner", "safety-foundations", "maintenance-fundamentals", "plant-operations")


@dataclass(frozen=True)
class People:
    ana: int  # Deck, machine operator since T0; LOTO awarded 1 Feb, revoked 1 April
    bo: int  # Deck, machine operator until 1 March, then maintenance technician
    cy: int  # Engine, no role; assigned LOTO, that assignment withdrawn 1 May
    deck: int
    engine: int


async def programme(store: Store) -> People:
    async with store.transaction() as tx:
        teams = await tx.teams.ids_by_name(["Deck", "Engine"])
        ids = []
        for user, name, team in (("ana", "Ana", "Deck"), ("bo", "Bo", "Deck"), ("cy", "Cy", "Engine")):
            learner, _ = await tx.learners.person("test", user, name, now=T0)
            learner.team_id = teams[team]
            await tx.learners.save(learner)
            ids.append(learner.id)
        late, _ = await tx.learners.person("test", "dee", "Dee", now=datetime(2026, 4, 1, tzinfo=UTC))  # joined after 14 March
        late.team_id = teams["Deck"]
        await tx.learners.save(late)
        ana, bo, cy = ids
        await tx.job_roles.give(ana, "machine-operator", at=T0)
        await tx.job_roles.give(bo, "machine-operator", at=T0)
        await tx.job_roles.end(bo, "machine-operator", at=datetime(2026, 3, 1, tzinfo=UTC))
        await tx.job_roles.give(bo, "maintenance-technician", at=datetime(2026, 3, 1, tzinfo=UTC))
        await tx.assignments.add(Assignment(ana, Target.CREDENTIAL, "loto-practitioner", date(2026, 2, 4), "role:machine-operator", T0))
        await tx.assignments.add(Assignment(ana, Target.PATHWAY, "workplace-safety", date(2026, 2, 4), "manager", T0))
        withdrawn = await tx.assignments.add(Assignment(cy, Target.CREDENTIAL, "loto-practitioner", date(2026, 5, 1), "manager", T0))
        await tx.assignments.withdraw(withdrawn.id, at=datetime(2026, 5, 1, tzinfo=UTC))
        await tx.assignments.add(
            Assignment(bo, Target.CREDENTIAL, "safety-foundations", date(2026, 7, 1), "csv", datetime(2026, 4, 1, tzinfo=UTC))
        )
        loto = Award(
            "p-ana-loto", ana, "loto-practitioner", "badge", 0, datetime(2026, 2, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC), {"x": 1}
        )
        await tx.awards.add(loto)
        await tx.awards.revoke(loto.id, at=datetime(2026, 4, 1, tzinfo=UTC), reason="issued in error")
        await tx.awards.add(Award("p-bo", bo, "safety-foundations", "badge", 0, datetime(2026, 5, 1, tzinfo=UTC), None, {}))
        lesson = await tx.sessions.open(
            ana, SessionKind.LESSON, "LOTO", [], now=datetime(2026, 1, 10, tzinfo=UTC), lesson_id="lockout-tagout"
        )
        lesson.status, lesson.completed_at = SessionStatus.COMPLETED, datetime(2026, 1, 10, 0, 5, tzinfo=UTC)
        await tx.sessions.save(lesson)
        later = await tx.sessions.open(
            ana, SessionKind.LESSON, "Hazards", [], now=datetime(2026, 3, 10, tzinfo=UTC), lesson_id="spotting-hazards"
        )
        later.status, later.completed_at = SessionStatus.COMPLETED, datetime(2026, 3, 20, tzinfo=UTC)  # finished after 14 March
        await tx.sessions.save(later)
        await tx.sessions.open(bo, SessionKind.LESSON, "PPE", [], now=datetime(2026, 4, 2, tzinfo=UTC), lesson_id="ppe-basics")
        return People(ana, bo, cy, teams["Deck"], teams["Engine"])


async def test_a_scope_is_read_as_the_record_stood_at_the_end_of_14_march(any_store: Store):
    people = await programme(any_store)
    async with any_store.transaction() as tx:
        record = await tx.compliance.matrix(MatrixScope(), MARCH_14)
        assert [(p.name, p.team) for p in record.people] == [("Ana", "Deck"), ("Bo", "Deck"), ("Cy", "Engine")], "Dee joined later"
        assert sorted((h.role_id, h.until) for h in record.roles[people.bo]) == [
            ("machine-operator", datetime(2026, 3, 1, tzinfo=UTC)),
            ("maintenance-technician", None),
        ]
        assert [a.target_id for a in record.assignments[people.ana]] == ["loto-practitioner"], "credentials only"
        assert record.assignments[people.cy][0].withdrawn_at == datetime(2026, 5, 1, tzinfo=UTC), "withdrawn later: kept with its date"
        assert people.bo not in record.assignments, "assigned in April"
        [loto] = record.awards[people.ana]
        assert (loto.public_id, loto.revoked_at, loto.evidence, loto.credential) == (
            "p-ana-loto",
            datetime(2026, 4, 1, tzinfo=UTC),
            {},
            None,
        ), "revoked later: the store gives the date, bot.assignments reads it as of then"
        assert people.bo not in record.awards, "awarded in May"
        assert record.started == {people.ana: {"lockout-tagout", "spotting-hazards"}}
        assert record.completed == {people.ana: {"lockout-tagout"}}, "Spotting hazards was finished on 20 March"
        assert people.bo not in record.started, "Bo started his lesson in April"
        assert await tx.compliance.required(MatrixScope(), MARCH_14, CREDENTIALS) == (
            {"machine-operator", "maintenance-technician"},
            {"loto-practitioner"},
        )


async def test_now_a_team_a_role_and_a_page_read_only_their_people(any_store: Store):
    people = await programme(any_store)
    async with any_store.transaction() as tx:
        deck = MatrixScope(frozenset({people.deck}))
        assert [p.name for p in await tx.compliance.people(deck, NOW)] == ["Ana", "Bo", "Dee"]
        assert await tx.compliance.count(deck, NOW) == 3 and await tx.compliance.count(MatrixScope(), MARCH_14) == 3
        assert [p.name for p in await tx.compliance.people(MatrixScope(), NOW, offset=1, limit=2)] == ["Bo", "Cy"], "a page"
        assert [p.name for p in await tx.compliance.people(MatrixScope(), NOW, offset=3)] == ["Dee"]
        assert [p.name for p in await tx.compliance.people(MatrixScope(frozenset()), NOW)] == [], "a manager with no teams sees no one"
        operators = MatrixScope(None, "machine-operator")
        assert [p.name for p in await tx.compliance.people(operators, NOW)] == ["Ana"], "Bo no longer holds it"
        assert [p.name for p in await tx.compliance.people(operators, MARCH_14 - timedelta(days=20))] == ["Ana", "Bo"]
        assert await tx.compliance.required(MatrixScope(frozenset({people.engine})), NOW, CREDENTIALS) == (set(), set()), (
            "Cy's was withdrawn"
        )
        assert await tx.compliance.required(deck, NOW, ["safety-foundations"]) == (
            {"machine-operator", "maintenance-technician"},
            {"safety-foundations"},
        ), "only the credentials asked about"
        assert (await tx.compliance.required(deck, NOW, []))[1] == set()
        assert await tx.compliance.required(deck, NOW, CREDENTIALS) == (
            {"machine-operator", "maintenance-technician"},
            {"loto-practitioner", "safety-foundations"},
        )
        page = await tx.compliance.matrix(MatrixScope(), NOW, [people.bo])
        assert [p.name for p in page.people] == ["Bo"]
        assert set(page.awards) == {people.bo} and set(page.assignments) == {people.bo} and set(page.roles) == {people.bo}
        assert page.started == {people.bo: {"ppe-basics"}} and page.completed == {}
        whole = await tx.compliance.matrix(MatrixScope(), NOW)
        assert [p.name for p in whole.people] == ["Ana", "Bo", "Cy", "Dee"]
        assert whole.awards[people.ana][0].revoked_at == datetime(2026, 4, 1, tzinfo=UTC)
