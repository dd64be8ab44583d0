"""Forwarding the learning record to Ralph, a learning record store organisations run (not ours),
on SQLite and PostgreSQL: what the bot forwards is accepted, stored and read back by GET
/xAPI/statements equal in substance to what `xapi export` writes, the programme's statements
included; forwarding again sends nothing new, and statements sent again are stored once.

Ralph runs from its own venv (tests/ralph_lrs.py says why and how to install it); without it these
tests skip, in CI they fail. Faults (outages, 429s, refusals, hangs) are injected with the fake LRS
in test_lrs_forwarding.py, which a real server cannot be told to produce."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete

from adapters.lrs import Backoff, LrsForwarder, open_client
from bot import assignments
from bot.assignments import Origin
from bot.clock import ManualClock
from bot.core import Core
from bot.nudges import NudgeDispatcher
from bot.platform_settings import LrsSettings
from bot.store.database import create_engine
from bot.store.forwarding import ForwardingStore
from bot.store.models import XapiForwardingRow
from bot.store.store import SqlStore
from bot.vocabulary import Target
from bot.xapi import PROGRAMME_VERBS, Record
from content.model import Curriculum
from tests.integration.test_issuing_on_award import earn_deckhand, issuer_for
from tests.integration.test_lrs_forwarding import drain, exported, state_of
from tests.integration.test_programme_nudges import Outbox, crew
from tests.ralph_lrs import Ralph, Statement, running_ralph
from tests.support import Chat, found

BASE = "https://learn.example.com"
ADDED_BY_THE_LRS = ("stored", "authority")  # xAPI 1.0.3: the LRS sets these on every statement it stores


@pytest.fixture(scope="module")
def ralph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ralph]:
    with running_ralph(tmp_path_factory.mktemp("ralph")) as ralph:
        yield ralph


@pytest.fixture
def ralph(ralph_server: Ralph) -> Ralph:
    ralph_server.clear()
    return ralph_server


@dataclasses.dataclass
class Posts:
    """What Ralph answered to each POST the forwarder made, as the forwarder's client saw it."""

    answers: list[int] = dataclasses.field(default_factory=list)
    ids: list[str] = dataclasses.field(default_factory=list)  # of the statements posted, in order

    async def record(self, response: httpx.Response) -> None:
        if response.request.method == "POST":
            self.answers.append(response.status_code)
            self.ids += [statement["id"] for statement in json.loads(response.request.content)]


@asynccontextmanager
async def forwarder_to(
    ralph: Ralph, database_url: str, curriculum: Curriculum, clock: ManualClock, posts: Posts
) -> AsyncIterator[LrsForwarder]:
    """The bot's own forwarder, configured as `serve` configures it from XAPI_* variables."""
    settings = LrsSettings.from_env(
        {"XAPI_ENDPOINT": ralph.endpoint, "XAPI_USERNAME": ralph.username, "XAPI_PASSWORD": ralph.password, "XAPI_BATCH": "7"}
    )
    assert settings is not None
    settings = dataclasses.replace(settings, timeout=30.0)
    engine = create_engine(database_url)
    client = open_client(settings)
    client.event_hooks["response"].append(posts.record)
    try:
        yield LrsForwarder(
            settings=settings,
            store=ForwardingStore(engine),
            record=Record(BASE, curriculum),
            clock=clock,
            client=client,
            backoff=Backoff(first=0.01, cap=0.05),
        )
    finally:
        await client.aclose()
        await engine.dispose()


async def a_record(store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path) -> Core:
    """A learner assigned Deckhand by his manager and a pathway by a file (then withdrawn), overdue
    and escalated; then another who takes lessons, answers checks and earns Deckhand and Mariner."""
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, BASE))
    await crew(core, store, clock, 1)
    async with store.transaction() as tx:
        person = found(await tx.learners.find("telegram", "u0"))
        pathway = await assignments.assign(
            tx, person, Target.PATHWAY, "seamanship", due_on=date(2026, 4, 1), origin=Origin.CSV, by=None, now=clock.now()
        )
        await assignments.withdraw(tx, person, pathway, by=None, now=clock.now())
    worker = NudgeDispatcher(store=store, core=core, clock=clock, senders={"telegram": Outbox(clock).send}, worker="w")
    for _ in range(24 * 5):
        clock.advance(hours=1)
        await worker.run_round()
    await earn_deckhand(core, clock, store)
    return core


def verb_of(statement: Statement) -> str:
    return statement["verb"]["id"].rsplit("/", 1)[-1]


def in_substance(statement: Statement) -> Statement:
    """A statement without what the LRS adds, its timestamp as an instant (an LRS may write the
    same instant differently)."""
    kept = {key: value for key, value in statement.items() if key not in ADDED_BY_THE_LRS}
    kept["timestamp"] = datetime.fromisoformat(kept["timestamp"].replace("Z", "+00:00"))
    return kept


