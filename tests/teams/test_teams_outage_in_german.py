"""A database outage at the wire, for a learner whose Teams is in German: the note that their
answer is kept and will count is in German (the adapter says it itself, from the activity's
locale: the learner's record is out of reach), and the answer counts once the database is back."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.clock import ManualClock
from content.model import Curriculum
from fakes.teams_connector import FakeConnector
from tests.outage import DatabaseOutage
from tests.teams.client import TeamsUser
from tests.teams.outage import teams_behind

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]

KEPT_IN_GERMAN = (
    "Angekommen. Ich erreiche meine Daten gerade nicht, deshalb habe ich mir gemerkt, was du geschickt hast: "
    "Es zählt, sobald sie wieder da sind, und dann mache ich dort weiter."
)


async def test_a_german_learner_is_told_in_german_that_their_answer_is_kept(
    fake: FakeConnector, outage: DatabaseOutage, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
) -> None:
    async with teams_behind(outage, fake, curriculum, clock, tmp_path) as teams:
        ana = TeamsUser(fake, teams.http, teams.bot)
        ana.locale = "de-DE"
        await ana.says("hi")
        await ana.presses("Jetzt starten")
        await ana.presses("Weiter")
        await ana.presses("Weiter")
        await outage.down()
        said = await ana.presses("Zwei")
        assert said == [KEPT_IN_GERMAN]
        before = len(ana.activities())
        await outage.up()
        for _ in range(300):
            if any(text.startswith("✅ Richtig.") for text in ana.texts(before)):
                break
            await asyncio.sleep(0.1)
        assert any(text.startswith("✅ Richtig.") for text in ana.texts(before)), ana.texts(before)
