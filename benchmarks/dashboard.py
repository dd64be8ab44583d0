"""How fast the managers' dashboard answers on a large deployment: 10,000 learners in 400 teams
and 1,000,000 events on PostgreSQL (and the compliance matrix on SQLite too).

A fresh database on the server of --database-url (dropped afterwards) is migrated and seeded
in SQL (generate_series, so seeding takes seconds): learners in teams of 25 who got through
between 0 and 10 of the shipped curriculum's lessons (each lesson: started, three cards, three
answers, completed; the rest of their 100 events are nudges), their completed lesson sessions,
item and skill memory for what they learned, and the credentials that progress earns. Then
ANALYZE, as autovacuum would. A manager of two teams and an admin (who sees all 400 teams)
are signed in with session cookies.

Each page is requested --requests times, one after another, through the real ASGI app
(FastAPI + Jinja2, httpx's ASGI transport: no network, so the figures are the app and the
database); the p50 and p95 response times are reported with the **baseline** measured the same
way in the same run: `SELECT count(*) FROM events` on the same engine. The aim: every page
under 300 ms at p95.

The compliance matrix (/dashboard/compliance and its CSV) is measured on PostgreSQL and SQLite
(--backends): the same learners also hold job roles that require 20 credentials between them,
with assignments, awards and lessons behind them (benchmarks/compliance_seed.py; on SQLite the
learners, teams and events are seeded from Python, in bulk). Before timing anything the run
checks the matrix did the work it reports: the CSV has every person (10,002 now: the learners,
the manager and the admin; 10,000 as of 90 days ago) by the 20 credentials with cells of each
status, the pages show 100 of them with 20 columns, the overdue filter's page is 100 people each
with an overdue cell; otherwise it stops without figures. Each matrix request is timed right
after a baseline query (`SELECT count(*) FROM events`), alternately, so that the machine's load
weighs on both.

`content review` (the function `run_bot.py content review` calls: the store read, every figure and
finding) is timed on PostgreSQL after the pages, on answer histories seeded within the same events
(benchmarks/review_seed.py: lesson answers with choices, sessions and wordings, re-checks 2 and 9
days after a lesson, planted findings), each run right after a baseline query. Before timing,
the run checks the review saw every seeded answer, all 30 checks in their current wording, and
printed exactly the planted findings; otherwise it stops without figures. The aim: under 2 s.
Then the L&D page /dashboard/review: its figures are computed in the background and served as of
when they were (web/review_results.py), so its first request, which waits for them, is timed on
its own; the later requests must show exactly the first one's page (the same figures, as of the
same time) and are timed against the aim of 300 ms at p95. Last, the clock moves on by 5 minutes and
requests are timed while the figures are recomputed in the background, until one shows the new
result (as of its own time, with the same warnings).

    python benchmarks/dashboard.py                  # ~3-4 minutes, PostgreSQL and SQLite
    python benchmarks/dashboard.py --only review    # the content review alone (PostgreSQL)
    python benchmarks/dashboard.py --learners 2000 --events 200000 --requests 20   # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fsrs
import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.cli import review as review_command
from benchmarks.compliance_seed import load, matrix_curriculum, programme_rows, seed_sqlite_base
from benchmarks.review_seed import expected_findings, finding_kind, seed_answers
from benchmarks.support import CONTENT, drop_postgres, fresh_postgres, load_shipped_curriculum, percentile
from bot.assignments import Standing
from bot.clock import ManualClock
from bot.config import Settings
from bot.store.database import create_engine, create_sessionmaker, normalize_url
from bot.store.migrate import upgrade_async
from bot.store.store import SqlStore
from bot.team import token_hash
from content.model import CredentialKind, Curriculum
from credentials.issuer import IssuerIdentity
from credentials.keystore import KeyStore
from web.app import create_app
from web.review_results import FRESH_FOR

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
TEAM_SIZE = 25
EVENTS_PER_LESSON = 8  # started, 3 cards viewed, 3 answers, completed
AIM_MS = 300
MANAGER_TOKEN, ADMIN_TOKEN = "bench-manager-session", "bench-admin-session"

SEEDED_AT = "0012"


async def seed(url: str, learners: int, events: int, curriculum: Curriculum, now: datetime) -> dict[str, int]:
    """Everything in SQL on the server; returns what was seeded, counted back."""
    lessons = [lesson.id for lesson in curriculum.lessons_in_order()]
    skills = [lesson.skills[0] if lesson.skills else "" for lesson in curriculum.lessons_in_order()]
    per_learner = events // learners
    if per_learner < EVENTS_PER_LESSON * len(lessons):
        raise SystemExit(f"--events must be at least {EVENTS_PER_LESSON * len(lessons)} per learner")
    badges = [c for c in curriculum.credentials.values() if c.kind is CredentialKind.BADGE]
    certificates = [c for c in curriculum.credentials.values() if c.kind is CredentialKind.CERTIFICATE]
    card = json.dumps(fsrs.Card().to_dict())  # as bot/mastery.py stores a card
    teams = -(-learners // TEAM_SIZE)
    params = {
        "now": now,
        "learners": learners,
        "teams": teams,
        "per": per_learner,
        "size": TEAM_SIZE,
        "lessons": lessons,
        "skills": skills,
        "n_lessons": len(lessons),
        "epl": EVENTS_PER_LESSON,
        "card": card,
        "manager_hash": token_hash(MANAGER_TOKEN),
        "admin_hash": token_hash(ADMIN_TOKEN),
    }
    # Learner i (1-based) has done (i % (lessons + 1)) lessons: an even spread from none to all.
    statements = [
        """INSERT INTO teams (name) SELECT 'Team ' || lpad(t::text, 3, '0') FROM generate_series(1, :teams) t""",
        """INSERT INTO learners (platform, platform_user_id, display_name, timezone, timezone_confirmed, daily_time,
                                working_days, announce, nudges, team_id, role, created_at)
           SELECT 'telegram', (100000 + i)::text, 'Learner ' || i,
                  (ARRAY['Europe/Berlin','America/New_York','Asia/Kolkata','UTC'])[1 + i % 4], true, '09:00',
                  '12345', true, 'on', 1 + (i - 1) / :size, 'learner', :now - interval '130 days'
           FROM generate_series(1, :learners) i""",
        """INSERT INTO learners (platform, platform_user_id, display_name, timezone, timezone_confirmed, daily_time,
                                working_days, announce, nudges, team_id, role, created_at)
           VALUES ('telegram', '1', 'Maria Manager', 'UTC', true, '09:00', '12345', true, 'on', NULL, 'manager', :now),
                  ('telegram', '2', 'Lee Admin', 'UTC', true, '09:00', '12345', true, 'on', NULL, 'admin', :now)""",
        """INSERT INTO managed_teams (learner_id, team_id)
           SELECT id, t FROM learners, generate_series(1, 2) t WHERE platform_user_id = '1'""",
        """INSERT INTO access_tokens (token_hash, learner_id, kind, expires_at)
           SELECT CASE platform_user_id WHEN '1' THEN :manager_hash ELSE :admin_hash END, id, 'session',
                  :now + interval '1 day'
           FROM learners WHERE platform_user_id IN ('1', '2')""",
        # Event k of learner i, spread over the last 120 days, one step every 1.2 days: nudges
        # first, then the learner's lessons (8 events each) up to now, so those who did many
        # learn most days lately and have streaks (weekend gaps are allowed, a missed weekday
        # ends one). d: the step within the learner's lessons (negative: still a nudge).
        """INSERT INTO events (learner_id, source_id, kind, occurred_at, local_date, lesson_id, lesson_version,
                               check_key, correct, payload)
           SELECT i, NULL, kind, at, at::date, lesson, NULL,
                  CASE WHEN kind = 'answered' THEN lesson || ':' || (d % :epl - 3) END,
                  CASE WHEN kind = 'answered' THEN (i + k) % 5 <> 0 END,
                  CASE WHEN kind = 'lesson_completed' THEN '{"correct": 2, "checks": 3}'::json ELSE '{}'::json END
           FROM (
             SELECT i, k, d,
                    :now - make_interval(secs => CAST((:per - k) * 103680.0 / (:per / 100.0) + i % 3600 AS double precision)) AS at,
                    CASE WHEN d >= 0 THEN (:lessons)[1 + d / :epl] END AS lesson,
                    CASE WHEN d < 0 THEN 'nudged'
                         WHEN d % :epl = 0 THEN 'lesson_started'
                         WHEN d % :epl BETWEEN 1 AND 3 THEN 'card_viewed'
                         WHEN d % :epl BETWEEN 4 AND 6 THEN 'answered'
                         ELSE 'lesson_completed' END AS kind
             FROM (SELECT i, k, k - (:per - (i % (:n_lessons + 1)) * :epl) AS d
                   FROM generate_series(1, :learners) i, generate_series(0, :per - 1) k) steps
           ) e""",
        """INSERT INTO learning_sessions (learner_id, kind, lesson_id, title, steps, position, correct_count, status,
                                         started_at, updated_at, completed_at)
           SELECT i, 'lesson', (:lessons)[j], (:lessons)[j], '[]'::json, 7, 2, 'completed', :now, :now, :now
           FROM generate_series(1, :learners) i, generate_series(1, :n_lessons) j WHERE j <= i % (:n_lessons + 1)""",
        """INSERT INTO skill_states (learner_id, skill_id, p_known, updated_at)
           SELECT i, (:skills)[j], 0.5 + (i % 5) / 10.0, :now - interval '3 days'
           FROM generate_series(1, :learners) i, generate_series(1, :n_lessons) j
           WHERE j <= i % (:n_lessons + 1) AND (:skills)[j] <> ''""",
        """INSERT INTO item_states (learner_id, check_key, card, skills, due, reviews, last_correct, last_review)
           SELECT i, (:lessons)[j] || ':' || c, :card, json_build_array((:skills)[j]),
                  :now + make_interval(days => (i + c) % 20 - 5), 1, true, :now - interval '3 days'
           FROM generate_series(1, :learners) i, generate_series(1, :n_lessons) j, generate_series(1, 3) c
           WHERE j <= i % (:n_lessons + 1)""",
    ]
    # Credentials: the k-th badge to those with at least 3k + 3 lessons, the certificate to
    # those who did them all; earned at some point in the last 100 days.
    for k, badge in enumerate(badges):
        statements.append(_awards(badge.id, "badge", f"i % (:n_lessons + 1) >= {min(3 * k + 3, len(lessons))}"))
    for certificate in certificates:
        statements.append(_awards(certificate.id, "certificate", "i % (:n_lessons + 1) = :n_lessons"))
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(_typed(statement)), params)
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
            counts = {}
            for table in ("teams", "learners", "events", "learning_sessions", "item_states", "skill_states", "awards"):
                counts[table] = int((await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
        return counts
    finally:
        await engine.dispose()


def _typed(statement: str) -> str:
    """asyncpg needs the parameters' types where PostgreSQL cannot infer them."""
    for name, sql_type in (
        ("now", "timestamptz"),
        ("lessons", "text[]"),
        ("skills", "text[]"),
        ("card", "text"),
        ("per", "integer"),
        ("epl", "integer"),
        ("n_lessons", "integer"),
        ("size", "integer"),
    ):
        statement = statement.replace(f":{name}", f"CAST(:{name} AS {sql_type})")
    return statement


