"""Serve an app with uvicorn on 127.0.0.1 in a thread of its own, with its own event loop and
its own database engine (async connections belong to the loop that opened them)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from bot.store.database import create_engine, create_sessionmaker
from bot.store.store import SqlStore


@contextmanager
def serving(make_app: Callable[[SqlStore], FastAPI], database_url: str) -> Iterator[str]:
    """Yields the base URL; the server stops, and its engine is disposed of, on exit."""
    # uvicorn sets TCP_NODELAY only on a TCP-proto socket: no 40 ms Nagle delays
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))  # a free port, held from now on: no race with other tests
    port = sock.getsockname()[1]
    servers: list[uvicorn.Server] = []
    failures: list[BaseException] = []

    async def main() -> None:
        engine = create_engine(database_url)
        config = uvicorn.Config(make_app(SqlStore(create_sessionmaker(engine))), log_level="warning", lifespan="off")
        servers.append(uvicorn.Server(config))
        try:
            await servers[0].serve(sockets=[sock])
        finally:
            await engine.dispose()

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as error:  # reported to the test below
            failures.append(error)

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not (servers and servers[0].started):
        if failures or not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the web app did not start on port {port}: {failures}")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        servers[0].should_exit = True
        thread.join(timeout=15)
        sock.close()
