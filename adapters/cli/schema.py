"""`db upgrade`: create or upgrade the schema (every other command does it on start too)."""

from __future__ import annotations

import asyncio

from bot.config import Settings, redact_url


def upgrade(settings: Settings) -> int:
    from adapters.wiring import prepare_database

    asyncio.run(prepare_database(settings))
    print(f"Database is up to date: {redact_url(settings.database_url)}")
    return 0
