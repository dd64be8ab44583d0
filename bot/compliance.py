"""The compliance matrix: the people in a scope (a team, a job role, or everyone the viewer may
see) against the credentials required of them, each cell where that person stood on that
credential now or at the end of a past day (`bot.assignments.standing`: this module applies the
programme's rules, it does not restate them).

What is required of a person at a moment: the credentials required by the job roles they held
then, and those assigned to them that counted then (`bot.assignments.current`). A job role's
matrix has the role's required credentials as its columns and the role's holders at that moment
as its rows; a team's or the organisation's has every credential required of anyone in it, and a
cell of a credential not required of that person is empty (None), never a status. Everyone in the
scope is a row, also with nothing required of them (a row of empty cells shows who has no job role).

As of a date means at the end of that day in UTC (the last instant before the next midnight,
UTC), or now for today; a date after today is refused. People, their roles, assignments, awards
and lessons are read as they were then. Team membership has no history: a team's people are its
members now, which the page and the CLI say next to an as-of answer.

A page of the dashboard reads and works out only its own people (100); a status filter reads
people in name order, in batches, until the page is full; the CSV and the CLI read the whole
scope at once (one query per kind of record, bot/ports.py `Compliance`)."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.assignments import EXPIRING_WITHIN, Standing, current, lessons_toward, roles_at, standing
from bot.i18n import N_, Translator
from bot.ports import UnitOfWork
from bot.records import Award, Learner, MatrixPerson, MatrixRecord, MatrixScope
from bot.vocabulary import Role, Target
from content.model import CredentialKind, Curriculum

ORGANISATION = "all"
TEAM_PREFIX, ROLE_PREFIX = "team-", "role-"
STATUSES = (Standing.VALID, Standing.EXPIRING, Standing.EXPIRED, Standing.OVERDUE, Standing.IN_PROGRESS, Standing.NOT_STARTED)
MEANING = {
    Standing.VALID: N_("held, and valid beyond the expiring window"),
    Standing.EXPIRING: N_("held, but expires within the expiring window"),
    Standing.EXPIRED: N_("held once, no longer valid (expired or lapsed), not overdue"),
    Standing.OVERDUE: N_("assigned, not held, and the due date has passed"),
    Standing.IN_PROGRESS: N_("a lesson toward it started, not held, not overdue"),
    Standing.NOT_STARTED: N_("nothing toward it yet, not overdue"),
}
# The page shows these in the viewer's language (web/routes_compliance.py); the CLI and CSV as written.
NOT_REQUIRED = N_("not required")
MEMBERSHIP_NOTE = N_("Team membership has no history: the people of a team are its members today, also for a past date.")
LONGEST_WINDOW = 3650  # days: "expiring within" beyond ten years asks nothing sensible
PAGE_SIZE = 100  # people a page of the dashboard shows
BATCH, MAX_BATCH = 200, 4000  # people read at a time while a status filter fills a page: the first batch, the largest


FUTURE_DAY = N_("{day} is in the future: the record answers for today ({today}) or earlier.")


class AsOfRefused(ValueError):
    """An as-of date the record cannot answer for (in the future): said as written (the CLI), or
    in a reader's language (`said`)."""

    def __init__(self, day: date, today: date) -> None:
        super().__init__(FUTURE_DAY.format(day=day.isoformat(), today=today.isoformat()))
        self.day, self.today = day, today

    def said(self, t: Translator) -> str:
        return t.gettext(FUTURE_DAY).format(day=self.day.isoformat(), today=self.today.isoformat())


@dataclass(frozen=True)
class ScopeChoice:
    """A scope a viewer may look at: its key in URLs and on the command line, its name, and who
    is in it (bot.records.MatrixScope)."""

    key: str  # all | team-<id> | role-<id>
    label: str
    scope: MatrixScope
    kind: str  # organisation | team | role


@dataclass(frozen=True)
class Column:
    id: str  # the credential's id
    title: str


@dataclass(frozen=True)
class Row:
    person: MatrixPerson
    cells: tuple[Standing | None, ...]  # one per column; None: not required of them


@dataclass(frozen=True)
class Matrix:
    """A page of the matrix (or all of it): the rows the status filter keeps, in name order."""

    scope: ScopeChoice
    at: datetime  # the moment the cells are read at
    as_of: date | None  # the day asked about (None: now)
    expiring_within: timedelta
    statuses: frozenset[Standing]  # the filter: rows with a cell in one of these (empty: every row)
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    people: int  # in the scope, before the filter
    page: int  # 1-based
    first: int  # the place of the first row shown among those the filter keeps (1-based)
    more: bool  # rows kept by the filter after these
    matching: int | None  # how many rows the filter keeps in all; None when not all were looked at

    @property
    def today(self) -> bool:
        """Read now: no day asked about, or today's."""
        return self.as_of is None or self.at != end_of(self.as_of)

    @property
    def note(self) -> str | None:
        """What an as-of answer must say about team membership."""
        return None if self.today else MEMBERSHIP_NOTE


