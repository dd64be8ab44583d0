"""What a credential's links lead to: the achievement (`<base>/achievements/<id>`, the
achievement's id in every credential) and each skill it aligns to (`<base>/skills/<id>`, the
alignments' targetUrl). A page for people; JSON-LD for a client that asks for JSON, as the
credential page decides (web/routes_credentials.py); open to every origin, like the credentials."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.templating import Jinja2Templates

from bot.clock import Clock
from bot.ports import Store
from content.model import CredentialDefinition, Curriculum, Skill
from credentials.issuer import IssuerIdentity
from web.achievement_views import achievement_document, achievement_page, skill_document, skill_page
from web.i18n import translator
from web.lookups import definition_or_404
from web.routes_credentials import ANY_ORIGIN, JSON_TYPES

PAGE_HEADERS = {"Vary": "Accept", "Cache-Control": "no-cache", **ANY_ORIGIN}


def achievement_routes(
    *, store: Store, curriculum: Curriculum, issuer: IssuerIdentity, clock: Clock, templates: Jinja2Templates
) -> APIRouter:
    router = APIRouter()

    def definition(definition_id: str) -> CredentialDefinition:
        return definition_or_404(curriculum, definition_id)

    def skill_of(skill_id: str) -> Skill:
        found = curriculum.skills.get(skill_id)
        if found is None:
            raise HTTPException(404, "No skill has this id.")
        return found

    @router.get("/achievements/{definition_id}", name="achievement_page")
    async def achievement(request: Request, definition_id: str) -> Response:
        found = definition(definition_id)
        if media_type := wanted_json(request):
            return json_ld(achievement_document(found, curriculum, issuer.names), media_type=media_type)
        async with store.transaction() as tx:
            holders = await tx.awards.holders(found.id, now=clock.now())
        t = translator(request)
        shown = curriculum.in_language(t.language)  # what people read; the JSON-LD above stays the source's
        page = achievement_page(shown.credentials[found.id], shown, holders=holders, t=t)
        links = {
            "svg": request.url_for("achievement_svg", definition_id=found.id).path,
            "skills": {s.id: request.url_for("skill_page", skill_id=s.id).path for s in page.skills},
            "achievements": {
                c.id: request.url_for("achievement_page", definition_id=c.id).path for c in (*page.stacks, *page.stacked_into)
            },
        }
        return templates.TemplateResponse(
            request,
            "achievement.html",
            {"page": page, "links": links, "achievement_id": issuer.names.achievement(found.id), "issuer_name": issuer.profile.name},
            headers=PAGE_HEADERS,
        )

    @router.get("/skills/{skill_id}", name="skill_page")
    async def skill(request: Request, skill_id: str) -> Response:
        found = skill_of(skill_id)
        if media_type := wanted_json(request):
            return json_ld(skill_document(found, issuer.names), media_type=media_type)
        shown = curriculum.in_language(translator(request).language)
        page = skill_page(shown.skills[found.id], shown)
        links = {r.credential.id: request.url_for("achievement_page", definition_id=r.credential.id).path for r in page.required_by}
        return templates.TemplateResponse(
            request,
            "skill.html",
            {"page": page, "links": links, "skill_url": issuer.names.skill(found.id), "issuer_name": issuer.profile.name},
            headers=PAGE_HEADERS,
        )

    return router


def wanted_json(request: Request) -> str | None:
    """The media type to answer with when the client asked for JSON and not for a page (as for a
    credential's id); neither an achievement nor a skill is a credential, so JSON-LD or plain JSON."""
    accept = request.headers.get("accept", "")
    wanted = next((t for t in JSON_TYPES if t in accept), None)
    if "text/html" in accept or wanted is None:
        return None
    return "application/json" if wanted == "application/json" else "application/ld+json"


def json_ld(document: dict[str, Any], *, media_type: str) -> Response:
    body = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return Response(body, media_type=media_type, headers=PAGE_HEADERS)
