"""A database outage at the wire: PostgreSQL goes away (a proxy in front of it cuts every
connection and refuses new ones) while a learner answers in Telegram. Nothing they did may be
lost or shown as accepted before it is recorded, and the bot keeps talking meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.inbox import Inbox
from adapters.telegram.bot import TelegramBot, TelegramSettings
from adapters.telegram.delivery import DeliveryLimiter
from adapters.telegram.webhook import webhook_router
from bot.clock import ManualClock
from bot.core import Core
from bot.store.database import create_engine, create_sessionmaker
from bot.store.models import EventRow
from bot.store.send_rate import SharedSendRate
from bot.store.store import SqlStore
from bot.texts import KEPT
from content.model import Curriculum
from fakes.telegram_api import FakeTelegram, running_fake_telegram
from tests.integration.test_issuing_on_award import issuer_for
from tests.outage import DatabaseOutage
from tests.support import found
from tests.telegram.client import TelegramUser
from web.app import create_app

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnop"
pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with running_fake_telegram(TOKEN) as fake:
        # Telegram's published limits, except the per-chat pace (the bot's is lifted here too).
        fake.enforce_rate_limits(per_chat_per_second=1000, chat_burst=1000)
        yield fake


@pytest.fixture
async def store_behind(outage: DatabaseOutage) -> AsyncIterator[SqlStore]:
    engine = create_engine(outage.url)
    yield SqlStore(create_sessionmaker(engine))
    await engine.dispose()


async def answered_events(store: SqlStore) -> int:
    async with store.transaction() as tx:
        return int(found(await tx._session.scalar(select(func.count()).select_from(EventRow).where(EventRow.kind == "answered"))))


async def at_the_first_question(ana: TelegramUser) -> None:
    await ana.says("/start")
    await ana.presses("Europe")
    await ana.presses("Berlin")
    await ana.presses("08:00")
    await ana.presses("Start now")
    await ana.presses("Next")
    said = await ana.presses("Next")
    assert "How many high tides" in said[-1]


async def test_an_answer_given_while_the_database_is_down_counts_once_it_is_back(
    fake: FakeTelegram,
    outage: DatabaseOutage,
    store_behind: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    tmp_path: Path,
):
    core = Core(curriculum=curriculum, store=store_behind, clock=clock)
    engine = create_engine(outage.url)
    settings = TelegramSettings(token=TOKEN, api_base_url=fake.base_url, poll_timeout=1)
    bot = TelegramBot(
        core=core,
        settings=settings,
        inbox=await Inbox(tmp_path / "inbox.sqlite3").open(),
        # Every message takes a turn from the shared send rate in the database, as in `serve`.
        rate_limiter=DeliveryLimiter(chat_burst=1000, backoff=0.05, pacer=SharedSendRate(engine, "telegram", 29)),
    )
    await bot.start()
    stopping = asyncio.Event()
    redelivering = asyncio.create_task(bot.redeliver(stopping, every=0.5))
    ana = TelegramUser(fake, core)
    try:
        await at_the_first_question(ana)
        question, _ = ana.with_button("2)")

        await outage.down()
        said = await ana.presses("2) Two")
        assert said == [KEPT], "told plainly that the answer is kept and will count"
        shown = found(fake.message(ana.id, question["message_id"]))
        assert "➡️" not in shown["text"] and shown.get("reply_markup"), "not shown as accepted: it is not recorded"
        before = len(ana.messages())
        fake.user_sends_text(ana.id, "/progress")  # more while the database is away: kept, in order
        await fake.wait_for(lambda f: not f.pending_updates)
        await asyncio.sleep(0.5)
        assert len(ana.messages()) == before, "told once per outage, not once per tap"

        await outage.up()
        await fake.wait_for(lambda f: any("Your progress" in t for t in ana.texts(before)), timeout=30)
        later = ana.texts(before)
        assert later[0].startswith("📊 "), later  # the next check: the answer counted
        assert next(i for i, t in enumerate(later) if "Your progress" in t) > 0, "the answer first, then /progress"
        answered = found(fake.message(ana.id, question["message_id"]))
        assert answered["text"].endswith("➡️ 2) Two\n\n✅ Correct!\nMost coasts have a semi-diurnal tide: two highs and two lows a day.")
        assert "reply_markup" not in answered
        assert await answered_events(store_behind) == 1, "recorded exactly once"

        # The next check is a poll: its answer arrives with only the poll's id, which the bot
        # looks up in the database. Away again: kept, the poll stays open, then it counts.
        poll = next(c.result["poll"] for c in reversed(ana.messages()) if "poll" in c.result)
        await outage.down()
        before = len(ana.messages())
        fake.user_answers_poll(ana.id, poll["id"], [0, 1])
        await fake.wait_for(lambda f: not f.pending_updates)
        await asyncio.sleep(0.5)
        assert not found(fake.poll(poll["id"]))["is_closed"] and len(ana.messages()) == before
        await outage.up()
        await fake.wait_for(lambda f: found(f.poll(poll["id"]))["is_closed"], timeout=30)
        await fake.wait_for(lambda f: any(t.startswith("✅ Correct!") for t in ana.texts(before)), timeout=30)
        assert await answered_events(store_behind) == 2
        for _ in range(100):  # marked done once its replies are out
            if (await bot._inbox.backlog()).pending == 0:
                break
            await asyncio.sleep(0.05)
        assert (await bot._inbox.backlog()).pending == 0
    finally:
        stopping.set()
        await redelivering
        await bot.stop()
        await engine.dispose()


async def test_the_webhook_asks_telegram_to_deliver_again_when_nothing_can_keep_the_update(
    fake: FakeTelegram,
    core: Core,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    tmp_path: Path,
):
    """A journal that cannot be written (here: its folder is a file) must not answer 200."""
    import httpx

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    webhook = "https://bot.example.com/telegram/webhook"
    settings = TelegramSettings(token=TOKEN, webhook_url=webhook, api_base_url=fake.base_url)
    bot = TelegramBot(core=core, settings=settings, inbox=Inbox(blocked / "inbox.sqlite3"))
    app = create_app(
        store=store,
        curriculum=curriculum,
        issuer=issuer_for(tmp_path),
        clock=clock,
        platform_routers=[webhook_router(bot, webhook_url=webhook, secret=settings.secret)],
    )
    await bot.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://bot.example.com") as client:
            response = await client.post(
                "/telegram/webhook",
                json=fake.make_text_update(4242, "/start"),
                headers={"X-Telegram-Bot-Api-Secret-Token": settings.secret},
            )
        assert response.status_code == 503
        async with store.transaction() as tx:
            assert await tx.learners.find("telegram", "4242") is None
    finally:
        await bot.stop()
