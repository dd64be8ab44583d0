"""The programme's rules (bot/assignments.py) on the sample curriculum: which assignment counts,
where a person stands as of a date, what they learn next, what job roles assign, and when a
credential is assigned again before it expires."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot import assignments
from bot.assignments import Origin, Standing
from bot.events import LearnerRef
from bot.records import Assignment, Award
from bot.vocabulary import EventKind, Target
from content.loader import load_curriculum
from content.model import Curriculum
from tests.memory_store import MemoryStore

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday, 09:00 in Berlin
BERLIN = "Europe/Berlin"


@pytest.fixture(scope="module")
def sample() -> Curriculum:
    result = load_curriculum(Path(__file__).parents[2] / "content")
    assert result.curriculum is not None, "\n".join(map(str, result.problems))
    return result.curriculum


def award(definition_id: str, at: datetime, *, days: int | None = 365, revoked: datetime | None = None, renewal: int = 0) -> Award:
    return Award(
        public_id=f"{definition_id}-{renewal}",
        learner_id=1,
        definition_id=definition_id,
        kind="badge",
        renewal=renewal,
        awarded_at=at,
        valid_until=at + timedelta(days=days) if days is not None else None,
        evidence={},
        id=renewal + 1,
        revoked_at=revoked,
    )


def assigned(target: str, due: date, at: datetime = NOW, *, withdrawn: datetime | None = None, id: int = 1) -> Assignment:
    return Assignment(1, Target.CREDENTIAL, target, due, Origin.MANAGER, at, withdrawn_at=withdrawn, id=id)


def test_the_latest_assignment_counts_until_it_is_withdrawn():
    first = assigned("loto-practitioner", date(2026, 4, 1), id=1)
    again = assigned("loto-practitioner", date(2026, 3, 20), NOW + timedelta(days=3), withdrawn=NOW + timedelta(days=9), id=2)
    history = [first, again]
    key = (Target.CREDENTIAL, "loto-practitioner")
    assert assignments.current(history, NOW - timedelta(seconds=1)) == {}
    assert assignments.current(history, NOW + timedelta(days=1))[key] == first
    assert assignments.current(history, NOW + timedelta(days=5))[key] == again
    assert assignments.current(history, NOW + timedelta(days=10)) == {}  # withdrawn: nothing counts, not the older one


def test_standing_as_of_a_date_reads_the_record_as_it_was_then(sample: Curriculum):
    held = award("loto-practitioner", datetime(2026, 1, 10, tzinfo=UTC), days=90, revoked=datetime(2026, 3, 20, tzinfo=UTC))
    due = assigned("loto-practitioner", date(2026, 2, 1), datetime(2026, 1, 2, tzinfo=UTC))

    def on(day: datetime) -> Standing:
        return assignments.standing(
            sample,
            Target.CREDENTIAL,
            "loto-practitioner",
            assignment=due,
            awards=[held],
            completed=["lockout-tagout"],
            started=["lockout-tagout"],
            at=day,
            timezone=BERLIN,
        )

    assert on(datetime(2026, 1, 5, tzinfo=UTC)) is Standing.IN_PROGRESS  # assigned, lesson started, not awarded yet
    assert on(datetime(2026, 2, 14, tzinfo=UTC)) is Standing.VALID  # held on 14 February
    assert on(datetime(2026, 3, 14, tzinfo=UTC)) is Standing.EXPIRING  # held on 14 March, expiring 10 April
    assert on(datetime(2026, 3, 21, tzinfo=UTC)) is Standing.OVERDUE  # revoked on 20 March, due date long past


def test_a_credential_that_lapsed_is_expired_and_the_lesson_started_is_in_progress(sample: Curriculum):
    lapsed = award("loto-practitioner", datetime(2025, 1, 10, tzinfo=UTC), days=365)

    def standing(awards: list[Award], started: list[str]) -> Standing:
        return assignments.standing(
            sample,
            Target.CREDENTIAL,
            "loto-practitioner",
            assignment=None,
            awards=awards,
            completed=[],
            started=started,
            at=NOW,
            timezone=BERLIN,
        )

    assert standing([lapsed], []) is Standing.EXPIRED
    assert standing([], ["lockout-tagout"]) is Standing.IN_PROGRESS
    assert standing([], ["spotting-hazards"]) is Standing.NOT_STARTED  # not a lesson toward this badge
    assert standing([], []) is Standing.NOT_STARTED


def test_an_assignment_is_met_only_by_a_credential_valid_past_its_due_date(sample: Curriculum):
    due = assigned("loto-practitioner", date(2026, 6, 30))
    expiring_first = award("loto-practitioner", datetime(2025, 6, 1, tzinfo=UTC), days=365)  # until 1 June 2026
    renewed = award("loto-practitioner", datetime(2026, 5, 1, tzinfo=UTC), days=365, renewal=1)

    def met(awards: list[Award], at: datetime) -> bool:
        return assignments.is_met(sample, due, awards=awards, completed=[], at=at, timezone=BERLIN)

    assert not met([], NOW)
    assert not met([expiring_first], NOW)  # valid now, but not on the due date
    assert met([expiring_first, renewed], datetime(2026, 5, 2, tzinfo=UTC))
    assert not met([expiring_first, renewed], datetime(2026, 4, 30, tzinfo=UTC))  # the renewal came later


def test_the_next_lesson_moves_the_most_urgent_assignment_forward(sample: Curriculum):
    loto = assigned("loto-practitioner", date(2026, 3, 10), id=1)
    maintenance = assigned("maintenance-fundamentals", date(2026, 3, 5), id=2)
    due = assignments.open_assignments(sample, [loto, maintenance], awards=[], completed=[], now=NOW, timezone=BERLIN)
    assert [d.title for d in due] == ["Maintenance Fundamentals", "Lockout/Tagout Practitioner"]
    # Maintenance's first lesson needs spotting-hazards first: the prerequisite comes first.
    lesson, why = assignments.next_lesson_toward(sample, due, completed=[]) or (None, None)
    assert lesson is not None and lesson.id == "spotting-hazards" and why is due[0]
    # Then the pathway's order, past Workplace Safety's other lessons (not toward either badge).
    lesson, why = assignments.next_lesson_toward(sample, due, completed=["spotting-hazards"]) or (None, None)
    assert lesson is not None and lesson.id == "lockout-tagout"
    lesson, why = assignments.next_lesson_toward(sample, due, completed=["spotting-hazards", "lockout-tagout"]) or (None, None)
    assert lesson is not None and lesson.id == "pre-use-inspection" and why is due[0]
    every_maintenance_lesson = ["spotting-hazards", "pre-use-inspection", "lubrication-basics", "work-orders", "lockout-tagout"]
    lesson, why = assignments.next_lesson_toward(sample, due, completed=[*every_maintenance_lesson, "troubleshooting-method"]) or (
        None,
        None,
    )
    assert lesson is None  # every lesson toward both is done: mastery is shown on re-checks now


def test_overdue_is_by_the_learners_own_calendar(sample: Curriculum):
    due = assigned("loto-practitioner", date(2026, 3, 1), datetime(2026, 2, 1, tzinfo=UTC))
    late_evening_utc = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # already 2 March in Berlin, still 1 March in UTC
    found = assignments.open_assignments(sample, [due], awards=[], completed=[], now=late_evening_utc, timezone=BERLIN)
    assert found[0].overdue
    found = assignments.open_assignments(sample, [due], awards=[], completed=[], now=late_evening_utc, timezone="America/New_York")
    assert not found[0].overdue


async def test_a_job_role_assigns_what_it_requires_and_ending_it_withdraws_that(sample: Curriculum):
    store = MemoryStore()
    async with store.transaction() as tx:
        ana, _ = await tx.learners.locked(LearnerRef("test", "ana", "Ana", BERLIN), now=NOW)
        changed = await assignments.set_job_roles(tx, sample, ana, ["machine-operator", "no-such-role"], by=None, now=NOW)
        assert changed.given == ("machine-operator",) and changed.assigned == 2
    async with store.transaction() as tx:
        counting = assignments.current(await tx.assignments.of(ana.id), NOW)
        assert {t for _, t in counting} == {"safety-foundations", "loto-practitioner"}
        assert {a.due_on for a in counting.values()} == {date(2026, 4, 1)}  # 30 days from 2 March
        assert {a.origin for a in counting.values()} == {"role:machine-operator"}
        # Moving to maintenance technician: what both roles require stays as it was assigned.
        later = NOW + timedelta(days=10)
        changed = await assignments.set_job_roles(tx, sample, ana, ["maintenance-technician"], by=7, now=later)
        assert (changed.given, changed.ended, changed.assigned) == (("maintenance-technician",), ("machine-operator",), 1)
        counting = assignments.current(await tx.assignments.of(ana.id), later)
        assert counting[Target.CREDENTIAL, "loto-practitioner"].due_on == date(2026, 4, 1)
        assert counting[Target.CREDENTIAL, "maintenance-fundamentals"].due_on == date(2026, 3, 12) + timedelta(days=60)
        assert [r.role_id for r in await tx.job_roles.of(ana.id) if r.until is None] == ["maintenance-technician"]
        trail = await tx.trail.of(ana.id)
        assert [e.kind for e in trail].count(EventKind.ASSIGNED) == 3
        assert [e.payload for e in trail if e.kind is EventKind.JOB_ROLES_CHANGED][-1] == {
            "given": ["maintenance-technician"],
            "ended": ["machine-operator"],
            "by": 7,
        }
        # Leaving every role withdraws what the roles assigned.
        await assignments.set_job_roles(tx, sample, ana, [], by=7, now=later + timedelta(days=1))
        assert assignments.current(await tx.assignments.of(ana.id), later + timedelta(days=1)) == {}


async def test_a_required_credential_is_assigned_again_before_it_expires_and_once(sample: Curriculum):
    store = MemoryStore()
    async with store.transaction() as tx:
        ana, _ = await tx.learners.locked(LearnerRef("test", "ana", "Ana", BERLIN), now=NOW)
        await assignments.set_job_roles(tx, sample, ana, ["machine-operator"], by=None, now=NOW)
        held = award("loto-practitioner", NOW + timedelta(days=5), days=365)
        held.learner_id = ana.id
        assert await tx.awards.add(held)
    expires = held.valid_until
    assert expires is not None
    lead = timedelta(days=sample.credentials["loto-practitioner"].recertify_lead_days)
    async with store.transaction() as tx:
        assert await assignments.recertify(tx, sample, ana, now=expires - lead - timedelta(days=1)) == []  # not yet
        made = await assignments.recertify(tx, sample, ana, now=expires - lead + timedelta(hours=1))
        assert [(a.target_id, a.origin, a.due_on) for a in made] == [("loto-practitioner", Origin.RECERTIFICATION, date(2027, 3, 7))]
        assert await assignments.recertify(tx, sample, ana, now=expires - lead + timedelta(days=2)) == []  # once
        awards = await tx.awards.of(ana.id)
        open_now = assignments.open_assignments(
            sample, await tx.assignments.of(ana.id), awards=awards, completed=[], now=expires - lead + timedelta(days=2), timezone=BERLIN
        )
        assert [d.title for d in open_now] == ["Workplace Safety Foundations", "Lockout/Tagout Practitioner"]
