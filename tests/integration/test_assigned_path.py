"""What is assigned, as the learner sees and follows it, on SQLite and PostgreSQL (the same flows
run on the in-memory store in tests/unit/test_learner_assignments.py): /path names who assigned it
(read from the database by id) and when it is due; /next takes the lesson toward the most urgent
one; with nothing assigned a chosen lesson starts and is recorded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot import assignments
from bot.assignments import Origin
from bot.clock import ManualClock
from bot.core import Core
from bot.replies import Text
from bot.store.store import SqlStore
from bot.vocabulary import EventKind, Target
from content.loader import load_curriculum
from content.model import Curriculum
from tests.support import Chat, found, text_of


@pytest.fixture(scope="module")
def sample() -> Curriculum:
    result = load_curriculum(Path(__file__).parents[2] / "content")
    assert result.curriculum is not None, "\n".join(map(str, result.problems))
    return result.curriculum


@pytest.fixture
def sample_core(store: SqlStore, sample: Curriculum, clock: ManualClock) -> Core:
    return Core(curriculum=sample, store=store, clock=clock)


async def test_path_names_who_and_when_and_next_goes_toward_the_most_urgent(sample_core: Core, store: SqlStore, clock: ManualClock):
    maria = Chat(sample_core, user="maria")
    await maria.start(timezone="Europe/Berlin")
    chat = Chat(sample_core)
    await chat.start(timezone="Europe/Berlin")
    await chat.take_next_lesson()  # Spotting hazards
    async with store.transaction() as tx:
        ana = found(await tx.learners.find("test", "ana"))
        by = found(await tx.learners.find("test", "maria")).id
        role = assignments.role_origin("machine-operator")
        await assignments.assign(
            tx, ana, Target.CREDENTIAL, "safety-foundations", due_on=date(2026, 3, 12), origin=role, by=None, now=clock.now()
        )
        await assignments.assign(
            tx, ana, Target.CREDENTIAL, "loto-practitioner", due_on=date(2026, 3, 5), origin=Origin.MANAGER, by=by, now=clock.now()
        )
    [path] = await chat.command("path")
    assert text_of(path).split("\n")[:4] == [
        "**Assigned to you**",
        "📌 **Lockout/Tagout Practitioner** (badge): due Thu 5 Mar (in 3 days) · from Maria",
        "📌 **Workplace Safety Foundations** (badge): due Thu 12 Mar (in 10 days) · from your role Machine Operator",
        "",
    ]
    said = await chat.next()
    assert said[0] == Text("📘 **Lockout/Tagout** · 4 min · Equipment Maintenance L2 (lesson 1 of 5)")


async def test_with_nothing_assigned_a_chosen_lesson_starts(sample_core: Core, store: SqlStore):
    chat = Chat(sample_core)
    await chat.start(timezone="Europe/Berlin")
    await chat.take_next_lesson()
    await chat.command("path")
    await chat.press("Choose a lesson")
    said = await chat.press("Fire and evacuation")
    assert said[0] == Text("📘 **Fire and evacuation** · 4 min · Workplace Safety L1 (lesson 4 of 5)")
    async with store.transaction() as tx:
        ana = found(await tx.learners.find("test", "ana"))
        session = found(await tx.sessions.active(ana.id))
        assert session.lesson_id == "fire-and-evacuation"
        assert [e.lesson_id for e in await tx.trail.of(ana.id) if e.kind is EventKind.LESSON_STARTED] == [
            "spotting-hazards",
            "fire-and-evacuation",
        ]
