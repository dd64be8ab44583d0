"""`run_bot.py assignments import FILE.csv`: L&D's spreadsheet of who must earn what by when.

    platform,user_id,team,job_role,credential,pathway,due,due_in_days,days_after_joining
    telegram,4242,,,loto-practitioner,,2026-06-30,,
    ,,Maintenance,,,safety-basics,,30,
    ,,,machine-operator,safety-foundations,,,,14

Each row says WHO (a person: `platform` and `user_id`; a `team`, by name; or a `job_role`, by
id: exactly one), WHAT (a `credential` or a `pathway`, by id: exactly one) and WHEN (`due` as
YYYY-MM-DD, `due_in_days` from today, or `days_after_joining`: exactly one; days count in each
person's timezone). A team or a job role means its members today: who joins later is not
assigned by this file (a job role's own requirements are, when they get the role).

Every row is checked first, against the curriculum and then against the database (the person,
the team, the role's holders); one bad row means a clear error for each bad row and nothing
written. A good file is written in one transaction: all or nothing. Assigning again what a
person is assigned already adds an assignment (the latest counts: its due date replaces the
earlier one); a person reached by several rows for the same credential or pathway gets the
last row's only. The origin is `csv`, assigned by nobody (L&D's file)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from bot.assignments import Origin, assign, current, due_date
from bot.people import SEPARATOR, TEAM_LIST, find_job_role, identity_errors, known_roles_text
from bot.ports import Store
from bot.records import Learner
from bot.vocabulary import Target
from content.model import Curriculum

WHO = ("platform", "user_id", "team", "job_role")
WHAT = ("credential", "pathway")
WHEN = ("due", "due_in_days", "days_after_joining")
COLUMNS = (*WHO, *WHAT, *WHEN)
MOST_DAYS = 3650  # ten years: a larger number of days is a typo


@dataclass(frozen=True)
class AssignmentRow:
    row: int  # as a spreadsheet numbers it (the header is row 1)
    target_kind: Target
    target_id: str
    platform: str | None = None  # WHO: a person (with user_id),
    user_id: str | None = None
    team: str | None = None  # or a team's members,
    job_role: str | None = None  # or a job role's holders
    due: date | None = None  # WHEN: a date,
    due_in_days: int | None = None  # or days from today,
    days_after_joining: int | None = None  # or days from the day the person joined

    def due_for(self, learner: Learner, now: datetime) -> date:
        if self.due is not None:
            return self.due
        if self.due_in_days is not None:
            return due_date(learner, now, days=self.due_in_days)
        return due_date(learner, now, days=self.days_after_joining, after_joining=True)


@dataclass(frozen=True)
class AssignmentsImported:
    rows: int
    people: int  # different people assigned something
    assigned: int  # assignments written
    new: int  # of which the person had nothing counting for that target
    reassigned: int  # of which replace one that counted (the latest counts)
    overridden: int  # (person, target) pairs a later row in the file assigned again: only the last row's is written


def read_assignments(text: str, curriculum: Curriculum, *, today: date) -> tuple[list[AssignmentRow], list[str]]:
    """The rows of a CSV text, and one message per problem (`row N: ...`). Checked here: the
    columns, that each row says who, what and when exactly once, the ids against `curriculum`
    (a retired credential is refused), and the dates (`due` not before `today`)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))  # Excel writes a byte-order mark
    header = [h.strip().lower() for h in reader.fieldnames or []]
    problems = [f"row 1: unknown column {h!r} (known: {', '.join(COLUMNS)})" for h in header if h not in COLUMNS]
    for group, says in ((WHO, "who (platform and user_id, team, or job_role)"), (WHAT, "what (credential or pathway)"), (WHEN, "when")):
        if not set(group) & set(header):
            problems.append(f"row 1: the header needs a column saying {says}: {', '.join(group)}")
    if ("platform" in header) != ("user_id" in header):
        problems.append("row 1: a person is named by platform and user_id together: the header needs both")
    if problems:
        return [], problems
    rows: list[AssignmentRow] = []
    for raw in reader:
        row_number = reader.line_num
        cells = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(cells.values()):
            continue  # blank lines are fine
        found, errors = _row(row_number, cells, curriculum, today)
        problems += [f"row {row_number}: {error}" for error in errors]
        if found is not None:
            rows.append(found)
    return rows, problems


