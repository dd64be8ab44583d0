"""What verifiers fetch about the issuer: its DID document (did:web), the revocation list (badges)
and the suspension list (certificates: bot/suspension.py)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse

from bot.clock import Clock
from bot.ports import Store
from bot.suspension import suspended_indices
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from credentials.issuing import REVOCATION, SUSPENSION
from web.routes_credentials import ANY_ORIGIN
from web.status_cache import StatusListCache


def issuer_routes(
    *, store: Store, issuer: IssuerIdentity, curriculum: Curriculum, clock: Clock, status_list_max_age: timedelta
) -> APIRouter:
    router = APIRouter()
    revocations = StatusListCache(issuer=issuer, clock=clock, max_age=status_list_max_age, purpose=REVOCATION)
    suspensions = StatusListCache(issuer=issuer, clock=clock, max_age=status_list_max_age, purpose=SUSPENSION)
    headers = {"Cache-Control": f"public, max-age={int(status_list_max_age.total_seconds())}", **ANY_ORIGIN}

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
        return JSONResponse(await revocations.status_list(revoked), headers=headers)

    @router.get("/status/suspension")
    async def suspension_list() -> JSONResponse:
        async with store.transaction() as tx:
            suspended = await suspended_indices(tx, curriculum, now=clock.now())
        return JSONResponse(await suspensions.status_list(suspended), headers=headers)

    return router
