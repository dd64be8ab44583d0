"""The core's `TeamFromChannel`: an admin makes a team of a chat's members, in one transaction,
on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from bot.core import Core
from bot.events import LearnerRef, Start, TeamFromChannel
from bot.markup import literal
from bot.people import Person, import_people
from bot.replies import Text
from bot.store.store import SqlStore
from bot.store.teams import SqlTeams
from tests.support import found

ADMIN = LearnerRef("slack", "U0ADM", "Dee")
SHOWN_TEAM = literal("#plant-floor")  # the channel's name is text from people: literal in the core's Markdown


def slack(user_id: str, name: str = "", timezone: str | None = None) -> LearnerRef:
    return LearnerRef("slack", user_id, name, timezone)


def sync(
    members: list[LearnerRef], manager: LearnerRef | None = None, *, by: LearnerRef = ADMIN, source: str | None = None
) -> TeamFromChannel:
    return TeamFromChannel(learner=by, source_id=source, team_name="#plant-floor", members=tuple(members), manager=manager)


async def answer(core: Core, event: TeamFromChannel) -> str:
    [reply] = await core.handle(event)
    assert isinstance(reply, Text)
    return reply.text


async def members(store: SqlStore, team: str = "#plant-floor") -> set[tuple[str, str]]:
    async with store.transaction() as tx:
        [row] = [t for t in await tx.teams.all() if t.name == team]
        return {(m.platform, m.platform_user_id) for m in await tx.teams.members(row.id)}


@pytest.fixture
async def admin(store: SqlStore, clock) -> LearnerRef:
    await import_people(store, [Person("slack", ADMIN.user_id, "Dee", None, "admin", ())], now=clock.now())
    return ADMIN


async def test_the_team_follows_the_channel_and_people_from_other_platforms_stay(core: Core, store: SqlStore, clock, admin):
    await import_people(
        store,
        [Person("telegram", "4242", "Caio", "#plant-floor", "learner", ()), Person("slack", "U0B", "Bo Chen", None, "learner", ())],
        now=clock.now(),
    )
    first = await answer(core, sync([slack("U0A", "ana", "America/Chicago"), slack("U0B", "bo", "Asia/Tokyo")], manager=slack("U0ADM")))
    assert first == f"{SHOWN_TEAM}: 2 members (2 new, 0 removed); manager: @Dee"
    async with store.transaction() as tx:
        ana = found(await tx.learners.find("slack", "U0A"))
        assert (ana.display_name, ana.timezone, ana.timezone_confirmed) == ("ana", "America/Chicago", True)
        bo = found(await tx.learners.find("slack", "U0B"))
        assert (bo.display_name, bo.timezone) == ("Bo Chen", "Asia/Tokyo"), "the CSV's name stays; Slack knows the zone"
        dee = found(await tx.learners.find("slack", "U0ADM"))
        assert (dee.role, await tx.teams.managed_names(dee.id)) == ("admin", ["#plant-floor"]), "an admin stays an admin"

    second = await answer(core, sync([slack("U0B", "bo"), slack("U0C", "cy")]))
    assert second == f"{SHOWN_TEAM}: 2 members (1 new, 1 removed)"
    assert await members(store) == {("slack", "U0B"), ("slack", "U0C"), ("telegram", "4242")}
    async with store.transaction() as tx:
        assert found(await tx.learners.find("slack", "U0A")).team_id is None


async def test_a_learner_who_was_in_another_team_moves_and_keeps_their_progress(core: Core, store: SqlStore, clock, admin):
    await core.handle(Start(learner=slack("U0A", "ana"), source_id="hi", timezone="Europe/Berlin"))
    await import_people(store, [Person("slack", "U0A", "Ana", "Welding", "learner", ())], now=clock.now())
    assert await answer(core, sync([slack("U0A", "ana-on-slack")])) == f"{SHOWN_TEAM}: 1 member (1 new, 0 removed)"
    assert await members(store) == {("slack", "U0A")} and await members(store, "Welding") == set()
    async with store.transaction() as tx:
        ana = found(await tx.learners.find("slack", "U0A"))
        assert ana.display_name == "Ana", "the name L&D gave stays"
        assert [e.kind for e in await tx.trail.of(ana.id)][:1] == ["started"]


async def test_only_an_admin_may_and_a_refusal_writes_no_team(core: Core, store: SqlStore, clock):
    await import_people(store, [Person("slack", "U0BOSS", "Bo", None, "manager", ("Welding",))], now=clock.now())
    for who in (slack("U0NEW", "newcomer"), slack("U0BOSS")):
        assert not await core.may_set_teams(who)
        refused = await answer(core, sync([slack("U0A")], manager=who, by=who))
        assert refused.startswith("Only an L&D admin")
    async with store.transaction() as tx:
        assert [t.name for t in await tx.teams.all()] == ["Welding"]
        assert await tx.learners.find("slack", "U0A") is None
        assert await tx.teams.managed_names(found(await tx.learners.find("slack", "U0BOSS")).id) == ["Welding"]


async def test_a_failure_part_way_leaves_nothing_half_written(core: Core, store: SqlStore, admin, monkeypatch):
    async def broken(self: SqlTeams, learner_id: int, team_ids: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(SqlTeams, "set_managed", broken)  # the last write of a sync
    with pytest.raises(RuntimeError):
        await core.handle(sync([slack("U0A", "ana"), slack("U0B", "bo")], manager=slack("U0M", "mia")))
    async with store.transaction() as tx:
        assert await tx.teams.all() == []
        assert [await tx.learners.find("slack", u) for u in ("U0A", "U0B", "U0M")] == [None, None, None]


async def test_the_same_command_delivered_twice_counts_once(core: Core, store: SqlStore, admin):
    assert "1 new" in await answer(core, sync([slack("U0A")], source="s1"))
    assert await core.handle(sync([slack("U0B")], source="s1")) == []
    assert await members(store) == {("slack", "U0A")}
