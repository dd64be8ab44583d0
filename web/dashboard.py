"""The managers' dashboard: signed in by a one-time link the bot sent in chat, then a session
cookie (HttpOnly, SameSite=Lax, Secure over HTTPS). Every page and export is filtered by role:
a manager sees only the teams they manage; anyone else is refused.

Signing in takes two steps. GET of the link only shows a page with a Sign in button (a link
scanner that fetches the link spends nothing); the button POSTs the token with a nonce that the
page also set as a SameSite=Strict cookie, and only that POST spends the link and starts the
session. A form on another site cannot send the cookie, so it cannot plant a session of its own
(login CSRF). Signing out is a POST carrying a token derived from the session (CSRF)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates

from bot import team
from bot.clock import Clock
from bot.i18n import N_, SOURCE, Translator, Translators
from bot.mastery import MasteryModel
from bot.ports import Store, UnitOfWork
from bot.records import Learner
from bot.spreadsheet import csv_text
from bot.vocabulary import AccessKind
from content.model import Curriculum
from web.charts import heatmap_frame
from web.i18n import speak_to, translator

COOKIE = "mb_session"
SIGNIN_COOKIE = "mb_signin"  # the sign-in page's nonce, matched by the form's hidden field
MAX_ID = 2**63 - 1  # ids are BIGINT-sized: a larger number names nothing
FORM_LIMIT = 4096  # bytes; the dashboard's forms carry two short fields
NO_STORE = {"Cache-Control": "no-store"}
# What the learner page says of a credential (bot/team.py's kinds and states), translated there.
CREDENTIAL_WORDS = (N_("badge"), N_("certificate"), N_("valid"), N_("expired"), N_("revoked"))
USED_OR_EXPIRED = N_("This sign-in link has been used or has expired. Ask the bot for a new one.")


@dataclass(frozen=True)
class Viewer:
    learner: Learner
    name: str
    csrf: str  # what the sign-out form carries


class FormRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def record_id(text: str) -> int | None:
    """A row id from a URL: 1 to 2^63-1 in plain digits; anything else names nothing."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


