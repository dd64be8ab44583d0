"""The compliance matrix on the dashboard (bot/compliance.py): /dashboard/compliance shows a page
of it (100 people) with its filters, legend and pages; /dashboard/compliance.csv downloads every
row the same filters keep, cell for cell as the page says them.

Access is the dashboard's: a signed-in admin sees everyone, each team and each job role; a manager
their teams (together or one by one) and each role among their teams' people; anyone else is
refused. A scope that is not one of the viewer's, however it is written into the URL, is refused
(403) before anything is read. Filters are a GET form (nothing changes, so no CSRF token): who,
as of a past day (its end in UTC; empty: now), the expiring window in days, and which statuses a
row must have one of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.templating import Jinja2Templates

from bot import compliance, team
from bot.assignments import EXPIRING_WITHIN, Standing
from bot.clock import Clock
from bot.ports import Store, UnitOfWork
from bot.spreadsheet import csv_text
from bot.vocabulary import Role
from content.model import Curriculum
from web.dashboard import COOKIE, NO_STORE, Viewer

PAGE = "/dashboard/compliance"
MANAGERS_ONLY = "The compliance matrix is for managers and admins."
NOT_YOURS = "This team or job role is not one you can see."
MAX_PAGE = 10**6


class BadFilter(ValueError):
    """A filter the page cannot use, said above the form."""


@dataclass(frozen=True)
class Filters:
    scope: str = compliance.ORGANISATION
    as_of: date | None = None
    within: int = EXPIRING_WITHIN.days
    statuses: tuple[Standing, ...] = ()
    page: int = 1

    def query(self, **changed: object) -> str:
        """The URL query of these filters (with `changed`), as the form would send it."""
        values = {
            "scope": self.scope,
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "within": self.within,
            "status": [s.value for s in self.statuses],
            "page": self.page,
        }
        values.update(changed)
        if values["page"] == 1:
            del values["page"]
        return urlencode(values, doseq=True)


def read_filters(request: Request) -> Filters:
    """The filters from the query string; BadFilter says what is wrong with one."""
    params = request.query_params
    as_of_text = params.get("as_of", "").strip()
    try:
        as_of = date.fromisoformat(as_of_text) if as_of_text else None
    except ValueError:
        raise BadFilter("As of: give a day as YYYY-MM-DD, or leave it empty for now.") from None
    within_text = params.get("within", "").strip() or str(EXPIRING_WITHIN.days)
    if not (within_text.isascii() and within_text.isdigit()) or not 1 <= int(within_text) <= compliance.LONGEST_WINDOW:
        raise BadFilter(f"Expiring within: give a number of days from 1 to {compliance.LONGEST_WINDOW}.")
    statuses = []
    for value in params.getlist("status"):
        try:
            statuses.append(Standing(value))
        except ValueError:
            raise BadFilter(f"Status: choose among {', '.join(s.label for s in compliance.STATUSES)}.") from None
        if statuses[-1] not in compliance.STATUSES:
            raise BadFilter(f"Status: choose among {', '.join(s.label for s in compliance.STATUSES)}.")
    page_text = params.get("page", "1")
    if not (page_text.isascii() and page_text.isdigit()) or not 1 <= int(page_text) <= MAX_PAGE:
        raise BadFilter("Page: a page number from 1.")
    return Filters(
        scope=params.get("scope", compliance.ORGANISATION) or compliance.ORGANISATION,
        as_of=as_of,
        within=int(within_text),
        statuses=tuple(dict.fromkeys(statuses)),
        page=int(page_text),
    )


def compliance_routes(*, store: Store, clock: Clock, templates: Jinja2Templates, curriculum: Curriculum) -> APIRouter:
    router = APIRouter()

    def refused(request: Request, status: int, message: str, *, ways_in: bool = False) -> Response:
        return templates.TemplateResponse(
            request, "refused.html", {"message": message, "ways_in": ways_in}, status_code=status, headers=NO_STORE
        )

    async def signed_in(tx: UnitOfWork, request: Request, now: datetime) -> Viewer | None:
        """As the dashboard signs in (web/dashboard.py): the session cookie's learner."""
        token = request.cookies.get(COOKIE)
        learner = await tx.access.session_learner(team.token_hash(token), now) if token else None
        if token is None or learner is None:
            return None
        return Viewer(learner, learner.display_name or "a manager", team.csrf_token(token))

    async def matrix_for(
        request: Request, *, whole: bool
    ) -> Response | tuple[Viewer, list[compliance.ScopeChoice], Filters, compliance.Matrix | None, str | None]:
        """Who is signed in, their scopes, the filters and the matrix (None with the error that
        stopped it), or the refusal to send instead."""
        now = clock.now()
        async with store.transaction() as tx:
            viewer = await signed_in(tx, request, now)
            if viewer is None:
                return refused(request, 401, "You are not signed in.", ways_in=True)
            if viewer.learner.role not in (Role.ADMIN, Role.MANAGER):
                return refused(request, 403, MANAGERS_ONLY)
            choices = await compliance.scope_choices(tx, curriculum, viewer.learner)
            try:
                filters = read_filters(request)
            except BadFilter as error:
                return viewer, choices, Filters(), None, str(error)
            choice = next((c for c in choices if c.key == filters.scope), None)
            if choice is None:
                return refused(request, 403, NOT_YOURS)
            try:
                matrix = await compliance.compliance_matrix(
                    tx,
                    curriculum,
                    choice,
                    now=now,
                    as_of=filters.as_of,
                    expiring_within=timedelta(days=filters.within),
                    statuses=filters.statuses,
                    page=filters.page,
                    page_size=None if whole else compliance.PAGE_SIZE,
                )
            except compliance.AsOfRefused as error:
                return viewer, choices, filters, None, str(error)
            return viewer, choices, filters, matrix, None

    @router.get(PAGE)
    async def matrix_page(request: Request) -> Response:
        found = await matrix_for(request, whole=False)
        if isinstance(found, Response):
            return found
        viewer, choices, filters, matrix, error = found
        today = clock.now().astimezone(UTC).date()
        context = {
            "viewer": viewer,
            "choices": choices,
            "filters": filters,
            "matrix": matrix,
            "error": error,
            "today": today.isoformat(),
            "statuses": compliance.STATUSES,
            "meaning": compliance.MEANING,
            "not_required": compliance.NOT_REQUIRED,
            "page_size": compliance.PAGE_SIZE,
        }
        return templates.TemplateResponse(request, "compliance.html", context, status_code=400 if error else 200, headers=NO_STORE)

    @router.get(f"{PAGE}.csv")
    async def matrix_csv(request: Request) -> Response:
        found = await matrix_for(request, whole=True)
        if isinstance(found, Response):
            return found
        _, _, filters, matrix, error = found
        if matrix is None:
            return refused(request, 400, error or "")
        when = matrix.as_of.isoformat() if matrix.as_of else matrix.at.date().isoformat()
        return Response(
            csv_text(compliance.table(matrix)),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="compliance-{filters.scope}-{when}.csv"', **NO_STORE},
        )

    return router
