"""`/`: what this service is, for someone who opens its address: credential pages and how to
verify them, and the managers' dashboard and how to get in."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.templating import Jinja2Templates

from credentials.issuer import IssuerIdentity


def landing_routes(*, templates: Jinja2Templates, issuer: IssuerIdentity) -> APIRouter:
    router = APIRouter()

    @router.get("/")
    async def landing(request: Request) -> Response:
        return templates.TemplateResponse(
            request,
            "landing.html",
            {
                "issuer_name": issuer.profile.name,
                "issuer_did": issuer.profile.id,
                "did_document": issuer.did_document() is not None,
            },
            headers={"Cache-Control": "public, max-age=300"},
        )

    return router