async def test_ralph_stores_what_the_bot_forwards_and_reads_it_back_as_exported(database_url, store, curriculum, clock, tmp_path, ralph):
    await a_record(store, curriculum, clock, tmp_path)
    statements = await exported(store, curriculum, tmp_path)
    verbs = Counter(verb_of(s) for s in statements)
    assert {"experienced", "answered", "completed", "earned", "assigned", "unassigned", "overdue", "escalated"} <= set(verbs), verbs
    posts = Posts()
    async with forwarder_to(ralph, database_url, curriculum, clock, posts) as forwarder:
        await drain(forwarder)
    assert posts.ids == [s["id"] for s in statements] and set(posts.answers) == {200}, posts.answers

    read_back = ralph.statements(page=10)
    assert len(read_back) > 10, "more than one page: Ralph's `more` links followed"
    assert sorted(s["id"] for s in read_back) == sorted(s["id"] for s in statements), "each statement stored once, none missing"
    by_id = {s["id"]: s for s in read_back}
    for sent in statements:
        stored = by_id[sent["id"]]
        assert in_substance(stored) == in_substance(sent), (stored, sent)
        assert stored["authority"]["account"]["name"] == ralph.username, "Ralph records who forwarded it"
        assert stored["stored"]
    assert Counter(verb_of(s) for s in read_back) == verbs
    programme = [s for s in read_back if s["verb"]["id"] == f"{BASE}/xapi/verbs/{verb_of(s)}"]
    assert {verb_of(s) for s in programme} == {"assigned", "unassigned", "overdue", "escalated"}
    assert all(s["verb"]["display"]["en-US"] == PROGRAMME_VERBS[verb_of(s)] for s in programme)
    assigned = next(s for s in programme if verb_of(s) == "assigned" and s["object"]["id"] == f"{BASE}/achievements/deckhand")
    assert assigned["context"]["extensions"][f"{BASE}/xapi/extensions/due"] == "2026-03-02"

    state = await state_of(database_url)
    assert (state.waiting, state.forwarded, state.skipped, state.last_error) == (0, len(statements), 0, None)


async def test_forwarding_again_sends_nothing_and_statements_sent_again_are_stored_once(
    database_url, store, curriculum, clock, tmp_path, ralph
):
    core = await a_record(store, curriculum, clock, tmp_path)
    posts = Posts()
    async with forwarder_to(ralph, database_url, curriculum, clock, posts) as forwarder:
        await drain(forwarder)
    first = ralph.statements()
    assert posts.answers and set(posts.answers) == {200}

    restarted = Posts()
    async with forwarder_to(ralph, database_url, curriculum, clock, restarted) as forwarder:
        rounds = await drain(forwarder)
    assert restarted.answers == [] and [r.events for r in rounds] == [0], "the cursor says it is all there: nothing is sent"

    # The cursor lost (a database restored from a backup taken before the last forwarding): the
    # whole record is sent again. Ralph takes a repeat of a statement it has (same id, same
    # content) without storing it twice, and answers 204 when a batch holds nothing new.
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(delete(XapiForwardingRow))
    await engine.dispose()
    again = Posts()
    async with forwarder_to(ralph, database_url, curriculum, clock, again) as forwarder:
        await drain(forwarder)
    assert again.ids == posts.ids and set(again.answers) == {204}, again.answers
    assert ralph.statements() == first, "nothing stored twice, nothing rewritten (the same `stored` times)"
    assert (await state_of(database_url)).waiting == 0

    chat = Chat(core, "bob")  # a new learner's first lesson
    await chat.start()
    await chat.take_next_lesson()
    more = Posts()
    async with forwarder_to(ralph, database_url, curriculum, clock, more) as forwarder:
        await drain(forwarder)
    everything = await exported(store, curriculum, tmp_path)
    assert len(everything) - len(first) >= 3 and set(more.answers) == {200}
    assert more.ids == [s["id"] for s in everything[len(first) :]], "the new statements only"
    assert sorted(s["id"] for s in ralph.statements()) == sorted(s["id"] for s in everything), "only the new lesson was added"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_statement_sent_again_after_a_content_edit_is_refused_as_a_conflict_and_the_first_kept(
    database_url, store, curriculum, clock, tmp_path, ralph
):
    """SQLite only: this is about what Ralph answers, not about the database."""
    await a_record(store, curriculum, clock, tmp_path)
    posts = Posts()
    async with forwarder_to(ralph, database_url, curriculum, clock, posts) as forwarder:
        await drain(forwarder)
    first = {s["id"]: s for s in ralph.statements()}

    # Between the two sends a lesson was renamed: its statements say so now, under the same ids.
    lessons = dict(curriculum.lessons)
    lessons["tides"] = dataclasses.replace(lessons["tides"], title="Tides and currents")
    edited = dataclasses.replace(curriculum, lessons=lessons)
    before = {s["id"]: s for s in await exported(store, curriculum, tmp_path)}
    changed = {s["id"] for s in await exported(store, edited, tmp_path) if s != before[s["id"]]}
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(delete(XapiForwardingRow))
    await engine.dispose()
    again = Posts()
    async with forwarder_to(ralph, database_url, edited, clock, again) as forwarder:
        await drain(forwarder)
    assert again.answers.count(409) >= len(changed) > 0, again.answers
    assert {s["id"]: s for s in ralph.statements()} == first, "Ralph keeps what it stored first"
    state = await state_of(database_url)
    assert (state.waiting, state.skipped, state.last_error) == (0, 0, None), "the forwarder takes 409 as stored already: no stall"