def moment(as_of: date | None, now: datetime) -> datetime:
    """The instant an as-of date stands for: the end of that day in UTC, or now for today (and for
    no date). AsOfRefused for a day after today."""
    if as_of is None:
        return now
    today = now.astimezone(UTC).date()
    if as_of > today:
        raise AsOfRefused(as_of, today)
    if as_of == today:
        return now
    return end_of(as_of)


def end_of(day: date) -> datetime:
    """The last instant of `day` in UTC."""
    return datetime.combine(day + timedelta(days=1), time(), UTC) - timedelta(microseconds=1)


async def scope_choices(tx: UnitOfWork, curriculum: Curriculum, viewer: Learner) -> list[ScopeChoice]:
    """What the viewer may look at: admins everyone, each team and each role; managers their teams
    together, each of them, and each role among their teams' people; anyone else nothing."""
    if viewer.role == Role.ADMIN:
        teams, everyone = await tx.teams.all(), None
        label = N_("The whole organisation")
    elif viewer.role == Role.MANAGER:
        teams = await tx.teams.all(await tx.teams.managed_ids(viewer.id))
        everyone, label = frozenset(t.id for t in teams), N_("All your teams")
    else:
        return []
    choices = [ScopeChoice(ORGANISATION, label, MatrixScope(everyone), "organisation")]
    choices += [ScopeChoice(f"{TEAM_PREFIX}{t.id}", f"Team: {t.name}", MatrixScope(frozenset({t.id})), "team") for t in teams]
    choices += [
        ScopeChoice(f"{ROLE_PREFIX}{r.id}", f"Job role: {r.title}", MatrixScope(everyone, r.id), "role")
        for r in sorted(curriculum.roles.values(), key=lambda r: r.title)
    ]
    return choices


def required_of(curriculum: Curriculum, roles: Iterable[str], counting: Iterable[tuple[Target, str]]) -> set[str]:
    """The credentials required of a person: those their job roles require, and those assigned to
    them (that count), of the credentials the curriculum still defines."""
    found = {c for r in roles if r in curriculum.roles for c in curriculum.roles[r].requires}
    found |= {target for kind, target in counting if kind is Target.CREDENTIAL}
    return {c for c in found if c in curriculum.credentials}


def columns_of(curriculum: Curriculum, choice: ScopeChoice, roles: Collection[str], assigned: Collection[str]) -> tuple[Column, ...]:
    """A role's matrix: the credentials it requires. A team's or everyone's: those required by
    a job role someone in it held, and those assigned to someone in it (`Compliance.required`),
    in the curriculum's order."""
    role = curriculum.roles.get(choice.scope.role_id) if choice.scope.role_id else None
    wanted = set(role.requires) if role is not None else required_of(curriculum, roles, ((Target.CREDENTIAL, c) for c in assigned))
    return tuple(Column(c.id, c.title) for c in curriculum.credentials.values() if c.id in wanted)


def rows_of(
    curriculum: Curriculum,
    record: MatrixRecord,
    choice: ScopeChoice,
    columns: tuple[Column, ...],
    *,
    at: datetime,
    expiring_within: timedelta = EXPIRING_WITHIN,
) -> list[Row]:
    """A row for each person of `record`, in its order. Each cell is `bot.assignments.standing`
    given the person's record narrowed to what it reads for that credential (its awards, and for
    a certificate those of the badges it stacks; the lessons toward it); cells without awards
    given the same narrowed record share one answer."""
    role = curriculum.roles.get(choice.scope.role_id) if choice.scope.role_id else None
    ids = [c.id for c in columns]
    toward = [frozenset(lessons_toward(curriculum, Target.CREDENTIAL, c)) for c in ids]
    reads = [_reads(curriculum, c) for c in ids]
    nothing: frozenset[str] = frozenset()
    answers: dict[tuple[object, ...], Standing] = {}
    rows = []
    for person in record.people:
        assigned = current(record.assignments.get(person.id, ()), at)
        due = {target: a for (kind, target), a in assigned.items() if kind is Target.CREDENTIAL}
        mine = set(role.requires) if role is not None else required_of(curriculum, roles_at(record.roles.get(person.id, ()), at), assigned)
        by_definition: dict[str, list[Award]] = {}
        for award in record.awards.get(person.id, ()):
            by_definition.setdefault(award.definition_id, []).append(award)
        started = record.started.get(person.id) or nothing
        completed = record.completed.get(person.id) or nothing
        cells: list[Standing | None] = []
        for index, credential_id in enumerate(ids):
            if credential_id not in mine:
                cells.append(None)
                continue
            awards = [a for d in reads[index] for a in by_definition.get(d, ())]
            lessons = toward[index]
            began, done = lessons & started, lessons & completed
            assignment = due.get(credential_id)
            # Without awards the answer rests on the due date, the day it is where they are and
            # the lessons begun: shared by many cells. With awards, their times make each cell its own.
            key = None if awards else (credential_id, assignment.due_on if assignment is not None else None, person.timezone, began, done)
            answer = answers.get(key) if key is not None else None
            if answer is None:
                answer = standing(
                    curriculum,
                    Target.CREDENTIAL,
                    credential_id,
                    assignment=assignment,
                    awards=awards,
                    completed=done,
                    started=began,
                    at=at,
                    timezone=person.timezone,
                    expiring_within=expiring_within,
                )
                if key is not None:
                    answers[key] = answer
            cells.append(answer)
        rows.append(Row(person, tuple(cells)))
    return rows


