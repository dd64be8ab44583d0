"""The Teams adapter at the wire: the real Teams SDK (microsoft-teams-apps) inside the project's
ASGI app, sent activities signed by a fake Bot Connector on 127.0.0.1 (its own RSA key, OpenID
metadata and keys, fakes/teams_connector.py), whose REST API the bot calls back with a token it
got from the fake's token endpoint; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.teams.bot import TeamsBot
from adapters.teams.pacing import Pacer
from adapters.teams.patience import Patience
from bot.clock import ManualClock
from bot.core import Core
from bot.nudges import NudgeDispatcher
from bot.people import Person, import_people
from bot.replies import Announcement, Text
from bot.store.database import create_engine
from bot.store.store import SqlStore
from bot.store.teams_conversations import SqlTeamsConversations
from bot.teams_settings import TeamsSettings
from bot.vocabulary import EventKind
from content.model import Curriculum
from fakes.teams_connector import FakeConnector, card_of, text_of
from tests.integration.test_issuing_on_award import issuer_for
from tests.support import found
from tests.teams.client import TeamsUser
from web.app import create_app

APP_ID = "6f1c2a90-3b7e-4a51-9d0e-2c4b8e7f1a23"
PASSWORD = "fake-client-secret-Xq8~"
TENANT = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
CHANNEL = "19:general@thread.tacv2"
pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def settings_for(fake: FakeConnector, announce: str | None = CHANNEL) -> TeamsSettings:
    return TeamsSettings(
        app_id=APP_ID,
        app_password=PASSWORD,
        tenant_id=TENANT,
        announce_conversation=announce,
        service_url=fake.service_url,
        login_url=fake.login_url,
        openid_metadata_url=fake.openid_metadata_url,
    )


@pytest.fixture
async def conversations(database_url: str, clock: ManualClock) -> AsyncIterator[SqlTeamsConversations]:
    engine = create_engine(database_url)
    yield SqlTeamsConversations(engine, clock)
    await engine.dispose()


def fast_patience() -> Patience:
    """Waits as told (Retry-After), without the seconds of a real backoff when none is told."""
    return Patience(first_wait=0.01)


def held_clock(fake: FakeConnector, *, paced: bool = False) -> Patience:
    """The fake's limits read a clock that moves only when the bot waits (by what it waits), so
    what a test of the limits asserts does not depend on how fast a loaded machine sends.
    `paced`: the bot keeps under the limits on that clock too (as `serve` runs it)."""
    now = [1000.0]
    fake.rate_clock = lambda: now[0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds
        await asyncio.sleep(0)

    return Patience(sleep=sleep, pacer=Pacer(clock=lambda: now[0], sleep=sleep) if paced else None)


async def started(fake: FakeConnector, core: Core, conversations: SqlTeamsConversations, patience: Patience | None = None) -> TeamsBot:
    bot = TeamsBot(core=core, settings=settings_for(fake), conversations=conversations, patience=patience or fast_patience())
    await bot.start()
    return bot


def web(bot: TeamsBot, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path) -> httpx.AsyncClient:
    app = create_app(store=store, curriculum=curriculum, issuer=issuer_for(tmp_path), clock=clock, platform_routers=[bot.adapter.router])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://learn.example.com")


@pytest.fixture
async def bot(fake: FakeConnector, core: Core, conversations: SqlTeamsConversations) -> AsyncIterator[TeamsBot]:
    bot = await started(fake, core, conversations, held_clock(fake))
    yield bot
    await bot.close()


@pytest.fixture
async def ana(
    fake: FakeConnector, bot: TeamsBot, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[TeamsUser]:
    async with web(bot, store, curriculum, clock, tmp_path) as http:
        yield TeamsUser(fake, http, bot)


async def test_installing_the_app_greets_the_learner_with_the_first_lesson_offered(ana: TeamsUser, fake: FakeConnector, store: SqlStore):
    [greeting] = await ana.installs()
    assert "Hi Ana Lima!" in greeting
    assert "Europe/Berlin" in greeting, "the timezone Teams' client gave"
    assert ana.with_button("Start now")
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("teams", "29:ana"))
        assert learner.timezone == "Europe/Berlin"
    assert fake.token_requests == 1, "one token for every call"


async def test_a_whole_lesson_with_checks_and_the_answered_check_cannot_be_answered_again(ana: TeamsUser, fake: FakeConnector):
    await ana.says("hi")
    said = await ana.presses("Start now")
    assert "Two tides a day" in said[-1]
    await ana.presses("Next")
    said = await ana.presses("Next")
    assert "How many high tides do most coasts see in a day?" in said[-1]
    question, _ = ana.with_button("Two")
    said = await ana.presses("Two")
    assert any("Correct" in text for text in said), said
    answered = next(a for a in ana.activities() if a["id"] == question["id"])
    assert ana.buttons(answered) == [], "no buttons left on the answered check"
    assert "Two" in text_of(answered) and fake.updates(ana.conversation, question["id"]) == 1
    # The multiple-answer check: ticks, then Submit.
    ticked = ana.activities()[-1]
    said = await ana.ticks(0, 1)
    assert any("Lesson complete" in text for text in said), said
    answered_ticks = next(a for a in ana.activities() if a["id"] == ticked["id"])
    assert ana.buttons(answered_ticks) == [] and "Input.ChoiceSet" not in str(answered_ticks), "nothing left to tick"
    options = [c["title"] for c in found(card_of(ticked))["body"][-1]["choices"]]
    assert f"{options[0]}; {options[1]}" in text_of(answered_ticks), "what was ticked, in words"
    # Seven operations a second in a conversation: a fast learner meets Teams' limit, and waits.
    assert all(call.status in (200, 201, 429) for call in fake.calls()), [c for c in fake.calls() if c.status >= 300]
    assert fake.early_retries == 0, "never before the Retry-After ran out"


async def test_typed_commands_and_an_unknown_one(ana: TeamsUser):
    await ana.says("hi")
    [path] = await ana.says("path")
    assert "Tides" in path
    [unknown] = await ana.says("/frobnicate")
    assert "frobnicate" in unknown


@pytest.mark.parametrize(
    "forgery",
    ["missing", "not a jwt", "other key", "wrong audience", "wrong issuer", "expired", "other service url"],
)
async def test_forged_missing_or_expired_tokens_are_refused_and_nothing_is_acted_on(
    ana: TeamsUser, fake: FakeConnector, conversations: SqlTeamsConversations, forgery: str
):
    activity = ana.activity(text="hi")
    headers = {
        "missing": {"Content-Type": "application/json"},
        "not a jwt": {"Authorization": "Bearer abc.def.ghi"},
        "other key": fake.signed(activity, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "wrong audience": fake.signed(activity, audience="00000000-0000-0000-0000-000000000000"),
        "wrong issuer": fake.signed(activity, issuer="https://evil.example.com"),
        "expired": fake.signed(activity, lifetime=-600),
        "other service url": fake.signed(activity, service_url="https://evil.example.com/teams"),
    }[forgery]
    response = await ana.post(activity, headers)
    await ana.bot.join()
    assert response.status_code == 401
    assert fake.calls() == [] and fake.token_requests == 0, "no API call"
    assert await conversations.personal(ana.id) is None, "nothing written"


async def test_a_429_storm_delays_replies_but_drops_none(ana: TeamsUser, fake: FakeConnector):
    await ana.says("hi")
    fake.fail_next(429, times=4, retry_after=1)
    fake.fail_next(502)
    fake.fail_next(412)
    fake.fail_next(504)
    said = await ana.presses("Start now")
    assert "Two tides a day" in said[-1]
    assert fake.throttled() == 4 and ana.bot.patience.retries == 7, "each answered, and waited out, once"
    assert fake.early_retries == 0


async def test_the_per_conversation_limit_is_met_by_waiting_not_by_dropping(ana: TeamsUser, fake: FakeConnector, core: Core):
    """Seven operations a second per conversation: a burst of replies meets 429s and waits them
    out; every reply arrives, in order."""
    await ana.says("hi")
    before = len(ana.activities())
    await ana.bot.send_to_user(ana.id, [Text(f"message {n}") for n in range(12)])
    texts = ana.texts(before)
    assert texts == [f"message {n}" for n in range(12)]
    assert fake.throttled() >= 1 and fake.early_retries == 0, "the limit was met, and waited out as told"


async def test_paced_as_serve_runs_it_the_bot_keeps_under_the_limits_and_meets_no_429(
    fake: FakeConnector,
    core: Core,
    conversations: SqlTeamsConversations,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    tmp_path: Path,
):
    bot = await started(fake, core, conversations, held_clock(fake, paced=True))
    try:
        async with web(bot, store, curriculum, clock, tmp_path) as http:
            ana = TeamsUser(fake, http, bot)
            await ana.says("hi")
            before = len(ana.activities())
            await bot.send_to_user(ana.id, [Text(f"message {n}") for n in range(70)])  # more than 60 in 30 s
            assert ana.texts(before) == [f"message {n}" for n in range(70)]
            await ana.presses("Start now")
    finally:
        await bot.close()
    assert fake.throttled() == 0 and fake.early_retries == 0
    assert fake.rate_clock() - 1000.0 >= 30.0, "the 61st of them waited for the first to be 30 s old"


async def test_a_nudge_is_sent_by_another_serve_process_from_the_stored_conversation(
    ana: TeamsUser, fake: FakeConnector, database_url: str, curriculum: Curriculum, clock: ManualClock
):
    await ana.says("hi")
    before = len(ana.activities())
    # Another process: its own engine, store, core and bot on the same database; it never heard from Ana.
    engine = create_engine(database_url)
    try:
        from bot.store.database import create_sessionmaker

        other_store = SqlStore(create_sessionmaker(engine))
        other_core = Core(curriculum=curriculum, store=other_store, clock=clock)
        other = await started(fake, other_core, SqlTeamsConversations(engine, clock), ana.bot.patience)  # the same held clock
        dispatcher = NudgeDispatcher(
            store=other_store, core=other_core, clock=clock, senders={"teams": other.send_to_user}, worker="other:1"
        )
        sent = 0
        for _ in range(30):  # an hour at a time, until the next day's lesson time in Berlin
            clock.advance(hours=1)
            sent += (await dispatcher.run_round()).sent
            if sent:
                break
        await other.close()
    finally:
        await engine.dispose()
    assert sent >= 1
    nudge = ana.texts(before)
    assert nudge and "lesson" in nudge[0].lower(), nudge
    assert ana.with_button("Start")


async def test_a_badge_is_announced_in_the_team_channel(ana: TeamsUser, fake: FakeConnector, bot: TeamsBot):
    channel = fake.channel("General")
    await ana.says("hi")
    await bot.send_to_user(ana.id, [Announcement(text="Ana Lima earned **Deckhand**", page_url="https://learn.example.com/c/1")])
    [announced] = fake.activities(channel)
    assert "Ana Lima earned **Deckhand**" in text_of(announced)
    card = found(card_of(announced))
    assert card["actions"][0]["url"] == "https://learn.example.com/c/1"


async def test_the_manager_types_team_and_gets_the_team_at_a_glance_with_a_sign_in_link(
    fake: FakeConnector, store: SqlStore, curriculum: Curriculum, clock: ManualClock, conversations: SqlTeamsConversations, tmp_path: Path
):
    issuer = issuer_for(tmp_path, public_url="https://learn.example.com")
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)  # the dashboard's address: the issuer's
    crew = [
        Person("teams", "29:mia", "Mia Boss", None, "manager", ("Deck crew",)),
        Person("teams", "29:ana", "Ana", "Deck crew", "learner", ()),
    ]
    await import_people(store, crew, now=clock.now())
    bot = await started(fake, core, conversations, held_clock(fake))
    try:
        async with web(bot, store, curriculum, clock, tmp_path) as http:
            mia, ana = TeamsUser(fake, http, bot, user_id="29:mia", name="Mia Boss"), TeamsUser(fake, http, bot)
            await ana.says("hi")
            shown = "\n".join(await mia.says("team"))
            assert "Deck crew" in shown and "https://learn.example.com/dashboard/" in shown, shown
            [learner_sees] = await ana.says("team")
            assert "learn.example.com/dashboard" not in learner_sees, "a learner gets no sign-in link"
    finally:
        await bot.close()


async def test_the_same_activity_delivered_twice_is_handled_once(ana: TeamsUser, fake: FakeConnector):
    activity = ana.activity(text="hi")
    assert (await ana.post(activity)).status_code == 200
    assert (await ana.post(activity)).status_code == 200  # the Bot Connector retries
    await ana.bot.join()
    assert len(ana.activities()) == 1, ana.texts()


async def test_a_pressed_card_sent_again_is_not_a_second_answer(ana: TeamsUser, fake: FakeConnector, store: SqlStore):
    await ana.says("hi")
    await ana.presses("Start now")
    await ana.presses("Next")
    await ana.presses("Next")
    card, action = ana.with_button("Two")
    first = await ana.presses("Two")
    # A stale client submits the old card again (a new activity id): no second verdict.
    again = await ana._exchange(ana.activity(value=action["data"], replyToId=card["id"]))
    assert any("Correct" in text for text in first)
    assert not any("Correct" in text for text in again), again
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("teams", ana.id))
        kinds = [e.kind for e in await tx.trail.of(learner.id)]
    assert kinds.count(EventKind.ANSWERED) == 1 and EventKind.STALE_ANSWER in kinds, kinds


async def test_the_learners_teams_locale_is_their_language(ana: TeamsUser, store: SqlStore):
    ana.locale = "de-DE"
    await ana.says("hi")
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("teams", ana.id))
    assert learner.language == "de"


async def test_added_to_a_team_the_channel_is_kept_for_announcements_and_nothing_is_said_there_or_in_a_group_chat(
    ana: TeamsUser, fake: FakeConnector, conversations: SqlTeamsConversations, caplog: pytest.LogCaptureFixture
):
    channel = fake.channel("General")
    added = fake.activity("29:admin", kind="conversationUpdate", conversation=channel, membersAdded=[{"id": f"28:{APP_ID}"}])
    mention = fake.activity("29:admin", conversation=channel, text="<at>Microbadge</at> hi")
    group = fake.activity("29:admin", text="next")
    group["conversation"] = {"id": "19:group-chat@thread.v2", "conversationType": "groupChat", "tenantId": TENANT}
    with caplog.at_level("WARNING"):
        for activity in (added, mention, group):
            assert (await ana.post(activity)).status_code == 200
        await ana.bot.join()
    reference = found(await conversations.find(channel))
    assert (reference.kind, reference.service_url, reference.user_id) == ("channel", fake.service_url, None)
    assert CHANNEL in caplog.text, "the operator learns the channel's id for TEAMS_ANNOUNCE_CONVERSATION"
    assert fake.activities(channel) == [] and fake.calls() == [], "lessons happen in personal chats only, not in a channel or group chat"


async def test_a_name_is_shown_as_typed_never_as_markdown_or_a_link(fake: FakeConnector, bot: TeamsBot, ana: TeamsUser):
    mallory = TeamsUser(fake, ana.http, bot, user_id="29:mallory", name="*Boss* [pay here](https://evil.example.com) _now_")
    [greeting] = await mallory.says("hi")
    assert "](https://evil.example.com)" not in greeting and "*Boss*" not in greeting and "_now_" not in greeting, greeting
    assert "Hi ∗Boss∗ [pay here]\u200b(https://evil.example.com) ˍnowˍ!" in greeting, "every character still there, none markup"


async def test_healthz_says_teams_is_down_when_the_token_endpoint_refuses_the_secret(
    fake: FakeConnector,
    core: Core,
    conversations: SqlTeamsConversations,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    tmp_path: Path,
):
    settings = replace(settings_for(fake), app_password="a-revoked-secret")
    bot = TeamsBot(core=core, settings=settings, conversations=conversations, patience=fast_patience())
    await bot.start()
    try:
        app = create_app(
            store=store,
            curriculum=curriculum,
            issuer=issuer_for(tmp_path),
            clock=clock,
            platform_routers=[bot.adapter.router],
            platform_checks={"teams": bot.reachable},
        )
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://learn.example.com") as http:
            answer = await http.get("/healthz")
    finally:
        await bot.close()
    assert answer.status_code == 503
    assert answer.json() == {"status": "unhealthy", "checks": {"database": "ok", "teams": "down"}}
    assert "a-revoked-secret" not in answer.text
