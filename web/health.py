"""`/healthz`: is this process able to do its job? The database and every configured platform
are asked (platform answers are cached briefly: a health probe every few seconds must not
become traffic against the platform's rate limits).

The answer says only "ok" or "down" per check: anyone who can reach the port may ask, so no
host, port, driver message or token goes into it. What went wrong is logged (masked like every
log line) for the operator."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.ports import Store

Check = Callable[[], Awaitable[object]]
TIMEOUT = 5.0  # seconds per check
log = logging.getLogger(__name__)


class _Probe:
    """One check, answered from a cache for `ttl` seconds; what went wrong is logged when the
    check goes down (not at every probe: a probe every few seconds would flood the log)."""

    def __init__(self, name: str, check: Check, ttl: float) -> None:
        self._name, self._check, self._ttl = name, check, ttl
        self._at, self._healthy = -ttl, True

    async def __call__(self) -> bool:
        if time.monotonic() - self._at >= self._ttl:
            healthy, reason = await _run(self._check)
            if healthy != self._healthy:
                if healthy:
                    log.warning("Health check: %s is ok again", self._name)
                else:
                    log.warning("Health check: %s is down (%s)", self._name, reason)
            self._healthy, self._at = healthy, time.monotonic()
        return self._healthy


async def _run(check: Check) -> tuple[bool, str]:
    try:
        await asyncio.wait_for(check(), timeout=TIMEOUT)
        return True, ""
    except TimeoutError:
        return False, f"no answer within {TIMEOUT:.0f} s"
    except Exception as error:  # reported, never raised: the endpoint must answer
        return False, f"{type(error).__name__}: {error}"[:300]


def health_router(store: Store, platforms: Mapping[str, Check], platform_ttl: float = 30.0) -> APIRouter:
    router = APIRouter()

    async def database() -> None:
        async with store.transaction() as tx:
            await tx.ping()

    probes = {"database": _Probe("database", database, 0.0)}
    probes |= {name: _Probe(name, check, platform_ttl) for name, check in platforms.items()}

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        checks = {name: await probe() for name, probe in probes.items()}
        healthy = all(checks.values())
        body = {
            "status": "ok" if healthy else "unhealthy",
            "checks": {name: "ok" if up else "down" for name, up in checks.items()},
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    return router
