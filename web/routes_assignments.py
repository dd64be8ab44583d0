"""Assigning from the dashboard: a signed-in manager or admin assigns a credential or pathway to a
person, a team or everyone in a job role, due on a date or N days after each joined, and sees
(and withdraws) what is assigned to the people they may see.

Access is the dashboard's: an admin assigns to anyone; a manager only to the people of the teams
they manage (for a job role: those of them in it); a learner to nobody. It is checked on the POST,
whatever the form offered. Each POST carries the session's CSRF token (bot/team.py csrf_token),
compared in constant time, and must come from our own pages (Sec-Fetch-Site / Origin), as the
sign-out form does. A success answers 303 to the page (Post/Redirect/Get), with what was done in
the query, signed with a key derived from the session cookie, so a reload assigns nothing again and a
link from elsewhere cannot make the page claim what was not done. Assigning what a person already
has assigned with the same due date adds nothing (a form sent twice is harmless)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates

from bot import team
from bot.assignments import ROLE_PREFIX, Origin, Standing, assign, current, due_date, local_date, standing, title_of, withdraw
from bot.clock import Clock
from bot.i18n import N_, Translator
from bot.ports import Store, UnitOfWork
from bot.records import Assignment, Award, Learner, Team
from bot.vocabulary import EventKind, Role, Target
from content.model import Curriculum
from web.dashboard import COOKIE, NO_STORE, FormRefused, Viewer, from_this_site, read_form, record_id, same_text
from web.i18n import SOURCE, speak_to, translator
from web.i18n import day as i18n_day
from web.routes_compliance import STATUS_WORDS

PAGE = "/dashboard/assignments"
LIST_LIMIT = 500  # rows of the list at once; a team narrows it
MAX_DAYS = 3650  # "N days after joining", and how far ahead a due date may be
NOTICE_FIELD, SIGNATURE_FIELD = "done", "sig"
ORIGINS = {
    Origin.DASHBOARD.value: N_("on the dashboard"),
    Origin.MANAGER.value: N_("in chat"),
    Origin.CSV.value: N_("L&D's spreadsheet"),
    Origin.RECERTIFICATION.value: N_("the bot, to recertify before it expires"),
}
ROW_WORDS = {**STATUS_WORDS, Standing.DONE: N_("done")}  # a row's status, as the page says it
MANAGERS_ONLY = N_("Assigning is for managers and admins.")
ALREADY_PASSED_ONE = N_("For {name}, {days} days after joining has passed already. Nothing was assigned: choose a due date, or more days.")
ALREADY_PASSED = N_(
    "For {count} of the {total} people ({names}) {days} days after joining has passed already. "
    "Nothing was assigned: choose a due date, or more days."
)
ALREADY_PASSED_MORE = N_(
    "For {count} of the {total} people ({names} and {more} more) {days} days after joining has passed already. "
    "Nothing was assigned: choose a due date, or more days."
)
NOT_FROM_THE_PAGE = N_("This form did not come from the dashboard: open the Assignments page and send it from there.")


class FormError(Exception):
    """What is wrong with the form, said on the form again (or, for a page, on the refusal page)."""

    def __init__(self, status: int, message: str, **values: object) -> None:
        """`message`: English as written (N_), with str.format's `{name}` for `values`."""
        self.status, self.text, self.values = status, message, values
        self.message = message.format(**values) if values else message  # a text made with names in it has no placeholders
        super().__init__(self.message)

    def said(self, t: Translator) -> str:
        return t.gettext(self.text).format(**self.values) if self.values else t.gettext(self.text)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class Scope:
    """Who the viewer may assign to: the teams they see and their people."""

    viewer: Viewer
    admin: bool
    teams: list[Team]
    members: dict[int, list[Learner]]  # team id -> its people
    people: dict[int, Learner] = field(default_factory=dict)  # every one of them, by id

    def __post_init__(self) -> None:
        self.people = {m.id: m for team_id in self.members for m in self.members[team_id]}

    def may_assign_to(self, learner: Learner) -> bool:
        return not learner.left and (self.admin or learner.id in self.people)


@dataclass(frozen=True)
class Row:
    assignment_id: int
    learner_id: int
    person: str
    team: str
    what: str
    kind: str  # credential | pathway
    due: str
    due_iso: str
    by: str
    status: str
    withdrawable: bool