def _awards(definition: str, kind: str, condition: str) -> str:
    return f"""INSERT INTO awards (public_id, learner_id, definition_id, kind, renewal, awarded_at, evidence)
               SELECT gen_random_uuid()::text, i, '{definition}', '{kind}', 0,
                      :now - make_interval(days => i % 100), '{{}}'::json
               FROM generate_series(1, :learners) i WHERE {condition}"""


async def get_ok(client: httpx.AsyncClient, path: str, who: str) -> None:
    response = await client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} as {who}: HTTP {response.status_code}")


async def timed(call: Callable[[], Awaitable[None]], requests: int) -> list[float]:
    for _ in range(3):  # warm-up: connections, template compilation
        await call()
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        await call()
        times.append((time.perf_counter() - began) * 1000)
    return sorted(times)


async def measure(url: str, curriculum: Curriculum, now: datetime, requests: int) -> list[tuple[str, list[float]]]:
    engine = create_engine(url)
    results: list[tuple[str, list[float]]] = []
    try:

        async def count_events() -> None:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT count(*) FROM events"))

        results.append(("baseline: SELECT count(*) FROM events", await timed(count_events, requests)))
        async with engine.connect() as connection:
            manager_learner = int(
                (
                    await connection.execute(
                        text("SELECT min(id) FROM learners WHERE team_id = 1 AND display_name LIKE 'Learner %' AND id % 11 = 10")
                    )
                ).scalar_one()
                or 1
            )
        with tempfile.TemporaryDirectory() as folder:
            keys = KeyStore(Path(folder) / "keys")
            issuer = IssuerIdentity.create(
                key=keys.load_or_create(), retired=(), name="Benchmark Academy", public_url=None, local_url="http://127.0.0.1:8000"
            )
            app = create_app(store=SqlStore(create_sessionmaker(engine)), curriculum=curriculum, issuer=issuer, clock=ManualClock(now))
            pages = [
                ("manager", "/dashboard"),
                ("admin", "/dashboard"),
                ("admin", "/dashboard/export.csv"),
                ("manager", "/dashboard/teams/1"),
                ("manager", "/dashboard/teams/1/export.csv"),
                ("manager", "/dashboard/teams/1/funnel.csv"),
                ("manager", "/dashboard/teams/1/credentials.csv"),
                ("manager", f"/dashboard/learners/{manager_learner}"),
                ("manager", f"/dashboard/learners/{manager_learner}/export.csv"),
            ]
            for who, path in pages:
                token = MANAGER_TOKEN if who == "manager" else ADMIN_TOKEN
                async with httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://bench", cookies={"mb_session": token}
                ) as client:
                    results.append((f"{path} ({who})", await timed(partial(get_ok, client, path, who), requests)))
    finally:
        await engine.dispose()
    return results


