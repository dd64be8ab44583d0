"""What verifiers fetch about the issuer: its DID document (did:web) and the revocation list."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse

from bot.clock import Clock
from bot.ports import Store
from credentials.issuer import IssuerIdentity
from web.routes_credentials import ANY_ORIGIN
from web.status_cache import StatusListCache


def issuer_routes(*, store: Store, issuer: IssuerIdentity, clock: Clock, status_list_max_age: timedelta) -> APIRouter:
    router = APIRouter()
    cache = StatusListCache(issuer=issuer, clock=clock, max_age=status_list_max_age)

    @router.get("/.well-known/did.json")
    async def did_document() -> JSONResponse:
        document = issuer.did_document()
        if document is None:
            raise HTTPException(404, "This issuer uses did:key, which needs no DID document.")
        return JSONResponse(document, headers={"Cache-Control": "public, max-age=300", **ANY_ORIGIN})

    @router.get("/status/revocation")
    async def revocation_list() -> JSONResponse:
        async with store.transaction() as tx:
            revoked = await tx.awards.revoked_indices()
        document = await cache.status_list(revoked)
        seconds = int(status_list_max_age.total_seconds())
        return JSONResponse(document, headers={"Cache-Control": f"public, max-age={seconds}", **ANY_ORIGIN})

    return router
