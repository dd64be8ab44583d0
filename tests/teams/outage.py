"""A Teams bot whose database sits behind an outage proxy (tests/outage.py), with its redelivery
of kept activities running, as `serve` runs it: the outage tests in English and in German."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from adapters.inbox import Inbox
from adapters.teams.bot import TeamsBot
from bot.clock import ManualClock
from bot.core import Core
from bot.store.database import create_engine, create_sessionmaker
from bot.store.store import SqlStore
from bot.store.teams_conversations import SqlTeamsConversations
from content.model import Curriculum
from fakes.teams_connector import FakeConnector
from tests.outage import DatabaseOutage
from tests.teams.test_teams_app import held_clock, settings_for, web


@dataclass(frozen=True)
class BehindOutage:
    bot: TeamsBot
    store: SqlStore
    http: httpx.AsyncClient


@asynccontextmanager
async def teams_behind(
    outage: DatabaseOutage, fake: FakeConnector, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[BehindOutage]:
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
            yield BehindOutage(bot, store, http)
    finally:
        stopping.set()
        await redelivering
        await bot.close()
        await inbox.close()
        await engine.dispose()
