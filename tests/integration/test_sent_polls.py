"""The polls the bot sent, kept in the database so any process understands an answer."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.store.database import create_engine
from bot.store.polls import SentPolls


async def test_a_poll_is_recalled_by_another_process_and_forgotten_after_a_month(database_url, clock: ManualClock):
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        sender, other = (SentPolls(engine, "telegram", clock) for engine in engines)
        await sender.remember("5012", chat_id=4242, message_id=77, ref="12.3")
        await sender.remember("5012", chat_id=4242, message_id=77, ref="12.3")  # the same poll twice: no error
        assert await other.recall("5012") == (4242, 77, "12.3")
        assert await SentPolls(engines[1], "slack", clock).recall("5012") is None, "per platform"
        assert await other.recall("nope") is None
        clock.advance(days=31)
        await sender.remember("5013", chat_id=4242, message_id=78, ref="12.4")  # sending prunes old polls
        assert await other.recall("5012") is None and await other.recall("5013") == (4242, 78, "12.4")
    finally:
        for engine in engines:
            await engine.dispose()