# --- the compliance matrix (benchmarks/compliance_seed.py) ---------------------------------------
AS_OF_DAYS = 90  # the as-of query asks about the end of the day this many days ago
MatrixResult = tuple[str, str, list[float], list[float]]  # request, what it showed, times, interleaved baseline times


async def seed_programme(url: str, now: datetime) -> dict[str, int]:
    """The programme's job roles, assignments, awards and lessons for every benchmark learner."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            ids = list(
                (await connection.execute(text("SELECT id FROM learners WHERE display_name LIKE 'Learner %' ORDER BY id"))).scalars()
            )
            rows = programme_rows(ids, now)
            await load(connection, rows)
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
            counts = {}
            for table in ("learners", "events", "job_roles", "assignments", "awards", "learning_sessions"):
                counts[table] = int((await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
        return counts
    finally:
        await engine.dispose()


async def seed_sqlite(url: str, learners: int, events: int, now: datetime) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            tokens = {"manager": token_hash(MANAGER_TOKEN), "admin": token_hash(ADMIN_TOKEN)}
            await seed_sqlite_base(connection, learners, events, now, TEAM_SIZE, tokens)
    finally:
        await engine.dispose()


def fail(message: str) -> None:
    raise SystemExit(f"the compliance matrix did not do the work it reports: {message}")


def checked_csv(text_: str, *, rows: int, columns: int, statuses: tuple[Standing, ...], what: str) -> Counter[str]:
    """The matrix's CSV has `rows` people and `columns` credentials, and cells of each of `statuses`."""
    table = list(csv.reader(io.StringIO(text_)))
    if len(table) - 1 != rows or any(len(row) != columns + 2 for row in table):
        fail(f"{what}: {len(table) - 1} rows of {len(table[0]) - 2 if table else 0} credentials, expected {rows:,} x {columns}")
    cells = Counter(cell for row in table[1:] for cell in row[2:])
    missing = [s.label for s in statuses if not cells[s.label]]
    if missing:
        fail(f"{what}: no cell is {', '.join(missing)} ({dict(cells)})")
    return cells


