"""`run_bot.py people import FILE.csv`: teams, managers, admins and job roles from a spreadsheet.

    platform,user_id,name,team,role,manages,roles
    telegram,4242,Ana Lima,Maintenance,learner,,machine-operator
    slack,U0BO7,Bo Chen,,manager,Maintenance;Safety,machine-operator;maintenance-technician

`role` is the access role (learner, manager, admin: what the person may see and do); `roles`
are job roles (the ids of content/roles/<id>.md: what the person must hold). Several teams in
`manages` and several job roles in `roles` are separated by `;`; a value that looks like a list
written any other way (`a, b`, `a|b`, `a / b`, `[a, b]`) is refused with its row, so that it is
never taken for one team's name. A team name therefore cannot contain `,`, `|` or ` / `.

With a `roles` column the file is authoritative for each listed person's job roles (an empty
cell: none); a role given assigns the credentials it requires (bot/assignments.py). Without the
column, job roles are left as they are.

Every row is checked before anything is written; one bad row means a clear error for each bad
row and nothing imported. A good file is imported in one transaction: all or nothing.

`sync_team` makes a team of a group chat's members (Slack's `/learn team sync #channel`) through
the same writes, inside the caller's transaction, and may give them a job role too."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.assignments import roles_at, set_job_roles
from bot.events import LearnerRef
from bot.i18n import SOURCE, Translator
from bot.markup import literal
from bot.ports import Store, UnitOfWork
from bot.records import Learner
from bot.vocabulary import Platform, Role
from content.model import Curriculum
from content.model import Role as JobRole

_TEAMS_USER = re.compile(r"29:[!-~]{1,200}")  # the id a Teams bot sees for a person: 29:1AbC...
PLATFORMS = (Platform.TELEGRAM, Platform.SLACK, Platform.TEAMS, Platform.CONSOLE)
ROLES = tuple(Role)  # access roles (the `role` column)
COLUMNS = ("platform", "user_id", "name", "team", "role", "manages", "roles")
SEPARATOR = ";"  # between the teams in `manages` and the job roles in `roles`
TEAM_NAME_LIMIT = 120  # the teams.name column
# Teams in `manages` written like a list: `a, b`, `a,b`, `a|b`, `a / b`, `[a, b]` (also `[a;b]`,
# split at `;`). Such a piece is a team only when the file names that team in its `team` column
# ("Plant Operations, Night Shift North" is one team's name there: a person has one team).
TEAM_LIST = re.compile(r"[,|]|\s/\s|^\[|\]$")
NOT_A_TEAM_NAME = "a team whose name has , | or ' / ' in it can be managed only when some row has it in 'team'"
# In `team` (one team a person) only what is surely a list: `a;b`, `[a, b]`.
ONE_TEAM_LIST = re.compile(r";|^\[.*\]$")
# A job role id is lower case letters, digits and hyphens: anything else between them is a list.
ROLE_LIST = re.compile(r"[,|/\[\]\s]")
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Person:
    platform: str
    user_id: str
    name: str
    team: str | None
    role: str  # the access role
    manages: tuple[str, ...]
    roles: tuple[str, ...] | None = None  # job role ids; None: the file has no `roles` column (left as they are)


@dataclass(frozen=True)
class Imported:
    people: int
    created: int  # people the bot had not met yet
    teams: int
    managers: int
    job_roles: bool = False  # the file had a `roles` column
    roles_given: int = 0
    roles_ended: int = 0
    assigned: int = 0  # credentials assigned by the job roles given


def names_job_roles(text: str) -> bool:
    """Whether the CSV's header has a `roles` column (then the curriculum is needed to read it)."""
    first = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))), [])
    return "roles" in (h.strip().lower() for h in first)