@dataclass(frozen=True)
class Form:
    target: str = ""
    who: str = ""
    due: str = "on"  # on | after_joining
    due_on: str = ""
    days: str = ""


def long_date(day: date, say: Translator = SOURCE) -> str:
    return i18n_day(say, day)


def people_count(n: int, say: Translator = SOURCE) -> str:
    return say.ngettext("{count} person", "{count} people", n).format(count=n)


# --- what was done, carried through the redirect -------------------------------------------------
def _signature(session: str, payload: str) -> str:
    """Keyed by the session cookie (which pages never show, unlike the CSRF token derived from it)."""
    key = hashlib.sha256(b"notice\0" + session.encode("utf-8", "surrogatepass")).digest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def signed_notice(session: str, notice: dict[str, object]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(notice, separators=(",", ":")).encode()).decode().rstrip("=")
    return urlencode({NOTICE_FIELD: payload, SIGNATURE_FIELD: _signature(session, payload)})


def read_notice(session: str, payload: str, signature: str) -> dict[str, object] | None:
    if not payload or len(payload) > 2048 or not same_text(signature, _signature(session, payload)):
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def assignment_routes(
    *, store: Store, clock: Clock, templates: Jinja2Templates, curriculum: Curriculum, public_url: str | None = None
) -> APIRouter:
    router = APIRouter()
    public_host = urlsplit(public_url).netloc if public_url else None

    def refused(request: Request, status: int, message: str, *, ways_in: bool = False) -> Response:
        """`message`: English as written (N_ where defined), said in the viewer's language."""
        context = {"message": translator(request).gettext(message), "ways_in": ways_in}
        return templates.TemplateResponse(request, "refused.html", context, status_code=status, headers=NO_STORE)

    async def signed_in(tx: UnitOfWork, request: Request, now: datetime) -> Viewer | None:
        token = request.cookies.get(COOKIE)
        learner = await tx.access.session_learner(team.token_hash(token), now) if token else None
        if token is None or learner is None:
            return None
        speak_to(request, learner.language)
        return Viewer(learner, learner.display_name or "a manager", team.csrf_token(token))

    async def scope_of(tx: UnitOfWork, viewer: Viewer) -> Scope:
        teams = await team.visible_teams(tx, viewer.learner)
        return Scope(viewer, viewer.learner.role == Role.ADMIN, teams, {t.id: await tx.teams.members(t.id) for t in teams})

    # --- the form's choices --------------------------------------------------------------------
    # The page names what it lists in the viewer's language (`say`), the curriculum's by its view in
    # that language (`shown`); the form's values are ids, the same in every language.
    def target_choices(say: Translator, shown: Curriculum) -> list[tuple[str, list[Choice]]]:
        credentials = [
            Choice(
                f"{Target.CREDENTIAL.value}:{c.id}", say.gettext("{title} ({kind})").format(title=c.title, kind=say.gettext(c.kind.value))
            )
            for c in shown.credentials.values()
            if not c.retired
        ]
        pathways = [
            Choice(f"{Target.PATHWAY.value}:{p.id}", say.gettext("{title} (pathway)").format(title=p.title)) for p in shown.pathways
        ]
        return [(say.gettext("Credentials"), credentials), (say.gettext("Pathways"), pathways)]

    def learner_name(say: Translator, learner: Learner) -> str:
        return learner.display_name or say.gettext("learner {id}").format(id=learner.id)

    def who_choices(say: Translator, shown: Curriculum, scope: Scope) -> list[tuple[str, list[Choice]]]:
        everyone_in = say.gettext("Everyone in {team} ({people})")
        teams = [
            Choice(f"team:{t.id}", everyone_in.format(team=t.name, people=people_count(len(scope.members[t.id]), say))) for t in scope.teams
        ]
        in_role = (
            say.gettext("Everyone in the job role {role}") if scope.admin else say.gettext("Everyone in your teams in the job role {role}")
        )
        roles = [Choice(f"role:{r.id}", in_role.format(role=r.title)) for r in shown.roles.values()]
        people = [Choice(f"person:{m.id}", f"{learner_name(say, m)} ({t.name})") for t in scope.teams for m in scope.members[t.id]]
        return [(say.gettext("Teams"), teams), (say.gettext("Job roles"), roles), (say.gettext("People"), people)]

    # --- reading the form --------------------------------------------------------------------
    def target_of(form: Form) -> tuple[Target, str]:
        kind, _, target_id = form.target.partition(":")
        if not form.target:
            raise FormError(400, N_("Choose a credential or pathway to assign."))
        if kind == Target.CREDENTIAL.value and target_id in curriculum.credentials:
            definition = curriculum.credentials[target_id]
            if definition.retired:
                raise FormError(400, N_("{title} is retired: it is no longer awarded, so it cannot be assigned."), title=definition.title)
            return Target.CREDENTIAL, target_id
        if kind == Target.PATHWAY.value and title_of(curriculum, Target.PATHWAY, target_id) is not None:
            return Target.PATHWAY, target_id
        raise FormError(400, N_("That credential or pathway is not in the curriculum: choose one from the list."))

    async def people_of(tx: UnitOfWork, scope: Scope, form: Form, now: datetime, say: Translator = SOURCE) -> tuple[list[Learner], str]:
        """Those the form names, each of them in the viewer's scope, and how to say who they are."""
        kind, _, given = form.who.partition(":")
        if not form.who:
            raise FormError(400, N_("Choose a person, a team or a job role."))
        if kind == "person":
            number = record_id(given)
            learner = await tx.learners.by_id(number) if number is not None else None
            # Someone outside your teams and someone who does not exist look the same.
            if learner is None or not scope.may_assign_to(learner):
                raise FormError(403, N_("That person is not in one of your teams."))
            return [learner], learner_name(say, learner)
        if kind == "team":
            number = record_id(given)
            found = next((t for t in scope.teams if t.id == number), None)
            if found is None:
                raise FormError(403, N_("That team is not one of yours."))
            if not scope.members[found.id]:
                raise FormError(400, N_("Nobody is in the team {team} yet: there is no one to assign to."), team=found.name)
            return scope.members[found.id], say.gettext("everyone in {team}").format(team=found.name)
        if kind == "role":
            role = curriculum.roles.get(given)
            if role is None:
                raise FormError(400, N_("That job role is not in the curriculum: choose one from the list."))
            holders = await tx.job_roles.holders(role.id, at=now)
            people = [scope.people[i] for i in holders if i in scope.people]
            if scope.admin:  # an admin's people include those in no team
                for learner_id in holders:
                    if learner_id not in scope.people and (learner := await tx.learners.by_id(learner_id)) is not None:
                        people.append(learner)
            if not people:
                if scope.admin:
                    raise FormError(400, N_("Nobody has the job role {role}: there is no one to assign to."), role=role.title)
                raise FormError(400, N_("Nobody in your teams has the job role {role}: there is no one to assign to."), role=role.title)
            role_title = curriculum.in_language(say.language).roles[role.id].title
            return people, say.gettext("everyone in the job role {role}").format(role=role_title)
        raise FormError(400, N_("Choose a person, a team or a job role from the list."))

    def due_of(form: Form, today: date) -> tuple[date | None, int | None]:
        if form.due == "on":
            if not form.due_on:
                raise FormError(400, N_("Give the due date, or choose a number of days after joining."))
            try:
                on = date.fromisoformat(form.due_on)
            except ValueError:
                raise FormError(400, N_("The due date is not a date: give it as on a calendar (YYYY-MM-DD).")) from None
            if on < today:
                raise FormError(400, N_("The due date {day} has passed: choose today or a later day."), day=long_date(on))
            if (on - today).days > MAX_DAYS:
                raise FormError(400, N_("Choose a due date within the next ten years."))
            return on, None
        if form.due == "after_joining":
            days = form.days.strip()
            if not (days.isascii() and days.isdigit() and 1 <= int(days) <= MAX_DAYS):
                raise FormError(400, N_("Give the days after joining as a whole number from 1 to {days}."), days=MAX_DAYS)
            return None, int(days)
        raise FormError(400, N_("Choose a due date or a number of days after joining."))

    # --- the list ----------------------------------------------------------------------------
    async def names(tx: UnitOfWork, ids: Iterable[int], known: dict[int, Learner], say: Translator) -> dict[int, str]:
        found = {}
        for learner_id in set(ids):
            learner = known.get(learner_id) or await tx.learners.by_id(learner_id)
            found[learner_id] = say.gettext("someone who has left") if learner is None or learner.left else learner_name(say, learner)
        return found

    def origin_label(say: Translator, shown: Curriculum, assignment: Assignment, by_name: dict[int, str]) -> str:
        """Who assigned it and how: "Maria Manager, on the dashboard", "the job role Machine operator"."""
        if assignment.origin.startswith(ROLE_PREFIX):
            role_id = assignment.origin.removeprefix(ROLE_PREFIX)
            role = shown.roles.get(role_id)
            how = say.gettext("the job role {role}").format(role=role.title if role else role_id)
        else:
            how = say.gettext(ORIGINS[assignment.origin]) if assignment.origin in ORIGINS else assignment.origin
        return how if assignment.assigned_by is None else f"{by_name[assignment.assigned_by]}, {how}"

    def standing_of(
        assignment: Assignment, awards: list[Award], completed: set[str], started: set[str], at: datetime, timezone: str
    ) -> Standing:
        return standing(
            curriculum,
            assignment.target_kind,
            assignment.target_id,
            assignment=assignment,
            awards=awards,
            completed=completed,
            started=started,
            at=at,
            timezone=timezone,
        )

    async def rows_of(
        tx: UnitOfWork, scope: Scope, people: list[Learner], now: datetime, say: Translator, shown: Curriculum
    ) -> tuple[list[Row], int]:
        """The current assignments of `people`, the soonest due first, at most LIST_LIMIT of them,
        and how many there are in all."""
        learners = {p.id: p for p in people}
        everything = [
            (assignment, learners[learner_id])
            for learner_id, found in (await tx.assignments.of_many(list(learners))).items()
            for assignment in current(found, now).values()
        ]
        everything.sort(key=lambda pair: (pair[0].due_on, pair[1].display_name.casefold(), pair[0].target_id, pair[0].id))
        listed = everything[:LIST_LIMIT]
        ids = sorted({learner.id for _, learner in listed})
        awards: dict[int, list[Award]] = {}
        for award in await tx.awards.held_by(ids) if ids else []:
            awards.setdefault(award.learner_id, []).append(award)
        completed = await tx.sessions.completed_lessons_of(ids) if ids else {}
        by_name = await names(tx, (a.assigned_by for a, _ in listed if a.assigned_by is not None), scope.people, say)
        team_names = {t.id: t.name for t in scope.teams}
        started: dict[int, set[str]] = {}
        rows = []
        for assignment, learner in listed:
            held, done = awards.get(learner.id, []), completed.get(learner.id, set())
            status = standing_of(assignment, held, done, set(), now, learner.timezone)
            if status is Standing.NOT_STARTED:  # only then do the lessons started matter
                if learner.id not in started:
                    events = await tx.trail.recent(learner.id, (EventKind.LESSON_STARTED,), 10_000)
                    started[learner.id] = {e.lesson_id for e in events if e.lesson_id}
                status = standing_of(assignment, held, done, started[learner.id], now, learner.timezone)
            title = title_of(shown, assignment.target_kind, assignment.target_id)
            gone = say.gettext("{id} (no longer in the curriculum)").format(id=assignment.target_id)
            rows.append(
                Row(
                    assignment_id=assignment.id,
                    learner_id=learner.id,
                    person=learner_name(say, learner),
                    team=team_names.get(learner.team_id or 0, ""),
                    what=title if title is not None else gone,
                    kind=assignment.target_kind.value,
                    due=long_date(assignment.due_on, say),
                    due_iso=assignment.due_on.isoformat(),
                    by=origin_label(say, shown, assignment, by_name),
                    status=status.label,
                    withdrawable=not assignment.origin.startswith(ROLE_PREFIX),
                )
            )
        return rows, len(everything)

    def notice_text(say: Translator, notice: dict[str, object]) -> str | None:
        """What the signed notice says was done, in words, or None when it says nothing we know."""
        what = notice.get("what")
        if not isinstance(what, str):
            return None
        kind, _, target_id = what.partition(":")
        shown = curriculum.in_language(say.language)
        title = title_of(shown, Target(kind), target_id) if kind in {t.value for t in Target} else None
        if title is None:
            return None
        if notice.get("kind") == "withdrawn":
            return say.gettext("Withdrawn: {title} for {person}.").format(title=title, person=notice.get("person"))
        made, same, first, last = notice.get("made"), notice.get("same"), notice.get("first"), notice.get("last")
        if not (isinstance(made, int) and isinstance(same, int) and isinstance(first, str) and isinstance(last, str)):
            return None
        try:
            due = say.gettext("due {day}").format(day=long_date(date.fromisoformat(first), say))
            if last != first:
                due = say.gettext("due from {first} to {last} (by when each joined)").format(
                    first=long_date(date.fromisoformat(first), say), last=long_date(date.fromisoformat(last), say)
                )
        except ValueError:
            return None
        who = notice.get("who")
        if not made:
            return say.gettext("Nothing changed: {title} was already assigned to {who}, {due}.").format(title=title, who=who, due=due)
        text = say.gettext("Assigned {title} to {people} ({who}), {due}.").format(
            title=title, people=people_count(made, say), who=who, due=due
        )
        if same:
            unchanged = say.ngettext("{people} already had it due then: unchanged.", "{people} already had it due then: unchanged.", same)
            text += " " + unchanged.format(people=people_count(same, say))
        return text

    async def show(
        request: Request,
        *,
        form: Form | None = None,
        error: FormError | None = None,
        notice: str | None = None,
        team_filter: str = "",
    ) -> Response:
        now = clock.now()
        async with store.transaction() as tx:
            viewer = await signed_in(tx, request, now)
            if viewer is None:
                return refused(request, 401, N_("You are not signed in."), ways_in=True)
            if not viewer.learner.role.at_least(Role.MANAGER):
                return refused(request, 403, MANAGERS_ONLY)
            scope = await scope_of(tx, viewer)
            shown_team = next((t for t in scope.teams if str(t.id) == team_filter), None)
            people = scope.members[shown_team.id] if shown_team else list(scope.people.values())
            say = translator(request)
            shown = curriculum.in_language(say.language)
            rows, total = await rows_of(tx, scope, people, now, say, shown)
        context = {
            "viewer": viewer,
            "targets": target_choices(say, shown),
            "whos": who_choices(say, shown, scope),
            "form": form or Form(),
            "error": error.said(translator(request)) if error else None,
            "status_word": {status.label: translator(request).gettext(word) for status, word in ROW_WORDS.items()},
            "notice": notice,
            "today": local_date(now, viewer.learner.timezone).isoformat(),
            "rows": rows,
            "more": total - len(rows),
            "teams": scope.teams,
            "shown_team": shown_team,
        }
        return templates.TemplateResponse(
            request, "assignments.html", context, status_code=error.status if error else 200, headers=NO_STORE
        )

    @router.get(PAGE)
    async def assignments_page(request: Request) -> Response:
        query, session = request.query_params, request.cookies.get(COOKIE, "")
        notice = read_notice(session, query.get(NOTICE_FIELD, ""), query.get(SIGNATURE_FIELD, "")) if session else None
        text = notice_text(translator(request), notice) if notice else None
        return await show(request, notice=text, team_filter=query.get("team", ""))

    async def checked_form(request: Request) -> dict[str, str] | Response:
        """The form, once it is known to come from the signed-in dashboard; or the refusal."""
        try:
            form = await read_form(request)
        except FormRefused as problem:
            return refused(request, problem.status, problem.message)
        session = request.cookies.get(COOKIE)
        if not session:
            return refused(request, 401, N_("You are not signed in."), ways_in=True)
        if not (from_this_site(request, public_host) and same_text(form.get("csrf", ""), team.csrf_token(session))):
            return refused(request, 403, NOT_FROM_THE_PAGE)
        return form

    async def assign_all(tx: UnitOfWork, viewer: Viewer, form: Form, now: datetime, say: Translator = SOURCE) -> dict[str, object]:
        """Assign what the form says to those it names, every one of them in the viewer's scope,
        or FormError before anything is written. What was done, for the notice."""
        scope = await scope_of(tx, viewer)
        kind, target_id = target_of(form)
        on, days = due_of(form, local_date(now, viewer.learner.timezone))
        people, who = await people_of(tx, scope, form, now, say)  # `who` as the notice will say it
        counting = {i: current(found, now) for i, found in (await tx.assignments.of_many([p.id for p in people])).items()}
        dues = {learner.id: due_date(learner, now, on=on, days=days, after_joining=days is not None) for learner in people}
        if days is not None and (passed := [p for p in people if dues[p.id] < local_date(now, p.timezone)]):
            # As /assign does: a due date already behind someone would make them overdue at once.
            names = ", ".join(p.display_name or f"#{p.id}" for p in passed[:5])
            if len(people) == 1:
                raise FormError(400, ALREADY_PASSED_ONE, name=names, days=days)
            counts = {"count": len(passed), "total": len(people), "names": names, "days": days}
            if len(passed) > 5:
                raise FormError(400, ALREADY_PASSED_MORE, more=len(passed) - 5, **counts)
            raise FormError(400, ALREADY_PASSED, **counts)
        made, due = 0, []
        for learner in people:
            due_on = dues[learner.id]
            due.append(due_on)
            existing = counting.get(learner.id, {}).get((kind, target_id))
            if existing is None or existing.due_on != due_on:  # the same again changes nothing: not added
                await assign(tx, learner, kind, target_id, due_on=due_on, origin=Origin.DASHBOARD, by=viewer.learner.id, now=now)
                made += 1
        return {
            "kind": "assigned",
            "what": f"{kind.value}:{target_id}",
            "who": who,
            "made": made,
            "same": len(people) - made,
            "first": min(due).isoformat(),
            "last": max(due).isoformat(),
        }

    @router.post(PAGE)
    async def assign_from_form(request: Request) -> Response:
        fields = await checked_form(request)
        if isinstance(fields, Response):
            return fields
        form = Form(**{k: fields.get(k, "") for k in ("target", "who", "due", "due_on", "days")})
        now = clock.now()
        try:
            async with store.transaction() as tx:  # a FormError leaves it, and nothing is written
                viewer = await signed_in(tx, request, now)
                if viewer is None:
                    return refused(request, 401, N_("You are not signed in."), ways_in=True)
                if not viewer.learner.role.at_least(Role.MANAGER):
                    return refused(request, 403, MANAGERS_ONLY)
                notice = await assign_all(tx, viewer, form, now, translator(request))
        except FormError as error:
            return await show(request, form=form, error=error)
        return RedirectResponse(f"{PAGE}?{signed_notice(request.cookies[COOKIE], notice)}", status_code=303, headers=NO_STORE)

    @router.post(PAGE + "/{assignment_id}/withdraw")
    async def withdraw_from_form(request: Request, assignment_id: str) -> Response:
        fields = await checked_form(request)
        if isinstance(fields, Response):
            return fields
        now = clock.now()
        async with store.transaction() as tx:
            viewer = await signed_in(tx, request, now)
            if viewer is None:
                return refused(request, 401, N_("You are not signed in."), ways_in=True)
            if not viewer.learner.role.at_least(Role.MANAGER):
                return refused(request, 403, MANAGERS_ONLY)
            scope = await scope_of(tx, viewer)
            number, learner_number = record_id(assignment_id), record_id(fields.get("learner", ""))
            learner = await tx.learners.by_id(learner_number) if learner_number is not None else None
            if learner is None or not scope.may_assign_to(learner):
                return refused(request, 403, N_("That person is not in one of your teams."))
            found = next((a for a in current(await tx.assignments.of(learner.id), now).values() if a.id == number), None)
            if found is None:
                return refused(request, 404, N_("That assignment is not current: it was withdrawn, or replaced by a newer one."))
            if found.origin.startswith(ROLE_PREFIX):
                return refused(request, 403, N_("A job role requires this: it ends when the person's job role does."))
            await withdraw(tx, learner, found, by=viewer.learner.id, now=now)
        notice: dict[str, object] = {
            "kind": "withdrawn",
            "what": f"{found.target_kind.value}:{found.target_id}",
            "person": learner_name(translator(request), learner),
        }
        shown = record_id(fields.get("team", ""))  # back to the list as it was shown
        query = signed_notice(request.cookies[COOKIE], notice) + (f"&team={shown}" if shown is not None else "")
        return RedirectResponse(f"{PAGE}?{query}", status_code=303, headers=NO_STORE)

    return router