def checked_page(page: str, *, people: int, columns: int, what: str) -> None:
    """The page shows the first 100 of `people` against `columns` credentials."""
    shown = page.count('<tr><th scope="row">')
    headers = page.count('<th scope="col">') - 2
    if f"of {people:,} people" not in page or shown != min(people, 100) or headers != columns:
        fail(f"{what}: {shown} rows of {headers} credentials shown, expected 100 of {people:,} people x {columns}")


async def measure_matrix(
    url: str, curriculum: Curriculum, now: datetime, requests: int, csv_requests: int, learners: int
) -> tuple[list[MatrixResult], dict[str, Counter[str]]]:
    """The matrix's pages and CSVs, each request timed alternately with the baseline query, after
    checking they show what the seed holds."""
    engine = create_engine(url)
    as_of = (now - timedelta(days=AS_OF_DAYS)).date().isoformat()
    columns = sum(1 for c in curriculum.credentials if c.startswith("req-"))
    results: list[MatrixResult] = []
    try:

        async def count_events() -> None:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT count(*) FROM events"))

        with tempfile.TemporaryDirectory() as folder:
            keys = KeyStore(Path(folder) / "keys")
            issuer = IssuerIdentity.create(
                key=keys.load_or_create(), retired=(), name="Benchmark Academy", public_url=None, local_url="http://127.0.0.1:8000"
            )
            app = create_app(store=SqlStore(create_sessionmaker(engine)), curriculum=curriculum, issuer=issuer, clock=ManualClock(now))
            clients = {
                who: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", cookies={"mb_session": token})
                for who, token in (("admin", ADMIN_TOKEN), ("manager", MANAGER_TOKEN))
            }
            admin = clients["admin"]
            # The work it reports: everyone (the learners, and the manager and admin, who have
            # nothing required) against the 20 credentials; as of AS_OF_DAYS ago, the learners
            # (the staff came later).
            everyone = await admin.get("/dashboard/compliance.csv")
            cells = {"now": checked_csv(everyone.text, rows=learners + 2, columns=columns, statuses=STATUSES_NOW, what="now")}
            then = await admin.get(f"/dashboard/compliance.csv?as_of={as_of}")
            cells["as of"] = checked_csv(then.text, rows=learners, columns=columns, statuses=STATUSES_THEN, what=f"as of {as_of}")
            checked_page((await admin.get("/dashboard/compliance")).text, people=learners + 2, columns=columns, what="the page")
            checked_page((await admin.get(f"/dashboard/compliance?as_of={as_of}")).text, people=learners, columns=columns, what="as of")
            overdue = (await admin.get("/dashboard/compliance?status=overdue")).text
            rows = overdue.split('<tr><th scope="row">')[1:]
            if len(rows) != 100 or not all('class="cell-overdue"' in row for row in rows):
                fail(
                    f"status=overdue: {len(rows)} rows, {sum('cell-overdue' in r for r in rows)} with an overdue cell; expected 100 of each"
                )
            if (
                "Nobody here has a credential that is expired"
                not in (await admin.get(f"/dashboard/compliance?status=expired&as_of={as_of}")).text
            ):
                fail(f"status=expired as of {as_of}: expected nobody (the seed's lapses come later)")
            requests_ = [
                ("admin", "/dashboard/compliance", f"page 1 of {learners + 2:,} people x {columns}", requests),
                ("admin", f"/dashboard/compliance?as_of={as_of}", f"page 1 of {learners:,} x {columns}", requests),
                ("admin", "/dashboard/compliance?status=overdue", "first 100 with an overdue cell", requests),
                ("admin", "/dashboard/compliance?status=expired&as_of=" + as_of, "none then: every person looked at", max(3, csv_requests)),
                ("manager", "/dashboard/compliance", f"{2 * TEAM_SIZE} people x {columns}", requests),
                ("admin", "/dashboard/compliance.csv", f"all {learners + 2:,} rows x {columns}", csv_requests),
                ("admin", f"/dashboard/compliance.csv?as_of={as_of}", f"all {learners:,} rows x {columns}", csv_requests),
            ]
            for who, path, shown, count in requests_:
                page, base = await interleaved(partial(get_ok, clients[who], path, who), count_events, count)
                results.append((f"{path} ({who})", shown, page, base))
            for client in clients.values():
                await client.aclose()
    finally:
        await engine.dispose()
    return results, cells