def _row(number: int, cells: dict[str, str], curriculum: Curriculum, today: date) -> tuple[AssignmentRow | None, list[str]]:
    errors: list[str] = []
    platform, user_id = cells.get("platform", "").lower(), cells.get("user_id", "")
    team, job_role = cells.get("team", ""), cells.get("job_role", "")
    who = [name for name, given in (("platform and user_id", platform or user_id), ("team", team), ("job_role", job_role)) if given]
    if not who:
        errors.append("say who: platform and user_id, a team, or a job_role")
    elif len(who) > 1:
        errors.append(f"say who once: this row has {' and '.join(who)}; write a row for each")
    elif platform or user_id:
        errors += identity_errors(platform, user_id)
    elif team and (TEAM_LIST.search(team) or SEPARATOR in team):
        errors.append(f"team {team!r} looks like a list: one team a row (write a row for each team)")
    elif job_role:
        role = find_job_role(curriculum.roles, job_role)
        if role is None:
            errors.append(f"unknown job role {job_role!r} ({known_roles_text(curriculum.roles)}; one job role a row)")
        elif role.id != job_role.lower():
            errors.append(f"job role {job_role!r}: write its id {role.id!r}, not its title")
        job_role = role.id if role is not None else job_role

    credential, pathway = cells.get("credential", "").lower(), cells.get("pathway", "").lower()
    pathways = {p.id for p in curriculum.pathways}
    if bool(credential) == bool(pathway):
        errors.append("say what once: a credential or a pathway" if credential else "say what: a credential or a pathway")
    elif credential:
        definition = curriculum.credentials.get(credential)
        if definition is None and credential in pathways:
            errors.append(f"{credential!r} is a pathway: it goes in the 'pathway' column")
        elif definition is None:
            errors.append(f"unknown credential {credential!r} (known credentials: {', '.join(sorted(curriculum.credentials))}; one a row)")
        elif definition.retired:
            errors.append(f"credential {credential!r} is retired (no longer awarded): it cannot be assigned")
    elif pathway not in pathways:
        if pathway in curriculum.credentials:
            errors.append(f"{pathway!r} is a credential: it goes in the 'credential' column")
        else:
            errors.append(f"unknown pathway {pathway!r} (known pathways: {', '.join(sorted(pathways))}; one a row)")

    when = [name for name in WHEN if cells.get(name, "")]
    due: date | None = None
    days: dict[str, int] = {}
    if not when:
        errors.append("say when: due (YYYY-MM-DD), due_in_days or days_after_joining")
    elif len(when) > 1:
        errors.append(f"say when once: this row has {' and '.join(when)}")
    elif when[0] == "due":
        written = cells["due"]
        try:
            due = date.fromisoformat(written) if len(written) == 10 else None
        except ValueError:
            due = None
        if due is None:
            errors.append(f"due {written!r} is not a date written YYYY-MM-DD")
        elif due < today:
            errors.append(f"due {written} is in the past")
    else:
        written = cells[when[0]]
        if not written.isdigit() or int(written) > MOST_DAYS:
            errors.append(f"{when[0]} {written!r} is not a whole number of days from 0 to {MOST_DAYS}")
        else:
            days[when[0]] = int(written)
    if errors:
        return None, errors
    return AssignmentRow(
        row=number,
        target_kind=Target.CREDENTIAL if credential else Target.PATHWAY,
        target_id=credential or pathway,
        platform=platform or None,
        user_id=user_id or None,
        team=team or None,
        job_role=job_role or None,
        due=due,
        due_in_days=days.get("due_in_days"),
        days_after_joining=days.get("days_after_joining"),
    ), []


async def import_assignments(store: Store, rows: list[AssignmentRow], *, now: datetime) -> tuple[AssignmentsImported | None, list[str]]:
    """Who each row names, found in one transaction; then, if every row names someone, every
    assignment written in it. (None, one message per bad row) when a row names nobody: nothing
    is written."""
    async with store.transaction() as tx:
        teams = {t.name: t.id for t in await tx.teams.all()}
        problems: list[str] = []
        plan: dict[tuple[int, Target, str], tuple[Learner, AssignmentRow]] = {}
        overridden = 0
        for row in rows:
            reached: list[Learner] = []
            if row.platform is not None and row.user_id is not None:
                person = await tx.learners.find(row.platform, row.user_id)
                if person is None:
                    problems.append(
                        f"row {row.row}: the bot does not know {row.platform} user {row.user_id}: add them with `people import` first"
                    )
                reached = [person] if person is not None else []
            elif row.team is not None:
                if row.team not in teams:
                    alike = [name for name in teams if name.casefold() == row.team.casefold()]
                    hint = f" (did you mean {alike[0]!r}?)" if alike else ""
                    problems.append(f"row {row.row}: there is no team {row.team!r}{hint}")
                    continue
                reached = await tx.teams.members(teams[row.team])
                if not reached:
                    problems.append(f"row {row.row}: team {row.team!r} has no members: nothing to assign")
            elif row.job_role is not None:
                for learner_id in await tx.job_roles.holders(row.job_role, at=now):
                    learner = await tx.learners.by_id(learner_id)
                    if learner is not None:
                        reached.append(learner)
                if not reached:
                    problems.append(
                        f"row {row.row}: nobody holds the job role {row.job_role!r}: nothing to assign"
                        " (give it with the roles column of `people import`)"
                    )
            for learner in reached:
                key = (learner.id, row.target_kind, row.target_id)
                overridden += key in plan
                plan[key] = (learner, row)
        if problems:
            return None, problems
        before = await tx.assignments.of_many({learner_id for learner_id, _, _ in plan})
        counting = {learner_id: current(found, now) for learner_id, found in before.items()}
        new = reassigned = 0
        for (learner_id, kind, target_id), (learner, row) in plan.items():
            if (kind, target_id) in counting.get(learner_id, {}):
                reassigned += 1
            else:
                new += 1
            await assign(tx, learner, kind, target_id, due_on=row.due_for(learner, now), origin=Origin.CSV, by=None, now=now)
    people = len({learner_id for learner_id, _, _ in plan})
    return AssignmentsImported(rows=len(rows), people=people, assigned=len(plan), new=new, reassigned=reassigned, overridden=overridden), []


def imported_text(done: AssignmentsImported) -> str:
    """The import's summary line."""
    rows = "row" if done.rows == 1 else "rows"
    assignments = "assignment" if done.assigned == 1 else "assignments"
    people = "person" if done.people == 1 else "people"
    text = (
        f"Imported {done.rows} {rows}: {done.assigned} {assignments} for {done.people} {people}"
        f" ({done.new} new, {done.reassigned} re-assigned: the latest counts)."
    )
    if done.overridden:
        text += f" {done.overridden} reached by a later row for the same credential or pathway: only the later row's was written."
    return text
