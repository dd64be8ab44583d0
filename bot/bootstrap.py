"""The composition root: everything is built here, nothing at import time."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.core import Core
from bot.store.database import create_engine, create_sessionmaker
from bot.store.migrate import upgrade_async
from bot.store.repository import ProgressStore
from content.loader import load_curriculum
from content.model import Curriculum, Problem
from credentials.issuer import IssuerIdentity
from credentials.keystore import KeyStore


class ContentInvalid(Exception):
    """The content tree has problems; the bot will not start on broken content."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


@dataclass
class Application:
    core: Core
    curriculum: Curriculum
    store: ProgressStore
    issuer: IssuerIdentity
    clock: Clock
    engine: AsyncEngine

    async def close(self) -> None:
        await self.engine.dispose()


def load_content(settings: Settings) -> Curriculum:
    result = load_curriculum(settings.content_dir)
    if result.curriculum is None:
        raise ContentInvalid(result.problems)
    return result.curriculum


def load_issuer(settings: Settings) -> IssuerIdentity:
    """The issuer's key is generated on first start and kept in KEYS_DIR."""
    keys = KeyStore(settings.keys_dir)
    return IssuerIdentity.create(
        key=keys.load_or_create(),
        retired=tuple(keys.retired()),
        name=settings.issuer_name,
        public_url=settings.public_url,
        local_url=settings.local_url,
    )


async def build(settings: Settings, *, clock: Clock | None = None) -> Application:
    curriculum = load_content(settings)
    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    store = ProgressStore(create_sessionmaker(engine))
    issuer = load_issuer(settings)
    clock = clock or SystemClock()
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
    return Application(core=core, curriculum=curriculum, store=store, issuer=issuer, clock=clock, engine=engine)
