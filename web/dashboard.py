"""The managers' dashboard: signed in by a one-time link the bot sent in chat, then a session
cookie (HttpOnly, SameSite=Lax, Secure over HTTPS). Every page and export is filtered by role:
a manager sees only the teams they manage; anyone else is refused."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates

from bot import team
from bot.clock import Clock
from bot.mastery import MasteryModel
from bot.store.models import LearnerRow
from bot.store.repository import Progress, ProgressStore
from content.model import Curriculum

COOKIE = "mb_session"


def dashboard_routes(*, store: ProgressStore, clock: Clock, templates: Jinja2Templates, curriculum: Curriculum) -> APIRouter:
    router = APIRouter()
    model = MasteryModel()

    def refused(request: Request, status: int, message: str) -> Response:
        return templates.TemplateResponse(request, "refused.html", {"message": message}, status_code=status,
                                          headers={"Cache-Control": "no-store"})

    def csv_response(rows: list[list[object]], filename: str) -> Response:
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return Response(out.getvalue(), media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})

    async def viewer(tx: Progress, request: Request, now: datetime) -> LearnerRow | None:
        token = request.cookies.get(COOKIE)
        return await tx.session_learner(team.token_hash(token), now) if token else None

    @router.get("/dashboard/signin")
    async def signin(request: Request, token: str = "") -> Response:
        now = clock.now()
        async with store.transaction() as tx:
            learner_id = await tx.use_signin_token(team.token_hash(token), now) if token else None
            if learner_id is None:
                return refused(request, 403, "This sign-in link has been used or has expired. Send /team to the bot for a new one.")
            session = team.new_token()
            tx.add_access_token(team.token_hash(session), learner_id, "session", now + team.SESSION_VALID)
        response = RedirectResponse("/dashboard", status_code=303)
        response.set_cookie(COOKIE, session, max_age=int(team.SESSION_VALID.total_seconds()), httponly=True,
                            samesite="lax", secure=request.url.scheme == "https", path="/dashboard")
        return response

    async def summaries_of(request: Request) -> Response | tuple[LearnerRow, list[team.TeamSummary]]:
        """Who is signed in and their teams in short, or the refusal to send instead."""
        now = clock.now()
        async with store.transaction() as tx:
            who = await viewer(tx, request, now)
            if who is None:
                return refused(request, 401, "Sign in with the link the bot sends you: /team in Telegram, /learn team in Slack.")
            return who, await team.summaries(tx, await team.visible_teams(tx, who), now)

    @router.get("/dashboard")
    async def overview(request: Request) -> Response:
        found = await summaries_of(request)
        if isinstance(found, Response):
            return found
        who, summaries = found
        return templates.TemplateResponse(request, "dashboard.html", {"teams": summaries, "viewer": who.display_name},
                                          headers={"Cache-Control": "no-store"})

    @router.get("/dashboard/export.csv")
    async def overview_csv(request: Request) -> Response:
        found = await summaries_of(request)
        if isinstance(found, Response):
            return found
        rows: list[list[object]] = [["team", "learners", "active this week", "on a streak", "longest streak",
                                     "lessons done", "credentials"]]
        _, summaries = found
        rows += [[t.name, t.learners, t.active_this_week, t.on_a_streak, t.longest_streak, t.lessons_done, t.credentials]
                 for t in summaries]
        return csv_response(rows, "teams.csv")

    async def detail_of(request: Request, team_id: int) -> Response | team.TeamDetail:
        """The team's detail, or the refusal to send instead."""
        now = clock.now()
        async with store.transaction() as tx:
            who = await viewer(tx, request, now)
            if who is None:
                return refused(request, 401, "Sign in with the link the bot sends you.")
            visible = {t.id: t for t in await team.visible_teams(tx, who)}
            if team_id not in visible:
                return refused(request, 403, "This team is not one of yours.")
            return await team.team_detail(tx, visible[team_id], curriculum, model, now)

    @router.get("/dashboard/teams/{team_id}")
    async def team_page(request: Request, team_id: int) -> Response:
        detail = await detail_of(request, team_id)
        if isinstance(detail, Response):
            return detail
        widest = max((count for _, count in detail.funnel), default=0) or 1
        return templates.TemplateResponse(request, "team.html", {"team": detail, "team_id": team_id, "widest": widest},
                                          headers={"Cache-Control": "no-store"})

    @router.get("/dashboard/teams/{team_id}/export.csv")
    async def team_csv(request: Request, team_id: int) -> Response:
        detail = await detail_of(request, team_id)
        if isinstance(detail, Response):
            return detail
        header: list[object] = ["learner", "lessons done", "credentials", "active this week", "drifting", "streak"]
        rows: list[list[object]] = [header + [f"mastery: {name}" for _, name in detail.skills]]
        for m in detail.members:
            rows.append([m.name, m.lessons, m.credentials, "yes" if m.active else "no", "yes" if m.drifting else "no", m.streak]
                        + [round(m.mastery.get(skill, 0.0), 2) for skill, _ in detail.skills])
        return csv_response(rows, f"team-{team_id}.csv")

    @router.get("/dashboard/teams/{team_id}/credentials.csv")
    async def credentials_csv(request: Request, team_id: int) -> Response:
        detail = await detail_of(request, team_id)
        if isinstance(detail, Response):
            return detail
        rows: list[list[object]] = [["week starting", "credentials earned", "credentials held"]]
        rows += [[w.starts.isoformat(), w.earned, w.total] for w in detail.weeks]
        return csv_response(rows, f"credentials-{team_id}.csv")

    async def learner_of(request: Request, learner_id: int) -> Response | team.LearnerDetail:
        """The learner's detail, or the refusal to send instead."""
        now = clock.now()
        async with store.transaction() as tx:
            who = await viewer(tx, request, now)
            if who is None:
                return refused(request, 401, "Sign in with the link the bot sends you.")
            learner = await tx.learner_by_id(learner_id)
            # Someone not in your teams and someone who does not exist look the same: refused.
            if learner is None or learner.platform_user_id.startswith("erased:") or not await team.may_see(tx, who, learner):
                return refused(request, 403, "This learner is not in one of your teams.")
            return await team.learner_detail(tx, learner, curriculum, model, now)

    @router.get("/dashboard/learners/{learner_id}")
    async def learner_page(request: Request, learner_id: int) -> Response:
        detail = await learner_of(request, learner_id)
        if isinstance(detail, Response):
            return detail
        return templates.TemplateResponse(request, "learner.html", {"learner": detail},
                                          headers={"Cache-Control": "no-store"})

    @router.get("/dashboard/learners/{learner_id}/export.csv")
    async def learner_csv(request: Request, learner_id: int) -> Response:
        detail = await learner_of(request, learner_id)
        if isinstance(detail, Response):
            return detail
        rows: list[list[object]] = [["section", "item", "when", "state"]]
        rows += [["lesson", line.title, line.completed.isoformat() if line.completed else "", "completed" if line.completed else "not yet"]
                 for line in detail.lessons]
        rows += [["mastery", name, "", f"{level:.2f}"] for name, level in detail.skills]
        rows += [["credential", c.title, c.awarded.isoformat(), c.state] for c in detail.credentials]
        rows += [["activity", a.what, a.at.isoformat(), ""] for a in detail.activity]
        return csv_response(rows, f"learner-{learner_id}.csv")

    @router.get("/dashboard/teams/{team_id}/funnel.csv")
    async def funnel_csv(request: Request, team_id: int) -> Response:
        detail = await detail_of(request, team_id)
        if isinstance(detail, Response):
            return detail
        return csv_response([["step", "learners"], *[[label, count] for label, count in detail.funnel]], f"funnel-{team_id}.csv")

    return router