# --- content review (benchmarks/review_seed.py) ---------------------------------------------------
REVIEW_AIM_MS = 2000
REVIEW_PAGE = "/dashboard/review"


async def run_review(settings: Settings) -> tuple[str, str]:
    """`content review` as the command runs it; what it printed on stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = await review_command.show(settings, None, None)
    if status != 0:
        raise SystemExit(f"content review exited {status}: {err.getvalue()}")
    return out.getvalue(), err.getvalue()


async def measure_review(
    url: str, curriculum: Curriculum, counts: dict[str, int], runs: int, now: datetime
) -> tuple[str, list[tuple[str, list[float], list[float]]]]:
    """The review's runs, each timed right after the baseline query, once it is seen to do the work."""
    engine = create_engine(url)
    try:

        async def count_events() -> None:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT count(*) FROM events"))

        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(
                database_url=url,
                content_dir=CONTENT,
                data_dir=Path(folder),
                keys_dir=Path(folder) / "keys",
                host="127.0.0.1",
                port=8000,
                public_url=None,
                issuer_name="Benchmark Academy",
            )
            printed, summary = await run_review(settings)
            found = {finding_kind(line) for line in printed.splitlines() if line}
            expected = expected_findings(curriculum)
            checks = sum(len(lesson.checks) for lesson in curriculum.lessons_in_order())
            wanted = f"{len(expected)} warning(s); {counts['answers']} answers, {checks} checks answered in their current wording."
            if found != expected or len(printed.splitlines()) != len(expected) or wanted not in summary:
                raise SystemExit(
                    "content review did not do the work it reports:\n"
                    f"expected: {wanted}\n{sorted(expected)}\nprinted: {summary.strip()}\n{printed}"
                )

            async def review_once() -> None:
                await run_review(settings)

            mine, base = await interleaved(review_once, count_events, runs)
            results = [("`content review` (the command's function: store read, figures, findings)", mine, base)]
            # The L&D page (admins): the same figures, laid out; checked to show them first.
            keys = KeyStore(Path(folder) / "page-keys")
            issuer = IssuerIdentity.create(
                key=keys.load_or_create(), retired=(), name="Benchmark Academy", public_url=None, local_url="http://127.0.0.1:8000"
            )
            clock = ManualClock(now)
            app = create_app(store=SqlStore(create_sessionmaker(engine)), curriculum=curriculum, issuer=issuer, clock=clock)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench", cookies={"mb_session": ADMIN_TOKEN}
            ) as client:
                # The first request waits for the figures (computed in the background afterwards:
                # web/review_results.py); timed on its own, right after a baseline query.
                began = time.perf_counter()
                await count_events()
                first_base = [(time.perf_counter() - began) * 1000]
                began = time.perf_counter()
                page = await client.get(REVIEW_PAGE)
                first = [(time.perf_counter() - began) * 1000]
                shown = page.text.count("<li>warning: ")
                as_of = f'As of <time datetime="{now.isoformat()}">'
                if (
                    page.status_code != 200
                    or f"from {counts['answers']:,} answers" not in page.text
                    or shown != len(expected)
                    or as_of not in page.text
                ):
                    raise SystemExit(
                        f"{REVIEW_PAGE} did not show the review: HTTP {page.status_code}, {shown} warnings"
                        f" (expected {len(expected)} from {counts['answers']:,} answers, as of {now.isoformat()})"
                    )
                results.append((f"{REVIEW_PAGE}, the first request (computes the figures)", first, first_base))

                async def same_page() -> None:
                    """Every later request shows the figures the first computed, as of the same time."""
                    again = await client.get(REVIEW_PAGE)
                    if again.status_code != 200 or again.text != page.text:
                        raise SystemExit(f"{REVIEW_PAGE}: a later request did not show the first one's figures")

                page_times, page_base = await interleaved(same_page, count_events, runs)
                results.append((f"{REVIEW_PAGE} (admin), after the first", page_times, page_base))
                results.append(await during_refresh(client, clock, now, page.text, count_events))
            return summary.strip(), results
    finally:
        await engine.dispose()


