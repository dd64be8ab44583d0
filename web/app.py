"""The ASGI app, built from its collaborators: `create_app(store=..., curriculum=..., issuer=...,
clock=...)`. Nothing is built at import time and nothing is global."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.exceptions import HTTPException

from bot.clock import Clock
from bot.i18n import Translators
from bot.mastery import MasteryModel
from bot.ports import Store, StoreUnavailable
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from web.dashboard import dashboard_routes
from web.health import Check, health_router
from web.i18n import WebTexts, install, language_middleware
from web.landing import landing_routes
from web.routes_achievements import achievement_routes
from web.routes_assignments import assignment_routes
from web.routes_compliance import compliance_routes
from web.routes_credentials import credential_routes
from web.routes_issuer import issuer_routes
from web.routes_media import media_routes
from web.routes_review import review_routes
from web.routes_transcript import transcript_routes
from web.routes_wallet import wallet_routes

HERE = Path(__file__).parent
# Pages load nothing but their own stylesheet and images; no scripts at all. The only forms
# (the dashboard's sign-in, sign-out and assignments) post to this same site.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(
    *,
    store: Store,
    curriculum: Curriculum,
    issuer: IssuerIdentity,
    clock: Clock,
    status_list_max_age: timedelta = timedelta(seconds=5),
    platform_routers: Sequence[APIRouter] = (),
    platform_checks: Mapping[str, Check] | None = None,
    mastery: MasteryModel | None = None,
    content_dir: Path | None = None,
    texts: WebTexts | None = None,
    bot_texts: Translators | None = None,
) -> FastAPI:
    """`platform_routers`: the chat platforms' webhook endpoints, served by this same app;
    `platform_checks`: how /healthz asks each configured platform whether it is reachable;
    `mastery`: the bot's model, so that the dashboard's mastery is the one learners see (FSRS's
    parameters applied by `mastery optimize`); `content_dir`: where lesson pictures are served
    from (its media/, at /media/), for the platforms that fetch them; `texts`: the pages'
    translations (web/i18n.py), read from web/locale when not given; `bot_texts`: the bot's own
    catalogs, for what bot/ words on the dashboard's pages (the core's, when `serve` builds the app),
    read once here when not given."""
    bot_texts = bot_texts or Translators.load()
    environment = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined)
    install(environment)  # the pages' texts in the request's language (web/i18n.py)
    templates = Jinja2Templates(env=environment)
    app = FastAPI(title="Microbadge", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(credential_routes(store=store, curriculum=curriculum, issuer=issuer, clock=clock, templates=templates))
    app.include_router(transcript_routes(store=store, curriculum=curriculum, issuer=issuer, clock=clock))
    app.include_router(achievement_routes(store=store, curriculum=curriculum, issuer=issuer, clock=clock, templates=templates))
    app.include_router(
        issuer_routes(store=store, issuer=issuer, curriculum=curriculum, clock=clock, status_list_max_age=status_list_max_age)
    )
    app.include_router(wallet_routes(store=store, curriculum=curriculum, issuer=issuer, clock=clock, templates=templates))
    app.include_router(health_router(store, platform_checks or {}))
    app.include_router(
        dashboard_routes(
            store=store,
            clock=clock,
            templates=templates,
            curriculum=curriculum,
            public_url=issuer.public_url,
            mastery=mastery,
            bot_texts=bot_texts,
        )
    )
    app.include_router(
        assignment_routes(store=store, clock=clock, templates=templates, curriculum=curriculum, public_url=issuer.public_url)
    )
    app.include_router(compliance_routes(store=store, clock=clock, templates=templates, curriculum=curriculum, bot_texts=bot_texts))
    app.include_router(
        review_routes(store=store, clock=clock, templates=templates, curriculum=curriculum, mastery=mastery, bot_texts=bot_texts)
    )
    app.include_router(landing_routes(templates=templates, issuer=issuer))
    if content_dir is not None:
        app.include_router(media_routes(content_dir=content_dir))
    for router in platform_routers:
        app.include_router(router)

    async def not_found_page(request: Request, error: Exception) -> Response:
        if not isinstance(error, HTTPException):  # pragma: no cover - registered for HTTPException only
            raise error
        if error.status_code == 404 and "text/html" in request.headers.get("accept", ""):
            return templates.TemplateResponse(request, "not_found.html", {"detail": error.detail}, status_code=404)
        return await http_exception_handler(request, error)

    async def unavailable_page(request: Request, error: Exception) -> Response:
        """The database is away (bot/store/unavailable.py): a 503 that says so, not a traceback."""
        headers = {"Retry-After": "30", "Cache-Control": "no-store"}
        if "text/html" in request.headers.get("accept", ""):
            return templates.TemplateResponse(request, "unavailable.html", {}, status_code=503, headers=headers)
        return JSONResponse({"detail": "temporarily unavailable: try again shortly"}, status_code=503, headers=headers)

    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    app.add_exception_handler(HTTPException, not_found_page)
    app.add_exception_handler(StoreUnavailable, unavailable_page)
    app.middleware("http")(security_headers)
    app.middleware("http")(language_middleware(texts or WebTexts.load()))
    return app
