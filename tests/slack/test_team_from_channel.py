"""`/learn team sync #channel [@manager]` at the wire: an admin makes a team of a Slack channel's
members. Signed slash commands go to the real bolt app; the members come page by page from the
fake Slack Web API (fakes/slack_api.py); the team is checked in the database and in what
the manager sees with `/learn team`."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from adapters.slack.app import SlackBot, SlackSettings
from bot.clock import ManualClock
from bot.core import Core
from bot.people import Person, import_people
from bot.store.store import SqlStore
from content.model import Curriculum
from fakes.slack_api import FakeSlack, running_fake_slack
from tests.slack.client import SlackUser
from tests.slack.test_slack_app import SECRET, TOKEN, serving
from tests.support import found

CHANNEL = "C0DESIGN"
DESIGN = f"<#{CHANNEL}|product-design>"  # how Slack escapes a channel picked from its suggestions
TEAM = "#product-design"
ADMIN, MANAGER, HELPER_BOT = "U0ADM", "U0MGR", "U0HELPER"
PEOPLE = [f"U0M{i:02d}" for i in range(1, 12)]  # 11 people, the bot and a helper bot: three pages of 5
PAGE = 5


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with running_fake_slack(bot_token=TOKEN) as fake:
        fake.add_user(ADMIN, "dee", real_name="Dee Admin")
        fake.add_user(MANAGER, "ana", real_name="Ana Lima")
        fake.add_user(HELPER_BOT, "standup-helper", is_bot=True)
        for number, user in enumerate(PEOPLE, start=1):
            fake.add_user(user, f"member{number}", tz="Asia/Tokyo" if number == 1 else "Europe/Lisbon")
        fake.add_channel(CHANNEL, "product-design", [*PEOPLE[:6], HELPER_BOT, *PEOPLE[6:]])
        yield fake


@pytest.fixture
async def http(
    fake: FakeSlack, core: Core, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    settings = SlackSettings(bot_token=TOKEN, signing_secret=SECRET, api_url=fake.api_url)
    bot = SlackBot(core=core, store=store, settings=settings, clock=clock, member_page_size=PAGE)
    async with await serving(bot, store, curriculum, clock, tmp_path) as client:
        yield client


@pytest.fixture
async def admin(fake: FakeSlack, http: httpx.AsyncClient, core: Core, store: SqlStore, clock: ManualClock) -> SlackUser:
    await import_people(store, [Person("slack", ADMIN, "Dee", None, "admin", ())], now=clock.now())
    return SlackUser(fake, http, SECRET, core, user_id=ADMIN)


def user(fake: FakeSlack, http: httpx.AsyncClient, core: Core, user_id: str) -> SlackUser:
    return SlackUser(fake, http, SECRET, core, user_id=user_id)


async def command(who: SlackUser, text: str, channel: str | None = None) -> str:
    """Type `/learn <text>` (in the DM, or in `channel`); what the app answers in the DM, as Slack
    shows it (mrkdwn's &amp; &lt; &gt; unescaped)."""
    before = len(who.messages())
    response = await who.slash(text, channel=channel)
    assert response.status_code == 200, response.text
    await who.settle(before)
    return html.unescape("\n".join(who.texts(before)))


async def team_members(store: SqlStore, name: str = TEAM) -> set[str] | None:
    async with store.transaction() as tx:
        team = next((t for t in await tx.teams.all() if t.name == name), None)
        return None if team is None else {m.platform_user_id for m in await tx.teams.members(team.id)}


def member_reads(fake: FakeSlack) -> list[dict[str, object]]:
    return [c.params for c in fake.calls if c.method == "conversations.members"]


async def test_an_admin_makes_a_team_of_a_channel_larger_than_one_page_and_its_manager_sees_it(
    admin: SlackUser, fake: FakeSlack, http: httpx.AsyncClient, core: Core, store: SqlStore
):
    answer = await command(admin, f"team sync {DESIGN} <@{MANAGER}|ana>")

    assert answer == f"{TEAM}: 11 members (11 new, 0 removed); manager: @ana"
    reads = member_reads(fake)
    assert len(reads) == 3 and [r.get("limit") for r in reads] == [str(PAGE)] * 3
    assert "cursor" not in reads[0] and reads[1]["cursor"] and reads[2]["cursor"], "every page was followed"
    assert await team_members(store) == set(PEOPLE), "exactly the people: no bots, and the manager is not a member"
    async with store.transaction() as tx:
        assert await tx.learners.find("slack", HELPER_BOT) is None and await tx.learners.find("slack", fake.bot_user_id) is None
        first = found(await tx.learners.find("slack", PEOPLE[0]))
        assert (first.display_name, first.timezone, first.role) == ("member1", "Asia/Tokyo", "learner")
        manager = found(await tx.learners.find("slack", MANAGER))
        assert (manager.role, await tx.teams.managed_names(manager.id)) == ("manager", [TEAM])

    seen_by_manager = await command(user(fake, http, core, MANAGER), "team")
    assert TEAM in seen_by_manager and "11 learners" in seen_by_manager, seen_by_manager


async def test_a_second_sync_takes_out_who_left_and_they_keep_their_progress(
    admin: SlackUser, fake: FakeSlack, http: httpx.AsyncClient, core: Core, store: SqlStore
):
    leaver = user(fake, http, core, PEOPLE[0])
    await leaver.says("hi")
    await leaver.presses("Start now")  # in the middle of a lesson
    async with store.transaction() as tx:
        events_before = len(await tx.trail.of(found(await tx.learners.find("slack", leaver.id)).id))
    assert await command(admin, f"team sync {DESIGN}") == f"{TEAM}: 11 members (11 new, 0 removed)"

    fake.add_user("U0NEW", "newcomer")
    fake.set_members(CHANNEL, [*PEOPLE[1:], HELPER_BOT, "U0NEW"])
    # Typed in the channel itself, with no channel named: that channel; the answer comes in the DM.
    answer = await command(admin, "team sync", channel=CHANNEL)

    assert answer == f"{TEAM}: 11 members (1 new, 1 removed)"
    assert await team_members(store) == {*PEOPLE[1:], "U0NEW"}
    assert fake.messages_in(CHANNEL) == [], "nothing is posted in the channel"
    async with store.transaction() as tx:
        gone = found(await tx.learners.find("slack", leaver.id))
        assert gone.team_id is None
        assert len(await tx.trail.of(gone.id)) == events_before
    [welcome, *_] = await leaver.says("hi")
    assert "You were in the middle of" in welcome and "Tides" in welcome, welcome


async def test_learners_and_managers_are_refused_and_nothing_changes(
    admin: SlackUser, fake: FakeSlack, http: httpx.AsyncClient, core: Core, store: SqlStore, clock: ManualClock
):
    await import_people(store, [Person("slack", MANAGER, "Ana", "Other", "manager", ("Other",))], now=clock.now())
    learner = user(fake, http, core, PEOPLE[1])
    await learner.says("hi")
    async with store.transaction() as tx:
        people_before = sum((await tx.nudges.delivery_status(clock.now())).learners.values())

    for who in (learner, user(fake, http, core, MANAGER)):
        answer = await command(who, f"team sync {DESIGN} <@{who.id}|me>")
        assert answer.startswith("Only an L&D admin can make a team from a channel's members.")

    assert member_reads(fake) == [] and not [c for c in fake.calls if c.method == "conversations.info"]
    assert await team_members(store) is None
    async with store.transaction() as tx:
        assert sum((await tx.nudges.delivery_status(clock.now())).learners.values()) == people_before
        assert found(await tx.learners.find("slack", PEOPLE[1])).role == "learner"
        assert await tx.teams.managed_names(found(await tx.learners.find("slack", MANAGER)).id) == ["Other"]


async def test_a_channel_the_bot_cannot_read_gets_an_answer_that_says_what_to_do(admin: SlackUser, fake: FakeSlack, store: SqlStore):
    fake.add_channel("G0SECRET", "leadership", PEOPLE[:3], private=True, bot_is_member=False)
    hidden = await command(admin, "team sync <#G0SECRET|leadership>")
    assert "I cannot find that channel. If it is a private channel, add me to it" in hidden and "`/invite`" in hidden

    fake.fail_next("conversations.members", error="not_in_channel")
    outside = await command(admin, f"team sync {DESIGN}")
    assert f"I am not a member of {TEAM}" in outside and "`/invite`" in outside

    async with store.transaction() as tx:
        assert await tx.teams.all() == []
        assert await tx.learners.find("slack", PEOPLE[0]) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("team sync", "To make a team of a channel's members, type `/learn team sync #channel`"),
        ("team sync product-design", "To make a team of a channel's members"),
        ("team sync #product-design", "I cannot tell which channel “#product-design” is: Slack did not turn it into a channel link"),
        (f"team sync {DESIGN} @ana", "I cannot tell who “@ana” is"),
        (f"team sync {DESIGN} <#C0OTHER1|other>", "To make a team of a channel's members"),
        (f"team sync {DESIGN} <@{MANAGER}|ana> today", "To make a team of a channel's members"),
        (f"team sync {DESIGN} <@{HELPER_BOT}|standup-helper>", "A bot or an app cannot manage a team: name a person."),
    ],
)
async def test_a_malformed_command_gets_usage_help_and_changes_nothing(
    admin: SlackUser, fake: FakeSlack, store: SqlStore, text: str, expected: str
):
    answer = await command(admin, text)
    assert expected in answer, answer
    assert member_reads(fake) == []
    async with store.transaction() as tx:
        assert await tx.teams.all() == []