async def during_refresh(
    client: httpx.AsyncClient, clock: ManualClock, now: datetime, shown: str, baseline: Callable[[], Awaitable[None]]
) -> tuple[str, list[float], list[float]]:
    """Requests while the figures are recomputed in the background: the clock moves on by
    FRESH_FOR, the next request starts the recomputation, and every request is timed (each right
    after the baseline query) until one shows the new result; until then each must show the old
    page exactly. The new one must say the same warnings, as of its own time."""
    clock.set(now + FRESH_FOR)
    mine: list[float] = []
    theirs: list[float] = []
    while True:
        for target, times in ((baseline, theirs), (partial(client.get, REVIEW_PAGE), mine)):
            began = time.perf_counter()
            response = await target()
            times.append((time.perf_counter() - began) * 1000)
        if response is None or response.status_code != 200:
            raise SystemExit(f"{REVIEW_PAGE} during a recomputation: HTTP {response and response.status_code}")
        if response.text != shown:
            break
        if len(mine) > 100_000:
            raise SystemExit(f"{REVIEW_PAGE}: the recomputation did not end after 100,000 requests")
    later = f'As of <time datetime="{(now + FRESH_FOR).isoformat()}">'
    if later not in response.text or response.text.count("<li>warning: ") != shown.count("<li>warning: "):
        raise SystemExit(f"{REVIEW_PAGE}: the recomputed page is not the same review as of {now + FRESH_FOR}")
    # The last request was served the new result (the recomputation had ended): not counted.
    return f"{REVIEW_PAGE} (admin), while it is recomputed ({len(mine) - 1} requests)", sorted(mine[:-1]), sorted(theirs[:-1])


