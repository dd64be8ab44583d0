"""Polls the bot sent, and the lesson step each asks, so that an answer is understood by
whichever process receives it (several `serve` processes behind one webhook) and after a
restart. A poll is answerable for POLL_KEPT; older ones are forgotten as new ones are sent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock
from bot.store.models import SentPollRow
from bot.store.unavailable import unavailable_as_store_error

POLL_KEPT = timedelta(days=30)


class SentPolls:
    def __init__(self, engine: AsyncEngine, platform: str, clock: Clock) -> None:
        self._engine, self._platform, self._clock = engine, platform, clock
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    async def remember(self, poll_id: str, chat_id: int, message_id: int, ref: str) -> None:
        now = self._clock.now()
        async with unavailable_as_store_error(), self._engine.begin() as connection:
            await connection.execute(
                self._insert(SentPollRow)
                .values(platform=self._platform, poll_id=poll_id, chat_id=chat_id, message_id=message_id, ref=ref, sent_at=now)
                .on_conflict_do_nothing()
            )
            await connection.execute(
                delete(SentPollRow).where(SentPollRow.platform == self._platform, SentPollRow.sent_at < now - POLL_KEPT)
            )

    async def recall(self, poll_id: str) -> tuple[int, int, str] | None:
        """(chat id, message id, step) of a poll this bot sent, or None. StoreUnavailable while the
        database cannot be reached."""
        async with unavailable_as_store_error(), self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(SentPollRow.chat_id, SentPollRow.message_id, SentPollRow.ref).where(
                        SentPollRow.platform == self._platform, SentPollRow.poll_id == poll_id
                    )
                )
            ).one_or_none()
        return (int(row[0]), int(row[1]), str(row[2])) if row else None
