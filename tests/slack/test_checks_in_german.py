"""Issue 17 at the wire on Slack: what the app puts around a check and its feedback (the hint
under the options, the Submit button, the verdict) is in the learner's language (their Slack
locale), as the core chose it; an English learner reads what they always read."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from bot.clock import ManualClock
from bot.core import Core
from bot.store.store import SqlStore
from content.model import Curriculum
from fakes import slack_signing as signing
from fakes.slack_api import FakeSlack, elements_of, running_fake_slack, text_of
from tests.slack.client import SlackUser
from tests.slack.test_slack_app import SECRET, TOKEN, serving, slack_bot
from tests.slack.test_slack_limits import OutageCore
from tests.support import found

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with running_fake_slack(bot_token=TOKEN) as fake:
        fake.add_user("U0BEA", name="bea", real_name="Bea Wolf", display_name="Bea", tz="Europe/Vienna", locale="de-AT")
        fake.add_user("U0ANA", name="ana", real_name="Ana Lima", display_name="Ana", tz="Europe/Lisbon", locale="en-GB")
        yield fake


@pytest.fixture
async def http(fake: FakeSlack, core: Core, store, curriculum, clock, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    async with await serving(slack_bot(fake, core, store, clock), store, curriculum, clock, tmp_path) as client:
        yield client


async def first_check(learner: SlackUser, start: str, next_: str) -> list[str]:
    await learner.says("hi")
    said = await learner.presses(start)
    while not learner.asks_a_question():
        said = await learner.presses(next_)
    return said


async def ticks_and_submits(learner: SlackUser, options: list[int], submit_label: str) -> list[str]:
    """The multiple-answer check: ticks `options`, then presses the Submit button, by its label."""
    message, submit = learner.with_button(submit_label)
    checkboxes = next(e for e in elements_of(message) if e.get("type") == "checkboxes")
    block_id = next(b["block_id"] for b in message["blocks"] if checkboxes in (b.get("elements") or []))
    ticked = [o for o in checkboxes["options"] if int(o["value"]) in options]
    state = {"values": {block_id: {checkboxes["action_id"]: {"type": "checkboxes", "selected_options": ticked}}}}
    before = len(learner.messages())
    body = signing.block_actions(
        learner.id,
        learner.channel,
        message["ts"],
        submit["action_id"],
        submit["value"],
        message=message,
        label=submit["text"]["text"],
        state=state,
        response_url=learner.fake.response_url_for(learner.channel, message["ts"]),
    )
    assert (await learner.send(body)).status_code == 200
    await learner.settle(before)
    return learner.texts()


def answered(learner: SlackUser, question: str) -> list[str]:
    """The lines of the check's message as it reads now (answered, its feedback under it)."""
    [message] = [learner.current(call) for call in learner.messages() if question in text_of(learner.current(call))]
    return text_of(message).splitlines()


async def test_a_german_learners_check_and_feedback_are_in_german(fake: FakeSlack, http: httpx.AsyncClient, core: Core) -> None:
    bea = SlackUser(fake, http, SECRET, core, user_id="U0BEA")
    said = await first_check(bea, "Jetzt starten", "Weiter")
    assert said[-1].splitlines()[-1] == "_Tippe auf deine Antwort._"
    await bea.presses("1)")  # One: not right
    lines = answered(bea, "Wie viele Hochwasser")
    assert lines[-3:-1] == ["Deine Antwort: 1) Eins", "❌ *Nicht ganz.* Die Antwort: Zwei"]
    ticks = bea.texts()[-1].splitlines()
    assert ticks[-1] == "_Hake jede richtige Antwort an, dann Absenden._"
    _, submit = bea.with_button("Antwort absenden")
    assert submit["text"]["text"] == "Antwort absenden"
    await ticks_and_submits(bea, [0, 1], "Antwort absenden")
    lines = answered(bea, "Welche Tiden")
    assert lines[-3:-1] == ["Deine Antwort: 1, 2", "✅ *Richtig!*"]


async def test_an_english_learner_reads_what_they_always_read(fake: FakeSlack, http: httpx.AsyncClient, core: Core) -> None:
    ana = SlackUser(fake, http, SECRET, core, user_id="U0ANA")
    said = await first_check(ana, "Start now", "Next")
    assert said[-1].splitlines()[-1] == "_Tap your answer._"
    await ana.presses("1)")
    assert answered(ana, "How many high tides")[-3:-1] == ["Your answer: 1) One", "❌ *Not quite.* The answer: Two"]
    assert ana.texts()[-1].splitlines()[-1] == "_Tick every correct option, then Submit._"
    await ana.ticks_and_submits([0, 1])
    assert answered(ana, "Which tides")[-2] == "✅ *Correct!*"


async def test_a_german_learner_is_told_in_german_that_what_they_did_is_kept_while_the_database_is_away(
    fake: FakeSlack, core: Core, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
) -> None:
    outage = OutageCore(core)
    bot = slack_bot(fake, outage, store, clock)  # type: ignore[arg-type]  # OutageCore stands in for a Core
    async with await serving(bot, store, curriculum, clock, tmp_path) as http:
        bea = SlackUser(fake, http, SECRET, core, user_id="U0BEA")
        await bea.says("hi")
        outage.down = True
        said = await bea.presses("Jetzt starten")
    assert said == [
        "Angekommen. Ich erreiche meine Daten gerade nicht, deshalb habe ich mir gemerkt, was du geschickt hast: "
        "Es zählt, sobald sie wieder da sind, und dann mache ich dort weiter."
    ]


async def test_a_german_learners_app_home_is_headed_in_german(fake: FakeSlack, http: httpx.AsyncClient, core: Core) -> None:
    bea = SlackUser(fake, http, SECRET, core, user_id="U0BEA")
    await bea.says("hi")
    assert (await bea.send(signing.event_callback(signing.app_home_opened(bea.id)))).status_code == 200
    await fake.wait_for(lambda f: f.home_of(bea.id) is not None)
    headers = [block["text"]["text"] for block in found(fake.home_of(bea.id))["blocks"] if block["type"] == "header"]
    assert headers[:3] == ["Dein Lernen", "Nächster Schritt", "Lernpfad"]
