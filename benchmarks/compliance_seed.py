"""The compliance matrix's share of the dashboard benchmark: a programme of 20 required
credentials over the benchmark's learners, generated as rows and loaded in bulk (COPY on
PostgreSQL, executemany on SQLite), and, for SQLite, the learners, teams and events the
PostgreSQL seed makes in SQL.

The programme: 18 badges (two lessons each) and 2 certificates (each stacking three of the
badges), required by four job roles that overlap; every learner holds one role, one in five
two, so that between 8 and 16 of the 20 are required of each, all 20 of someone. Each required
credential of each learner gets one of eight histories (deterministic, from the learner's and the
credential's numbers), and with them the matrix's cells now cover every status:

    valid          awarded 30-300 days ago, valid for 365 days
    renewed        an award that expired 135 days ago, renewed 140 days ago
    expiring       awarded 350 days ago: expires in 15 days
    expired        awarded 400 days ago (lapsed 35 days ago), assigned again 20 days ago, due later
    overdue        never awarded, the role's due date long past
    lapsed         awarded 420 days ago, lapsed 55 days ago, the due date long past
    in progress    its first lesson done 5 days ago, assigned again 20 days ago, due later
    not started    nothing yet, assigned again 20 days ago, due later

Each credential held comes with its two lessons completed before the award. The role's
assignment of each required credential is made when the role was given (400 to 350 days ago,
due 60 days later). One learner in ten held another role until 60 days ago. Dates are whole
seconds, all in UTC."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from content.model import CredentialDefinition, CredentialKind, Curriculum, Lesson, Role, Source

T = TypeVar("T")
BADGES = 18
SOURCE = Source(Path("benchmarks/compliance_seed.py"), 1)
ROLE_REQUIRES = {
    "line-operator": (1, 2, 3, 4, 5, 6, 7, 8),
    "field-technician": (5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 19),
    "shift-supervisor": (1, 2, 3, 4, 15, 16, 17, 18, 19, 20),
    "process-specialist": (9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20),
}
STACKS = {19: (1, 2, 3), 20: (9, 10, 11)}
HISTORIES = (  # (name, out of 100)
    ("valid", 50),
    ("renewed", 10),
    ("expiring", 8),
    ("expired", 7),
    ("overdue", 6),
    ("lapsed", 3),
    ("in_progress", 7),
    ("not_started", 9),
)
YEAR = timedelta(days=365)


def credential_id(number: int) -> str:
    return f"req-{number:02d}"


def lesson_id(number: int, which: int) -> str:
    return f"req-{number:02d}-lesson-{which}"


def matrix_curriculum(base: Curriculum) -> Curriculum:
    """`base` with the programme's 40 lessons, 20 credentials and 4 roles added."""
    lessons = dict(base.lessons)
    credentials = dict(base.credentials)
    for n in range(1, BADGES + 1):
        for which in (1, 2):
            lessons[lesson_id(n, which)] = Lesson(lesson_id(n, which), f"Lesson {which} of {n:02d}", (), 5, (), "v1", (), SOURCE)
        credentials[credential_id(n)] = CredentialDefinition(
            credential_id(n),
            CredentialKind.BADGE,
            f"Required badge {n:02d}",
            "",
            "",
            lessons=(lesson_id(n, 1), lesson_id(n, 2)),
            valid_for_days=365,
        )
    for n, stacked in STACKS.items():
        credentials[credential_id(n)] = CredentialDefinition(
            credential_id(n),
            CredentialKind.CERTIFICATE,
            f"Required certificate {n:02d}",
            "",
            "",
            stacks=tuple(credential_id(b) for b in stacked),
            valid_for_days=365,
        )
    roles = dict(base.roles)
    for role_id, numbers in ROLE_REQUIRES.items():
        roles[role_id] = Role(role_id, role_id.replace("-", " ").title(), "", tuple(credential_id(n) for n in numbers), 60)
    return replace(base, lessons=lessons, credentials=credentials, roles=roles)


def roles_of(learner: int) -> tuple[str, ...]:
    names = list(ROLE_REQUIRES)
    first = names[learner % 4]
    return (first, names[(learner + 1) % 4]) if learner % 5 == 0 else (first,)


