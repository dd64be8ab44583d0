"""Serve an ASGI app with uvicorn on 127.0.0.1 in a thread with its own event loop, for the
fake platform servers the wire tests and the benchmarks talk to. It enforces nothing itself: the
limits are the fakes' own (fakes/telegram_api.py, fakes/slack_api.py)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def free_port() -> int:
    """A port free on 127.0.0.1 now, for a process started next to listen on (it may be taken
    in between; serving_in_thread holds its own port instead)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving_in_thread(app: Any, name: str, before_stop: Callable[[], None] | None = None) -> Iterator[int]:
    """Yields the port. `before_stop` runs first on exit (e.g. to end long polls quickly)."""
    # A TCP-proto socket: uvicorn sets TCP_NODELAY only then (no 40 ms Nagle delays). Bound
    # before the thread starts, so the port is held from now on: no race with other tests.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False, timeout_graceful_shutdown=2))
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as error:  # reported to the caller below
            failures.append(error)

    thread = threading.Thread(target=run, name=f"{name}-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started:
            if failures or not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start on port {port}: {failures}")
            time.sleep(0.01)
        yield port
    finally:
        if before_stop is not None:
            before_stop()
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