def read_people(text: str, *, job_roles: Mapping[str, JobRole] | None = None) -> tuple[list[Person], list[str]]:
    """The people in a CSV text, and one message per problem (`row N: ...`, N as a spreadsheet
    numbers lines, the header being row 1). `job_roles`: the curriculum's, to check the `roles`
    column against (none: every job role named is unknown)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))  # Excel writes a byte-order mark
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("platform", "user_id") if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        header_problems = [f"row 1: the header needs the columns {', '.join(missing)}"] if missing else []
        header_problems += [f"row 1: unknown column {h!r} (known: {', '.join(COLUMNS)})" for h in unknown]
        return [], header_problems
    people: list[Person] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    rows = []
    for raw in reader:
        row_number = reader.line_num  # DictReader skips blank lines: count them as a spreadsheet does
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if any(row.values()):  # blank lines are fine
            rows.append((row_number, row))
    teams_named = {row["team"] for _, row in rows if row.get("team") and not ONE_TEAM_LIST.search(row["team"])}
    for row_number, row in rows:
        person, errors = _person(row, job_roles or {}, has_roles="roles" in header, teams_named=teams_named)
        if person is not None and (person.platform, person.user_id) in seen:
            errors.append(f"{person.platform} user {person.user_id} is also on row {seen[person.platform, person.user_id]}")
        problems += [f"row {row_number}: {error}" for error in errors]
        if person is not None and not errors:
            seen[person.platform, person.user_id] = row_number
            people.append(person)
    return people, problems


def identity_errors(platform: str, user_id: str) -> list[str]:
    """What is wrong with a person's platform and id (lower-case platform), if anything."""
    errors: list[str] = []
    if platform not in PLATFORMS:
        errors.append(f"platform {platform!r} is not one of {', '.join(PLATFORMS)}" if platform else "platform is empty")
    if not user_id:
        errors.append("user_id is empty")
    elif platform == Platform.TELEGRAM and not user_id.lstrip("-").isdigit():
        errors.append(f"a Telegram user id is a number, not {user_id!r}")
    elif platform == Platform.SLACK and not (user_id[:1] in ("U", "W") and user_id.isalnum()):
        errors.append(f"a Slack user id looks like U0123ABCD, not {user_id!r}")
    elif platform == Platform.TEAMS and not _TEAMS_USER.fullmatch(user_id):
        errors.append(f"a Teams user id looks like 29:1AbCdEf... (the id the bot sees), not {user_id!r}")
    return errors


def known_roles_text(job_roles: Mapping[str, JobRole]) -> str:
    """`known job roles: machine-operator, maintenance-technician`, for a message."""
    if not job_roles:
        return "there are no job roles yet (L&D writes them in content/roles/<id>.md)"
    return f"known job roles: {', '.join(sorted(job_roles))}"


def find_job_role(job_roles: Mapping[str, JobRole], written: str) -> JobRole | None:
    """The job role `written` names: its id, or its title, in any case."""
    wanted = written.strip().casefold()
    return next((r for r in job_roles.values() if wanted in (r.id.casefold(), r.title.casefold())), None)


def read_job_roles(value: str, job_roles: Mapping[str, JobRole]) -> tuple[tuple[str, ...], list[str]]:
    """The job role ids in a `roles` cell (separated by `;`), and what is wrong with them."""
    found: list[str] = []
    errors: list[str] = []
    listed = False
    for written in (part.strip() for part in value.split(SEPARATOR)):
        role_id = written.lower()
        if not written:
            continue
        if role_id in job_roles:
            found.append(role_id)
            continue
        titled = find_job_role(job_roles, written)
        if titled is not None:
            errors.append(f"job role {written!r}: write its id {titled.id!r}, not its title")
        elif ROLE_LIST.search(written):
            listed = True
        elif role_id in ROLES:
            errors.append(
                f"{written!r} is an access role: it goes in the 'role' column; 'roles' takes job roles ({known_roles_text(job_roles)})"
            )
        else:
            errors.append(f"unknown job role {written!r} ({known_roles_text(job_roles)})")
    if listed:  # one message for the cell, not one for each piece of it
        example = SEPARATOR.join(sorted(job_roles)[:2]) or "machine-operator;maintenance-technician"
        errors = [f"job roles {value.strip()!r} look like a list: separate job roles with ; (e.g. {example})"]
    return tuple(dict.fromkeys(found)), errors


