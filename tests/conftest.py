"""Shared fixtures: real databases (SQLite always, PostgreSQL when reachable), a manual clock,
and a core wired to the small fixture curriculum in tests/fixtures/content."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.clock import ManualClock
from bot.core import Core
from bot.store.database import create_engine, create_sessionmaker
from bot.store.migrate import upgrade
from bot.store.store import SqlStore
from content.loader import load_curriculum
from content.model import Curriculum
from tests.outage import DatabaseOutage

T = TypeVar("T")
FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TABLES = (
    "teams_conversations",
    "holdouts",
    "assignments",
    "job_roles",
    "slack_learners",
    "sent_polls",
    "xapi_forwarding",
    "send_rates",
    "access_tokens",
    "managed_teams",
    "teams",
    "nudges",
    "wallet_claims",
    "awards",
    "events",
    "item_states",
    "skill_states",
    "streak_holds",
    "learning_sessions",
    "learners",
)


def blocking(function: Callable[..., T], *args: object) -> T:
    """Run `function` in a thread of its own: session fixtures may be set up from inside a
    running event loop, where asyncio.run and Alembic's async env cannot run."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


async def _postgres_reachable(url: str) -> str | None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("select 1"))
        return None
    except Exception as error:  # any failure to connect means: no PostgreSQL here
        return f"{type(error).__name__}: {error}"
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated with Alembic; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    blocking(upgrade, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated with Alembic.

    Without a server the PostgreSQL tests skip with the reason, except in CI, where they must
    run: there an unreachable server fails the run."""
    admin_url = postgres_admin_url()
    problem = blocking(asyncio.run, _postgres_reachable(admin_url))
    if problem:
        message = (
            f"PostgreSQL not reachable at {make_url(admin_url).render_as_string(hide_password=True)} ({problem}); set TEST_POSTGRES_URL"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"microbadge_test_{uuid.uuid4().hex[:10]}"

    async def admin(statement: str) -> None:
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    blocking(asyncio.run, admin(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    blocking(upgrade, url)
    yield url
    blocking(asyncio.run, admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "bot.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_database")
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    yield url


@pytest.fixture
async def outage(database_url: str) -> AsyncIterator[DatabaseOutage]:
    """A proxy between the bot and PostgreSQL that cuts every connection and refuses new ones while down."""
    proxy = DatabaseOutage(database_url)
    await proxy.up()
    yield proxy
    await proxy.down()


@pytest.fixture
def clock() -> ManualClock:
    # Monday 2 March 2026, 09:00 in Berlin.
    return ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def curriculum() -> Curriculum:
    result = load_curriculum(FIXTURE_CONTENT)
    assert result.curriculum is not None, "\n".join(map(str, result.problems))
    return result.curriculum


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    engine = create_engine(database_url)
    yield SqlStore(create_sessionmaker(engine))
    await engine.dispose()


@pytest.fixture
def core(store: SqlStore, curriculum: Curriculum, clock: ManualClock) -> Core:
    return Core(curriculum=curriculum, store=store, clock=clock)


@pytest.fixture
def verify_with_node(tmp_path: Path):
    from tests.node_verifier import node_verifier

    return node_verifier(tmp_path)
