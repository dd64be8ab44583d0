"""The programme's rhythm (bot/programme.py through bot/nudges.py) on the in-memory store, a week
or two of hourly rounds in milliseconds: overdue work reminds the learner (bounded, spaced, in
their waking hours), then tells their manager once, in the manager's waking hours on the
manager's clock; recertification runs by itself once a day and a renewal says it recertified;
someone who drifted at the end of a unit gets the next step once more; and each manager's
weekly digest says all of it. The same flows run on SQLite and PostgreSQL in
tests/integration/test_programme_nudges.py and at the platforms' wire in tests/telegram and
tests/slack."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import assignments
from bot.assignments import Origin
from bot.clock import ManualClock
from bot.core import Core
from bot.nudges import NudgeDispatcher
from bot.ports import UnitOfWork
from bot.programme import check_slot, weekly_slot
from bot.records import Award, Learner
from bot.replies import Reply
from bot.schedule import Rhythm
from bot.vocabulary import EventKind, NudgeKind, NudgeStatus, Role, Target
from content.loader import load_curriculum
from content.model import Curriculum
from tests.conftest import FIXTURE_CONTENT
from tests.memory_store import MemoryStore
from tests.support import Chat, text_of

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, 03:00 in New York


class Outbox:
    """A platform that records what it sent, to whom, and when (on the test's clock)."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.sent: list[tuple[str, str, datetime]] = []

    async def send(self, user_id: str, replies: list[Reply]) -> None:
        self.sent.append((user_id, "\n".join(getattr(r, "text", "") for r in replies), self.clock.now()))

    def to(self, user: str, starting: str = "") -> list[tuple[str, datetime]]:
        return [(text, at) for who, text, at in self.sent if who == user and text.startswith(starting)]


def waking(at: datetime, zone: str) -> bool:
    """A working day, outside the default quiet hours (20:00-08:00), on that person's clock."""
    local = at.astimezone(ZoneInfo(zone))
    return local.isoweekday() <= 5 and time(8) <= local.time() < time(20)


@pytest.fixture
def memory() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)


@pytest.fixture
def core(memory: MemoryStore, curriculum: Curriculum, clock: ManualClock) -> Core:
    return Core(curriculum=curriculum, store=memory, clock=clock)


async def learner(memory: MemoryStore, user: str) -> Learner:
    async with memory.transaction() as tx:
        found = await tx.learners.find("test", user)
        assert found is not None
        return found


async def team_of_two(core: Core, memory: MemoryStore, *, manager_zone: str = NEW_YORK) -> tuple[Chat, Chat]:
    """Ana learns in Berlin; Max, in `manager_zone`, manages her team."""
    ana, max_ = Chat(core, "ana"), Chat(core, "max")
    await ana.start(timezone=BERLIN)
    await max_.start(timezone=manager_zone)
    async with memory.transaction() as tx:
        her, him = await learner_in(tx, "ana"), await learner_in(tx, "max")
        team = (await tx.teams.ids_by_name(["Deck crew"]))["Deck crew"]
        her.team_id, him.role = team, Role.MANAGER
        await tx.learners.save(her)
        await tx.learners.save(him)
        await tx.teams.set_managed(him.id, [team])
    return ana, max_


async def learner_in(tx: UnitOfWork, user: str) -> Learner:
    found = await tx.learners.find("test", user)
    assert found is not None
    return found


async def assign_deckhand(memory: MemoryStore, clock: ManualClock, due_on: date = date(2026, 3, 2)) -> int:
    async with memory.transaction() as tx:
        her, him = await learner_in(tx, "ana"), await learner_in(tx, "max")
        made = await assignments.assign(
            tx, her, Target.CREDENTIAL, "deckhand", due_on=due_on, origin=Origin.MANAGER, by=him.id, now=clock.now()
        )
        return made.id


def worker(memory: MemoryStore, core: Core, clock: ManualClock, outbox: Outbox, **options: object) -> NudgeDispatcher:
    return NudgeDispatcher(store=memory, core=core, clock=clock, senders={"test": outbox.send}, worker="w", **options)  # type: ignore[arg-type]


async def hours(dispatcher: NudgeDispatcher, clock: ManualClock, count: int) -> None:
    for _ in range(count):
        clock.advance(hours=1)
        await dispatcher.run_round()


async def trail_kinds(memory: MemoryStore, user: str) -> Counter[EventKind]:
    async with memory.transaction() as tx:
        return Counter(e.kind for e in await tx.trail.of((await learner_in(tx, user)).id))


