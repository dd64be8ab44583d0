"""Fixtures of the store-level tests: `any_store` holds a test to the same behaviour on the SQL
store (SQLite and PostgreSQL) and on the in-memory store the core's unit tests run on."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.ports import Store
from bot.store.database import create_engine, create_sessionmaker
from bot.store.store import SqlStore
from tests.conftest import TABLES, blocking
from tests.memory_store import MemoryStore


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "memory"])
async def any_store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    engine = create_engine(request.getfixturevalue(f"database_url_for_{request.param}"))
    yield SqlStore(create_sessionmaker(engine))
    await engine.dispose()


@pytest.fixture
def database_url_for_sqlite(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "bot.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def database_url_for_postgresql(postgres_database: str) -> str:
    async def emptied() -> None:
        engine = create_engine(postgres_database)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        await engine.dispose()

    blocking(asyncio.run, emptied())
    return postgres_database