def _reads(curriculum: Curriculum, credential_id: str) -> tuple[str, ...]:
    """The credentials whose awards `standing` reads for this one: itself, and for a certificate
    the badges it stacks (a certificate counts only while they do)."""
    definition = curriculum.credentials[credential_id]
    if definition.kind is CredentialKind.CERTIFICATE:
        return (credential_id, *(b for b in definition.stacks if b != credential_id))
    return (credential_id,)


async def compliance_matrix(
    tx: UnitOfWork,
    curriculum: Curriculum,
    choice: ScopeChoice,
    *,
    now: datetime,
    as_of: date | None = None,
    expiring_within: timedelta = EXPIRING_WITHIN,
    statuses: Collection[Standing] = (),
    page: int = 1,
    page_size: int | None = PAGE_SIZE,
) -> Matrix:
    """One page of the matrix of a scope the caller has checked the viewer may see (every row
    with `page_size` None). Without a status filter a page reads only its own people; with one,
    people are read a batch at a time from the first until the page is full. AsOfRefused for a
    date after today."""
    at = moment(as_of, now)
    roles, assigned = await tx.compliance.required(choice.scope, at, curriculum.credentials)
    columns = columns_of(curriculum, choice, roles, assigned)
    wanted = frozenset(statuses)
    page = max(page, 1)
    skip = (page - 1) * page_size if page_size is not None else 0

    def rows(record: MatrixRecord) -> list[Row]:
        found = rows_of(curriculum, record, choice, columns, at=at, expiring_within=expiring_within)
        return [row for row in found if not wanted or wanted.intersection(row.cells)]

    matching: int | None
    if page_size is None:
        record = await tx.compliance.matrix(choice.scope, at)
        kept = rows(record)
        shown, people, more, matching = kept, len(record.people), False, len(kept)
    elif not wanted:
        people = await tx.compliance.count(choice.scope, at)
        ids = [p.id for p in await tx.compliance.people(choice.scope, at, offset=skip, limit=page_size)]
        shown = rows(await tx.compliance.matrix(choice.scope, at, ids)) if ids else []
        more, matching = skip + page_size < people, people
    else:
        people = await tx.compliance.count(choice.scope, at)
        kept, looked, size = [], 0, BATCH
        while looked < people and len(kept) <= skip + page_size:
            batch = [p.id for p in await tx.compliance.people(choice.scope, at, offset=looked, limit=size)]
            if not batch:
                break
            kept += rows(await tx.compliance.matrix(choice.scope, at, batch))
            looked += len(batch)
            # Enough people to fill the page at the rate found so far (and one more, to know
            # whether there is a next page); a rare status: fewer, larger reads.
            wanted_more = skip + page_size + 1 - len(kept)
            size = min(MAX_BATCH, max(BATCH, math.ceil(wanted_more * looked / len(kept) * 1.2))) if kept else min(size * 2, MAX_BATCH)
        shown, more = kept[skip : skip + page_size], len(kept) > skip + page_size
        matching = len(kept) if looked >= people else None
    return Matrix(
        scope=choice,
        at=at,
        as_of=as_of,
        expiring_within=expiring_within,
        statuses=wanted,
        columns=columns,
        rows=tuple(shown),
        people=people,
        page=page,
        first=skip + 1,
        more=more,
        matching=matching,
    )


def label(cell: Standing | None) -> str:
    return NOT_REQUIRED if cell is None else cell.label


def table(matrix: Matrix) -> list[list[str]]:
    """The matrix as rows of text, a header first: person, team, then one column per credential.
    What the page shows, the CSV download and `report compliance` print."""
    rows = [["person", "team", *(c.title for c in matrix.columns)]]
    rows += [[row.person.name, row.person.team or "", *(label(cell) for cell in row.cells)] for row in matrix.rows]
    return rows