async def test_overdue_work_reminds_the_learner_twice_then_tells_the_manager_once_in_his_waking_hours(
    core: Core, memory: MemoryStore, clock: ManualClock
):
    await team_of_two(core, memory)
    assignment = await assign_deckhand(memory, clock)  # due today, Monday
    outbox = Outbox(clock)
    dispatcher = worker(memory, core, clock, outbox)
    await hours(dispatcher, clock, 24 * 8)  # to Tuesday 10 March
    reminders = outbox.to("ana", "⏰ **")
    assert [text.splitlines()[0] for text, _ in reminders] == ["⏰ **Overdue**", "⏰ **Still overdue**"]
    assert "**Deckhand**, due Mon 2 Mar (assigned by Max)" in reminders[0][0]
    local = [at.astimezone(ZoneInfo(BERLIN)) for _, at in reminders]
    assert [(d.date(), d.time()) for d in local] == [(date(2026, 3, 3), time(9)), (date(2026, 3, 5), time(9))], (
        "at her daily time the day after the due date, then two days later"
    )
    offers = [at.astimezone(ZoneInfo(BERLIN)).date() for _, at in outbox.to("ana", "⏰ 5-minute lesson")]
    assert date(2026, 3, 3) not in offers and date(2026, 3, 5) not in offers, "on those days the reminder is her offer"
    assert date(2026, 3, 4) in offers, "the daily offer on the day between"
    [(escalation, told_at)] = outbox.to("max", "⚠️")
    assert "Ana: **Deckhand**, due Mon 2 Mar; I reminded them twice" in escalation
    assert waking(told_at, NEW_YORK) and told_at.astimezone(ZoneInfo(NEW_YORK)).time() == time(8), "at 08:00 on his clock"
    assert told_at > local[-1], "after the learner's last reminder"
    assert all(waking(at, BERLIN) for _, at in reminders)
    kinds = await trail_kinds(memory, "ana")
    assert (kinds[EventKind.OVERDUE], kinds[EventKind.OVERDUE_REMINDED], kinds[EventKind.ESCALATED]) == (1, 2, 1)
    async with memory.transaction() as tx:
        her = await learner_in(tx, "ana")
        [escalated] = [e for e in await tx.trail.of(her.id) if e.kind == EventKind.ESCALATED]
        assert escalated.payload["assignment"] == assignment and escalated.payload["manager"] == (await learner_in(tx, "max")).id
    # The Monday digest says so too.
    digest = [text for text, _ in outbox.to("max", "📋")][-1]
    assert "**Overdue** (1)" in digest
    assert "Ana: **Deckhand**, due Mon 2 Mar (reminded twice, you were told on Fri 6 Mar)" in digest


async def test_a_met_or_withdrawn_assignment_reminds_no_more_and_is_never_escalated(core: Core, memory: MemoryStore, clock: ManualClock):
    await team_of_two(core, memory)
    assignment = await assign_deckhand(memory, clock)
    outbox = Outbox(clock)
    dispatcher = worker(memory, core, clock, outbox)
    await hours(dispatcher, clock, 24 + 2)  # Tuesday 10:00: the first reminder went out
    assert len(outbox.to("ana", "⏰ **Overdue**")) == 1
    async with memory.transaction() as tx:
        her = await learner_in(tx, "ana")
        [made] = [a for a in await tx.assignments.of(her.id) if a.id == assignment]
        assert await assignments.withdraw(tx, her, made, by=None, now=clock.now())
    await hours(dispatcher, clock, 24 * 10)
    assert len(outbox.to("ana", "⏰ **")) == 1 and outbox.to("max", "⚠️") == []


async def test_after_stop_the_learner_is_not_reminded_and_the_manager_is_told_a_week_after_the_due_date(
    core: Core, memory: MemoryStore, clock: ManualClock
):
    ana, _ = await team_of_two(core, memory)
    await ana.command("stop")
    await assign_deckhand(memory, clock)
    outbox = Outbox(clock)
    await hours(worker(memory, core, clock, outbox), clock, 24 * 9)
    assert outbox.to("ana") == [], "nothing the bot starts after /stop"
    [(escalation, at)] = outbox.to("max", "⚠️")
    assert "I could not remind them in chat" in escalation
    deadline = datetime(2026, 3, 3, tzinfo=ZoneInfo(BERLIN))
    assert at >= deadline + timedelta(days=7) and waking(at, NEW_YORK)


async def test_a_vacation_hold_moves_the_reminder_past_it(core: Core, memory: MemoryStore, clock: ManualClock):
    ana, _ = await team_of_two(core, memory)
    await ana.command("settings", "hold 2026-03-03 2026-03-04")
    await assign_deckhand(memory, clock)
    outbox = Outbox(clock)
    await hours(worker(memory, core, clock, outbox), clock, 24 * 4)
    [(_, at)] = outbox.to("ana", "⏰ **Overdue**")
    assert at.astimezone(ZoneInfo(BERLIN)) == datetime(2026, 3, 5, 9, 0, tzinfo=ZoneInfo(BERLIN)), "Thursday, after the hold"


