"""A badge earned in Teams, end to end through the core: the learner's award notice (the badge's
image, its page and LinkedIn as links to open) in their personal chat, and the announcement in
the team channel that names them as plain text and links only to the public page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.teams.bot import TeamsBot
from bot.clock import ManualClock
from bot.core import Core
from bot.store.store import SqlStore
from bot.store.teams_conversations import SqlTeamsConversations
from content.model import Check, Curriculum
from fakes.teams_connector import FakeConnector, actions_of, card_of, running_fake_connector, text_of
from tests.integration.test_issuing_on_award import issuer_for
from tests.teams.client import TeamsUser
from tests.teams.test_teams_app import APP_ID, CHANNEL, PASSWORD, TENANT, conversations, fast_patience, settings_for, web  # noqa: F401

PUBLIC_URL = "https://learn.example.com"
NAME = "*Ana* [pay](https://evil.example.com)"
pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def fake() -> Iterator[FakeConnector]:
    with running_fake_connector(app_id=APP_ID, app_password=PASSWORD, tenant_id=TENANT) as fake:
        fake.enforce_limits = False  # thirty days of lessons: Teams' pace is not what this is about
        yield fake


def question_of(user: TeamsUser, curriculum: Curriculum) -> Check | None:
    """The check the newest card asks, if it asks one and can still be answered."""
    if not user.activities():
        return None
    newest = user.activities()[-1]
    if not actions_of(newest):
        return None
    text = text_of(newest)
    return next((c for lesson in curriculum.lessons.values() for c in lesson.checks if c.question in text), None)


async def answer_correctly(user: TeamsUser, check: Check) -> list[str]:
    correct = [i for i, option in enumerate(check.options) if option.correct]
    card = card_of(user.activities()[-1]) or {}
    if any(e.get("type") == "Input.ChoiceSet" for e in card.get("body") or []):
        return await user.ticks(*correct)
    return await user.presses(check.options[correct[0]].text[:79])


async def test_a_badge_earned_in_teams_is_noticed_in_the_chat_and_announced_in_the_channel(
    fake: FakeConnector, store: SqlStore, curriculum: Curriculum, clock: ManualClock, conversations: SqlTeamsConversations, tmp_path: Path
):
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, PUBLIC_URL))
    bot = TeamsBot(core=core, settings=settings_for(fake), conversations=conversations, patience=fast_patience())
    await bot.start()
    channel = fake.channel("General")
    try:
        async with web(bot, store, curriculum, clock, tmp_path) as http:
            ana = TeamsUser(fake, http, bot, name=NAME)
            await ana.says("hi")
            for _ in range(30):
                said = await ana.says("next")
                while (check := question_of(ana, curriculum)) is not None:
                    said += await answer_correctly(ana, check)
                if any("Deckhand" in text and "earned" in text for text in said):
                    break
                clock.advance(days=1)
            else:
                raise AssertionError("no badge in 30 days")
    finally:
        await bot.close()
    notice = next(a for a in ana.activities() if any(i.get("type") == "Image" for i in (card_of(a) or {}).get("body", [])))
    links = [a["url"] for a in actions_of(notice) if a["type"] == "Action.OpenUrl"]
    assert links[0].startswith(f"{PUBLIC_URL}/credentials/") and links[1].startswith("https://www.linkedin.com/")
    announced = [text_of(a) for a in fake.activities(channel)]
    assert len(announced) == 2 and "Deckhand" in announced[0] and "Mariner Certificate" in announced[1], announced
    assert all("](https://evil.example.com)" not in text and "∗Ana∗" in text for text in announced), "the name as typed, no link"
    for activity in fake.activities(channel):
        assert all(a["url"].startswith(f"{PUBLIC_URL}/credentials/") for a in actions_of(activity)), "only the public page"
