"""`/learn team sync #channel [@manager] role ROLE` at the wire: an admin gives a Slack channel's
members a job role, which assigns what the role requires. Signed slash commands go to the real
bolt app, the members come from the fake Slack Web API; the roles and assignments are checked
in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.assignments import current, roles_at
from bot.clock import ManualClock
from bot.people import Person, import_people
from bot.store.store import SqlStore
from bot.vocabulary import EventKind
from content.model import Curriculum
from fakes.slack_api import FakeSlack
from tests.job_roles import with_job_roles
from tests.slack.client import SlackUser
from tests.slack.test_team_from_channel import (  # noqa: F401 - fixtures, by name
    CHANNEL,
    DESIGN,
    MANAGER,
    PEOPLE,
    TEAM,
    admin,
    command,
    fake,
    http,
    member_reads,
    team_members,
)
from tests.support import found


@pytest.fixture
def curriculum(curriculum: Curriculum) -> Curriculum:
    return with_job_roles(curriculum)


async def held(store: SqlStore, user_id: str, clock: ManualClock) -> tuple[set[str], dict[str, tuple[date, str, int | None]]]:
    """The person's job roles now, and what counts for them: target -> (due, origin, by)."""
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("slack", user_id))
        roles = roles_at(await tx.job_roles.of(learner.id), clock.now())
        counting = current(await tx.assignments.of(learner.id), clock.now())
    return roles, {key[1]: (a.due_on, a.origin, a.assigned_by) for key, a in counting.items()}


async def test_team_sync_with_a_role_gives_every_member_the_role_and_what_it_requires(
    admin: SlackUser, fake: FakeSlack, store: SqlStore, clock: ManualClock, curriculum: Curriculum
):
    # One member is a navigator already: Deckhand is assigned to them by that role.
    two = Person("slack", PEOPLE[1], "Two", None, "learner", (), ("navigator",))
    await import_people(store, [two], now=clock.now(), curriculum=curriculum)

    answer = await command(admin, f"team sync {DESIGN} <@{MANAGER}|ana> role deck-crew")

    assert answer == (
        f"{TEAM}: 11 members (11 new, 0 removed); manager: @ana."
        " Job role Deck crew: given to 11 (0 had it already), 10 credentials assigned"
    )
    async with store.transaction() as tx:
        dee = found(await tx.learners.find("slack", admin.id))
    # 30 days (the role's complete_within_days) from each member's today: in Tokyo and Lisbon, 2 March.
    assert await held(store, PEOPLE[0], clock) == ({"deck-crew"}, {"deckhand": (date(2026, 4, 1), "role:deck-crew", dee.id)})
    roles, assigned = await held(store, PEOPLE[1], clock)
    assert roles == {"deck-crew", "navigator"}, "a member's other job roles stay"
    assert assigned["deckhand"][1] == "role:navigator", "assigned already: not assigned again"
    assert await held(store, MANAGER, clock) == (set(), {}), "the manager is not a member: no job role"
    async with store.transaction() as tx:
        synced = [e.payload for e in await tx.trail.of(dee.id) if e.kind == EventKind.TEAM_SYNCED]
    assert {"job_role": "deck-crew", "role_given": 11, "assigned": 10}.items() <= synced[-1].items()

    clock.advance(days=2)
    fake.set_members(CHANNEL, PEOPLE[1:])
    answer = await command(admin, f"team sync {DESIGN} role Navigator")  # a role's title works too

    assert answer == (
        f"{TEAM}: 10 members (0 new, 1 removed). Job role Navigator: given to 9 (1 had it already), 9 credentials assigned."
        " Those taken out of the team keep their job roles"
    )
    assert await team_members(store) == set(PEOPLE[1:])
    assert (await held(store, PEOPLE[0], clock))[0] == {"deck-crew"}, "taken out of the team, the job role stays"
    assert await held(store, PEOPLE[2], clock) == (
        {"deck-crew", "navigator"},
        {
            "deckhand": (date(2026, 4, 1), "role:deck-crew", dee.id),
            "mariner": (date(2026, 3, 4) + timedelta(days=60), "role:navigator", dee.id),
        },
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"team sync {DESIGN} role captain",
            "I don't know the job role “captain”. The job roles are: deck-crew (Deck crew), navigator (Navigator). Nothing was changed.",
        ),
        (
            f"team sync {DESIGN} <@{MANAGER}|ana> role",
            "Name the job role after “role”, e.g. `/learn team sync #line-2 role machine-operator`.",
        ),
    ],
)
async def test_an_unknown_or_missing_role_is_answered_and_nothing_changes(
    admin: SlackUser, fake: FakeSlack, store: SqlStore, clock: ManualClock, text: str, expected: str
):
    answer = await command(admin, text)

    assert answer.startswith(expected), answer
    assert await team_members(store) is None
    async with store.transaction() as tx:
        assert await tx.learners.find("slack", PEOPLE[0]) is None and await tx.learners.find("slack", MANAGER) is None
        assert await tx.job_roles.holders("deck-crew", at=clock.now()) == []