async def test_recertification_runs_once_a_day_by_itself_and_the_renewal_says_recertified(
    core: Core, memory: MemoryStore, clock: ManualClock
):
    ana = Chat(core, "ana")
    await ana.start(timezone=BERLIN)
    async with memory.transaction() as tx:
        her = await learner_in(tx, "ana")
        # Deckhand (valid 180 days, refreshed 30 days before by default), assigned and earned last autumn.
        await assignments.assign(
            tx, her, Target.CREDENTIAL, "deckhand", due_on=date(2025, 10, 1), origin=Origin.CSV, by=None, now=MONDAY - timedelta(days=200)
        )
        earned = Award("pub-1", her.id, "deckhand", "badge", 0, MONDAY - timedelta(days=160), MONDAY + timedelta(days=20), {})
        await tx.awards.add(earned)
    outbox = Outbox(clock)
    dispatcher = worker(memory, core, clock, outbox)
    await hours(dispatcher, clock, 24 * 3)
    async with memory.transaction() as tx:
        her = await learner_in(tx, "ana")
        again = [a for a in await tx.assignments.of(her.id) if a.origin == Origin.RECERTIFICATION]
        checks = [n for n in await tx.nudges.all(her.id) if n.kind == NudgeKind.CHECK]
    [recertifying] = again
    assert recertifying.due_on == date(2026, 3, 22), "due on the last day it is valid"
    done = [n for n in checks if n.status == NudgeStatus.SENT]
    assert len(done) == 4 and len(checks) == 5, "the first check at once, then one a day, the next one waiting"
    assert len({n.due_at.astimezone(ZoneInfo(BERLIN)).date() for n in done}) == 4
    # The refresher the learner is offered renews the badge; the trail says it recertified.
    said = await ana.next()
    assert "Refresher: Deckhand" in "\n".join(getattr(r, "text", "") for r in said)
    while any(type(r).__name__ == "Question" for r in ana.last):
        await ana.answer_correctly()
    kinds = await trail_kinds(memory, "ana")
    assert kinds[EventKind.RENEWED] == 1 and kinds[EventKind.RECERTIFIED] == 1
    async with memory.transaction() as tx:
        her = await learner_in(tx, "ana")
        [event] = [e for e in await tx.trail.of(her.id) if e.kind == EventKind.RECERTIFIED]
    assert event.payload["assignment"] == recertifying.id and event.payload["on_time"] is True
    await hours(dispatcher, clock, 24 * 3)
    assert outbox.to("ana", "⏰ **") == [], "met by the renewal: nothing overdue"


async def test_a_renewal_without_a_recertification_assignment_is_just_renewed(core: Core, memory: MemoryStore, clock: ManualClock):
    ana = Chat(core, "ana")
    await ana.start(timezone=BERLIN)
    async with memory.transaction() as tx:
        her = await learner_in(tx, "ana")
        await tx.awards.add(Award("pub-1", her.id, "deckhand", "badge", 0, MONDAY - timedelta(days=160), MONDAY + timedelta(days=20), {}))
    await ana.next()
    while any(type(r).__name__ == "Question" for r in ana.last):
        await ana.answer_correctly()
    kinds = await trail_kinds(memory, "ana")
    assert kinds[EventKind.RENEWED] == 1 and kinds[EventKind.RECERTIFIED] == 0


async def test_the_check_planner_looks_only_every_ten_minutes_and_only_for_people_with_a_programme(
    core: Core, memory: MemoryStore, clock: ManualClock
):
    await team_of_two(core, memory)
    await Chat(core, "cy").start(timezone=BERLIN)  # nothing assigned, nothing held, no team to manage
    dispatcher = worker(memory, core, clock, Outbox(clock))
    assert await dispatcher.plan_checks() == 1, "Max manages a team; Ana has nothing assigned yet"
    await assign_deckhand(memory, clock)
    assert await dispatcher.plan_checks() == 0, "not again within ten minutes"
    clock.advance(minutes=10)
    assert await dispatcher.plan_checks() == 1, "Ana, newly assigned"
    clock.advance(minutes=10)
    assert await dispatcher.plan_checks() == 0, "both have a check waiting"


async def test_the_daily_check_spreads_over_the_small_hours_and_the_digest_waits_for_the_weeks_first_working_day():
    after = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # Monday: 17:00 in Berlin, 11:00 in New York
    slots = {check_slot(i, BERLIN, after).astimezone(ZoneInfo(BERLIN)) for i in range(1, 500)}
    assert {s.date() for s in slots} == {date(2026, 3, 3)} and max(s.time() for s in slots) < time(4)
    rhythm = Rhythm(NEW_YORK, time(9), frozenset(range(1, 6)))
    assert weekly_slot(rhythm, after) == datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo(NEW_YORK))  # Monday at his daily time
    monday_off = Rhythm(NEW_YORK, time(9), frozenset(range(2, 6)))
    assert weekly_slot(monday_off, after) == datetime(2026, 3, 3, 9, 0, tzinfo=ZoneInfo(NEW_YORK))  # Tuesday: his first working day


