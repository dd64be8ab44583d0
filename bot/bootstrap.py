"""The composition root: everything is built here, nothing at import time."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.awards import renew_stale_subjects
from bot.clock import Clock, SystemClock
from bot.config import ConfigError, Settings, redact_url
from bot.core import Core
from bot.store.database import (
    DatabaseUnusable, check_sqlite_folder, check_writable, create_engine, create_sessionmaker,
)
from bot.store.migrate import upgrade_async
from bot.store.store import SqlStore
from content.loader import load_curriculum
from content.model import Curriculum, Problem
from credentials.issuer import IssuerIdentity
from credentials.keys import InsecureKeyFile, IssuerKeyError, load_key
from credentials.keystore import KeyStore

log = logging.getLogger(__name__)

KEEP_THE_KEY = "restore it from a backup (a new key would not verify the credentials signed so far)"


class ContentInvalid(Exception):
    """The content tree has problems; the bot will not start on broken content."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


@dataclass
class Application:
    core: Core
    curriculum: Curriculum
    store: SqlStore
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


def check_storage(settings: Settings) -> None:
    """Before anything is written: the database's folder (SQLite) takes files, and the issuer key
    can be read or (first start) created. `ConfigError` naming the setting otherwise."""
    try:
        check_sqlite_folder(settings.database_url)
    except DatabaseUnusable as error:
        raise ConfigError(f"{settings.database_setting}: {error}") from None
    check_keys(settings)


def check_keys(settings: Settings) -> None:
    """Before anything is written: the issuer key can be read, or (first start) created.
    `ConfigError` naming KEYS_DIR otherwise."""
    keys = KeyStore(settings.keys_dir)
    try:
        if keys.current_path.exists() or keys.current_path.is_symlink():
            load_key(keys.current_path)
            keys.retired()
        else:
            check_writable(settings.keys_dir)
    except (IssuerKeyError, OSError) as error:
        raise ConfigError(_keys_problem(settings, error)) from None


def _keys_problem(settings: Settings, error: IssuerKeyError | OSError) -> str:
    if isinstance(error, InsecureKeyFile):
        return f"{settings.keys_setting}: {error}"
    if isinstance(error, IssuerKeyError):
        return f"{settings.keys_setting}: {error}; {KEEP_THE_KEY}"
    where = Path(error.filename) if error.filename else settings.keys_dir
    reason = error.strerror or type(error).__name__
    if where.suffix == ".pem":
        return (f"{settings.keys_setting}: the issuer key {where} cannot be read ({reason}): it must be a file "
                "this user may read (mode 600)")
    return (f"{settings.keys_setting}: the issuer key cannot be created in {where} ({reason}): the folder must be "
            "writable by this user")


def load_issuer(settings: Settings) -> IssuerIdentity:
    """The issuer's key is generated on first start and kept in KEYS_DIR."""
    keys = KeyStore(settings.keys_dir)
    try:
        key, retired = keys.load_or_create(), tuple(keys.retired())
    except (IssuerKeyError, OSError) as error:
        raise ConfigError(_keys_problem(settings, error)) from None
    return IssuerIdentity.create(
        key=key, retired=retired, name=settings.issuer_name, public_url=settings.public_url,
        local_url=settings.local_url,
    )


async def prepare_database(settings: Settings) -> None:
    """Create or upgrade the schema; `ConfigError` naming the setting (password hidden) and
    what to check when the database cannot be opened or reached."""
    try:
        await upgrade_async(settings.database_url)
    except DatabaseUnusable as error:
        raise ConfigError(f"{settings.database_setting}: {error}") from None


def in_use(settings: Settings, issuer: IssuerIdentity | None = None) -> list[str]:
    """Which database and which issuer key this process uses (said at start, so that a wrong
    folder is noticed at once). Passwords are never shown; the key's file is."""
    keys = KeyStore(settings.keys_dir)
    if issuer is not None:
        key = f"{keys.current_path} ({issuer.verification_method})"  # the key's id: the issuer's DID and the key
    elif keys.current_path.exists():
        try:
            issuer = IssuerIdentity.create(key=load_key(keys.current_path), name=settings.issuer_name,
                                           public_url=settings.public_url, local_url=settings.local_url)
            key = f"{keys.current_path} ({issuer.verification_method})"
        except (OSError, IssuerKeyError) as error:
            key = f"{keys.current_path} (unusable: {error})"
    else:
        key = f"none yet (created in {settings.keys_dir} on first start of the bot)"
    return [f"Database: {redact_url(settings.database_url)}", f"Issuer key: {key}"]


async def build(settings: Settings, *, clock: Clock | None = None) -> Application:
    """Everything the bot runs on. Settings that cannot be used are found before anything is written."""
    curriculum = load_content(settings)
    check_storage(settings)
    await prepare_database(settings)
    engine = create_engine(settings.database_url)
    store = SqlStore(create_sessionmaker(engine))
    issuer = load_issuer(settings)
    clock = clock or SystemClock()
    renewed = await renew_stale_subjects(store, issuer, now=clock.now())
    if renewed:
        log.warning("Signed %d credential(s) again so that they no longer name the learner by a platform id", renewed)
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
    return Application(core=core, curriculum=curriculum, store=store, issuer=issuer, clock=clock, engine=engine)
