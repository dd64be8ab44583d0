"""Webhook mode inside the project's one ASGI app (a forged request leaves no trace), and the
outgoing pace: Telegram's overall and per-chat limits kept, measured by the fake server."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from adapters.telegram.bot import TelegramBot, TelegramSettings
from adapters.telegram.delivery import DeliveryLimiter
from adapters.telegram.webhook import webhook_router
from bot.clock import ManualClock
from bot.core import Core
from bot.replies import Text
from bot.store.database import create_engine
from bot.store.send_rate import SharedSendRate
from bot.store.store import SqlStore
from content.model import Curriculum
from fakes.telegram_api import FakeTelegram, running_fake_telegram
from tests.integration.test_issuing_on_award import issuer_for
from web.app import create_app

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnop"
WEBHOOK = "https://bot.example.com/telegram/webhook"
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with running_fake_telegram(TOKEN) as fake:
        fake.enforce_rate_limits()  # Telegram's published limits
        yield fake


async def test_webhook_refuses_forged_requests_and_handles_real_ones(
    fake: FakeTelegram, core: Core, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path
):
    settings = TelegramSettings(token=TOKEN, webhook_url=WEBHOOK, api_base_url=fake.base_url)
    bot = TelegramBot(core=core, settings=settings, rate_limiter=DeliveryLimiter(chat_burst=100, backoff=0.05))
    app = create_app(
        store=store,
        curriculum=curriculum,
        issuer=issuer_for(tmp_path),
        clock=clock,
        platform_routers=[webhook_router(bot, webhook_url=WEBHOOK, secret=settings.secret)],
    )
    await bot.start()
    try:
        [hook] = fake.sent("setWebhook")
        assert hook.params["url"] == WEBHOOK and hook.params["secret_token"] == settings.secret
        assert TOKEN not in settings.secret
        update = fake.make_text_update(4242, "/start")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://bot.example.com") as client:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}, {"X-Telegram-Bot-Api-Secret-Token": TOKEN}):
                forged = await client.post("/telegram/webhook", json=update, headers=headers)
                assert forged.status_code == 403
            right = {"X-Telegram-Bot-Api-Secret-Token": settings.secret}
            assert (await client.post("/telegram/webhook", content=b"{not json", headers=right)).status_code == 400
            assert (await client.post("/telegram/webhook", content=b"x" * 2_000_000, headers=right)).status_code == 413
            await asyncio.sleep(0.3)
            async with store.transaction() as tx:
                assert await tx.learners.find("telegram", "4242") is None, "refused requests leave no trace"
            assert fake.messages_to(4242) == []

            response = await client.post("/telegram/webhook", content=json.dumps(update), headers=right)
            assert response.status_code == 200
            await fake.wait_for(lambda f: len(f.messages_to(4242)) == 1)
            assert "where are you?" in fake.messages_to(4242)[0].result["text"]
            # Telegram retries a delivery it thinks failed: the same update changes nothing.
            assert (await client.post("/telegram/webhook", content=json.dumps(update), headers=right)).status_code == 200
            await asyncio.sleep(0.5)
            assert len(fake.messages_to(4242)) == 1
    finally:
        await bot.stop()
    assert fake.sent("getUpdates") == [], "webhook mode never polls"


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b'{"update_id": 7, "message": {"text": "\xff\xfe"}}', "not UTF-8"),
        (b'[{"update_id": 7}]', "a JSON array"),
        (b'{"update_id": 7, "message": NaN}', "NaN"),
        (b'{"update_id": 7, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}", "5,000-deep nesting"),
        (b'{"update_id": "7"}', "an update_id that is text"),
        (b'{"update_id": true}', "an update_id that is true"),
        (b'{"update_id": 99999999999999999999999}', "an update_id above 2^63"),
        (b'{"update_id": 7, "message": {"message_id": "x", "chat": 5, "date": []}}', "a message PTB cannot read"),
    ],
)
async def test_a_body_with_the_secret_that_is_no_update_gets_400_and_does_nothing(
    fake: FakeTelegram,
    core: Core,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    tmp_path,
    caplog,
    body: bytes,
    what: str,
):
    settings = TelegramSettings(token=TOKEN, webhook_url=WEBHOOK, api_base_url=fake.base_url)
    bot = TelegramBot(core=core, settings=settings)
    app = create_app(
        store=store,
        curriculum=curriculum,
        issuer=issuer_for(tmp_path),
        clock=clock,
        platform_routers=[webhook_router(bot, webhook_url=WEBHOOK, secret=settings.secret)],
    )
    await bot.start()
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="https://bot.example.com"
        ) as client:
            response = await client.post("/telegram/webhook", content=body, headers={"X-Telegram-Bot-Api-Secret-Token": settings.secret})
        assert (response.status_code, response.text) == (400, "Not a Telegram update"), what
        await asyncio.sleep(0.2)
        assert [c.method for c in fake.sent() if c.method not in ("getMe", "setMyCommands", "setWebhook")] == []
        async with store.transaction() as tx:
            assert await tx.learners.find("telegram", "4242") is None
        assert "Traceback" not in caplog.text
    finally:
        await bot.stop()


async def test_the_overall_limit_is_kept_so_telegram_never_answers_429(fake: FakeTelegram, core: Core):
    fake.enforce_rate_limits(per_chat_per_second=100, global_per_second=30, group_per_minute=20)
    bot = TelegramBot(core=core, settings=TelegramSettings(token=TOKEN, api_base_url=fake.base_url, poll_timeout=1))
    await bot.start()
    try:
        started = time.monotonic()
        await asyncio.gather(*(bot.send(1000 + i, [Text(f"Daily lesson for learner {i}")]) for i in range(60)))
        elapsed = time.monotonic() - started
    finally:
        await bot.stop()
    assert fake.too_many_requests == 0
    assert len(fake.sent("sendMessage")) == 60
    assert elapsed >= 60 / 30 - 0.1, "60 messages cannot go out faster than 30 a second"


@pytest.mark.postgres
async def test_two_processes_share_one_overall_limit_through_the_database(fake: FakeTelegram, core: Core, postgres_database):
    """Two `serve` processes of one bot, each allowed 6 a second: alone that is well inside the
    limit of 10, side by side it is 12. Through the shared rate they keep to 6 together. (The
    margin is wide on purpose: a loaded machine delays some requests and bunches them at the
    server, so a rate within 10% of the limit would draw an occasional honest 429.)"""
    fake.enforce_rate_limits(per_chat_per_second=100, global_per_second=10, group_per_minute=20)
    engines = [create_engine(postgres_database) for _ in range(2)]
    settings = TelegramSettings(token=TOKEN, api_base_url=fake.base_url, poll_timeout=1, messages_per_second=6)
    bots = [
        TelegramBot(
            core=core,
            settings=settings,
            rate_limiter=DeliveryLimiter(overall_per_second=6, pacer=SharedSendRate(engine, "telegram", per_second=6)),
        )
        for engine in engines
    ]
    try:
        for bot in bots:
            await bot.start()
        await asyncio.gather(*(bots[i % 2].send(1000 + i, [Text(f"Daily lesson for learner {i}")]) for i in range(30)))
    finally:
        for bot in bots:
            await bot.stop()
        for engine in engines:
            await engine.dispose()
    assert Counter(c.chat_id for c in fake.sent("sendMessage") if c.ok) == Counter(range(1000, 1030)), "each chat once"
    assert fake.too_many_requests == 0, "together never over 10 a second (side by side without the shared rate: 12)"


async def test_one_chat_is_paced_after_a_short_burst(fake: FakeTelegram, core: Core):
    """Telegram allows about one message a second in a chat, after a short burst: the bot sends
    3 at once, then one every 1.1 s, and Telegram never has to refuse one."""
    bot = TelegramBot(core=core, settings=TelegramSettings(token=TOKEN, api_base_url=fake.base_url, poll_timeout=1))
    await bot.start()
    try:
        for i in range(6):
            await bot.send(4242, [Text(f"Message {i}")])
    finally:
        await bot.stop()
    times = [c.at for c in fake.sent("sendMessage", chat_id=4242)]
    assert [c.result["text"] for c in fake.sent("sendMessage", chat_id=4242)] == [f"Message {i}" for i in range(6)]
    assert fake.too_many_requests == 0
    assert times[-1] - times[0] >= 3 * 1.1 * 0.9