@pytest.fixture
def two_units(tmp_path: Path) -> Curriculum:
    """The fixture curriculum and a second pathway after it, so finishing the first leaves a next step."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    (content / "pathways" / "rigging.md").write_text(
        "---\nid: rigging\ntitle: Rigging L2\norder: 2\nlessons: [splices]\n---\n\nRopes aloft.\n", encoding="utf-8"
    )
    (content / "lessons" / "splices.md").write_text(
        "---\nid: splices\ntitle: Splices\nskills: [knots]\nminutes: 3\nrequires: [knots]\n---\n\n"
        "## The eye splice\nAn eye splice makes a permanent loop.\n\n## Check\nIs an eye splice permanent?\n\n"
        "- [x] Yes\n- [ ] No\n\n> It is woven into the rope.\n",
        encoding="utf-8",
    )
    result = load_curriculum(content)
    assert result.curriculum is not None, result.problems
    return result.curriculum


async def test_drifting_at_the_end_of_a_unit_gets_the_next_step_once_more_and_the_digest_says_so(
    memory: MemoryStore, clock: ManualClock, two_units: Curriculum
):
    core = Core(curriculum=two_units, store=memory, clock=clock)
    ana, _ = await team_of_two(core, memory)
    await ana.take_next_lesson()  # Tides
    await ana.next()  # Knots: Seamanship L1 finished on Monday 2 March
    await ana.read_cards_until_question()
    while any(type(r).__name__ == "Question" for r in ana.last):
        await ana.answer_correctly()
    assert "Lesson complete: Knots" in ana.text
    outbox = Outbox(clock)
    dispatcher = worker(memory, core, clock, outbox)
    await hours(dispatcher, clock, 24 * 15)  # two weeks, ignoring every offer
    [(offer, at)] = outbox.to("ana", "🧭")
    assert offer.startswith("🧭 You finished **Seamanship L1** on Mon 2 Mar. Next on your pathway: **Splices** (Rigging L2). Once more:")
    assert "**Splices**" in offer
    assert at.astimezone(ZoneInfo(BERLIN)).date() == date(2026, 3, 9) and waking(at, BERLIN), "five days on, at a working moment"
    assert (await trail_kinds(memory, "ana"))[EventKind.NEXT_STEP_OFFERED] == 1
    digests = [text for text, _ in outbox.to("max", "📋")]
    assert len(digests) == 3, "Mondays 2, 9 and 16 March"
    assert "Nobody." in digests[0].split("**Drifted")[1]
    assert "Ana finished **Seamanship L1** on Mon 2 Mar: I offered them the next step once more on Mon 9 Mar." in digests[2]


async def test_the_digest_says_who_earned_what_and_links_the_dashboard_and_a_manager_may_turn_it_off(
    memory: MemoryStore, curriculum: Curriculum, clock: ManualClock
):
    core = Core(curriculum=curriculum, store=memory, clock=clock)
    _, max_ = await team_of_two(core, memory)
    async with memory.transaction() as tx:
        her = await learner_in(tx, "ana")
        await tx.awards.add(Award("pub-1", her.id, "deckhand", "badge", 0, MONDAY + timedelta(days=3), MONDAY + timedelta(days=183), {}))
    outbox = Outbox(clock)
    dispatcher = worker(memory, core, clock, outbox, web_url="https://learn.example.com")
    await hours(dispatcher, clock, 24 * 8)  # to the Monday after
    [first, second] = [text for text, _ in outbox.to("max", "📋")]
    assert "**Earned this week** (0)" in first and "**Earned this week** (1)\n• Ana: **Deckhand**" in second
    assert (
        "Dashboard (this link works once, for 15 minutes; /team gives a new one): https://learn.example.com/dashboard/signin?token="
        in second
    )
    [said] = await max_.command("settings", "digest off")
    assert "Weekly digest off" in text_of(said)
    await hours(dispatcher, clock, 24 * 14)
    assert len(outbox.to("max", "📋")) == 2, "no more digests"
    [said] = await max_.command("settings", "digest")
    assert "Your weekly digest is off" in text_of(said)
    await max_.command("settings", "digest on")
    await hours(dispatcher, clock, 24 * 7)
    assert len(outbox.to("max", "📋")) == 3


async def test_a_learner_has_no_digest_setting(core: Core, memory: MemoryStore):
    ana = Chat(core, "ana")
    await ana.start(timezone=BERLIN)
    [said] = await ana.command("settings", "digest off")
    assert "digest" not in text_of(said).lower()
    assert (await trail_kinds(memory, "ana"))[EventKind.DIGEST_CHOSEN] == 0