def _person(
    row: dict[str, str], job_roles: Mapping[str, JobRole], *, has_roles: bool, teams_named: Collection[str]
) -> tuple[Person | None, list[str]]:
    platform, user_id = row.get("platform", "").lower(), row.get("user_id", "")
    role = row.get("role", "").lower() or Role.LEARNER
    manages = tuple(t.strip() for t in row.get("manages", "").split(SEPARATOR) if t.strip())
    team = row.get("team") or None
    errors = identity_errors(platform, user_id)
    if role not in ROLES and role in job_roles:
        errors.append(
            f"role {role!r} is a job role: job roles go in the 'roles' column; 'role' is the access role, one of {', '.join(ROLES)}"
        )
    elif role not in ROLES:
        errors.append(f"role {role!r} is not one of {', '.join(ROLES)} (the access role; job roles go in 'roles')")
    if team is not None and ONE_TEAM_LIST.search(team):
        errors.append(
            f"team {team!r} looks like a list: a person learns in one team (the teams a manager manages go in 'manages', separated by ;)"
        )
    if any(TEAM_LIST.search(t) and t not in teams_named for t in manages):
        errors.append(
            f"manages {row.get('manages', '')!r} looks like a list: separate teams with ; (e.g. Maintenance;Safety); {NOT_A_TEAM_NAME}"
        )
    if manages and role == Role.LEARNER:
        errors.append("only a manager or admin manages teams: set role to manager, or empty 'manages'")
    if role == Role.MANAGER and not manages:
        errors.append("a manager needs the teams they manage in 'manages' (separated by ;)")
    for name, limit, what in ((row.get("name", ""), 200, "name"), (team or "", TEAM_NAME_LIMIT, "team")):
        if len(name) > limit:
            errors.append(f"{what} is longer than {limit} characters")
    errors += [
        f"team name in 'manages' is longer than {TEAM_NAME_LIMIT} characters: {t[:20]}…" for t in manages if len(t) > TEAM_NAME_LIMIT
    ]
    roles: tuple[str, ...] | None = None
    if has_roles:
        roles, role_errors = read_job_roles(row.get("roles", ""), job_roles)
        errors += role_errors
    if errors:
        return None, errors
    return Person(platform, user_id, row.get("name", ""), team, role, manages, roles), []


async def import_people(
    store: Store, people: list[Person], *, now: datetime, progress: Progress | None = None, curriculum: Curriculum | None = None
) -> Imported:
    """Write everyone in one transaction: a failure part-way leaves the database as it was.
    People with `roles` get exactly those job roles (`curriculum`'s), with what they require
    assigned, in the same transaction."""
    with_roles = any(p.roles is not None for p in people)
    unknown = sorted({r for p in people for r in p.roles or () if curriculum is None or r not in curriculum.roles})
    if unknown:
        raise ValueError(f"job roles not in the curriculum: {', '.join(unknown)}")
    given = ended = assigned = 0
    async with store.transaction() as tx:
        names = sorted({p.team for p in people if p.team} | {t for p in people for t in p.manages})
        teams = await tx.teams.ids_by_name(names)
        created = 0
        for done, person in enumerate(people, start=1):
            learner, new = await tx.learners.person(person.platform, person.user_id, person.name, now=now)
            created += new
            learner.team_id = teams[person.team] if person.team else None
            if learner.role in ROLES and ROLES.index(person.role) < ROLES.index(learner.role):
                await tx.access.end_all(learner.id)  # a lost role takes its dashboard sessions and links with it
            learner.role = Role(person.role)
            await tx.learners.save(learner)
            await tx.teams.set_managed(learner.id, [teams[t] for t in person.manages])
            if person.roles is not None and curriculum is not None:
                changed = await set_job_roles(tx, curriculum, learner, person.roles, by=None, now=now)
                given, ended, assigned = given + len(changed.given), ended + len(changed.ended), assigned + changed.assigned
            if progress is not None:
                progress(done, len(people))
    return Imported(
        people=len(people),
        created=created,
        teams=len(names),
        managers=sum(1 for p in people if p.manages),
        job_roles=with_roles,
        roles_given=given,
        roles_ended=ended,
        assigned=assigned,
    )


def imported_text(done: Imported) -> str:
    """The import's summary line."""
    text = f"Imported {done.people} people ({done.created} new) in {done.teams} teams; {done.managers} manage teams."
    if not done.job_roles:
        return text + " Job roles unchanged (the file has no roles column)."
    credentials = "credential" if done.assigned == 1 else "credentials"
    return text + f" Job roles: {done.roles_given} given, {done.roles_ended} ended; {done.assigned} {credentials} assigned."


@dataclass(frozen=True)
class TeamSynced:
    team: str
    members: int
    added: int  # in the team now, not before
    removed: int  # in the team before, no longer in the chat
    created: int  # people the bot had not met yet
    manager: str | None  # the manager's name, when one was named
    manager_id: int | None  # and their learner id
    job_role: JobRole | None = None  # the job role given to the members, when one was named
    role_given: int = 0  # members who did not hold it before
    assigned: int = 0  # credentials it assigned them


