"""`/learn assign` at the wire: signed slash commands to the real bolt app, people picked with
Slack's @ suggestions (the text carries `<@U…|name>`), the reply in the manager's DM; the
learner's notice goes out through the nudge dispatcher and the app's DM sender, inside her own
waking hours (America/Chicago), with what, from whom and the due date. On SQLite and PostgreSQL:
what is assigned and the notice's state are kept in the database."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from adapters.slack.app import SlackBot
from bot.clock import ManualClock
from bot.core import Core
from bot.nudges import NudgeDispatcher
from bot.people import Person, import_people
from bot.store.store import SqlStore
from bot.vocabulary import NudgeKind, NudgeStatus
from content.model import Curriculum
from fakes.slack_api import FakeSlack, running_fake_slack
from tests.slack.client import SlackUser
from tests.slack.test_slack_app import SECRET, TOKEN, serving, slack_bot
from tests.support import found

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
MARIA, ANA, CY = "U0MGR", "U0ANA", "U0CY"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with running_fake_slack(bot_token=TOKEN) as fake:
        fake.add_user(MARIA, "maria", real_name="Maria Boss", display_name="Maria Boss", tz="Europe/Lisbon")
        fake.add_user(ANA, "ana", real_name="Ana Lima", tz="America/Chicago")
        fake.add_user(CY, "cy", real_name="Cy Ward", tz="Europe/Lisbon")
        yield fake


@pytest.fixture
def bot(fake: FakeSlack, core: Core, store: SqlStore, clock: ManualClock) -> SlackBot:
    return slack_bot(fake, core, store, clock)


@pytest.fixture
async def http(
    bot: SlackBot, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    async with await serving(bot, store, curriculum, clock, tmp_path) as client:
        yield client


async def command(who: SlackUser, text: str) -> str:
    """`/learn <text>` in the DM; what the app answers there, as Slack shows it."""
    before = len(who.messages())
    response = await who.slash(text)
    assert response.status_code == 200, response.text
    await who.settle(before)
    return html.unescape("\n".join(who.texts(before)))


async def test_a_manager_assigns_with_a_mention_and_the_learner_is_told_in_her_waking_hours(
    fake: FakeSlack, http: httpx.AsyncClient, bot: SlackBot, core: Core, store: SqlStore, clock: ManualClock
):
    ana = SlackUser(fake, http, SECRET, core, user_id=ANA)
    await ana.says("hi")  # she has a DM with the app, in her own timezone
    await import_people(
        store,
        [
            Person("slack", MARIA, "Maria Boss", None, "manager", ("Deck",)),
            Person("slack", ANA, "Ana Lima", "Deck", "learner", ()),
            Person("slack", CY, "Cy Ward", "Engine", "learner", ()),
        ],
        now=clock.now(),
    )
    maria = SlackUser(fake, http, SECRET, core, user_id=MARIA)

    usage = await command(maria, "assign")
    assert "/learn assign CREDENTIAL-OR-PATHWAY to WHO by YYYY-MM-DD" in usage and "pick them with @" in usage
    refused = await command(maria, f"assign deckhand to <@{CY}|cy> by 2026-03-31")
    assert refused == "Cy Ward is not in a team you manage: you can assign only to your teams' people. Nothing was assigned."

    # Monday 08:00 UTC: 08:00 for Maria in Lisbon, 02:00 for Ana in Chicago.
    reply = await command(maria, f"assign deckhand to <@{ANA}|ana> by 2026-03-31")
    assert reply.split("\n") == [
        "📌 Assigned *Deckhand* (badge) to Ana Lima, due Tue 31 Mar (in 29 days).",
        "They will see it at the top of /path, and I will tell them in chat at the next moment I may message them.",
    ]
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("slack", ANA))
        manager = found(await tx.learners.find("slack", MARIA))
        [assignment] = await tx.assignments.of(learner.id)
        [notice] = [n for n in await tx.nudges.all(learner.id) if n.kind == NudgeKind.ASSIGNED]
        assert await tx.assignments.of(found(await tx.learners.find("slack", CY)).id) == []
    assert (assignment.target_id, assignment.due_on, assignment.assigned_by) == ("deckhand", date(2026, 3, 31), manager.id)
    assert notice.due_at == datetime(2026, 3, 2, 14, 0, tzinfo=UTC), "08:00 in Chicago, when her quiet hours end"

    dispatcher = NudgeDispatcher(store=store, core=core, clock=clock, senders={"slack": bot.send_to_user}, worker="w")
    before = len(ana.messages())
    assert (await dispatcher.deliver_due())[0] == 0, "nothing at 02:00 for her"
    clock.set(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    await dispatcher.deliver_due()
    await ana.settle(before)
    [told] = [html.unescape(t) for t in ana.texts(before)]
    assert told.split("\n") == [
        "📌 *New for you*: *Deckhand* (badge), due Tue 31 Mar (in 29 days) · from Maria Boss.",
        "It is at the top of /path, and the next lesson I offer moves it forward.",
    ]
    async with store.transaction() as tx:
        assert [n.status for n in await tx.nudges.all(learner.id) if n.kind == NudgeKind.ASSIGNED] == [NudgeStatus.SENT]
    said = await ana.presses("Start")
    assert any("Two tides a day" in t for t in said), said
    await dispatcher.deliver_due()
    assert not any("New for you" in t for t in ana.texts(before + 1)), "told once"
