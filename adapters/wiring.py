"""The composition root: the one place where the bot is put together, from the settings read
once (bot/config.py): the content, the store, the issuer and the core for every command
(`build`), and for `serve` the chat platforms, the web app and the background work around them
(`wire_serving`). Nothing is built at import time; a platform's SDK is imported only when that
platform is configured (each platform is an extra: `pip install 'microbadge[telegram]'`)."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.inbox import Inbox
from bot.awards import renew_stale_subjects
from bot.clock import Clock, SystemClock
from bot.config import ConfigError, Settings, redact_url
from bot.core import Core
from bot.mastery import PARAMETERS_FILE, MasteryModel
from bot.store.database import (
    DatabaseUnusable,
    check_sqlite_folder,
    check_writable,
    create_engine,
    create_sessionmaker,
)
from bot.store.migrate import upgrade_async
from bot.store.store import SqlStore
from content.loader import load_curriculum
from content.model import Curriculum, Problem
from credentials.issuer import IssuerIdentity
from credentials.keys import InsecureKeyFile, IssuerKeyError, load_key
from credentials.keystore import KeyStore

if TYPE_CHECKING:
    from fastapi import FastAPI

    from adapters.lrs import LrsForwarder
    from adapters.redaction import RedactSecrets
    from adapters.slack.app import SlackBot
    from adapters.teams.bot import TeamsBot
    from adapters.telegram.bot import TelegramBot
    from bot.nudges import NudgeDispatcher

log = logging.getLogger(__name__)
TELEGRAM, SLACK, TEAMS = "telegram", "slack", "teams"  # the platforms' names (PLATFORM in each adapter)

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
    if result.warnings:  # the content loads; what it warns of (a translation set aside...) is said once at start
        log.warning(
            "Content: %d warning(s), `content check %s` lists them; the first: %s",
            len(result.warnings),
            settings.content_dir,
            result.warnings[0],
        )
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
        return f"{settings.keys_setting}: the issuer key {where} cannot be read ({reason}): it must be a file this user may read (mode 600)"
    return f"{settings.keys_setting}: the issuer key cannot be created in {where} ({reason}): the folder must be writable by this user"


def load_issuer(settings: Settings) -> IssuerIdentity:
    """The issuer's key is generated on first start and kept in KEYS_DIR; the issuer follows
    `credentials rotate-key` from then on, without a restart."""
    try:
        return IssuerIdentity.from_store(
            KeyStore(settings.keys_dir), name=settings.issuer_name, public_url=settings.public_url, local_url=settings.local_url
        )
    except (IssuerKeyError, OSError) as error:
        raise ConfigError(_keys_problem(settings, error)) from None


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
            issuer = IssuerIdentity.create(
                key=load_key(keys.current_path), name=settings.issuer_name, public_url=settings.public_url, local_url=settings.local_url
            )
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
    # FSRS's parameters: the defaults, or those `mastery optimize --apply` wrote in DATA_DIR (read at each answer).
    mastery = MasteryModel(parameters_file=settings.data_dir / PARAMETERS_FILE)
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer, mastery=mastery)
    return Application(core=core, curriculum=curriculum, store=store, issuer=issuer, clock=clock, engine=engine)


@dataclass
class Serving:
    """What `serve` runs: the web app, the configured platforms and the background work."""

    web: FastAPI
    inbox: Inbox
    dispatcher: NudgeDispatcher
    redactor: RedactSecrets
    telegram: TelegramBot | None = None
    slack: SlackBot | None = None
    teams: TeamsBot | None = None
    socket_mode: Any = None  # slack_bolt's AsyncSocketModeHandler, with SLACK_APP_TOKEN
    forwarder: LrsForwarder | None = None
    closers: list[Any] = field(default_factory=list)  # HTTP sessions and clients to close at the end

    @property
    def senders(self) -> list[str]:
        return sorted(name for name, bot in ((TELEGRAM, self.telegram), (SLACK, self.slack), (TEAMS, self.teams)) if bot is not None)


async def wire_serving(settings: Settings, app: Application) -> Serving:
    """Everything `serve` runs, built from the settings and the application."""
    from fastapi import APIRouter

    from adapters import redaction
    from adapters.inbox import FILE as inbox_file
    from adapters.media import MediaFolder, MediaLinks
    from bot.nudges import NudgeDispatcher, Sender
    from bot.published import BakedImages
    from web.app import create_app
    from web.health import Check

    secrets = list(settings.secrets)
    if settings.telegram is not None:
        secrets.append(settings.telegram.secret)  # derived from the token, so not in the environment
    redactor = redaction.install(secrets)
    routers: list[APIRouter] = []
    checks: dict[str, Check] = {}
    senders: dict[str, Sender] = {}
    # What the platforms delivered is journaled on this machine before it is acknowledged, so
    # a database outage or a killed process loses nothing (adapters/inbox.py).
    inbox = await Inbox(settings.data_dir / inbox_file).open()
    media = MediaFolder(settings.content_dir)
    telegram = slack = socket_mode = None
    closers: list[Any] = []
    if settings.telegram is not None:
        from adapters.telegram.bot import TelegramBot
        from adapters.telegram.delivery import DeliveryLimiter
        from adapters.telegram.webhook import webhook_router
        from bot.store.polls import SentPolls
        from bot.store.send_rate import SharedSendRate

        pacer = (  # SQLite: one process, its own limiter; PostgreSQL: one rate for every process
            SharedSendRate(app.engine, TELEGRAM, settings.telegram.messages_per_second) if app.engine.dialect.name == "postgresql" else None
        )
        telegram = TelegramBot(
            core=app.core,
            settings=settings.telegram,
            images=BakedImages(app.store).png,
            rate_limiter=DeliveryLimiter(overall_per_second=settings.telegram.messages_per_second, pacer=pacer),
            polls=SentPolls(app.engine, TELEGRAM, app.clock),  # an answer reaches any process, also after a restart
            inbox=inbox,
            media=media,  # lesson pictures are uploaded from the content's media/
        )
        if settings.telegram.webhook_url:
            routers.append(webhook_router(telegram, webhook_url=settings.telegram.webhook_url, secret=settings.telegram.secret))
        checks[TELEGRAM] = telegram.application.bot.get_me
        senders[TELEGRAM] = telegram.send_to_user
    if settings.slack is not None:
        import aiohttp

        from adapters.slack.app import SlackBot, web_client

        http_session = aiohttp.ClientSession()  # kept-alive Slack connections
        closers.append(http_session)
        slack = SlackBot(
            core=app.core,
            store=app.store,
            settings=settings.slack,
            clock=app.clock,
            inbox=inbox,
            client=web_client(settings.slack, session=http_session),
            pictures=MediaLinks(base_url=settings.public_url, folder=media).url,  # Slack fetches them from /media/
        )
        if settings.slack.app_token:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            socket_mode = AsyncSocketModeHandler(slack.app, settings.slack.app_token)
        else:
            from adapters.slack.http import events_router

            routers.append(events_router(slack.app, settings.slack.signing_secret))
        checks[SLACK] = slack.client.auth_test
        senders[SLACK] = slack.send_to_user
    teams = None
    if settings.teams is not None:
        from adapters.teams.bot import TeamsBot
        from bot.store.teams_conversations import SqlTeamsConversations

        teams = TeamsBot(
            core=app.core,
            settings=settings.teams,
            conversations=SqlTeamsConversations(app.engine, app.clock),
            inbox=inbox,
            pictures=MediaLinks(base_url=settings.public_url, folder=media).url,  # Teams' clients fetch them from /media/
        )
        await teams.start()  # the SDK registers /api/messages on its router: before the router is included
        routers.append(teams.adapter.router)
        checks[TEAMS] = teams.reachable
        senders[TEAMS] = teams.send_to_user
    web = create_app(
        store=app.store,
        curriculum=app.curriculum,
        issuer=app.issuer,
        clock=app.clock,
        platform_routers=routers,
        platform_checks=checks,
        mastery=MasteryModel(parameters_file=settings.data_dir / PARAMETERS_FILE),  # as the bot's (build)
        content_dir=settings.content_dir,  # lesson pictures at /media/, for the platforms that fetch them
        bot_texts=app.core.translators,  # the catalogs the core read, not read again
    )
    dispatcher = NudgeDispatcher(
        store=app.store,
        core=app.core,
        clock=app.clock,
        senders=senders,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        lease=timedelta(seconds=settings.nudging.lease),
        batch=settings.nudging.batch,
        concurrency=settings.nudging.concurrency,
        web_url=app.issuer.links.base_url,  # the dashboard's sign-in link in a manager's weekly digest
    )
    forwarder = None
    if settings.lrs_problem is not None:
        log.error("xAPI forwarding is off: %s", settings.lrs_problem)
    elif settings.lrs is not None:
        from adapters.lrs import LrsForwarder, open_client
        from bot.store.forwarding import ForwardingStore
        from bot.xapi import Record

        lrs_client = open_client(settings.lrs)
        closers.append(lrs_client)
        forwarder = LrsForwarder(  # the same statements as `xapi export`: the same base URL
            settings=settings.lrs,
            store=ForwardingStore(app.engine),
            clock=app.clock,
            client=lrs_client,
            record=Record(base_url=settings.public_url or settings.local_url, curriculum=app.curriculum),
        )
    return Serving(
        web=web,
        inbox=inbox,
        dispatcher=dispatcher,
        redactor=redactor,
        telegram=telegram,
        slack=slack,
        teams=teams,
        socket_mode=socket_mode,
        forwarder=forwarder,
        closers=closers,
    )
