"""Migration 0025 gives every answer and card view its analytics columns (the session, an answer's
wording and choices) from the events already written, on SQLite and PostgreSQL; an answer recorded
before answers carried their wording takes it from its session's snapshot, as the review did before.
The review reads the same figures after the upgrade as the bot's own writes give."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from alembic import command

from bot.analytics import read, review_columns
from bot.analytics_records import choice_bits, wording_number
from bot.store.database import create_engine
from bot.store.event_columns import EVENTS
from bot.store.migrate import alembic_config, upgrade_async
from bot.wording import wording_of_check
from tests.integration.test_translated_lessons import next_until_question
from tests.support import Chat

WRITTEN = "SELECT id, kind, check_key, wording, choices, session_id, payload FROM events WHERE kind IN ('answered', 'card_viewed')"


async def test_upgrading_fills_the_analytics_columns_of_the_events_before_it(core, store, clock, database_url):
    for name in ("ana", "bo", "cy"):
        chat = Chat(core, name)
        await chat.start()
        await chat.next()
        await next_until_question(chat)
        await chat.answer_correctly()
        await chat.answer_wrongly()
    async with store.reading() as tx:
        columns, steps = await read(tx.analytics, core.curriculum)
    as_written = review_columns(columns, steps, core.curriculum, now=clock.now())
    written = await _columns(database_url)
    answers = {event: row for event, row in written.items() if row[0] == "answered"}
    assert len(answers) == 6 and all(row[2] is not None for row in answers.values()), "the bot writes every answer's wording"

    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0024")
    engine = create_engine(database_url)
    async with engine.begin() as connection:  # Ana's and Bo's answers as recorded before answers carried their wording
        for event_id, payload in (
            await connection.execute(sa.select(EVENTS.c.id, EVENTS.c.payload).where(EVENTS.c.kind == "answered"))
        ).all():
            if event_id % 3:
                payload.pop("wording")
                await connection.execute(sa.update(EVENTS).where(EVENTS.c.id == event_id).values(payload=payload))
    await engine.dispose()
    await upgrade_async(database_url)

    assert await _columns(database_url) == written, "the same columns as the bot's own writes"
    for kind, check_key, wording, choices, session, payload in written.values():
        assert session == payload["session"] and session is not None
        if kind == "answered":
            check = core.curriculum.find_check(check_key)
            assert check is not None and wording == wording_number(wording_of_check(check))
            assert choices == choice_bits(payload["choices"])
        else:
            assert kind == "card_viewed" and wording is None and choices is None
    async with store.reading() as tx:
        columns, steps = await read(tx.analytics, core.curriculum)
    assert review_columns(columns, steps, core.curriculum, now=clock.now()) == as_written


async def _columns(url: str) -> dict[int, tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(sa.text(WRITTEN))
            return {row[0]: (row[1], row[2], row[3], row[4], row[5], _payload(row[6])) for row in rows}
    finally:
        await engine.dispose()


def _payload(value: Any) -> dict[str, Any]:
    import json

    found = json.loads(value) if isinstance(value, str) else value
    found.pop("wording", None)  # the upgrade fills the column, the payload stays as recorded
    return found
