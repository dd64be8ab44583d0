"""What a learner sees and does with what is assigned to them (issue 15 point 3), on the in-memory
store and the sample curriculum, as the chat reads it: /path lists what is assigned and not done,
the most urgent first, who assigned it and when it is due in words; continuing (/next, Start now,
the daily offer) takes the lesson that moves the most urgent assignment forward and the offer
names it; with nothing assigned the learner chooses any lesson they have unlocked, never a locked
one, and not while another is in progress."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot import actions, assignments
from bot.assignments import Origin
from bot.clock import ManualClock
from bot.core import Core
from bot.events import ButtonPressed
from bot.records import Award
from bot.replies import LessonCard, Question, Reply, Text
from bot.vocabulary import EventKind, Target
from content.loader import load_curriculum
from content.model import Curriculum
from tests.memory_store import MemoryStore
from tests.support import Chat, found

BERLIN = "Europe/Berlin"


@pytest.fixture(scope="module")
def sample() -> Curriculum:
    result = load_curriculum(Path(__file__).parents[2] / "content")
    assert result.curriculum is not None, "\n".join(map(str, result.problems))
    return result.curriculum


@pytest.fixture
def memory() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))  # Monday 2 March, 09:00 in Berlin


@pytest.fixture
def core(memory: MemoryStore, sample: Curriculum, clock: ManualClock) -> Core:
    return Core(curriculum=sample, store=memory, clock=clock)


async def assign(
    memory: MemoryStore,
    clock: ManualClock,
    target: str,
    due_on: date,
    *,
    kind: Target = Target.CREDENTIAL,
    origin: str = Origin.MANAGER,
    by: str | None = None,
    user: str = "ana",
) -> None:
    async with memory.transaction() as tx:
        learner = found(await tx.learners.find("test", user))
        manager = found(await tx.learners.find("test", by)).id if by else None
        await assignments.assign(tx, learner, kind, target, due_on=due_on, origin=origin, by=manager, now=clock.now())


def lines(reply: Reply) -> list[str]:
    assert isinstance(reply, Text), reply
    return reply.text.split("\n")


def labels(reply: Reply) -> list[str]:
    assert isinstance(reply, Text), reply
    return [b.label for b in reply.buttons]


async def started_with_hazards(core: Core) -> Chat:
    """Ana in Berlin, her first lesson (Spotting hazards, which every other lesson requires) done."""
    chat = Chat(core)
    await chat.start(timezone=BERLIN)
    await chat.take_next_lesson()
    assert "Lesson complete: Spotting hazards" in chat.text
    return chat


async def test_continuing_takes_the_lesson_toward_the_most_urgent_assignment_and_the_offer_names_it(
    core: Core, memory: MemoryStore, clock: ManualClock
):
    chat = await started_with_hazards(core)
    assert "Next in Workplace Safety L1: **Protective equipment that protects**" in chat.text, "pathway order with nothing assigned"
    await assign(memory, clock, "safety-foundations", date(2026, 3, 12))
    await assign(memory, clock, "loto-practitioner", date(2026, 3, 5))
    said = await chat.command("path")
    assert "➡️ next: Lockout/Tagout" in lines(said[0])
    said = await chat.next()
    assert said[0] == Text("📘 **Lockout/Tagout** · 4 min · Equipment Maintenance L2 (lesson 1 of 5)")
    while not any("Lesson complete" in getattr(r, "text", "") for r in chat.last):
        await (chat.answer_correctly() if any(isinstance(r, Question) for r in chat.last) else chat.press("Next"))
    # Its lesson done, Lockout/Tagout Practitioner waits on re-checks: the next most urgent leads.
    offer = chat.last[-1]
    assert lines(offer) == [
        "Next in Workplace Safety L1: **Protective equipment that protects** (4 min).",
        "📌 Assigned: **Workplace Safety Foundations**, due Thu 12 Mar (in 10 days).",
    ]
    assert labels(offer) == ["Start now", "Later"]


async def test_the_daily_offer_names_the_assignment_its_lesson_moves_forward(core: Core, memory: MemoryStore, clock: ManualClock):
    chat = await started_with_hazards(core)
    await assign(memory, clock, "loto-practitioner", date(2026, 3, 1))
    [offer] = await core.nudge(chat.learner)
    assert lines(offer) == [
        "⏰ 5-minute lesson: **Lockout/Tagout**",
        "⚠️ Assigned: **Lockout/Tagout Practitioner**, due Sun 1 Mar (overdue by 1 day).",
    ]
    assert isinstance(offer, Text) and offer.buttons[0].label == "Start"
    said = await chat.send(ButtonPressed(learner=chat.learner, source_id="offer-start", action=offer.buttons[0].action))
    assert said[0] == Text("📘 **Lockout/Tagout** · 4 min · Equipment Maintenance L2 (lesson 1 of 5)")


async def test_path_lists_what_is_assigned_most_urgent_first_with_who_and_when(core: Core, memory: MemoryStore, clock: ManualClock):
    maria = Chat(core, user="maria")
    await maria.start(timezone=BERLIN)
    chat = Chat(core)
    await chat.start(timezone=BERLIN)
    await assign(memory, clock, "loto-practitioner", date(2026, 3, 5), by="maria")
    await assign(memory, clock, "maintenance-fundamentals", date(2026, 4, 1), origin=assignments.role_origin("maintenance-technician"))
    await assign(memory, clock, "safety-foundations", date(2026, 2, 27), origin=Origin.CSV)
    await assign(memory, clock, "workplace-safety", date(2026, 3, 3), kind=Target.PATHWAY, origin=Origin.DASHBOARD)
    await assign(memory, clock, "plant-operations", date(2027, 1, 15), origin=Origin.RECERTIFICATION)
    await assign(memory, clock, "plant-operations", date(2027, 1, 20), origin=Origin.MANAGER, by="maria")  # the latest counts
    [path] = await chat.command("path")
    shown = lines(path)
    assert shown[:8] == [
        "**Assigned to you**",
        "⚠️ **Workplace Safety Foundations** (badge): due Fri 27 Feb (overdue by 3 days) · from L&D",
        "📌 **Workplace Safety L1** (pathway): due Tue 3 Mar (tomorrow) · from L&D",
        "📌 **Lockout/Tagout Practitioner** (badge): due Thu 5 Mar (in 3 days) · from Maria",
        "📌 **Maintenance Fundamentals** (badge): due Wed 1 Apr (in 30 days) · from your role Maintenance Technician",
        "📌 **Plant Operations Certificate** (certificate): due Wed 20 Jan 2027 (in 324 days) · from Maria",
        "",
        "**Your pathway map**",
    ]
    assert "Choose a lesson" not in labels(path), "something assigned comes first"
    assert labels(path) == ["Continue"]


async def test_path_says_due_today_and_recertification_and_leaves_out_what_is_met(core: Core, memory: MemoryStore, clock: ManualClock):
    chat = Chat(core)
    await chat.start(timezone=BERLIN)
    await assign(memory, clock, "loto-practitioner", date(2026, 3, 2), origin=Origin.RECERTIFICATION)
    await assign(memory, clock, "safety-foundations", date(2026, 3, 20))
    async with memory.transaction() as tx:
        learner = found(await tx.learners.find("test", "ana"))
        held = Award("held-1", learner.id, "safety-foundations", "badge", 0, clock.now(), clock.now() + timedelta(days=365), {})
        assert await tx.awards.add(held)
    [path] = await chat.command("path")
    assert lines(path)[:3] == [
        "**Assigned to you**",
        "📌 **Lockout/Tagout Practitioner** (badge): due Mon 2 Mar (today) · recertification: renew it before it expires",
        "",
    ]


async def test_everything_assigned_done_the_learner_chooses_any_unlocked_lesson(core: Core, memory: MemoryStore, clock: ManualClock):
    chat = await started_with_hazards(core)
    await assign(memory, clock, "safety-foundations", date(2026, 3, 20))
    async with memory.transaction() as tx:
        learner = found(await tx.learners.find("test", "ana"))
        held = Award("held-1", learner.id, "safety-foundations", "badge", 0, clock.now(), clock.now() + timedelta(days=365), {})
        assert await tx.awards.add(held)
    [path] = await chat.command("path")
    assert lines(path)[:3] == ["**Assigned to you**", "✅ Everything assigned to you is done.", ""]
    assert labels(path) == ["Continue", "Choose a lesson"]
    [menu] = await chat.press("Choose a lesson")
    assert lines(menu) == [
        "**Choose a lesson**",
        "Nothing is assigned to you right now, so pick any lesson you have unlocked:",
        "",
        "**Workplace Safety L1**",
        "○ Protective equipment that protects (4 min)",
        "○ Safe lifting and carrying (4 min)",
        "○ Fire and evacuation (4 min)",
        "○ Reporting incidents and near misses (4 min)",
        "",
        "**Equipment Maintenance L2**",
        "○ Lockout/Tagout (4 min)",
        "○ Pre-use inspection (4 min)",
    ]
    assert labels(menu) == [
        "Protective equipment that protects",
        "Safe lifting and carrying",
        "Fire and evacuation",
        "Reporting incidents and near misses",
        "Lockout/Tagout",
        "Pre-use inspection",
        "Show my pathway",
    ]
    said = await chat.press("Pre-use inspection")
    assert said[0] == Text("📘 **Pre-use inspection** · 4 min · Equipment Maintenance L2 (lesson 2 of 5)")
    assert isinstance(said[1], LessonCard)
    assert EventKind.LESSON_STARTED in await kinds(memory)


async def test_nothing_assigned_path_offers_the_choice_and_no_assignment_heading(core: Core):
    chat = await started_with_hazards(core)
    [path] = await chat.command("path")
    assert lines(path)[0] == "**Your pathway map**"
    assert labels(path) == ["Continue", "Choose a lesson"]


async def test_a_chosen_lesson_waits_while_another_is_in_progress(core: Core):
    chat = await started_with_hazards(core)
    await chat.command("path")
    [menu] = await chat.press("Choose a lesson")
    assert isinstance(menu, Text)
    await chat.press("Safe lifting and carrying")
    assert "Safe lifting and carrying" in chat.text
    fire = next(b for b in menu.buttons if b.label == "Fire and evacuation")  # the menu's button, pressed later
    [refused] = await chat.send(ButtonPressed(learner=chat.learner, source_id="old-fire", action=fire.action))
    assert lines(refused) == [
        "You are in the middle of **Safe lifting and carrying**. Finish it first, then choose the next one: "
        "one thing at a time, so you can always pick up exactly where you left off."
    ]
    assert labels(refused) == ["Continue"]
    [path] = await chat.command("path")
    assert "Choose a lesson" not in labels(path), "nothing to choose while a lesson is in progress"
    said = await chat.press("Continue")
    assert said[0] == Text("Picking up where you left off in **Safe lifting and carrying**.")


async def test_a_locked_lesson_says_what_it_needs_first(core: Core):
    chat = Chat(core)
    await chat.start(timezone=BERLIN)
    [refused] = await press(chat, actions.StartLesson("ppe-basics"))
    assert lines(refused) == ["**Protective equipment that protects** is still locked: it needs **Spotting hazards** first."]
    assert labels(refused) == ["Start Spotting hazards", "Show my pathway"]
    said = await chat.press("Start Spotting hazards")
    assert said[0] == Text("📘 **Spotting hazards** · 4 min · Workplace Safety L1 (lesson 1 of 5)")
    [gone] = await press(chat, actions.StartLesson("no-such-lesson"))
    assert lines(gone) == [
        "You are in the middle of **Spotting hazards**. Finish it first, then choose the next one: "
        "one thing at a time, so you can always pick up exactly where you left off."
    ]


async def test_a_lesson_gone_or_done_is_said_so(core: Core):
    chat = await started_with_hazards(core)
    [done] = await press(chat, actions.StartLesson("spotting-hazards"))
    assert lines(done) == ["You have done **Spotting hazards** already; your re-checks keep it fresh."]
    [gone] = await press(chat, actions.StartLesson("no-such-lesson"))
    assert lines(gone) == ["That lesson is no longer offered. /path shows the ones you can choose."]


async def test_an_old_choice_is_refused_once_something_is_assigned(core: Core, memory: MemoryStore, clock: ManualClock):
    chat = await started_with_hazards(core)
    await assign(memory, clock, "loto-practitioner", date(2026, 3, 5))
    [refused] = await press(chat, actions.StartLesson("safe-lifting"))
    assert lines(refused) == [
        "You have assigned work to do first, so I keep your lessons on it.",
        "📌 Assigned: **Lockout/Tagout Practitioner**, due Thu 5 Mar (in 3 days).",
    ]
    assert labels(refused) == ["Continue", "Show my pathway"]
    [menu] = await press(chat, actions.ChooseLesson(None))
    assert lines(menu)[0] == "You have assigned work to do first, so I keep your lessons on it."
    said = await chat.press("Continue")
    assert said[0] == Text("📘 **Lockout/Tagout** · 4 min · Equipment Maintenance L2 (lesson 1 of 5)")


async def test_a_withdrawn_assignment_no_longer_shows_nor_leads(core: Core, memory: MemoryStore, clock: ManualClock):
    chat = await started_with_hazards(core)
    await assign(memory, clock, "loto-practitioner", date(2026, 3, 5))
    async with memory.transaction() as tx:
        learner = found(await tx.learners.find("test", "ana"))
        [only] = await tx.assignments.of(learner.id)
        assert await assignments.withdraw(tx, learner, only, by=None, now=clock.now())
    [path] = await chat.command("path")
    assert lines(path)[0] == "**Your pathway map**"
    said = await chat.next()
    assert said[0] == Text("📘 **Protective equipment that protects** · 4 min · Workplace Safety L1 (lesson 2 of 5)")


async def press(chat: Chat, action: actions.Action) -> list[Reply]:
    """A button of ours pressed, as a chat would deliver an old or forged one."""
    return await chat.send(ButtonPressed(learner=chat.learner, source_id=f"press-{actions.encode(action)}", action=actions.encode(action)))


async def kinds(memory: MemoryStore, user: str = "ana") -> list[EventKind]:
    async with memory.transaction() as tx:
        learner = found(await tx.learners.find("test", user))
        return [event.kind for event in await tx.trail.of(learner.id)]


async def test_the_home_screen_shows_the_same_and_renders_in_slack(core: Core, memory: MemoryStore, clock: ManualClock):
    from adapters.slack.render import home_view

    chat = await started_with_hazards(core)
    home = await core.home(chat.learner)
    assert [b.label for b in home.buttons] == ["Start now", "Choose a lesson"], "nothing assigned: she may choose here too"
    await assign(memory, clock, "loto-practitioner", date(2026, 3, 5))
    home = await core.home(chat.learner)
    sections = dict(home.sections)
    assert sections["Next step"].split("\n") == [
        "Next in Equipment Maintenance L2: **Lockout/Tagout** (4 min).",
        "📌 Assigned: **Lockout/Tagout Practitioner**, due Thu 5 Mar (in 3 days).",
    ]
    assert sections["Pathway"].split("\n")[:3] == [
        "**Assigned to you**",
        "📌 **Lockout/Tagout Practitioner** (badge): due Thu 5 Mar (in 3 days) · from your manager",
        "",
    ]
    assert [b.label for b in home.buttons] == ["Start now"]
    view = home_view(list(home.sections), home.buttons)
    shown = "\n".join(block["text"]["text"] for block in view["blocks"] if block.get("type") == "section")
    assert "*Assigned to you*\n📌 *Lockout/Tagout Practitioner* (badge): due Thu 5 Mar (in 3 days) · from your manager" in shown
