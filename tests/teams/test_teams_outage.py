"""A database outage at the wire: PostgreSQL goes away (a proxy in front of it cuts every
connection and refuses new ones) while a learner answers a check in Teams. The answer is kept,
the learner told so once, the card not shown as answered; once the database is back the answer
counts, once, and the card shows it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.texts import KEPT
from bot.vocabulary import EventKind
from content.model import Curriculum
from fakes.teams_connector import FakeConnector
from tests.outage import DatabaseOutage
from tests.support import found
from tests.teams.client import TeamsUser
from tests.teams.outage import teams_behind

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]


async def test_an_answer_given_while_the_database_is_down_counts_once_it_is_back(
    fake: FakeConnector, outage: DatabaseOutage, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
):
    async with teams_behind(outage, fake, curriculum, clock, tmp_path) as teams:
        ana = TeamsUser(fake, teams.http, teams.bot)
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
        async with teams.store.transaction() as tx:
            learner = found(await tx.learners.find("teams", ana.id))
            kinds = [e.kind for e in await tx.trail.of(learner.id)]
        assert kinds.count(EventKind.ANSWERED) == 1, kinds