def required_numbers(learner: int) -> list[int]:
    return sorted({n for role in roles_of(learner) for n in ROLE_REQUIRES[role]})


def history(learner: int, number: int) -> str:
    slot = (learner * 37 + number * 11 + learner // 7) % 100
    for name, share in HISTORIES:
        if slot < share:
            return name
        slot -= share
    raise AssertionError("shares add up to 100")


@dataclass
class Rows:
    """The rows to insert, table by table, as tuples in the order of `COLUMNS`."""

    job_roles: list[tuple[Any, ...]] = field(default_factory=list)
    assignments: list[tuple[Any, ...]] = field(default_factory=list)
    awards: list[tuple[Any, ...]] = field(default_factory=list)
    learning_sessions: list[tuple[Any, ...]] = field(default_factory=list)


COLUMNS = {
    "job_roles": ("learner_id", "role_id", "since", "until"),
    "assignments": ("learner_id", "target_kind", "target_id", "due_on", "origin", "assigned_by", "assigned_at", "withdrawn_at"),
    "awards": (
        "public_id",
        "learner_id",
        "definition_id",
        "kind",
        "renewal",
        "awarded_at",
        "valid_until",
        "revoked_at",
        "evidence",
        "subject_stale",
    ),
    "learning_sessions": (
        "learner_id",
        "kind",
        "lesson_id",
        "title",
        "steps",
        "position",
        "correct_count",
        "status",
        "started_at",
        "updated_at",
        "completed_at",
    ),
}


def programme_rows(learners: list[int], now: datetime) -> Rows:
    """The programme's rows for these learner ids (numbered 1.. in the order given)."""
    rows = Rows()
    empty_steps = "[]"
    evidence = json.dumps({})

    def award(learner_id: int, number: int, renewal: int, at: datetime) -> None:
        kind = "certificate" if number in STACKS else "badge"
        rows.awards.append(
            (
                str(uuid.UUID(int=learner_id << 32 | number << 8 | renewal)),
                learner_id,
                credential_id(number),
                kind,
                renewal,
                at,
                at + YEAR,
                None,
                evidence,
                False,
            )
        )
        if number not in STACKS:
            lessons_done(learner_id, number, at - timedelta(days=2), both=True)

    def lessons_done(learner_id: int, number: int, at: datetime, *, both: bool) -> None:
        for which in (1, 2) if both else (1,):
            done = at - timedelta(hours=which)
            rows.learning_sessions.append(
                (
                    learner_id,
                    "lesson",
                    lesson_id(number, which),
                    lesson_id(number, which),
                    empty_steps,
                    7,
                    2,
                    "completed",
                    done - timedelta(minutes=6),
                    done,
                    done,
                )
            )

    for k, learner_id in enumerate(learners, start=1):
        since = now - timedelta(days=400 - k % 50)
        for role in roles_of(k):
            rows.job_roles.append((learner_id, role, since, None))
        if k % 10 == 0:
            rows.job_roles.append(
                (
                    learner_id,
                    "line-operator" if roles_of(k)[0] != "line-operator" else "field-technician",
                    since - YEAR,
                    now - timedelta(days=60),
                )
            )
        for number in required_numbers(k):
            origin = f"role:{roles_of(k)[0]}"
            rows.assignments.append(
                (learner_id, "credential", credential_id(number), (since + timedelta(days=60)).date(), origin, None, since, None)
            )
            story = history(k, number)
            spread = timedelta(days=(k + number) % 270)
            if story == "valid":
                award(learner_id, number, 0, now - timedelta(days=30) - spread)
            elif story == "renewed":
                award(learner_id, number, 0, now - timedelta(days=500))
                award(learner_id, number, 1, now - timedelta(days=140))
            elif story == "expiring":
                award(learner_id, number, 0, now - timedelta(days=350))
            elif story == "lapsed":
                award(learner_id, number, 0, now - timedelta(days=420))
            elif story == "expired":
                award(learner_id, number, 0, now - timedelta(days=400))
            elif story == "in_progress" and number not in STACKS:
                lessons_done(learner_id, number, now - timedelta(days=5), both=False)
            if story in ("expired", "in_progress", "not_started"):
                again = now - timedelta(days=20)
                due: date = (again + timedelta(days=10 + (k + number) % 60)).date()
                rows.assignments.append((learner_id, "credential", credential_id(number), due, "manager", None, again, None))
    return rows


def chunks(rows: list[T], size: int = 20_000) -> Iterator[list[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def load(connection: Any, rows: Rows) -> None:
    """Insert the programme's rows on an open connection (in its transaction): COPY on
    PostgreSQL (asyncpg), executemany with the store's own column types on SQLite."""
    if connection.dialect.name == "postgresql":
        raw = (await connection.get_raw_connection()).driver_connection
        for table, columns in COLUMNS.items():
            await raw.copy_records_to_table(table, records=getattr(rows, table), columns=list(columns))
        return
    from sqlalchemy import insert

    from bot.store.models import Base

    for table, columns in COLUMNS.items():
        typed = Base.metadata.tables[table]  # the store's types: UTC datetimes stored as the store stores them
        for chunk in chunks(getattr(rows, table)):
            await connection.execute(insert(typed), [dict(zip(columns, row, strict=True)) for row in chunk])


async def seed_sqlite_base(connection: Any, learners: int, events: int, now: datetime, size: int, tokens: dict[str, str]) -> None:
    """What benchmarks/dashboard.py seeds in SQL on PostgreSQL, for SQLite: teams of `size`,
    learners (created 500 days ago), a manager of the first two teams and an admin with sessions
    (`tokens`: role -> token hash), and `events` events (each learner's 100 over the last 120
    days: nudges, then lessons started, cards, answers and completions)."""
    from sqlalchemy import insert

    from bot.store.models import AccessTokenRow, EventRow, LearnerRow, ManagedTeamRow, TeamRow

    teams = -(-learners // size)
    await connection.execute(insert(TeamRow), [{"id": t, "name": f"Team {t:03d}"} for t in range(1, teams + 1)])
    zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"]
    common = {
        "platform": "telegram",
        "timezone_confirmed": True,
        "daily_time": "09:00",
        "working_days": "12345",
        "announce": True,
        "nudges": "on",
    }
    people = [
        {
            **common,
            "id": i,
            "platform_user_id": str(100000 + i),
            "display_name": f"Learner {i}",
            "timezone": zones[i % 4],
            "team_id": 1 + (i - 1) // size,
            "role": "learner",
            "created_at": now - timedelta(days=500),
        }
        for i in range(1, learners + 1)
    ]
    people += [
        {
            **common,
            "id": learners + 1,
            "platform_user_id": "1",
            "display_name": "Maria Manager",
            "timezone": "UTC",
            "team_id": None,
            "role": "manager",
            "created_at": now,
        },
        {
            **common,
            "id": learners + 2,
            "platform_user_id": "2",
            "display_name": "Lee Admin",
            "timezone": "UTC",
            "team_id": None,
            "role": "admin",
            "created_at": now,
        },
    ]
    for chunk in chunks(people):
        await connection.execute(insert(LearnerRow), chunk)
    await connection.execute(insert(ManagedTeamRow), [{"learner_id": learners + 1, "team_id": t} for t in (1, 2)])
    await connection.execute(
        insert(AccessTokenRow),
        [
            {"token_hash": tokens["manager"], "learner_id": learners + 1, "kind": "session", "expires_at": now + timedelta(days=1)},
            {"token_hash": tokens["admin"], "learner_id": learners + 2, "kind": "session", "expires_at": now + timedelta(days=1)},
        ],
    )
    per = events // learners
    kinds = ("lesson_started", "card_viewed", "card_viewed", "card_viewed", "answered", "answered", "answered", "lesson_completed")
    batch: list[dict[str, Any]] = []
    for i in range(1, learners + 1):
        done = (i % 11) * len(kinds)  # the last `done` events are lessons, the rest nudges
        for k in range(per):
            at = now - timedelta(seconds=(per - k) * 103680.0 / (per / 100.0) + i % 3600)
            d = k - (per - done)
            kind = "nudged" if d < 0 else kinds[d % len(kinds)]
            batch.append({"learner_id": i, "kind": kind, "occurred_at": at, "local_date": at.date(), "payload": {}})
            if len(batch) == 20_000:
                await connection.execute(insert(EventRow), batch)
                batch = []
    if batch:
        await connection.execute(insert(EventRow), batch)
