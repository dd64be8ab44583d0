"""uvicorn's access log, through the handlers `serve` installs, never shows a link's own token."""

from __future__ import annotations

import asyncio
import io
import logging
import socket

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from adapters import redaction
from bot.logs import TextFormatter


async def _ok(request: object) -> PlainTextResponse:
    return PlainTextResponse("ok")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_access_log_masks_claim_and_sign_in_tokens_but_keeps_the_rest_of_the_line():
    app = Starlette(routes=[Route("/wallet/claim/{token}", _ok), Route("/dashboard/signin", _ok), Route("/healthz", _ok)])
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(TextFormatter())
    root, access = logging.getLogger(), logging.getLogger("uvicorn.access")
    saved = (root.handlers[:], root.level, access.filters[:])
    uvicorns = (logging.getLogger("uvicorn"), access)
    kept = [(logger.handlers[:], logger.level, logger.propagate) for logger in uvicorns]
    # As in `serve` (log_config=None): uvicorn's loggers pass their records on to ours. A uvicorn
    # configured earlier in this process (the fakes: its own handlers, access_log=False) turned that off.
    for logger in uvicorns:
        logger.handlers[:], logger.propagate = [], True
        logger.setLevel(logging.NOTSET)
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)  # an operator who turns the log up sees the access log
    try:
        redaction.install(secrets=())
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
        serving = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 -- uvicorn has a flag for it, no event
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for path in ("/wallet/claim/Zq9-claim-token-xyz", "/dashboard/signin?token=Sg7-signin-token&x=1", "/healthz?token="):
                assert (await client.get(path)).status_code == 200
        server.should_exit = True
        await serving
    finally:
        root.handlers[:], access.filters[:] = saved[0], saved[2]
        root.setLevel(saved[1])
        for logger, (handlers, level, propagate) in zip(uvicorns, kept, strict=True):
            logger.handlers[:], logger.propagate = handlers, propagate
            logger.setLevel(level)
    lines = [line for line in written.getvalue().splitlines() if line.startswith("INFO uvicorn.access")]
    assert len(lines) == 3, written.getvalue()
    assert '"GET /wallet/claim/[redacted] HTTP/1.1" 200' in lines[0]
    assert '"GET /dashboard/signin?token=[redacted]&x=1 HTTP/1.1" 200' in lines[1]
    assert '"GET /healthz?token= HTTP/1.1" 200' in lines[2]
    assert "claim-token" not in written.getvalue() and "signin-token" not in written.getvalue()
