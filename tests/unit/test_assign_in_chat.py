"""`/assign` in chat on the in-memory store: what a manager may type and what they read back,
the dashboard's access rules (a manager reaches only their teams' people, an admin everyone, a
learner nobody), names as the dashboard shows them (an ambiguous one lists them and assigns
nothing), and the notice each person assigned gets once, inside the nudge rules."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.assignments import Origin
from bot.clock import ManualClock
from bot.core import Core
from bot.events import LearnerRef
from bot.nudges import NotNow, NudgeDispatcher
from bot.people import Person, import_people
from bot.records import Assignment
from bot.replies import Reply, Text
from bot.vocabulary import EventKind, NudgeKind, NudgeStatus, Target
from content.model import Curriculum
from content.model import Role as JobRole
from tests.memory_store import MemoryStore
from tests.support import Chat, buttons_of, found

MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SAILOR = JobRole(id="sailor", title="Sailor", outcome="Sails.", requires=("deckhand",), complete_within_days=30)
PEOPLE = [
    Person("telegram", "m1", "Maria Boss", None, "manager", ("Deck",)),
    Person("telegram", "a1", "Ana Lima", "Deck", "learner", ()),
    Person("telegram", "b1", "Bo Chen", "Deck", "learner", (), roles=("sailor",)),
    Person("telegram", "c1", "Cy Ward", "Engine", "learner", (), roles=("sailor",)),
    Person("telegram", "d1", "Ana Lima", "Engine", "learner", ()),
    Person("telegram", "x1", "Xia Admin", None, "admin", ()),
]


@pytest.fixture
def memory() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)  # a Monday, 08:00 UTC


@pytest.fixture
def content(curriculum: Curriculum) -> Curriculum:
    return dataclasses.replace(curriculum, roles={"sailor": SAILOR})


@pytest.fixture
async def core(memory: MemoryStore, content: Curriculum, clock: ManualClock) -> Core:
    # The people came the week before; what their job roles assigned was told then (the test below).
    week_before = clock.now() - timedelta(days=7)
    await import_people(memory, PEOPLE, now=week_before, curriculum=content)
    async with memory.transaction() as tx:
        for nudge in await tx.nudges.all():
            await tx.nudges.cancel(nudge.learner_id, [NudgeKind.ASSIGNED], week_before)
    return Core(curriculum=content, store=memory, clock=clock)


async def test_what_a_job_role_assigns_on_import_is_told_to_each_person_once(memory: MemoryStore, content: Curriculum, clock):
    await import_people(memory, PEOPLE, now=clock.now(), curriculum=content)
    core = Core(curriculum=content, store=memory, clock=clock)
    sent: list[tuple[str, list[Reply]]] = []

    async def send(user_id: str, replies: list[Reply]) -> None:
        sent.append((user_id, replies))

    worker = NudgeDispatcher(store=memory, core=core, clock=clock, senders={"telegram": send}, worker="w")
    await worker.deliver_due()
    assert sorted(user for user, _ in sent) == ["b1", "c1"], "the two sailors"
    [notice] = sent[0][1]
    assert isinstance(notice, Text)
    assert notice.text.split("\n")[0] == "📌 **New for you**: **Deckhand** (badge), due Wed 1 Apr (in 30 days) · from your role Sailor."


def chat(core: Core, user: str = "m1", platform: str = "telegram") -> Chat:
    return Chat(core, user=user, platform=platform)


async def assigned(memory: MemoryStore, user: str, platform: str = "telegram") -> list[Assignment]:
    """What counts for the person, from a manager (the role's own assignments left out)."""
    async with memory.transaction() as tx:
        learner = found(await tx.learners.find(platform, user))
        return [a for a in await tx.assignments.of(learner.id) if a.withdrawn_at is None and a.origin == Origin.MANAGER]


async def notices(memory: MemoryStore) -> list[tuple[int, NudgeStatus]]:
    async with memory.transaction() as tx:
        return [(n.learner_id, n.status) for n in await tx.nudges.all() if n.kind == NudgeKind.ASSIGNED and n.status != NudgeStatus.SKIPPED]


async def said(maria: Chat, text: str) -> str:
    await maria.command("assign", text)
    [reply] = maria.last
    assert isinstance(reply, Text)
    return reply.text


async def test_assign_alone_explains_how_with_the_ids_and_teams_this_manager_can_use(core: Core):
    text = await said(chat(core), "")
    assert "`/assign CREDENTIAL-OR-PATHWAY to WHO by YYYY-MM-DD`" in text
    assert "**Badges**: `deckhand` (Deckhand)" in text and "**Certificates**: `mariner` (Mariner Certificate)" in text
    assert "**Pathways**: `seamanship` (Seamanship L1)" in text
    assert "**Your teams**: Deck\n" in text, "only the teams she manages"
    assert "**Job roles**: `sailor` (Sailor)" in text


async def test_a_manager_assigns_a_badge_to_their_team_by_a_date_and_each_is_told_once(core: Core, memory: MemoryStore, clock):
    maria = chat(core)
    text = await said(maria, "deckhand to team deck by 2026-03-31")
    assert text.split("\n") == [
        "📌 Assigned **Deckhand** (badge) to 2 people (team Deck), due Tue 31 Mar (in 29 days).",
        "They will see it at the top of /path, and I will tell them in chat at the next moment I may message them.",
    ]
    async with memory.transaction() as tx:
        manager = found(await tx.learners.find("telegram", "m1"))
    for user in ("a1", "b1"):
        [assignment] = await assigned(memory, user)
        assert (assignment.target_kind, assignment.target_id, assignment.due_on) == (Target.CREDENTIAL, "deckhand", date(2026, 3, 31))
        assert assignment.assigned_by == manager.id
    assert await assigned(memory, "c1") == [] and await assigned(memory, "d1") == []

    sent: list[tuple[str, list[Reply]]] = []

    async def send(user_id: str, replies: list[Reply]) -> None:
        sent.append((user_id, replies))

    worker = NudgeDispatcher(store=memory, core=core, clock=clock, senders={"telegram": send}, worker="w")
    assert (await worker.deliver_due())[:2] == (2, 2)
    assert sorted(user for user, _ in sent) == ["a1", "b1"]
    [notice] = sent[0][1]
    assert isinstance(notice, Text)
    assert notice.text == (
        "📌 **New for you**: **Deckhand** (badge), due Tue 31 Mar (in 29 days) · from Maria Boss.\n"
        "It is at the top of /path, and the next lesson I offer moves it forward."
    )
    assert [b.label for b in buttons_of(notice)] == ["Start", "My path"]
    assert await worker.deliver_due() == (0, 0, 0, 0)

    # Typed again: nothing new for anyone; a second assignment is told, and only that one.
    clock.advance(minutes=5)
    assert "was assigned to 2 people (team Deck) already" in await said(maria, "deckhand to team Deck by 2026-03-31")
    await said(maria, "seamanship to Ana Lima in 10 days")
    sent.clear()
    await worker.deliver_due()
    [(user, [second])] = sent
    assert user == "a1" and isinstance(second, Text)
    assert "**Seamanship L1** (pathway), due Thu 12 Mar (in 10 days) · from Maria Boss" in second.text
    assert "Deckhand" not in second.text, "told once"


async def test_the_learner_starts_from_the_notice_and_it_waits_for_quiet_hours_to_end(core: Core, memory: MemoryStore, clock):
    clock.set(datetime(2026, 3, 2, 21, 30, tzinfo=UTC))  # 21:30 for Ana (UTC): quiet hours
    await said(chat(core), "seamanship to Ana Lima by 2026-04-30")
    async with memory.transaction() as tx:
        [nudge] = [n for n in await tx.nudges.all() if n.kind == NudgeKind.ASSIGNED and n.status == NudgeStatus.PENDING]
    assert nudge.due_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC), "the next morning, when she may be messaged"
    sent: list[list[Reply]] = []

    async def send(user_id: str, replies: list[Reply]) -> None:
        sent.append(replies)

    worker = NudgeDispatcher(store=memory, core=core, clock=clock, senders={"telegram": send}, worker="w")
    assert (await worker.deliver_due())[0] == 0
    clock.set(datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    await worker.deliver_due()
    [[notice]] = sent
    ana = chat(core, "a1")
    ana.last = [notice]
    await ana.press("Start")
    assert ana.card.lesson_title == "Tides"


async def test_a_notice_that_did_not_go_out_is_told_again_and_a_stopped_learner_is_not_told(core: Core, memory: MemoryStore, clock):
    await said(chat(core), "deckhand to Ana Lima by 2026-03-31")
    attempts: list[list[Reply]] = []

    async def do_not_disturb_first(user_id: str, replies: list[Reply]) -> None:
        attempts.append(replies)
        if len(attempts) == 1:
            raise NotNow(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    worker = NudgeDispatcher(store=memory, core=core, clock=clock, senders={"telegram": do_not_disturb_first}, worker="w")
    await worker.deliver_due()
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    await worker.deliver_due()
    assert len(attempts) == 2 and attempts[0] == attempts[1], "the same notice, once it could go out"
    assert [status for _, status in await notices(memory)] == [NudgeStatus.SENT]

    bo = chat(core, "b1")
    await bo.command("stop")
    await said(chat(core), "deckhand to Bo Chen by 2026-03-31")
    async with memory.transaction() as tx:
        bo_id = found(await tx.learners.find("telegram", "b1")).id
    assert bo_id not in [who for who, _ in await notices(memory)], "no message the bot starts after /stop"


async def test_a_manager_is_refused_outside_their_teams_and_nothing_is_written(core: Core, memory: MemoryStore):
    maria = chat(core)
    assert (await said(maria, "deckhand to team Engine by 2026-03-31")).startswith(
        "No team called “Engine” that you can assign to. The teams you manage: Deck."
    )
    assert (await said(maria, "deckhand to Cy Ward by 2026-03-31")).startswith("No one called “Cy Ward” in the teams you manage.")
    # role X: only her teams' people in that role (Bo, not Cy of Engine)
    text = await said(maria, "seamanship to role sailor in 14 days")
    assert text.startswith("📌 Assigned **Seamanship L1** (pathway) to 1 person (job role Sailor), due Mon 16 Mar (in 14 days).")
    assert await assigned(memory, "c1") == []
    assert [a.target_id for a in await assigned(memory, "b1")] == ["seamanship"]
    assert len(await notices(memory)) == 1


async def test_an_admin_reaches_everyone_and_a_learner_is_refused_like_team(core: Core, memory: MemoryStore):
    xia = chat(core, "x1")
    text = await said(xia, "seamanship to role Sailor by 2026-06-30")
    assert text.startswith("📌 Assigned **Seamanship L1** (pathway) to 2 people (job role Sailor), due Tue 30 Jun (in 120 days).")
    assert "Cy Ward" not in text
    assert await said(xia, "deckhand to Cy Ward by 2026-03-31") != ""
    assert [a.target_id for a in await assigned(memory, "c1")] == ["seamanship", "deckhand"]

    ana = chat(core, "a1")
    assert await said(ana, "deckhand to team Deck by 2026-03-31") == "/assign is for managers. Ask your L&D team if you should have access."
    assert await said(ana, "") == "/assign is for managers. Ask your L&D team if you should have access."
    assert await assigned(memory, "b1") == [a for a in await assigned(memory, "b1") if a.target_id == "seamanship"]


async def test_an_ambiguous_name_lists_them_and_assigns_nothing_until_one_is_picked(core: Core, memory: MemoryStore):
    xia = chat(core, "x1")
    async with memory.transaction() as tx:
        deck_ana = found(await tx.learners.find("telegram", "a1")).id
        engine_ana = found(await tx.learners.find("telegram", "d1")).id
    text = await said(xia, "deckhand to ana lima by 2026-03-31")
    assert text == (
        "2 people in any team are called “ana lima”: "
        f"Ana Lima (team Deck, `learner {deck_ana}`); Ana Lima (team Engine, `learner {engine_ana}`). "
        "Nothing was assigned: write `learner ID` instead of the name to pick one."
    )
    assert await assigned(memory, "a1") == [] and await assigned(memory, "d1") == [] and await notices(memory) == []
    text = await said(xia, f"deckhand to learner {engine_ana} by 2026-03-31")
    assert text.startswith("📌 Assigned **Deckhand** (badge) to Ana Lima, due Tue 31 Mar")
    assert await assigned(memory, "a1") == [] and len(await assigned(memory, "d1")) == 1
    # A manager of one team sees one Ana Lima: no ambiguity for her.
    assert (await said(chat(core), "mariner certificate to ANA  LIMA by 2026-03-31")).startswith(
        "📌 Assigned **Mariner Certificate** (certificate) to Ana Lima"
    )
    assert [a.target_id for a in await assigned(memory, "a1")] == ["mariner"]


async def test_unknown_retired_and_past_are_refused_with_nothing_written(core: Core, memory: MemoryStore, content: Curriculum, clock):
    maria = chat(core)
    text = await said(maria, "lifeboat drill to team Deck by 2026-03-31")
    assert text.startswith("I don't know “lifeboat drill”: name a credential or pathway by its id or exact title.")
    assert "`deckhand` (Deckhand)" in text
    assert (await said(maria, "deckhand to team Deck by 2026-02-27")).startswith("27 February 2026 has passed")
    assert (await said(maria, "deckhand to team Deck by 31/03/2026")).startswith(r"“31\/03\/2026” is not a date I can read")
    assert (await said(maria, "deckhand to team Deck")).startswith("By when? End with a due date")
    assert (await said(maria, "deckhand for team Deck by 2026-03-31")).startswith("Whom to?")
    clock.advance(days=20)
    text = await said(maria, "deckhand to team Deck 14 days after joining")
    assert text.startswith("For 2 of the 2 people (Ana Lima, Bo Chen) 14 days after joining has passed already.")
    retired = dataclasses.replace(content.credentials["deckhand"], retired=True, retired_reason="replaced by Mariner")
    retiring = dataclasses.replace(content, credentials={**content.credentials, "deckhand": retired})
    later = Core(curriculum=retiring, store=memory, clock=clock)
    text = await said(chat(later), "Deckhand to team Deck by 2026-04-30")
    assert text == "**Deckhand** is retired (replaced by Mariner): it is no longer awarded, so it cannot be assigned. Nothing was assigned."
    assert await assigned(memory, "a1") == [] and await notices(memory) == []


async def test_due_in_n_days_and_n_days_after_joining_are_each_persons_own(core: Core, memory: MemoryStore, clock):
    async with memory.transaction() as tx:
        bo = found(await tx.learners.find("telegram", "b1"))
        bo.created_at = datetime(2026, 2, 25, 12, 0, tzinfo=UTC)
        await tx.learners.save(bo)
    text = await said(chat(core), "seamanship to team Deck 30 days after joining")
    assert text.startswith(
        "📌 Assigned **Seamanship L1** (pathway) to 2 people (team Deck), "
        "due 30 days after each one joined (Wed 25 Mar 2026 to Fri 27 Mar 2026)."
    )
    assert [a.due_on for a in await assigned(memory, "b1")] == [date(2026, 3, 27)]
    assert [a.due_on for a in await assigned(memory, "a1")] == [date(2026, 3, 25)]  # she came on 23 February


async def test_slack_mentions_name_people_and_a_mention_outside_the_team_is_refused(memory: MemoryStore, content: Curriculum, clock):
    await import_people(
        memory,
        [
            Person("slack", "U0MGR", "Maria", None, "manager", ("Deck",)),
            Person("slack", "U0ANA", "Ana", "Deck", "learner", ()),
            Person("slack", "U0BO", "Bo", "Deck", "learner", ()),
            Person("slack", "U0CY", "Cy", "Engine", "learner", ()),
        ],
        now=clock.now(),
    )
    maria = chat(Core(curriculum=content, store=memory, clock=clock), "U0MGR", "slack")
    text = await said(maria, "deckhand to <@U0ANA|ana> <@U0BO> by 2026-03-31")
    assert text.startswith("📌 Assigned **Deckhand** (badge) to 2 people (Ana, Bo), due Tue 31 Mar")
    assert len(await assigned(memory, "U0ANA", "slack")) == 1 and len(await assigned(memory, "U0BO", "slack")) == 1
    text = await said(maria, "seamanship to <@U0ANA> <@U0CY|cy> by 2026-03-31")
    assert text == "Cy is not in a team you manage: you can assign only to your teams' people. Nothing was assigned."
    assert await said(maria, "seamanship to <@U0NOBODY> by 2026-03-31") == (
        "I don't know someone you named yet: they have not written to me, and no team sync or import added them. Nothing was assigned."
    )
    assert [a.target_id for a in await assigned(memory, "U0ANA", "slack")] == ["deckhand"]
    assert "`/learn assign loto-practitioner to team Maintenance by 2026-04-30`" in await said(maria, "")


async def test_withdraw_takes_it_back_but_not_what_a_job_role_requires(core: Core, memory: MemoryStore):
    maria = chat(core)
    await said(maria, "seamanship to team Deck by 2026-04-30")
    text = await said(maria, "withdraw seamanship from Ana Lima")
    assert text.split("\n") == [
        "Withdrew **Seamanship L1** (pathway) from 1 person (Ana Lima).",
        "It no longer shows in their /path; whoever was told of it is told it was withdrawn.",
    ]
    assert [a.target_id for a in await assigned(memory, "a1")] == [] and len(await assigned(memory, "b1")) == 1
    text = await said(maria, "withdraw deckhand from team Deck")
    assert text.split("\n") == [
        "Nothing was withdrawn.",
        "1 person has it from a job role that requires it: change their job role instead.",
        "1 person had nothing of it assigned.",
    ]
    async with memory.transaction() as tx:
        ana = found(await tx.learners.find("telegram", "a1"))
        kinds = [e.kind for e in await tx.trail.of(ana.id)]
    assert kinds.count(EventKind.ASSIGNED) == 1 and kinds.count(EventKind.ASSIGNMENT_WITHDRAWN) == 1


WITHDRAWN_SEAMANSHIP = (
    "🗂 **No longer asked of you**: **Seamanship L1**. It was withdrawn, so it is off /path; what you learned for it stays yours."
)


async def test_a_learner_told_of_an_assignment_is_told_once_when_it_is_withdrawn(core: Core, memory: MemoryStore, clock):
    maria = chat(core)
    await said(maria, "seamanship to team Deck by 2026-04-30")
    sent: list[tuple[str, list[Reply]]] = []

    async def send(user_id: str, replies: list[Reply]) -> None:
        sent.append((user_id, replies))

    worker = NudgeDispatcher(store=memory, core=core, clock=clock, senders={"telegram": send}, worker="w")
    await worker.deliver_due()
    assert sorted(user for user, _ in sent) == ["a1", "b1"], "both told of it"
    sent.clear()
    clock.advance(minutes=5)
    await said(maria, "withdraw seamanship from Ana Lima")
    await said(maria, "deckhand to Ana Lima by 2026-03-31")
    await said(maria, "withdraw deckhand from Ana Lima")  # before she was told of it: nothing to take back
    await worker.deliver_due()
    [(user, [notice])] = sent
    assert user == "a1" and isinstance(notice, Text)
    assert notice.text == WITHDRAWN_SEAMANSHIP
    assert [b.label for b in buttons_of(notice)] == ["My path"], "nothing to start"
    sent.clear()
    clock.advance(minutes=5)
    await said(maria, "withdraw seamanship from team Deck")  # Bo's too
    await worker.deliver_due()
    assert [(user, [r.text for r in replies if isinstance(r, Text)]) for user, replies in sent] == [("b1", [WITHDRAWN_SEAMANSHIP])], (
        "Bo told once; Ana not told again"
    )


async def test_a_name_is_plain_text_in_every_reply(memory: MemoryStore, content: Curriculum, clock):
    await import_people(
        memory,
        [
            Person("telegram", "m1", "Maria", None, "manager", ("Deck",)),
            Person("telegram", "e1", "[Claim prize](https://evil.example)", "Deck", "learner", ()),
        ],
        now=clock.now(),
    )
    core = Core(curriculum=content, store=memory, clock=clock)
    text = await said(chat(core), "deckhand to [Claim prize](https://evil.example) by 2026-03-31")
    assert r"to \[Claim prize\]\(https\:\/\/evil\.example\)," in text
    assert "](" not in text
    missing = await said(chat(core), "deckhand to **Nobody** by 2026-03-31")
    assert r"“\*\*Nobody\*\*”" in missing


async def test_the_notice_is_the_bots_own_and_not_the_learners_activity(core: Core, memory: MemoryStore, clock):
    await said(chat(core), "deckhand to Ana Lima by 2026-03-31")
    clock.advance(hours=1)
    [notice] = await core.nudge(LearnerRef("telegram", "a1"), NudgeKind.ASSIGNED)
    assert isinstance(notice, Text) and "Deckhand" in notice.text
    assert await core.nudge(LearnerRef("telegram", "a1"), NudgeKind.ASSIGNED) == [], "told once"
    async with memory.transaction() as tx:
        ana = found(await tx.learners.find("telegram", "a1"))
        last, _ = await tx.trail.nudge_history(ana.id)
        told = [e for e in await tx.trail.of(ana.id) if e.kind == EventKind.ASSIGNMENT_TOLD]
    assert [e.occurred_at for e in told] == [clock.now()]
    assert last is None, "neither being assigned nor being told is her own activity (dormancy and reminders read it)"


async def test_an_admins_usage_names_at_most_thirty_teams(memory: MemoryStore, content: Curriculum, clock):
    people = [Person("telegram", f"p{n}", f"Person {n}", f"Team {n:02d}", "learner", ()) for n in range(35)]
    await import_people(memory, [*people, Person("telegram", "x1", "Xia", None, "admin", ())], now=clock.now())
    text = await said(chat(Core(curriculum=content, store=memory, clock=clock), "x1"), "")
    [teams] = [line for line in text.split("\n") if line.startswith("**Teams**")]
    assert teams.startswith("**Teams**: Team 00, Team 01") and teams.endswith("Team 29 and 5 more")
