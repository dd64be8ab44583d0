"""`/healthz`: is this process able to do its job? The database and every configured platform
are asked (platform answers are cached briefly: a health probe every few seconds must not
become traffic against the platform's rate limits)."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.store.repository import ProgressStore

Check = Callable[[], Awaitable[object]]
TIMEOUT = 5.0  # seconds per check


class _Cached:
    def __init__(self, check: Check, ttl: float) -> None:
        self._check, self._ttl = check, ttl
        self._at, self._problem = -ttl, None  # type: float, str | None

    async def __call__(self) -> str | None:
        if time.monotonic() - self._at >= self._ttl:
            self._problem = await _run(self._check)
            self._at = time.monotonic()
        return self._problem


async def _run(check: Check) -> str | None:
    try:
        await asyncio.wait_for(check(), timeout=TIMEOUT)
        return None
    except Exception as error:  # reported, never raised: the endpoint must answer
        return f"{type(error).__name__}: {error}"[:200] or type(error).__name__


def health_router(store: ProgressStore, platforms: Mapping[str, Check], platform_ttl: float = 30.0) -> APIRouter:
    router = APIRouter()
    cached = {name: _Cached(check, platform_ttl) for name, check in platforms.items()}

    async def database() -> None:
        async with store.transaction() as tx:
            await tx.ping()

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        checks = {"database": await _run(database)}
        checks |= {name: await check() for name, check in cached.items()}
        healthy = all(problem is None for problem in checks.values())
        body = {
            "status": "ok" if healthy else "unhealthy",
            "checks": {name: "ok" if problem is None else problem for name, problem in checks.items()},
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    return router
