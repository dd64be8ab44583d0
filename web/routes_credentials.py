"""Public credential pages: the page a verifier opens, the signed JSON, the baked images, and
the unbaked image of each achievement."""

from __future__ import annotations

import asyncio
import json
import re

from fastapi import APIRouter, Request, Response
from fastapi.templating import Jinja2Templates

from bot.clock import Clock
from bot.ports import Store
from bot.published import PublishedAward, awarded_definition, baked_png_of
from content.model import CredentialDefinition, Curriculum
from credentials.images import badge_png, badge_svg, bake_svg
from credentials.issuer import IssuerIdentity
from web.i18n import translator
from web.lookups import definition_or_404, published_or_404
from web.views import credential_page, in_language, marking_as_signed

SVG = "image/svg+xml"
# What browser verifiers and wallets fetch from another origin (the credential's JSON, its
# achievement, the issuer's DID document and status list) may be read by any origin; the
# dashboard and its sign-in never say so.
ANY_ORIGIN = {"Access-Control-Allow-Origin": "*"}
IMAGE_CACHE = {"Cache-Control": "public, max-age=3600"}
# Asked for JSON (a verifier dereferencing the credential's id) rather than a page.
JSON_TYPES = ("application/vc+ld+json", "application/vc", "application/ld+json", "application/json")


def credential_routes(
    *, store: Store, curriculum: Curriculum, issuer: IssuerIdentity, clock: Clock, templates: Jinja2Templates
) -> APIRouter:
    router = APIRouter()

    async def published(public_id: str) -> PublishedAward:
        return await published_or_404(store, public_id, curriculum=curriculum, now=clock.now())

    @router.get("/credentials/{public_id}", name="credential_page")
    async def page(request: Request, public_id: str) -> Response:
        award = await published(public_id)
        accept = request.headers.get("accept", "")
        if "text/html" not in accept and (wanted := next((t for t in JSON_TYPES if t in accept), None)):
            return signed_json(award, media_type=wanted, headers={"Vary": "Accept", **ANY_ORIGIN})
        result = await asyncio.to_thread(issuer.verify, award.credential)
        t = translator(request)
        view = credential_page(award, now=clock.now(), signature_ok=result.ok, page_url=issuer.links.credential(award.public_id), t=t)
        signed = view
        if (source := curriculum.credentials.get(award.definition_id)) is not None:
            shown = curriculum.in_language(t.language)
            skill_names = {skill.name: shown.skills[key].name for key, skill in curriculum.skills.items() if key in shown.skills}
            view = in_language(view, source, shown.credentials[award.definition_id], skill_names)
        view = marking_as_signed(view, signed, page_language=t.language, signed_language=curriculum.languages[0])
        links = {
            name: request.url_for(route, public_id=award.public_id).path
            for name, route in (("json", "credential_json"), ("svg", "credential_svg"), ("png", "credential_png"))
        }
        # What the badge certifies and who else holds it, while today's content still defines it.
        if award.definition_id in curriculum.credentials:
            links["achievement"] = request.url_for("achievement_page", definition_id=award.definition_id).path
        return templates.TemplateResponse(
            request,
            "credential.html",
            {"page": view, "credential_id": award.credential.get("id", ""), "links": links},
            headers={"Vary": "Accept", "Cache-Control": "no-cache"},
        )

    @router.get("/credentials/{public_id}/credential.json", name="credential_json")
    async def download(public_id: str) -> Response:
        award = await published(public_id)
        filename = re.sub(r"[^A-Za-z0-9._-]", "-", f"{award.definition_id}-{award.public_id}.json")
        disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
        return signed_json(award, media_type="application/json", headers={**disposition, **ANY_ORIGIN})

    @router.get("/credentials/{public_id}/image.svg", name="credential_svg")
    async def baked_svg(public_id: str) -> Response:
        award = await published(public_id)
        svg = bake_svg(badge_svg(awarded_definition(award)), award.credential)
        return Response(svg, media_type=SVG, headers=IMAGE_CACHE)

    @router.get("/credentials/{public_id}/image.png", name="credential_png")
    async def baked_png(public_id: str) -> Response:
        award = await published(public_id)
        png = await asyncio.to_thread(baked_png_of, award)
        return Response(png, media_type="image/png", headers=IMAGE_CACHE)

    def definition(definition_id: str) -> CredentialDefinition:
        return definition_or_404(curriculum, definition_id)

    @router.get("/achievements/{definition_id}/image.svg", name="achievement_svg")
    async def achievement_svg(definition_id: str) -> Response:
        return Response(badge_svg(definition(definition_id)), media_type=SVG, headers={**IMAGE_CACHE, **ANY_ORIGIN})

    @router.get("/achievements/{definition_id}/image.png", name="achievement_png")
    async def achievement_png(definition_id: str) -> Response:
        png = await asyncio.to_thread(badge_png, definition(definition_id))
        return Response(png, media_type="image/png", headers={**IMAGE_CACHE, **ANY_ORIGIN})

    return router


def signed_json(award: PublishedAward, *, media_type: str, headers: dict[str, str]) -> Response:
    """The credential as stored; any serialization verifies, as the proof covers canonical RDF."""
    body = json.dumps(award.credential, indent=2, ensure_ascii=False) + "\n"
    return Response(body, media_type=media_type, headers=headers)
