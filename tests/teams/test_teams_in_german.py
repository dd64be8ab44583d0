"""Issue 17 at the wire on Teams: a learner whose Teams is in German reads the words the cards
add around a lesson (the check's position and hint, the Submit button, the verdict) in German,
as the core chose them; an English learner's cards say what they always said. SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from fakes.teams_connector import FakeConnector, card_of
from tests.support import found
from tests.teams.client import TeamsUser
from tests.teams.test_teams_app import ana, bot, conversations  # noqa: F401

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def lines(activity: dict[str, Any]) -> list[str]:
    """A card's text blocks, each as the person reads it."""
    return [str(block["text"]) for block in found(card_of(activity))["body"] if block.get("type") == "TextBlock"]


async def through_the_first_lesson(learner: TeamsUser, start: str, next_: str) -> list[dict[str, Any]]:
    await learner.says("hi")
    await learner.presses(start)
    await learner.presses(next_)
    await learner.presses(next_)
    return learner.activities()


async def test_a_german_learner_reads_the_checks_and_feedback_in_german(ana: TeamsUser, fake: FakeConnector) -> None:
    ana.locale = "de-DE"
    activities = await through_the_first_lesson(ana, "Jetzt starten", "Weiter")
    question = activities[-1]
    assert lines(question)[0] == "Frage 3 von 4"
    await ana.presses("Zwei")
    verdict = next(a for a in ana.activities() if lines(a)[0].startswith(("✅", "❌")))
    assert lines(verdict)[0] == "✅ Richtig."
    ticks = ana.activities()[-1]
    assert lines(ticks)[0] == "Frage 4 von 4"
    assert "Hake jede richtige Antwort an, dann Absenden." in lines(ticks)
    assert ana.buttons(ticks) == ["Absenden"]
    await ana.ticks(0)  # one of the two right answers: not quite
    wrong = next(a for a in reversed(ana.activities()) if lines(a) and lines(a)[0].startswith("❌"))
    assert lines(wrong)[0] == "❌ Nicht ganz."
    assert lines(wrong)[1].startswith("Die richtige Antwort: ")


async def test_an_english_learner_reads_what_they_always_read(ana: TeamsUser) -> None:
    activities = await through_the_first_lesson(ana, "Start now", "Next")
    assert lines(activities[-1])[0] == "Check 3 of 4"
    await ana.presses("Two")
    verdict = next(a for a in ana.activities() if lines(a)[0].startswith(("✅", "❌")))
    assert lines(verdict)[0] == "✅ Correct."
    ticks = ana.activities()[-1]
    assert "Tick every right answer, then Submit." in lines(ticks) and ana.buttons(ticks) == ["Submit"]
    await ana.ticks(0)
    wrong = next(a for a in reversed(ana.activities()) if lines(a) and lines(a)[0].startswith("❌"))
    assert lines(wrong)[0] == "❌ Not quite."
    assert lines(wrong)[1].startswith("The right answer: ")
