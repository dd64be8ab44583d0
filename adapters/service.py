"""`serve`: runs what adapters/wiring.py put together (the one ASGI web app with the platforms'
webhooks, the chat platforms, and the background work: redelivering journaled deliveries,
nudges, xAPI forwarding) until SIGINT or SIGTERM, then stops every part in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import uvicorn

from adapters.wiring import Application, Serving, wire_serving
from bot.config import Settings

log = logging.getLogger(__name__)


class PlatformUnavailable(Exception):
    """A configured platform refused or could not be reached at start (a wrong token, no network)."""


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: `serve` owns SIGINT/SIGTERM, so the process
    stops every part in order and exits 0 instead of re-raising the signal."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(settings: Settings, app: Application) -> None:
    """Serve until SIGINT or SIGTERM; requests in flight are finished first."""
    serving = await wire_serving(settings, app)
    # log_config=None: uvicorn logs through our handlers (plain or JSON lines, tokens redacted).
    server = _Server(uvicorn.Config(serving.web, host=settings.host, port=settings.port, lifespan="on", log_config=None))
    stopping = asyncio.Event()
    background: list[asyncio.Task[None]] = []

    def stop() -> None:
        server.should_exit = True
        stopping.set()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        await _start_platforms(settings, serving)
        for redelivering in (serving.telegram, serving.slack, serving.teams):
            if redelivering is not None:
                background.append(asyncio.create_task(redelivering.redeliver(stopping)))
        if serving.senders:
            background.append(asyncio.create_task(serving.dispatcher.run(stopping, interval=settings.nudging.interval), name="nudges"))
            log.warning("Daily nudges: delivering for %s", ", ".join(serving.senders))
        if serving.forwarder is not None:
            background.append(asyncio.create_task(serving.forwarder.run(stopping), name="xapi-forwarding"))
        log.warning("Serving the web app on %s (public URL: %s)", settings.local_url, settings.public_url or "not set")
        if (unchecked := app.issuer.unchecked_by_the_public()) is not None:
            log.warning("%s", unchecked)
        await server.serve()
    finally:
        stopping.set()
        for task in background:  # nudges under way are finished, not abandoned
            await task
        await _stop(serving)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _start_platforms(settings: Settings, serving: Serving) -> None:
    """Each configured platform connected (or said not configured); one line naming what a
    platform refused, never a traceback or a token."""
    if serving.telegram is not None:
        from telegram.error import InvalidToken, TelegramError

        try:
            await serving.telegram.start()
        except InvalidToken:  # its message quotes the token
            raise PlatformUnavailable("Telegram refused TELEGRAM_BOT_TOKEN (InvalidToken): copy the token from @BotFather again") from None
        except TelegramError as error:
            raise PlatformUnavailable(
                f"Telegram: {type(error).__name__}: {serving.redactor.redact(str(error))}. Check the token and the network"
            ) from None
    else:
        log.warning("Telegram is not configured (TELEGRAM_BOT_TOKEN is not set)")
    if serving.socket_mode is not None:
        try:
            await serving.socket_mode.connect_async()
        except Exception as error:  # a refused app token or no network: one line, not a traceback
            raise PlatformUnavailable(
                f"Slack Socket Mode: {type(error).__name__}: {serving.redactor.redact(str(error))}. Check SLACK_APP_TOKEN and the network"
            ) from None
        log.warning("Slack: connected in Socket Mode")
    elif serving.slack is not None:
        log.warning("Slack: events, interactivity and /learn at %s/slack/events", settings.public_url or settings.local_url)
    else:
        log.warning("Slack is not configured (SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set)")
    if serving.teams is not None:
        log.warning("Microsoft Teams: activities at %s/api/messages", settings.public_url or settings.local_url)
    else:
        log.warning("Microsoft Teams is not configured (TEAMS_APP_ID and TEAMS_APP_PASSWORD are not set)")


async def _stop(serving: Serving) -> None:
    if serving.socket_mode is not None:
        await serving.socket_mode.close_async()
    if serving.slack is not None:
        await serving.slack.close()  # what is not processed yet stays journaled
    if serving.teams is not None:
        await serving.teams.close()  # likewise
    for closer in serving.closers:
        await (closer.aclose() if hasattr(closer, "aclose") else closer.close())
    if serving.telegram is not None:
        await serving.telegram.stop()
    await serving.inbox.close()
