"""`run_bot.py people import FILE.csv`: teams, managers and admins from a spreadsheet.

    platform,user_id,name,team,role,manages
    telegram,4242,Ana Lima,Maintenance,learner,
    slack,U0BO7,Bo Chen,,manager,Maintenance;Safety

Every row is checked before anything is written; one bad row means a clear error for each bad
row and nothing imported. A good file is imported in one transaction: all or nothing.

`sync_team` makes a team of a group chat's members (Slack's `/learn team sync #channel`) through
the same writes, inside the caller's transaction."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.events import LearnerRef
from bot.markup import literal
from bot.ports import Store, UnitOfWork
from bot.records import Learner
from bot.vocabulary import Platform, Role

PLATFORMS = (Platform.TELEGRAM, Platform.SLACK, Platform.CONSOLE)
ROLES = tuple(Role)
COLUMNS = ("platform", "user_id", "name", "team", "role", "manages")
TEAM_NAME_LIMIT = 120  # the teams.name column
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Person:
    platform: str
    user_id: str
    name: str
    team: str | None
    role: str
    manages: tuple[str, ...]


@dataclass(frozen=True)
class Imported:
    people: int
    created: int  # people the bot had not met yet
    teams: int
    managers: int


def read_people(text: str) -> tuple[list[Person], list[str]]:
    """The people in a CSV text, and one message per problem (`row N: ...`, N as a spreadsheet
    numbers lines, the header being row 1)."""
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
    for raw in reader:
        row_number = reader.line_num  # DictReader skips blank lines: count them as a spreadsheet does
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue  # blank lines are fine
        person, errors = _person(row)
        if person is not None and (person.platform, person.user_id) in seen:
            errors.append(f"{person.platform} user {person.user_id} is also on row {seen[person.platform, person.user_id]}")
        problems += [f"row {row_number}: {error}" for error in errors]
        if person is not None and not errors:
            seen[person.platform, person.user_id] = row_number
            people.append(person)
    return people, problems


def _person(row: dict[str, str]) -> tuple[Person | None, list[str]]:
    errors: list[str] = []
    platform, user_id = row.get("platform", "").lower(), row.get("user_id", "")
    role = row.get("role", "").lower() or Role.LEARNER
    manages = tuple(t.strip() for t in row.get("manages", "").split(";") if t.strip())
    team = row.get("team") or None
    if platform not in PLATFORMS:
        errors.append(f"platform {platform!r} is not one of {', '.join(PLATFORMS)}" if platform else "platform is empty")
    if not user_id:
        errors.append("user_id is empty")
    elif platform == Platform.TELEGRAM and not user_id.lstrip("-").isdigit():
        errors.append(f"a Telegram user id is a number, not {user_id!r}")
    elif platform == Platform.SLACK and not (user_id[:1] in ("U", "W") and user_id.isalnum()):
        errors.append(f"a Slack user id looks like U0123ABCD, not {user_id!r}")
    if role not in ROLES:
        errors.append(f"role {role!r} is not one of {', '.join(ROLES)}")
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
    if errors:
        return None, errors
    return Person(platform, user_id, row.get("name", ""), team, role, manages), []


async def import_people(store: Store, people: list[Person], *, now: datetime, progress: Progress | None = None) -> Imported:
    """Write everyone in one transaction: a failure part-way leaves the database as it was."""
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
            if progress is not None:
                progress(done, len(people))
    return Imported(people=len(people), created=created, teams=len(names), managers=sum(1 for p in people if p.manages))


@dataclass(frozen=True)
class TeamSynced:
    team: str
    members: int
    added: int  # in the team now, not before
    removed: int  # in the team before, no longer in the chat
    created: int  # people the bot had not met yet
    manager: str | None  # the manager's name, when one was named
    manager_id: int | None  # and their learner id


async def sync_team(
    tx: UnitOfWork, *, platform: str, team: str, members: Sequence[LearnerRef], manager: LearnerRef | None, now: datetime
) -> TeamSynced:
    """Make `team` exactly the chat's members on `platform`: create the team and anyone new,
    move everyone in (one team per learner: the latest sync wins), take out those who left
    (their progress stays; they just have no team) and, if given, make `manager` manage it.
    Members from other platforms (put there by a CSV import) cannot be in the chat: they stay."""
    team_id = (await tx.teams.ids_by_name([team]))[team]
    staying = {m.user_id for m in members}
    created = added = removed = 0
    for ref in sorted(members, key=lambda m: m.user_id):  # one lock order: concurrent syncs cannot deadlock
        learner, new = await _member(tx, platform, ref, now)
        created += new
        added += learner.team_id != team_id
        learner.team_id = team_id
        await tx.learners.save(learner)
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
    return TeamSynced(team=team, members=len(staying), added=added, removed=removed, created=created, manager=name, manager_id=manager_id)


async def _member(tx: UnitOfWork, platform: str, ref: LearnerRef, now: datetime) -> tuple[Learner, bool]:
    """Found or created; a name given by L&D (CSV) or known from before is kept."""
    learner, new = await tx.learners.person(platform, ref.user_id, "", now=now)
    if not learner.display_name:
        learner.display_name = ref.display_name
    if ref.timezone and not learner.timezone_confirmed:  # daily offers in their own morning, not in UTC
        learner.timezone, learner.timezone_confirmed = ref.timezone, True
    return learner, new


def synced_text(synced: TeamSynced) -> str:
    """One line for the admin: `#product-design: 14 members (3 new, 1 removed); manager: @Ana`."""
    plural = "" if synced.members == 1 else "s"
    text = f"{literal(synced.team)}: {synced.members} member{plural} ({synced.added} new, {synced.removed} removed)"
    if synced.manager is not None:
        text += f"; manager: @{literal(synced.manager)}"
    return text
