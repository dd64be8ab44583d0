"""A database outage at the wire: PostgreSQL goes away (a proxy in front of it cuts every
connection and refuses new ones) while a learner answers a check in Teams. The answer is kept,
the learner told so once, the card not shown as answered; once the database is back the answer
counts, once, and the card shows it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from adapters.inbox import Inbox
from adapters.teams.bot import TeamsBot
from bot.clock import ManualClock
from bot.core import Core
from bot.store.database import create_engine, create_sessionmaker
from bot.store.store import SqlStore
from bot.store.teams_conversations import SqlTeamsConversations
from bot.texts import KEPT
from bot.vocabulary import EventKind
from content.model import Curriculum
from fakes.teams_connector import FakeConnector, running_fake_connector
from tests.outage import DatabaseOutage
from tests.support import found
from tests.teams.client import TeamsUser
from tests.teams.test_teams_app import APP_ID, PASSWORD, TENANT, held_clock, settings_for, web

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]


@pytest.fixture
def fake() -> Iterator[FakeConnector]:
    with running_fake_connector(app_id=APP_ID, app_password=PASSWORD, tenant_id=TENANT) as fake:
        yield fake


@pytest.fixture
async def outage(database_url: str) -> AsyncIterator[DatabaseOutage]:
    proxy = DatabaseOutage(database_url)
    await proxy.up()
    yield proxy
    await proxy.down()


async def test_an_answer_given_while_the_database_is_down_counts_once_it_is_back(
    fake: FakeConnector, outage: DatabaseOutage, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
):
    engine = create_engine(outage.url)
    store = SqlStore(create_sessionmaker(engine))
    core = Core(curriculum=curriculum, store=store, clock=clock)
    inbox = await Inbox(tmp_path / "inbox.sqlite3").open()
    bot = TeamsBot(
        core=core, settings=settings_for(fake), conversations=SqlTeamsConversations(engine, clock), inbox=inbox, patience=held_clock(fake)
    )
    await bot.start()
    stopping = asyncio.Event()
    redelivering = asyncio.create_task(bot.redeliver(stopping, every=0.2))
    try:
        async with web(bot, store, curriculum, clock, tmp_path) as http:
            ana = TeamsUser(fake, http, bot)
            await ana.says("hi")
            await ana.presses("Start now")
            await ana.presses("Next")
            said = await ana.presses("Next")
            assert "How many high tides" in said[-1]
            question, _ = ana.with_button("Two")

            await outage.down()
            said = await ana.presses("Two")
            assert said == [KEPT], "told plainly that the answer is kept and will count"
            assert ana.buttons(next(a for a in ana.activities() if a["id"] == question["id"])), "not shown as answered"
            before = len(ana.activities())
            await ana.says("progress")  # more while the database is away: kept, in order, told once
            assert len(ana.activities()) == before

            await outage.up()
            for _ in range(300):
                if any("Your progress" in text for text in ana.texts(before)):
                    break
                await asyncio.sleep(0.1)
            later = ana.texts(before)
            assert any("Correct" in text for text in later), later
            assert next(i for i, t in enumerate(later) if "Correct" in t) < next(i for i, t in enumerate(later) if "Your progress" in t)
            assert ana.buttons(next(a for a in ana.activities() if a["id"] == question["id"])) == [], "now shown as answered"
        async with store.transaction() as tx:
            learner = found(await tx.learners.find("teams", ana.id))
            kinds = [e.kind for e in await tx.trail.of(learner.id)]
        assert kinds.count(EventKind.ANSWERED) == 1, kinds
    finally:
        stopping.set()
        await redelivering
        await bot.close()
        await inbox.close()
        await engine.dispose()
