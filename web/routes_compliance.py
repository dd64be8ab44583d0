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
from bot.i18n import N_, Translator, Translators
from bot.ports import Store, UnitOfWork
from bot.spreadsheet import csv_text
from bot.vocabulary import Role
from content.model import Curriculum
from web.dashboard import COOKIE, NO_STORE, Viewer
from web.i18n import speak_to, translator

PAGE = "/dashboard/compliance"
MANAGERS_ONLY = N_("The compliance matrix is for managers and admins.")
NOT_YOURS = N_("This team or job role is not one you can see.")
# How the page names each status; the CSV keeps bot/compliance.py's words (Standing.label).
STATUS_WORDS = {
    Standing.VALID: N_("valid"),
    Standing.EXPIRING: N_("expiring"),
    Standing.EXPIRED: N_("expired"),
    Standing.OVERDUE: N_("overdue"),
    Standing.IN_PROGRESS: N_("in progress"),
    Standing.NOT_STARTED: N_("not started"),
}
MAX_PAGE = 10**6


class BadFilter(ValueError):
    """A filter the page cannot use, said above the form: the text as written (N_) and its values."""

    def __init__(self, text: str, **values: object) -> None:
        super().__init__(text.format(**values))
        self.text, self.values = text, values

    def said(self, t: Translator) -> str:
        return t.gettext(self.text).format(**self.values)


def scope_name(t: Translator, bot_words: Translator, choice: compliance.ScopeChoice) -> str:
    """A scope's name in the viewer's language: a team's or role's in the page's words (`t`), the
    whole organisation or all your teams in bot/compliance.py's own (`bot_words`, the bot's catalog)."""
    if choice.kind == "team":
        return t.gettext("Team: {name}").format(name=choice.label.removeprefix("Team: "))
    if choice.kind == "role":
        return t.gettext("Job role: {title}").format(title=choice.label.removeprefix("Job role: "))
    return bot_words.gettext(choice.label)


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
        raise BadFilter(N_("As of: give a day as YYYY-MM-DD, or leave it empty for now.")) from None
    within_text = params.get("within", "").strip() or str(EXPIRING_WITHIN.days)
    if not (within_text.isascii() and within_text.isdigit()) or not 1 <= int(within_text) <= compliance.LONGEST_WINDOW:
        raise BadFilter(N_("Expiring within: give a number of days from 1 to {days}."), days=compliance.LONGEST_WINDOW)
    statuses = []
    for value in params.getlist("status"):
        try:
            statuses.append(Standing(value))
        except ValueError:
            raise BadFilter(N_("Status: choose among {statuses}."), statuses=", ".join(s.label for s in compliance.STATUSES)) from None
        if statuses[-1] not in compliance.STATUSES:
            raise BadFilter(N_("Status: choose among {statuses}."), statuses=", ".join(s.label for s in compliance.STATUSES))
    page_text = params.get("page", "1")
    if not (page_text.isascii() and page_text.isdigit()) or not 1 <= int(page_text) <= MAX_PAGE:
        raise BadFilter(N_("Page: a page number from 1."))
    return Filters(
        scope=params.get("scope", compliance.ORGANISATION) or compliance.ORGANISATION,
        as_of=as_of,
        within=int(within_text),
        statuses=tuple(dict.fromkeys(statuses)),
        page=int(page_text),
    )


def compliance_routes(
    *, store: Store, clock: Clock, templates: Jinja2Templates, curriculum: Curriculum, bot_texts: Translators | None = None
) -> APIRouter:
    """`bot_texts`: the bot's catalogs, for what bot/compliance.py words (the statuses' meanings,
    not required, the membership note, the as-of refusal), read from bot/locale when not given."""
    router = APIRouter()
    said_by_bot = bot_texts or Translators.load()

    def bot_words(request: Request) -> Translator:
        return said_by_bot.of(translator(request).language)

    def refused(request: Request, status: int, message: str, *, ways_in: bool = False) -> Response:
        context = {"message": translator(request).gettext(message), "ways_in": ways_in}
        return templates.TemplateResponse(request, "refused.html", context, status_code=status, headers=NO_STORE)

    async def signed_in(tx: UnitOfWork, request: Request, now: datetime) -> Viewer | None:
        """As the dashboard signs in (web/dashboard.py): the session cookie's learner."""
        token = request.cookies.get(COOKIE)
        learner = await tx.access.session_learner(team.token_hash(token), now) if token else None
        if token is None or learner is None:
            return None
        speak_to(request, learner.language)
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
                return refused(request, 401, N_("You are not signed in."), ways_in=True)
            if viewer.learner.role not in (Role.ADMIN, Role.MANAGER):
                return refused(request, 403, MANAGERS_ONLY)
            # The page names roles and credentials in the viewer's language; the CSV as the source does.
            names = curriculum if whole else curriculum.in_language(translator(request).language)
            choices = await compliance.scope_choices(tx, names, viewer.learner)
            try:
                filters = read_filters(request)
            except BadFilter as error:
                return viewer, choices, Filters(), None, error.said(translator(request))
            choice = next((c for c in choices if c.key == filters.scope), None)
            if choice is None:
                return refused(request, 403, NOT_YOURS)
            try:
                matrix = await compliance.compliance_matrix(
                    tx,
                    names,
                    choice,
                    now=now,
                    as_of=filters.as_of,
                    expiring_within=timedelta(days=filters.within),
                    statuses=filters.statuses,
                    page=filters.page,
                    page_size=None if whole else compliance.PAGE_SIZE,
                )
            except compliance.AsOfRefused as error:
                return viewer, choices, filters, None, error.said(bot_words(request))
            return viewer, choices, filters, matrix, None

    @router.get(PAGE)
    async def matrix_page(request: Request) -> Response:
        found = await matrix_for(request, whole=False)
        if isinstance(found, Response):
            return found
        viewer, choices, filters, matrix, error = found
        today = clock.now().astimezone(UTC).date()
        t = translator(request)
        b = bot_words(request)  # what bot/compliance.py words, from the bot's catalog
        context = {
            "status_word": {status: t.gettext(word) for status, word in STATUS_WORDS.items()},
            "scope_names": {choice.key: scope_name(t, b, choice) for choice in choices},
            "viewer": viewer,
            "choices": choices,
            "filters": filters,
            "matrix": matrix,
            "error": error,
            "today": today.isoformat(),
            "statuses": compliance.STATUSES,
            "meaning": {status: b.gettext(text) for status, text in compliance.MEANING.items()},
            "not_required": b.gettext(compliance.NOT_REQUIRED),
            "note": b.gettext(matrix.note) if matrix is not None and matrix.note else None,
            # The statuses a row must have one of, as the page's sentence names them.
            "which": t.gettext(" or ").join(sorted(t.gettext(STATUS_WORDS[s]) for s in matrix.statuses)) if matrix is not None else "",
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
