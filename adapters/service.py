"""`run_bot.py serve`: one process with the project's one ASGI web app (credential pages, the
issuer's DID document, the status list, and the platforms' webhooks) and every chat platform
whose tokens are configured. A platform's SDK is imported only when its tokens are set: each
platform is an extra (`pip install 'microbadge[telegram]'`), so an install without Slack serves
Telegram, and the other way round."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
import uvicorn
from fastapi import APIRouter

from adapters import redaction
from adapters.inbox import FILE as inbox_file
from adapters.inbox import Inbox
from adapters.lrs import LrsForwarder, LrsSettings, open_client
from bot.bootstrap import Application
from bot.config import Settings
from bot.nudges import NudgeDispatcher, Sender
from bot.store.forwarding import ForwardingStore
from bot.store.polls import SentPolls
from bot.store.send_rate import SharedSendRate
from bot.xapi import Record
from web.app import create_app
from web.awards import BakedImages
from web.health import Check

if TYPE_CHECKING:
    from adapters.slack.app import SlackSettings
    from adapters.telegram.bot import TelegramSettings

log = logging.getLogger(__name__)
TELEGRAM, SLACK = "telegram", "slack"  # the platforms' names (PLATFORM in each adapter)


class PlatformUnavailable(Exception):
    """A configured platform refused or could not be reached at start (a wrong token, no network)."""


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: `serve` owns SIGINT/SIGTERM, so the process
    stops every part in order and exits 0 instead of re-raising the signal."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(settings: Settings, app: Application, env: Mapping[str, str] = os.environ) -> None:
    """Serve until SIGINT or SIGTERM; requests in flight are finished first."""
    telegram_settings = _telegram_settings(env)
    slack_settings = _slack_settings(env)
    secrets = [*settings.secrets, *([telegram_settings.token, telegram_settings.secret] if telegram_settings else [])]
    if slack_settings is not None:
        secrets += [slack_settings.bot_token, slack_settings.signing_secret, slack_settings.app_token or ""]
    lrs_settings = _lrs_settings(env)
    if lrs_settings is not None:
        secrets.append(lrs_settings.password)
    redactor = redaction.install(secrets)
    routers: list[APIRouter] = []
    telegram = None
    # What the platforms delivered is journaled on this machine before it is acknowledged, so
    # a database outage or a killed process loses nothing (adapters/inbox.py).
    inbox = await Inbox(settings.data_dir / inbox_file).open()
    if telegram_settings is not None:
        from adapters.telegram.bot import TelegramBot
        from adapters.telegram.delivery import DeliveryLimiter
        from adapters.telegram.webhook import webhook_router

        pacer = (
            SharedSendRate(app.engine, TELEGRAM, telegram_settings.messages_per_second)
            if app.engine.dialect.name == "postgresql" else None  # SQLite: one process, its own limiter
        )
        telegram = TelegramBot(
            core=app.core, settings=telegram_settings, images=BakedImages(app.store).png,
            rate_limiter=DeliveryLimiter(overall_per_second=telegram_settings.messages_per_second, pacer=pacer),
            polls=SentPolls(app.engine, TELEGRAM, app.clock),  # an answer reaches any process, also after a restart
            inbox=inbox,
        )
        if telegram_settings.webhook_url:
            routers.append(webhook_router(telegram, webhook_url=telegram_settings.webhook_url, secret=telegram_settings.secret))
    http_session = None
    slack = None
    if slack_settings is not None:
        import aiohttp

        from adapters.slack.app import SlackBot, web_client

        http_session = aiohttp.ClientSession()  # kept-alive Slack connections
        slack = SlackBot(core=app.core, store=app.store, settings=slack_settings, clock=app.clock, inbox=inbox,
                         client=web_client(slack_settings, session=http_session))
    socket_mode = None
    if slack is not None and slack_settings is not None and slack_settings.app_token:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        socket_mode = AsyncSocketModeHandler(slack.app, slack_settings.app_token)
    elif slack is not None and slack_settings is not None:
        from adapters.slack.http import events_router

        routers.append(events_router(slack.app, slack_settings.signing_secret))
    checks: dict[str, Check] = {}
    if telegram is not None:
        checks[TELEGRAM] = telegram.application.bot.get_me
    if slack is not None:
        checks[SLACK] = slack.client.auth_test
    web = create_app(
        store=app.store, curriculum=app.curriculum, issuer=app.issuer, clock=app.clock, platform_routers=routers,
        platform_checks=checks,
    )
    # log_config=None: uvicorn logs through our handlers (plain or JSON lines, tokens redacted).
    server = _Server(uvicorn.Config(web, host=settings.host, port=settings.port, lifespan="on", log_config=None))

    senders: dict[str, Sender] = {}
    if telegram is not None:
        senders[TELEGRAM] = telegram.send_to_user
    if slack is not None:
        senders[SLACK] = slack.send_to_user
    dispatcher = NudgeDispatcher(
        store=app.store, core=app.core, clock=app.clock, senders=senders, worker=f"{socket.gethostname()}:{os.getpid()}",
        lease=timedelta(seconds=settings.nudging.lease), batch=settings.nudging.batch,
        concurrency=settings.nudging.concurrency,
    )
    interval = settings.nudging.interval
    lrs_client: httpx.AsyncClient | None = None
    forwarder: LrsForwarder | None = None
    if lrs_settings is not None:
        lrs_client = open_client(lrs_settings)
        forwarder = LrsForwarder(  # the same statements as `xapi export`: the same base URL
            settings=lrs_settings, store=ForwardingStore(app.engine), clock=app.clock, client=lrs_client,
            record=Record(base_url=settings.public_url or settings.local_url, curriculum=app.curriculum),
        )
    stopping = asyncio.Event()
    nudging: asyncio.Task[None] | None = None
    forwarding: asyncio.Task[None] | None = None
    redelivering: list[asyncio.Task[None]] = []

    def stop() -> None:
        server.should_exit = True
        stopping.set()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        if telegram is not None:
            from telegram.error import InvalidToken, TelegramError

            try:
                await telegram.start()
            except InvalidToken:  # its message quotes the token
                raise PlatformUnavailable("Telegram refused TELEGRAM_BOT_TOKEN (InvalidToken): copy the token from "
                                          "@BotFather again") from None
            except TelegramError as error:
                raise PlatformUnavailable(f"Telegram: {type(error).__name__}: {redactor.redact(str(error))}. Check the "
                                          "token and the network") from None
            redelivering.append(asyncio.create_task(telegram.redeliver(stopping), name="telegram-redelivery"))
        else:
            log.warning("Telegram is not configured (TELEGRAM_BOT_TOKEN is not set)")
        if socket_mode is not None:
            try:
                await socket_mode.connect_async()
            except Exception as error:  # a refused app token or no network: one line, not a traceback
                raise PlatformUnavailable(f"Slack Socket Mode: {type(error).__name__}: {redactor.redact(str(error))}. "
                                          "Check SLACK_APP_TOKEN and the network") from None
            log.warning("Slack: connected in Socket Mode")
        elif slack is not None:
            log.warning("Slack: events, interactivity and /learn at %s/slack/events", settings.public_url or settings.local_url)
        else:
            log.warning("Slack is not configured (SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set)")
        if slack is not None:
            redelivering.append(asyncio.create_task(slack.redeliver(stopping), name="slack-redelivery"))
        if senders:
            nudging = asyncio.create_task(dispatcher.run(stopping, interval=interval), name="nudges")
            log.warning("Daily nudges: delivering for %s", ", ".join(sorted(senders)))
        if forwarder is not None:
            forwarding = asyncio.create_task(forwarder.run(stopping), name="xapi-forwarding")
        log.warning("Serving the web app on %s (public URL: %s)", settings.local_url, settings.public_url or "not set")
        await server.serve()
    finally:
        stopping.set()
        if nudging is not None:
            await nudging
        if forwarding is not None:
            await forwarding
        for task in redelivering:
            await task
        if lrs_client is not None:
            await lrs_client.aclose()
        if socket_mode is not None:
            await socket_mode.close_async()
        if slack is not None:
            await slack.close()  # what is not processed yet stays journaled
        if http_session is not None:
            await http_session.close()
        if telegram is not None:
            await telegram.stop()
        await inbox.close()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def _telegram_settings(env: Mapping[str, str]) -> TelegramSettings | None:
    """Telegram's settings when its token is set; without one its SDK is never imported."""
    if not (env.get("TELEGRAM_BOT_TOKEN") or "").strip():
        return None
    from adapters.telegram.bot import TelegramSettings

    return TelegramSettings.from_env(env)


def _slack_settings(env: Mapping[str, str]) -> SlackSettings | None:
    """Slack's settings when its tokens are set; without them its SDK is never imported."""
    if not ((env.get("SLACK_BOT_TOKEN") or "").strip() and (env.get("SLACK_SIGNING_SECRET") or "").strip()):
        return None
    from adapters.slack.app import SlackSettings

    return SlackSettings.from_env(env)


def _lrs_settings(env: Mapping[str, str]) -> LrsSettings | None:
    """Forwarding to an LRS, if configured. A bad setting turns it off with an error and does not
    stop the bot: the cursor does not move, so the record is forwarded once it is fixed."""
    try:
        return LrsSettings.from_env(env)
    except ValueError as error:
        log.error("xAPI forwarding is off: %s", error)
        return None