STATUSES_NOW = (Standing.VALID, Standing.EXPIRING, Standing.EXPIRED, Standing.OVERDUE, Standing.IN_PROGRESS, Standing.NOT_STARTED)
STATUSES_THEN = (Standing.VALID, Standing.OVERDUE, Standing.NOT_STARTED)


async def interleaved(
    call: Callable[[], Awaitable[None]], baseline: Callable[[], Awaitable[None]], requests: int
) -> tuple[list[float], list[float]]:
    """`requests` timings of `call` and of `baseline`, one after the other, so that a change in
    the machine's load weighs on both (after warm-ups)."""
    for _ in range(2):
        await baseline()
        await call()
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(requests):
        for target, times in ((baseline, theirs), (call, mine)):
            began = time.perf_counter()
            await target()
            times.append((time.perf_counter() - began) * 1000)
    return sorted(mine), sorted(theirs)


def print_matrix(backend: str, results: list[MatrixResult], cells: dict[str, Counter[str]]) -> None:
    for when, counts in cells.items():
        print(f"{backend}, cells {when}: " + ", ".join(f"{n:,} {label}" for label, n in counts.most_common()))
    print()
    print(f"| {backend}: request | shows | p50 ms | p95 ms | baseline p95 ms (interleaved) | p95 / baseline p95 | under 300 ms |")
    print("|---|---|---|---|---|---|---|")
    for name, shown, times, base in results:
        p95, base95 = percentile(times, 0.95), percentile(base, 0.95)
        verdict = "yes" if p95 < AIM_MS else "**no**"
        print(f"| {name} | {shown} | {percentile(times, 0.5):.1f} | {p95:.1f} | {base95:.1f} | {p95 / base95:.2f}x | {verdict} |")
    print()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50, help="requests per page (after 3 warm-up requests)")
    parser.add_argument("--csv-requests", type=int, default=5, help="requests of each whole-matrix CSV")
    parser.add_argument("--database-url", default=POSTGRES, help="a PostgreSQL server: a fresh database per run")
    parser.add_argument("--review-runs", type=int, default=5, help="runs of content review (after 2 warm-up runs)")
    parser.add_argument("--only", choices=("review",), help="review: only content review, on PostgreSQL (a few minutes)")
    parser.add_argument(
        "--backends", default="postgresql,sqlite", help="where to run: postgresql (the pages and the matrix), sqlite (the matrix)"
    )
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()] if not args.only else ["postgresql"]
    if not set(backends) <= {"postgresql", "sqlite"}:
        parser.error("--backends: postgresql, sqlite or both")
    given = normalize_url(args.database_url)
    if "postgresql" in backends and make_url(given).get_backend_name() != "postgresql":
        parser.error("--database-url must be a PostgreSQL URL")
    curriculum = load_shipped_curriculum()
    programme = matrix_curriculum(curriculum)
    now = datetime.now(UTC).replace(microsecond=0)
    load_before = os.getloadavg()
    results: list[tuple[str, list[float]]] = []
    matrices: list[tuple[str, list[MatrixResult], dict[str, Counter[str]]]] = []
    reviewed: tuple[str, list[tuple[str, list[float], list[float]]]] | None = None
    notes = []
    if "postgresql" in backends:
        url = await fresh_postgres(given)
        try:
            # Seeded as the schema was before learners kept their run of learning days; the last
            # migration then counts every learner's run from the events, as on a real upgrade.
            await upgrade_async(url, SEEDED_AT)
            began = time.monotonic()
            counts = await seed(url, args.learners, args.events, curriculum, now)
            seeded = time.monotonic() - began
            began = time.monotonic()
            await upgrade_async(url)
            migrated = time.monotonic() - began
            if not args.only:
                began = time.monotonic()
                programme_counts = await seed_programme(url, now)
            notes.append("PostgreSQL seeded in {:.1f} s: {}".format(seeded, ", ".join(f"{n:,} {table}" for table, n in counts.items())))
            notes.append(f"migration 0013 (every learner's run of learning days counted from the events): {migrated:.1f} s")
            if not args.only:
                notes.append(
                    "PostgreSQL programme seeded in {:.1f} s: {}".format(
                        time.monotonic() - began, ", ".join(f"{n:,} {table}" for table, n in programme_counts.items())
                    )
                )
                results = await measure(url, curriculum, now, args.requests)
                matrices.append(("PostgreSQL", *await measure_matrix(url, programme, now, args.requests, args.csv_requests, args.learners)))
            # The answer histories rewrite the lessons' events: seeded after the pages above are timed.
            began = time.monotonic()
            answers = await seed_answers(url, curriculum, now)
            notes.append(
                "PostgreSQL answer histories seeded in {:.1f} s: {}".format(
                    time.monotonic() - began, ", ".join(f"{n:,} {what}" for what, n in answers.items())
                )
            )
            reviewed = await measure_review(url, curriculum, answers, args.review_runs, now)
        finally:
            await drop_postgres(given, url)
    if "sqlite" in backends and not args.only:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
            await upgrade_async(url)
            began = time.monotonic()
            await seed_sqlite(url, args.learners, args.events, now)
            programme_counts = await seed_programme(url, now)
            notes.append(
                "SQLite seeded in {:.1f} s: {}".format(
                    time.monotonic() - began, ", ".join(f"{n:,} {table}" for table, n in programme_counts.items())
                )
            )
            matrices.append(("SQLite", *await measure_matrix(url, programme, now, args.requests, args.csv_requests, args.learners)))
    load_after = os.getloadavg()
    print(f"command: {shlex.join(['python', 'benchmarks/dashboard.py', *sys.argv[1:]])}")
    print(
        f"Python {platform.python_version()}; {platform.machine()}, {os.cpu_count()} cores; PostgreSQL at"
        f" {make_url(given).host}:{make_url(given).port}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    for note in notes:
        print(note)
    if not args.only:
        print(f"{args.requests} requests per page, one at a time, through the ASGI app (no network)")
    print()
    if results:
        baseline = percentile(results[0][1], 0.95)
        print("| page | p50 ms | p95 ms | p95 / baseline p95 | under 300 ms |")
        print("|---|---|---|---|---|")
        for name, times in results:
            p95 = percentile(times, 0.95)
            verdict = "" if name.startswith("baseline") else ("yes" if p95 < AIM_MS else "**no**")
            print(f"| {name} | {percentile(times, 0.5):.1f} | {p95:.1f} | {p95 / baseline:.2f}x | {verdict} |")
        print()
    if reviewed is not None:
        summary, timed_review = reviewed
        print(f"content review: {summary}")
        print(f"{args.review_runs} runs of each, each right after the baseline `SELECT count(*) FROM events`")
        print()
        print("| what | p50 ms | p95 ms | max ms | baseline p95 ms (interleaved) | aim | met |")
        print("|---|---|---|---|---|---|---|")
        for name, times, base in timed_review:
            p50, p95, base95 = percentile(times, 0.5), percentile(times, 0.95), percentile(base, 0.95)
            if "first request" in name:  # not an aim: what the background computation takes
                print(f"| {name} | {p50:.0f} | {p95:.0f} | {max(times):.0f} | {base95:.1f} | (once a process) | |")
                continue
            aim = REVIEW_AIM_MS if name.startswith("`content review`") else AIM_MS
            verdict = "yes" if p95 < aim else "**no**"
            print(f"| {name} | {p50:.0f} | {p95:.0f} | {max(times):.0f} | {base95:.1f} | p95 under {aim:,} ms | {verdict} |")
        print()
    if args.only:
        return
    print(f"Compliance matrix: baseline `SELECT count(*) FROM events`, timed before each request; as of = the end of {AS_OF_DAYS} days ago")
    print()
    for backend, rows, cells in matrices:
        print_matrix(backend, rows, cells)


if __name__ == "__main__":
    asyncio.run(main())
