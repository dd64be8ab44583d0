"""`run_bot.py serve`: one process with the project's one ASGI web app (credential pages, the
issuer's DID document, the status list, and the platforms' webhooks) and every chat platform
whose tokens are configured."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import uvicorn

from bot.bootstrap import Application
from bot.config import Settings
from web.app import create_app

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: `serve` owns SIGINT/SIGTERM, so the process
    stops every part in order and exits 0 instead of re-raising the signal."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(settings: Settings, app: Application) -> None:
    """Serve until SIGINT or SIGTERM; requests in flight are finished first."""
    web = create_app(store=app.store, curriculum=app.curriculum, issuer=app.issuer, clock=app.clock)
    server = _Server(uvicorn.Config(web, host=settings.host, port=settings.port, log_level="info", lifespan="on"))

    def stop() -> None:
        server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    log.warning("Serving the web app on %s (public URL: %s)", settings.local_url, settings.public_url or "not set")
    try:
        await server.serve()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