async def read_form(request: Request) -> dict[str, str]:
    """A small urlencoded form as a browser sends it, or FormRefused with what is wrong."""
    if request.headers.get("content-type", "").partition(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise FormRefused(415, N_("Send the form from the page."))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            raise FormRefused(413, N_("That form is far too large."))
    try:
        # Browsers percent-encode everything else, so a form body is plain ASCII.
        pairs = parse_qsl(
            bytes(body).decode("ascii"),
            keep_blank_values=True,
            strict_parsing=bool(body),
            encoding="utf-8",
            errors="strict",
            max_num_fields=8,
        )
    except (UnicodeDecodeError, ValueError):
        raise FormRefused(400, N_("That form could not be read.")) from None
    form = dict(pairs)
    if len(form) != len(pairs):
        raise FormRefused(400, N_("That form names a field twice."))
    return form


def same_text(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def from_this_site(request: Request, public_host: str | None) -> bool:
    """The browser says the form was sent from one of our pages. Current browsers say so in
    Sec-Fetch-Site; our pages' Referrer-Policy (no-referrer) makes their Origin "null". A
    client that sends neither still needs the nonce or the session's token. `public_host`: where
    browsers reach the app when a proxy in front changes the Host header."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    ours = {request.headers.get("host"), request.headers.get("x-forwarded-host", "").partition(",")[0].strip(), public_host}
    return urlsplit(origin).netloc in ours - {None, ""}


def dashboard_routes(
    *,
    store: Store,
    clock: Clock,
    templates: Jinja2Templates,
    curriculum: Curriculum,
    public_url: str | None = None,
    mastery: MasteryModel | None = None,
    bot_texts: Translators | None = None,
) -> APIRouter:
    """`public_url`: where browsers reach the app, when a proxy in front changes the Host header;
    `mastery`: the bot's model (FSRS's default parameters when not given); `bot_texts`: the bot's
    catalogs, for the words bot/team.py makes (the funnel's first step, the activity lines), read
    from bot/locale when not given."""
    router = APIRouter()
    model = mastery or MasteryModel()
    said_by_bot = bot_texts or Translators.load()

    def bot_words(request: Request, page: bool) -> Translator:
        """The page's language for bot/'s words; exports keep the source's, as their names do."""
        return said_by_bot.of(translator(request).language) if page else SOURCE

    public_host = urlsplit(public_url).netloc if public_url else None

    def refused(request: Request, status: int, message: str, *, ways_in: bool = False) -> Response:
        """`message`: English as written (marked with N_ where it is defined), said in the viewer's language."""
        context = {"message": translator(request).gettext(message), "ways_in": ways_in}
        return templates.TemplateResponse(request, "refused.html", context, status_code=status, headers=NO_STORE)

    def not_signed_in(request: Request) -> Response:
        return refused(request, 401, N_("You are not signed in."), ways_in=True)

    def csv_response(rows: list[list[object]], filename: str) -> Response:
        return Response(
            csv_text(rows), media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_STORE}
        )

    async def signed_in(tx: UnitOfWork, request: Request, now: datetime) -> Viewer | None:
        token = request.cookies.get(COOKIE)
        learner = await tx.access.session_learner(team.token_hash(token), now) if token else None
        if token is None or learner is None:
            return None
        speak_to(request, learner.language)  # their chat language, unless the viewer or the browser asks for another
        return Viewer(learner, learner.display_name or "a manager", team.csrf_token(token))

    def page(request: Request, template: str, viewer: Viewer, context: dict[str, object]) -> Response:
        return templates.TemplateResponse(request, template, {"viewer": viewer, **context}, headers=NO_STORE)

    @router.get("/dashboard/signin")
    async def signin_page(request: Request, token: str = "") -> Response:
        async with store.transaction() as tx:
            who = await tx.access.signin_learner(team.token_hash(token), clock.now()) if token else None
        if who is None:
            return refused(request, 403, USED_OR_EXPIRED, ways_in=True)
        speak_to(request, who.language)
        nonce = secrets.token_urlsafe(24)
        response = templates.TemplateResponse(
            request, "signin.html", {"token": token, "nonce": nonce, "name": who.display_name or "a manager"}, headers=NO_STORE
        )
        response.set_cookie(
            SIGNIN_COOKIE,
            nonce,
            max_age=int(team.SIGNIN_VALID.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/dashboard/signin",
        )
        return response

    @router.post("/dashboard/signin")
    async def signin(request: Request) -> Response:
        try:
            form = await read_form(request)
        except FormRefused as error:
            return refused(request, error.status, error.message)
        nonce = request.cookies.get(SIGNIN_COOKIE, "")
        if not (from_this_site(request, public_host) and nonce and same_text(form.get("nonce", ""), nonce)):
            return refused(
                request,
                403,
                N_("This sign-in did not come from the sign-in page: open the link from the bot again and press Sign in there."),
            )
        token, now = form.get("token", ""), clock.now()
        async with store.transaction() as tx:
            learner_id = await tx.access.use_signin(team.token_hash(token), now) if token else None
            if learner_id is None:
                return refused(request, 403, USED_OR_EXPIRED, ways_in=True)
            await tx.access.purge_expired(now)
            session = team.new_token()
            await tx.access.add(team.token_hash(session), learner_id, AccessKind.SESSION, now + team.SESSION_VALID)
        response = RedirectResponse("/dashboard", status_code=303)
        https = request.url.scheme == "https"
        response.set_cookie(
            COOKIE, session, max_age=int(team.SESSION_VALID.total_seconds()), httponly=True, samesite="lax", secure=https, path="/dashboard"
        )
        response.delete_cookie(SIGNIN_COOKIE, path="/dashboard/signin", httponly=True, samesite="strict", secure=https)
        return response

    @router.post("/dashboard/signout")
    async def signout(request: Request) -> Response:
        try:
            form = await read_form(request)
        except FormRefused as error:
            return refused(request, error.status, error.message)
        session = request.cookies.get(COOKIE)
        if not session:
            return not_signed_in(request)
        if not (from_this_site(request, public_host) and same_text(form.get("csrf", ""), team.csrf_token(session))):
            return refused(request, 403, N_("Sign out with the Sign out button on a dashboard page."))
        now = clock.now()
        async with store.transaction() as tx:
            await tx.access.end_session(team.token_hash(session))
            await tx.access.purge_expired(now)
        response = RedirectResponse("/dashboard/signed-out", status_code=303)
        response.delete_cookie(COOKIE, path="/dashboard", httponly=True, samesite="lax", secure=request.url.scheme == "https")
        return response

    @router.get("/dashboard/signed-out")
    async def signed_out(request: Request) -> Response:
        return templates.TemplateResponse(request, "signed_out.html", {}, headers=NO_STORE)

    async def summaries_of(request: Request) -> Response | tuple[Viewer, list[team.TeamSummary]]:
        """Who is signed in and their teams in short, or the refusal to send instead."""
        now = clock.now()
        async with store.transaction() as tx:
            who = await signed_in(tx, request, now)
            if who is None:
                return not_signed_in(request)
            return who, await team.summaries(tx, await team.visible_teams(tx, who.learner), now)

    @router.get("/dashboard")
    async def overview(request: Request) -> Response:
        found = await summaries_of(request)
        if isinstance(found, Response):
            return found
        who, summaries = found
        return page(request, "dashboard.html", who, {"teams": summaries})

    @router.get("/dashboard/export.csv")
    async def overview_csv(request: Request) -> Response:
        found = await summaries_of(request)
        if isinstance(found, Response):
            return found
        rows: list[list[object]] = [
            ["team", "learners", "active this week", "on a streak", "longest streak", "lessons done", "credentials"]
        ]
        _, summaries = found
        rows += [
            [t.name, t.learners, t.active_this_week, t.on_a_streak, t.longest_streak, t.lessons_done, t.credentials] for t in summaries
        ]
        return csv_response(rows, "teams.csv")

    async def detail_of(request: Request, team_id: str, *, page: bool = False) -> Response | tuple[Viewer, int, team.TeamDetail]:
        """Who is signed in and the team's detail, or the refusal to send instead; for a `page`,
        with the curriculum's names in the viewer's language (exports keep the source's)."""
        now = clock.now()
        async with store.transaction() as tx:
            who = await signed_in(tx, request, now)
            if who is None:
                return not_signed_in(request)
            visible = {t.id: t for t in await team.visible_teams(tx, who.learner)}
            number = record_id(team_id)
            if number is None or number not in visible:
                return refused(request, 403, N_("This team is not one of yours."))
            names = curriculum.in_language(translator(request).language) if page else curriculum
            return who, number, await team.team_detail(tx, visible[number], names, model, now, bot_words(request, page))

    @router.get("/dashboard/teams/{team_id}")
    async def team_page(request: Request, team_id: str) -> Response:
        found = await detail_of(request, team_id, page=True)
        if isinstance(found, Response):
            return found
        who, number, detail = found
        widest = max((count for _, count in detail.funnel), default=0) or 1
        heat = heatmap_frame([name for _, name in detail.skills], len(detail.members))
        return page(request, "team.html", who, {"team": detail, "team_id": number, "widest": widest, "heat": heat})

    @router.get("/dashboard/teams/{team_id}/export.csv")
    async def team_csv(request: Request, team_id: str) -> Response:
        found = await detail_of(request, team_id)
        if isinstance(found, Response):
            return found
        _, number, detail = found
        header: list[object] = ["learner", "lessons done", "credentials", "active this week", "drifting", "streak"]
        rows: list[list[object]] = [header + [f"mastery: {name}" for _, name in detail.skills]]
        for m in detail.members:
            rows.append(
                [m.name, m.lessons, m.credentials, "yes" if m.active else "no", "yes" if m.drifting else "no", m.streak]
                + [round(m.mastery.get(skill, 0.0), 2) for skill, _ in detail.skills]
            )
        return csv_response(rows, f"team-{number}.csv")

    @router.get("/dashboard/teams/{team_id}/credentials.csv")
    async def credentials_csv(request: Request, team_id: str) -> Response:
        found = await detail_of(request, team_id)
        if isinstance(found, Response):
            return found
        _, number, detail = found
        rows: list[list[object]] = [["week starting", "credentials earned", "credentials held"]]
        rows += [[w.starts.isoformat(), w.earned, w.total] for w in detail.weeks]
        return csv_response(rows, f"credentials-{number}.csv")

    @router.get("/dashboard/teams/{team_id}/funnel.csv")
    async def funnel_csv(request: Request, team_id: str) -> Response:
        found = await detail_of(request, team_id)
        if isinstance(found, Response):
            return found
        _, number, detail = found
        return csv_response([["step", "learners"], *[[label, count] for label, count in detail.funnel]], f"funnel-{number}.csv")

    async def learner_of(request: Request, learner_id: str, *, page: bool = False) -> Response | tuple[Viewer, team.LearnerDetail]:
        """Who is signed in and the learner's detail, or the refusal to send instead (a `page`'s
        names in the viewer's language, as for a team)."""
        now = clock.now()
        async with store.transaction() as tx:
            who = await signed_in(tx, request, now)
            if who is None:
                return not_signed_in(request)
            number = record_id(learner_id)
            learner = await tx.learners.by_id(number) if number is not None else None
            # Someone not in your teams and someone who does not exist look the same: refused.
            if learner is None or learner.platform_user_id.startswith("erased:") or not await team.may_see(tx, who.learner, learner):
                return refused(request, 403, N_("This learner is not in one of your teams."))
            names = curriculum.in_language(translator(request).language) if page else curriculum
            return who, await team.learner_detail(tx, learner, names, model, now, t=bot_words(request, page))

    @router.get("/dashboard/learners/{learner_id}")
    async def learner_page(request: Request, learner_id: str) -> Response:
        found = await learner_of(request, learner_id, page=True)
        if isinstance(found, Response):
            return found
        who, detail = found
        return page(request, "learner.html", who, {"learner": detail})

    @router.get("/dashboard/learners/{learner_id}/export.csv")
    async def learner_csv(request: Request, learner_id: str) -> Response:
        found = await learner_of(request, learner_id)
        if isinstance(found, Response):
            return found
        _, detail = found
        rows: list[list[object]] = [["section", "item", "when", "state"]]
        rows += [
            ["lesson", line.title, line.completed.isoformat() if line.completed else "", "completed" if line.completed else "not yet"]
            for line in detail.lessons
        ]
        rows += [["mastery", name, "", f"{level:.2f}"] for name, level in detail.skills]
        rows += [["credential", c.title, c.awarded.isoformat(), c.state] for c in detail.credentials]
        rows += [["activity", a.what, a.at.isoformat(), ""] for a in detail.activity]
        return csv_response(rows, f"learner-{detail.id}.csv")

    return router
