"""`run_bot.py` commands as an operator or an L&D author types them: real processes, what they print."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CONTENT, PROJECT_DIR


def run_bot(
    *args: str, env: Mapping[str, str | None] | None = None, cwd: Path | None = None, stdin: str = "", project: Path = PROJECT_DIR
) -> subprocess.CompletedProcess[str]:
    """`run_bot.py ARGS` in a process of its own; `env` adds to (None: removes from) this environment."""
    environment = {**os.environ}
    for name in ("DATABASE_URL", "PUBLIC_URL", "TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        environment.pop(name, None)
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, str(project / "run_bot.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
    )


# --- content preview of a file that is not a lesson ------------------------------------------


@pytest.mark.parametrize(
    ("file", "kind"),
    [
        ("pathways/workplace-safety.md", "a pathway"),
        ("credentials/loto-practitioner.md", "a badge"),
        ("credentials/plant-operations.md", "a certificate"),
    ],
)
def test_content_preview_of_a_pathway_or_credential_says_what_it_is(file, kind):
    path = PROJECT_DIR / "content" / file
    result = run_bot("content", "preview", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{path}:1: this is {kind}, not a lesson: `content preview` shows lessons only; run `run_bot.py content check` to check it\n"
    )


# --- every command's --help lists its subcommands ----------------------------------------------

HELP = {
    ("content",): [
        "    check     report every problem as path:line: message; exit 1 if any",
        "    review    how each check does with learners: warnings at its path:line; exit 0",
        "    preview   show a lesson as a learner would see it, answers shown",
    ],
    ("people",): ["    import    import people from a CSV file (all rows or none)"],
    ("assignments",): ["    import    assign credentials and pathways from a CSV file (all rows or none)"],
    ("xapi",): ["    export    write every statement to a JSON lines file"],
    ("db",): ["    upgrade   create or upgrade the schema (also done on start)"],
    ("dashboard",): ["    link      print a one-time sign-in link for a manager or admin"],
    ("mastery",): ["    optimize  fit FSRS's spacing to this organisation's reviews; report default against fitted; apply with --apply"],
    ("credentials",): [
        "    revoke    revoke a credential (flips its status list bit)",
        "    rotate-key",
        "              start a new issuer key; the old one can no longer sign",
        "    reissue   finish signing again what a withdrawn key signed",
        "    verify    verify an Open Badges 3.0 credential or a CLR 2.0 transcript offline",
        "    sample    play a demo learner and write one signed credential of each kind",
    ],
}


@pytest.mark.parametrize("command", HELP, ids=" ".join)
def test_help_of_a_command_lists_its_subcommands(command):
    result = run_bot(*command, "--help", env={"COLUMNS": "120"})
    assert result.returncode == 0, result.stderr
    listing = result.stdout.split("subcommands:\n  SUBCOMMAND\n", 1)[1].rstrip("\n").split("\n")
    assert listing == HELP[command]


def test_people_import_help_names_the_columns_the_roles_and_the_separator():
    result = run_bot("people", "import", "--help", env={"COLUMNS": "120"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n\n")[1:5] == [
        "Import people from a CSV file: every bad row is named and then nothing is imported.",
        "The first row names the columns: platform,user_id,name,team,role,manages,roles\n"
        "  platform  telegram, slack, teams, console\n"
        "  user_id   the person's id there (Telegram: a number; Slack: U0123ABCD; console: the name)\n"
        "  name      their name (optional)\n"
        "  team      the team they learn in (optional; one team)\n"
        "  role      the ACCESS role: learner, manager, admin (empty: learner)\n"
        "  manages   the teams a manager or admin manages, separated by ; (e.g. Maintenance;Safety)\n"
        "  roles     JOB roles: ids of content/roles/<id>.md, separated by ;\n"
        "            (e.g. machine-operator;maintenance-technician). Optional column: when it is there,\n"
        "            each person gets exactly these job roles (an empty cell: none) and what a new\n"
        "            role requires is assigned; without it, job roles stay as they are.",
        "Several teams or job roles are separated by ; only: a value written as a list any other way\n"
        "(a, b  a|b  a / b  [a, b]) is refused with its row, so a team name cannot contain , | or ' / '.",
        "Example:\n"
        "  platform,user_id,name,team,role,manages,roles\n"
        "  telegram,4242,Ana Lima,Maintenance,learner,,machine-operator\n"
        "  slack,U0BO7,Bo Chen,,manager,Maintenance;Safety,machine-operator;maintenance-technician",
    ]


# --- dashboard link PERSON ---------------------------------------------------------------------

PEOPLE = """\
platform,user_id,name,team,role,manages
telegram,4242,Ana Lima,Maintenance,learner,
slack,U0BO7,Bo Chen,,manager,Maintenance
console,carla,Carla,,admin,
"""
LINK = re.compile(r"(?P<base>\S+)/dashboard/signin\?token=(?P<token>[0-9a-f]{64})")


def test_dashboard_link_gives_a_manager_or_admin_a_one_time_sign_in_link(tmp_path):
    env = {"DATA_DIR": str(tmp_path / "data"), "CONTENT_DIR": str(FIXTURE_CONTENT), "PORT": "8123"}
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    assert run_bot("people", "import", str(tmp_path / "people.csv"), env=env).returncode == 0
    manager = run_bot("dashboard", "link", "slack:U0BO7", env=env)
    admin = run_bot("dashboard", "link", "console:carla", env={**env, "PUBLIC_URL": "https://learn.example.com"})
    links = []
    for result, person, role, base in (
        (manager, "slack:U0BO7", "manager", "http://127.0.0.1:8123"),
        (admin, "console:carla", "admin", "https://learn.example.com"),
    ):
        assert result.returncode == 0, result.stderr
        found = LINK.search(result.stdout)
        assert found is not None and found["base"] == base, result.stdout
        assert result.stdout == (f"Dashboard sign-in link for {person} ({role}; works once, for 15 minutes): {found.group(0)}\n")
        links.append(found["token"])
    assert asyncio.run(signin_tokens(tmp_path / "data" / "bot.sqlite3", links)) == ["signin", "signin"]


@pytest.mark.parametrize(
    ("person", "code", "says"),
    [
        (
            "telegram:4242",
            1,
            "telegram:4242 is a learner: the dashboard is for managers and admins (give the role with `run_bot.py people import`).",
        ),
        ("telegram:999", 1, "Nobody is known as telegram:999: managers and admins are added with `run_bot.py people import`."),
        (
            "ana",
            2,
            "PERSON is platform:user_id with platform telegram, slack, teams, console (e.g. telegram:4242, slack:U0ANA or "
            "console:ana), not 'ana'.",
        ),
    ],
)
def test_dashboard_link_refuses_anyone_else_in_one_line(tmp_path, person, code, says):
    env = {"DATA_DIR": str(tmp_path / "data"), "CONTENT_DIR": str(FIXTURE_CONTENT)}
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    assert run_bot("people", "import", str(tmp_path / "people.csv"), env=env).returncode == 0
    result = run_bot("dashboard", "link", person, env=env)
    assert (result.returncode, result.stdout, result.stderr) == (code, "", says + "\n")


async def signin_tokens(database: Path, tokens: list[str]) -> list[str]:
    from sqlalchemy import select

    from bot.store.database import create_engine
    from bot.store.models import AccessTokenRow

    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.connect() as connection:
            hashes = [hashlib.sha256(token.encode()).hexdigest() for token in tokens]
            rows = await connection.execute(
                select(AccessTokenRow.token_hash, AccessTokenRow.kind).where(AccessTokenRow.token_hash.in_(hashes))
            )
            kinds = dict(rows.all())
    finally:
        await engine.dispose()
    return [kinds.get(h, "missing") for h in hashes]


# --- the same database and key wherever the bot is started -------------------------------------


def test_the_default_database_and_key_are_the_projects_wherever_the_bot_starts(tmp_path):
    """DATA_DIR and KEYS_DIR unset: run from two other folders, the learner is found again, and
    each start says which database and key it uses (on stderr, out of the conversation)."""
    project = tmp_path / "project"  # a copy, so the test never touches the real project's data
    for name in ("bot", "adapters", "content", "credentials", "web", "run_bot.py"):
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, project / name)
    env = {"DATA_DIR": None, "KEYS_DIR": None, "TZ": "UTC"}
    runs = []
    for folder in ("first", "second"):
        (tmp_path / folder).mkdir()
        runs.append(run_bot("console", "--learner", "sam", env=env, cwd=tmp_path / folder, stdin="/quit\n", project=project))
    runs.append(run_bot("status", env=env, cwd=tmp_path, project=project))
    for result in runs:
        assert result.returncode == 0, result.stderr
    assert not runs[0].stdout.startswith("Welcome back!") and runs[1].stdout.startswith("Welcome back!")
    assert runs[2].stdout.startswith("Learners: 1 (1 on console)")
    said = [result.stderr.splitlines()[:2] for result in runs]
    assert said[0] == said[1] == said[2], "the same database and key"
    assert said[0][0] == f"Database: sqlite+aiosqlite:///{project / 'data' / 'bot.sqlite3'}"
    assert said[0][1].startswith(f"Issuer key: {project / 'data' / 'keys' / 'issuer-ed25519.pem'} (did:key:z6Mk")
    assert not (tmp_path / "first" / "data").exists() and not (tmp_path / "second" / "data").exists()


# --- status shows what waits in this machine's delivery journal --------------------------------


def test_status_says_how_many_deliveries_wait_to_be_recorded(tmp_path):
    from adapters.inbox import FILE, Inbox

    env = {"DATA_DIR": str(tmp_path)}
    assert run_bot("status", env=env).stdout.splitlines()[-1] == "Deliveries kept on this machine: none (no journal yet)"

    async def journal() -> None:
        inbox = await Inbox(tmp_path / FILE).open()
        for key in ("1", "2"):
            await inbox.keep(platform="telegram", key=key, conversation="42", payload={"update_id": key})
        broken = await inbox.keep(platform="telegram", key="3", conversation="42", payload={})
        assert broken is not None
        await inbox.failed(broken, "a bug")
        await inbox.close()

    asyncio.run(journal())
    last = run_bot("status", env=env).stdout.splitlines()[-1]
    assert re.fullmatch(
        r"Deliveries kept on this machine, not recorded yet: 2 \(oldest received \d{4}-\d\d-\d\d \d\d:\d\d UTC\); "
        r"1 could not be handled \(see the log\)",
        last,
    ), last