async def sync_team(
    tx: UnitOfWork,
    *,
    platform: str,
    team: str,
    members: Sequence[LearnerRef],
    manager: LearnerRef | None,
    now: datetime,
    job_role: JobRole | None = None,
    curriculum: Curriculum | None = None,
    by: int | None = None,
) -> TeamSynced:
    """Make `team` exactly the chat's members on `platform`: create the team and anyone new,
    move everyone in (one team per learner: the latest sync wins), take out those who left
    (their progress stays; they just have no team) and, if given, make `manager` manage it.
    Members from other platforms (put there by a CSV import) cannot be in the chat: they stay.

    With `job_role` (one of `curriculum`'s), every member holds it afterwards, with what it
    requires assigned (`by`: who synced); their other job roles stay, and those taken out of the
    team keep theirs: a channel says who is in a team, not who stopped doing a job."""
    if job_role is not None and (curriculum is None or job_role.id not in curriculum.roles):
        raise ValueError(f"job role {job_role.id!r} is not the curriculum's")
    team_id = (await tx.teams.ids_by_name([team]))[team]
    staying = {m.user_id for m in members}
    created = added = removed = given = assigned = 0
    for ref in sorted(members, key=lambda m: m.user_id):  # one lock order: concurrent syncs cannot deadlock
        learner, new = await _member(tx, platform, ref, now)
        created += new
        added += learner.team_id != team_id
        learner.team_id = team_id
        await tx.learners.save(learner)
        if job_role is not None and curriculum is not None:
            holding = roles_at(await tx.job_roles.of(learner.id), now)
            if job_role.id not in holding:
                changed = await set_job_roles(tx, curriculum, learner, holding | {job_role.id}, by=by, now=now)
                given, assigned = given + 1, assigned + changed.assigned
    for learner in await tx.teams.members(team_id):
        if learner.platform == platform and learner.platform_user_id not in staying:
            learner.team_id = None
            await tx.learners.save(learner)
            removed += 1
    name, manager_id = None, None
    if manager is not None:
        boss, new = await _member(tx, platform, manager, now)
        created += new
        if boss.role == Role.LEARNER:
            boss.role = Role.MANAGER  # an admin stays an admin: admins already see every team
        await tx.learners.save(boss)
        await tx.teams.set_managed(boss.id, await tx.teams.managed_ids(boss.id) | {team_id})
        name, manager_id = boss.display_name or manager.user_id, boss.id
    return TeamSynced(
        team=team,
        members=len(staying),
        added=added,
        removed=removed,
        created=created,
        manager=name,
        manager_id=manager_id,
        job_role=job_role,
        role_given=given,
        assigned=assigned,
    )


async def _member(tx: UnitOfWork, platform: str, ref: LearnerRef, now: datetime) -> tuple[Learner, bool]:
    """Found or created; a name given by L&D (CSV) or known from before is kept."""
    learner, new = await tx.learners.person(platform, ref.user_id, "", now=now)
    if not learner.display_name:
        learner.display_name = ref.display_name
    if ref.timezone and not learner.timezone_confirmed:  # daily offers in their own morning, not in UTC
        learner.timezone, learner.timezone_confirmed = ref.timezone, True
    return learner, new


def synced_text(synced: TeamSynced, t: Translator = SOURCE) -> str:
    """One line for the admin, in their language: `#product-design: 14 members (3 new, 1 removed); manager: @Ana`."""
    text = t.ngettext(
        "{team}: {members} member ({added} new, {removed} removed)",
        "{team}: {members} members ({added} new, {removed} removed)",
        synced.members,
    ).format(team=literal(synced.team), members=synced.members, added=synced.added, removed=synced.removed)
    if synced.manager is not None:
        text += t.gettext("; manager: @{manager}").format(manager=literal(synced.manager))
    if synced.job_role is not None:
        text += t.ngettext(
            ". Job role {role}: given to {given} ({had} had it already), {assigned} credential assigned",
            ". Job role {role}: given to {given} ({had} had it already), {assigned} credentials assigned",
            synced.assigned,
        ).format(
            role=literal(synced.job_role.title), given=synced.role_given, had=synced.members - synced.role_given, assigned=synced.assigned
        )
        if synced.removed:
            text += t.gettext(". Those taken out of the team keep their job roles")
    return text


def unknown_job_role_text(written: str, job_roles: Mapping[str, JobRole], t: Translator = SOURCE) -> str:
    """The answer to a team sync naming a job role that is not there: nothing was changed."""
    shown = literal(written if len(written) <= 60 else written[:60] + "…")
    if not job_roles:
        return t.gettext(
            "There are no job roles yet (L&D writes them in content/roles/), so I cannot give “{role}”. Nothing was changed."
        ).format(role=shown)
    listed = ", ".join(f"{literal(r.id)} ({literal(r.title)})" for r in sorted(job_roles.values(), key=lambda r: r.id))
    said = t.gettext("I don't know the job role “{role}”. The job roles are: {listed}. Nothing was changed.")
    return said.format(role=shown, listed=listed)
