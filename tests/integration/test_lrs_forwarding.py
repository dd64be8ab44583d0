"""Forwarding the learning record to an LRS, against a fake LRS on real HTTP, on SQLite and
PostgreSQL: what reaches the LRS, what an outage, bad credentials, a refused statement or a
restart change about it, and that learners are answered whatever the LRS does."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.cli.status import forwarding_status
from adapters.cli.xapi import export_xapi
from adapters.lrs import Backoff, LrsForwarder, Round, open_client
from bot.clock import Clock
from bot.core import Core
from bot.platform_settings import LrsSettings
from bot.store.database import create_engine, create_sessionmaker
from bot.store.forwarding import ForwardingState, ForwardingStore
from bot.store.migrate import upgrade_async
from bot.store.models import EventRow, XapiForwardingRow
from bot.store.store import SqlStore
from bot.xapi import Record
from content.model import Curriculum
from fakes.lrs import FakeLrs, running_fake_lrs, wait_for
from tests.conftest import FIXTURE_CONTENT, PROJECT_DIR
from tests.support import Chat

BASE = "https://learn.example.com"


def settings_for(lrs: FakeLrs, *, password: str | None = None, batch: int = 100) -> LrsSettings:
    settings = LrsSettings.from_env(
        {
            "XAPI_ENDPOINT": lrs.endpoint,
            "XAPI_USERNAME": lrs.username,
            "XAPI_PASSWORD": lrs.password if password is None else password,
            "XAPI_BATCH": str(batch),
        }
    )
    assert settings is not None
    return dataclasses.replace(settings, timeout=10.0, interval=0.05)


@asynccontextmanager
async def forwarder_on(database_url: str, curriculum: Curriculum, clock: Clock, settings: LrsSettings) -> AsyncIterator[LrsForwarder]:
    """A forwarder with an engine of its own, as in a `serve` process of its own."""
    engine = create_engine(database_url)
    client = open_client(settings)
    try:
        yield LrsForwarder(
            settings=settings,
            store=ForwardingStore(engine),
            record=Record(BASE, curriculum),
            clock=clock,
            client=client,
            backoff=Backoff(first=0.01, cap=0.05),
            grace=0.2,
        )
    finally:
        await client.aclose()
        await engine.dispose()


async def drain(forwarder: LrsForwarder) -> list[Round]:
    """Rounds until the forwarder finds nothing left; fails on any failed round."""
    rounds = []
    while True:
        result = await forwarder.forward_once()
        rounds.append(result)
        assert result.failed is None, result.failed
        if result.busy:
            await asyncio.sleep(0.005)
        elif result.events == 0:
            return rounds


async def exported(store: SqlStore, curriculum: Curriculum, tmp_path: Path) -> list[dict]:
    """What `run_bot.py xapi export` writes for the same database."""
    out = tmp_path / f"export-{len(list(tmp_path.glob('export-*')))}.jsonl"  # noqa: ASYNC240 - a few files in the test's folder
    await export_xapi(store, Record(BASE, curriculum), out)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


async def state_of(database_url: str) -> ForwardingState:
    engine = create_engine(database_url)
    try:
        (state,) = await ForwardingStore(engine).states()
        return state
    finally:
        await engine.dispose()


async def test_the_record_reaches_the_lrs_once_each_in_order_as_exported(database_url, core, store, curriculum, clock, tmp_path):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    with running_fake_lrs() as lrs:
        async with forwarder_on(database_url, curriculum, clock, settings_for(lrs, batch=3)) as forwarder:
            await drain(forwarder)
            first = await exported(store, curriculum, tmp_path)
            assert lrs.stored_statements() == first
            await chat.take_next_lesson(right=False)
            await drain(forwarder)
    everything = await exported(store, curriculum, tmp_path)
    assert len(everything) > len(first) >= 4
    assert {"experienced", "answered", "completed"} <= {s["verb"]["display"]["en-US"] for s in everything}
    assert lrs.stored_statements() == everything, "the statements `xapi export` writes, in the same order"
    assert lrs.accepted_ids() == [s["id"] for s in everything], "each sent once"
    assert all(post.status == 200 and len(post.ids) <= 3 for post in lrs.posts), "batches of at most XAPI_BATCH"
    state = await state_of(database_url)
    assert (state.waiting, state.forwarded, state.skipped, state.last_error) == (0, len(everything), 0, None)


async def test_an_outage_delays_the_record_but_loses_nothing(database_url, core, store, curriculum, clock, tmp_path, caplog):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    statements = await exported(store, curriculum, tmp_path)
    with running_fake_lrs() as lrs:
        async with forwarder_on(database_url, curriculum, clock, settings_for(lrs, batch=2)) as forwarder:
            lrs.fail_next(1, 429, {"Retry-After": "7"})
            throttled = await forwarder.forward_once()
            assert throttled.failed and "429" in throttled.failed and throttled.retry_after == 7.0
            state = await state_of(database_url)
            assert state.last_event_id == 0 and state.waiting > 0 and "429" in (state.last_error or "")

            lrs.fail_next(3, 503)
            stop = asyncio.Event()
            with caplog.at_level(logging.ERROR, logger="adapters.lrs"):
                running = asyncio.create_task(forwarder.run(stop))
                await wait_for(lambda: len(lrs.stored) == len(statements))
                stop.set()
                await asyncio.wait_for(running, timeout=10)
    assert [post.status for post in lrs.posts[:4]] == [429, 503, 503, 503]
    assert lrs.stored_statements() == statements
    assert lrs.accepted_ids() == [s["id"] for s in statements]
    assert caplog.text.count("answered 503") == 3 and "nothing skipped" in caplog.text
    assert (await state_of(database_url)).waiting == 0


async def test_wrong_credentials_are_logged_and_retried_not_skipped(database_url, core, store, curriculum, clock, tmp_path, caplog):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    statements = await exported(store, curriculum, tmp_path)
    wrong = "not-the-password-0815"
    with running_fake_lrs() as lrs:
        async with forwarder_on(database_url, curriculum, clock, settings_for(lrs, password=wrong)) as forwarder:
            stop = asyncio.Event()
            with caplog.at_level(logging.ERROR, logger="adapters.lrs"):
                running = asyncio.create_task(forwarder.run(stop))
                await wait_for(lambda: len(lrs.posts) >= 3)
                stop.set()
                await asyncio.wait_for(running, timeout=10)
        assert {post.status for post in lrs.posts} == {401} and not lrs.stored
        assert "401" in caplog.text and "XAPI_USERNAME and XAPI_PASSWORD" in caplog.text
        secret = base64.b64encode(f"{lrs.username}:{wrong}".encode()).decode()
        assert wrong not in caplog.text and secret not in caplog.text, "no password in the log"
        state = await state_of(database_url)
        assert (state.last_event_id, state.forwarded, state.skipped) == (0, 0, 0), "nothing skipped"
        engine = create_engine(database_url)
        try:
            shown = "\n".join(await forwarding_status(ForwardingStore(engine)))
        finally:
            await engine.dispose()
        assert f"{state.waiting} event(s) waiting" in shown and state.waiting > 0
        assert "401: check XAPI_USERNAME and XAPI_PASSWORD" in shown

        async with forwarder_on(database_url, curriculum, clock, settings_for(lrs)) as fixed:
            await drain(fixed)
    assert lrs.stored_statements() == statements, "once the credentials are right, the whole record arrives"


async def test_a_restart_resumes_from_the_cursor_without_sending_again(database_url, core, store, curriculum, clock, tmp_path):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    with running_fake_lrs() as lrs:
        async with forwarder_on(database_url, curriculum, clock, settings_for(lrs, batch=2)) as before:
            await drain(before)
        sent_before = len(lrs.posts)
        await chat.take_next_lesson()
        async with forwarder_on(database_url, curriculum, clock, settings_for(lrs, batch=2)) as after:
            await drain(after)
    statements = await exported(store, curriculum, tmp_path)
    assert sent_before > 0 and len(lrs.posts) > sent_before
    assert lrs.accepted_ids() == [s["id"] for s in statements], "nothing sent twice, nothing missing"
    assert {post.status for post in lrs.posts} == {200}


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
async def test_two_forwarders_at_once_never_send_a_statement_twice(database_url, core, store, curriculum, clock, tmp_path):
    """PostgreSQL only: with SQLite the bot runs in one process."""
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    statements = await exported(store, curriculum, tmp_path)
    with running_fake_lrs() as lrs:
        lrs.delay = 0.03  # each post takes a while: the other process tries meanwhile
        async with (
            forwarder_on(database_url, curriculum, clock, settings_for(lrs, batch=2)) as one,
            forwarder_on(database_url, curriculum, clock, settings_for(lrs, batch=2)) as other,
        ):
            rounds = await asyncio.gather(drain(one), drain(other))
    assert any(r.busy for both in rounds for r in both), "the two did try at the same time"
    assert lrs.accepted_ids() == [s["id"] for s in statements]
    assert {post.status for post in lrs.posts} == {200}, "no batch sent twice (it would be answered 409)"


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
async def test_an_event_committed_after_a_later_one_is_still_forwarded(database_url, core, store, curriculum, clock, tmp_path):
    """On PostgreSQL ids are taken when a row is inserted, not when it commits: the cursor must
    not pass an id whose transaction is still open and lose its event. (PostgreSQL only: SQLite
    writes one transaction at a time, so its ids commit in order.)"""
    chat, other = Chat(core), Chat(core, "bob")
    await chat.start()
    await other.start()
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "bob")  # another learner: Ana's events do not wait for Bob's
    engine = create_engine(database_url)
    slow, rolled_back = create_sessionmaker(engine)(), create_sessionmaker(engine)()
    try:
        with running_fake_lrs() as lrs:
            async with forwarder_on(database_url, curriculum, clock, settings_for(lrs)) as forwarder:
                await slow.begin()
                await rolled_back.begin()
                for session in (slow, rolled_back):
                    session.add(
                        EventRow(
                            learner_id=learner.id,
                            kind="lesson_started",
                            occurred_at=clock.now(),
                            local_date=clock.now().date(),
                            lesson_id="knots",
                            payload={},
                        )
                    )
                    await session.flush()  # the id is taken now; the row is not visible until commit
                await chat.take_next_lesson()  # later ids, committed first
                await drain(forwarder)
                await slow.commit()
                await rolled_back.rollback()
                await drain(forwarder)
                statements = await exported(store, curriculum, tmp_path)
                assert sorted(s["id"] for s in lrs.stored_statements()) == sorted(s["id"] for s in statements)
                assert len(lrs.accepted_ids()) == len(statements), "each once"
                clock.advance(minutes=11)  # the rolled-back id is given up after ten minutes
                await drain(forwarder)
        async with engine.connect() as connection:
            gaps = (await connection.execute(select(XapiForwardingRow.gaps))).scalar_one()
        assert gaps == []
    finally:
        await slow.close()
        await rolled_back.close()
        await engine.dispose()


async def test_learners_are_answered_while_the_lrs_hangs(database_url, core, store, curriculum, clock, tmp_path):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    with running_fake_lrs() as lrs:
        lrs.hanging = True
        patient = dataclasses.replace(settings_for(lrs), timeout=120.0)  # the post would wait two minutes
        async with forwarder_on(database_url, curriculum, clock, patient) as forwarder:
            stop = asyncio.Event()
            running = asyncio.create_task(forwarder.run(stop))
            await wait_for(lambda: lrs.in_flight == 1)  # a post is under way and gets no answer
            await asyncio.wait_for(chat.take_next_lesson(), timeout=10)  # not a speed test: it must not wait for the LRS
            assert "Lesson complete: Knots" in chat.text
            stop.set()
            await asyncio.wait_for(running, timeout=10)  # stops although its post never ends
        assert not lrs.stored and (await state_of(database_url)).last_event_id == 0
        lrs.hanging = False
        async with forwarder_on(database_url, curriculum, clock, settings_for(lrs)) as restarted:
            await drain(restarted)
            await wait_for(lambda: lrs.in_flight == 0)
    statements = await exported(store, curriculum, tmp_path)
    assert lrs.stored_statements() == statements, "both lessons arrive once the LRS answers again"
    assert lrs.accepted_ids() == [s["id"] for s in statements]


async def test_a_refused_statement_is_skipped_but_an_lrs_refusing_everything_skips_nothing(
    database_url, core, store, curriculum, clock, tmp_path, caplog
):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    statements = await exported(store, curriculum, tmp_path)
    with running_fake_lrs() as lrs:
        async with forwarder_on(database_url, curriculum, clock, settings_for(lrs)) as forwarder:
            lrs.refuse_everything = True
            refused = await forwarder.forward_once()
            assert refused.failed and "refused all" in refused.failed and refused.skipped == 0
            assert (await state_of(database_url)).last_event_id == 0, "the LRS, not a statement, is at fault: wait"

            lrs.refuse_everything = False
            bad = statements[1]
            lrs.refused = {bad["id"]}
            with caplog.at_level(logging.ERROR, logger="adapters.lrs"):
                result = await forwarder.forward_once()
            assert (result.forwarded, result.skipped) == (len(statements) - 1, 1)
            assert f"refused statement {bad['id']}" in caplog.text and "skipped it" in caplog.text
            assert "400" in caplog.text

            await chat.take_next_lesson()
            await drain(forwarder)
    everything = await exported(store, curriculum, tmp_path)
    assert lrs.stored_statements() == [s for s in everything if s["id"] != bad["id"]], "the record goes on"
    state = await state_of(database_url)
    assert (state.waiting, state.skipped) == (0, 1)


def test_forwarding_is_configured_by_environment_variables():
    assert LrsSettings.from_env({}) is None, "unset XAPI_ENDPOINT: off"
    settings = LrsSettings.from_env({"XAPI_ENDPOINT": "https://lrs.example.com/xapi/", "XAPI_USERNAME": "bot", "XAPI_PASSWORD": "pw"})
    assert settings is not None and settings.statements_url == "https://lrs.example.com/xapi/statements"
    assert (settings.username, settings.password, settings.batch) == ("bot", "pw", 100)
    for endpoint in ("lrs.example.com/xapi", "https://bot:pw@lrs.example.com/xapi"):
        with pytest.raises(ValueError, match="XAPI_ENDPOINT"):
            LrsSettings.from_env({"XAPI_ENDPOINT": endpoint})


async def test_serve_forwards_in_the_background_and_stops_on_sigterm_while_the_lrs_hangs(curriculum, clock, tmp_path):
    from fakes.serving import free_port
    from tests.e2e.test_serve import get_json, wait_until_healthy

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"  # where serve finds it with DATA_DIR
    await upgrade_async(url)
    engine = create_engine(url)
    store = SqlStore(create_sessionmaker(engine))
    chat = Chat(Core(curriculum=curriculum, store=store, clock=clock))
    try:
        await chat.start()
        await chat.take_next_lesson()
        with running_fake_lrs() as lrs:
            port = free_port()
            env = {
                **os.environ,
                "DATA_DIR": str(tmp_path),
                "PORT": str(port),
                "PUBLIC_URL": BASE,
                "CONTENT_DIR": str(FIXTURE_CONTENT),
                "XAPI_ENDPOINT": lrs.endpoint,
                "XAPI_USERNAME": lrs.username,
                "XAPI_PASSWORD": lrs.password,
                "XAPI_INTERVAL_SECONDS": "0.1",
            }
            for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
                env.pop(name, None)
            # Popen returns once the process is started; the helpers below poll it as a Popen
            process = subprocess.Popen(  # noqa: ASYNC220
                [sys.executable, str(PROJECT_DIR / "run_bot.py"), "serve"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                statements = await exported(store, curriculum, tmp_path)
                await wait_for(lambda: len(lrs.stored) == len(statements), timeout=60)
                assert lrs.stored_statements() == statements
                lrs.hanging = True
                await chat.take_next_lesson()  # new events while serve runs: its next post hangs
                await wait_for(lambda: lrs.in_flight == 1, timeout=30)
                base = f"http://127.0.0.1:{port}"
                wait_until_healthy(process, base)
                assert get_json(f"{base}/healthz")["status"] == "ok"
            finally:
                process.send_signal(signal.SIGTERM)
                _, stderr = await asyncio.to_thread(process.communicate, timeout=30)
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr and lrs.password not in stderr
        assert "xAPI forwarding: statements go to" in stderr
        assert (await ForwardingStore(engine).states())[0].waiting > 0, "the hung batch waits for the next start"
    finally:
        await engine.dispose()
