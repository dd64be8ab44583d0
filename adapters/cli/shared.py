"""What several commands share: an outcome to print, a line for the operator, the store, the content
and the application opened the same way for each."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    from adapters.wiring import Application
    from bot.ports import Store
    from content.model import Curriculum


@dataclass(frozen=True)
class Outcome:
    """The line a command prints and its exit code; nothing a command does raises for an operator's typo."""

    message: str
    exit_code: int = 0


def say(message: str, secrets: tuple[str, ...] = ()) -> None:
    """One line on stderr for the operator (a JSON object under LOG_FORMAT=json), secrets masked."""
    from bot.logs import operator_line

    print(operator_line(message, os.environ.get("LOG_FORMAT"), secrets), file=sys.stderr)


@asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[Store]:
    """The progress store on an upgraded schema; the engine is disposed of on exit. `ConfigError`
    when the database cannot be opened or reached."""
    from adapters.wiring import prepare_database
    from bot.store.database import create_engine, create_sessionmaker
    from bot.store.store import SqlStore

    await prepare_database(settings)
    engine = create_engine(settings.database_url)
    try:
        yield SqlStore(create_sessionmaker(engine))
    finally:
        await engine.dispose()


def content_or_report(settings: Settings) -> Curriculum | None:
    """The curriculum, or None after printing every problem in it."""
    from adapters.wiring import ContentInvalid, load_content

    try:
        return load_content(settings)
    except ContentInvalid as error:
        print("\n".join(map(str, error.problems)), file=sys.stderr)
        return None


async def build_or_report(settings: Settings) -> Application | None:
    """The application, or None after printing every content problem (nothing starts on broken content)."""
    from adapters.wiring import ContentInvalid, build

    try:
        return await build(settings)
    except ContentInvalid as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"The content in {settings.content_dir} has problems; fix them and start again.", file=sys.stderr)
        return None
