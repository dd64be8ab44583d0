"""The bot as a company installs it: the wheel built from these sources, installed in a new venv
outside the checkout, run from another folder. Slow (it installs from PyPI), so it runs when
TEST_INSTALLED_PACKAGE is set: `.ci/run` sets it, in a step of its own."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store.database import create_engine
from fakes.serving import free_port
from tests.conftest import PROJECT_DIR, postgres_admin_url

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_INSTALLED_PACKAGE"),
    reason="builds the wheel and installs it in new venvs from PyPI (a few minutes): set TEST_INSTALLED_PACKAGE=1 (.ci/run does)",
)

SOURCES = ("pyproject.toml", "README.md", "bot", "adapters", "content", "credentials", "web")
# Installed only with an extra (pip's names): a console-only install has none of them.
EXTRAS = {
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "pillow",
    "httpx",
    "python-telegram-bot",
    "aiolimiter",
    "slack-bolt",
    "slack-sdk",
    "aiohttp",
}
LESSON = "1\n\n\n\n2\n1,2,4\n2\n/quit\n"  # the first lesson of the sample curriculum, every answer right
DEMO = """\
import asyncio
from datetime import datetime, timedelta, timezone

from adapters.cli.demo import DemoLearner
from adapters.wiring import build
from bot.clock import ManualClock
from bot.config import Settings


async def main() -> None:
    clock = ManualClock(datetime.now(timezone.utc) - timedelta(days=60))  # earned in the past, valid today
    app = await build(Settings.from_env(), clock=clock)
    try:
        print(", ".join(sorted(await DemoLearner(app.core, clock, app.curriculum).study())))
    finally:
        await app.close()

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources (as a fresh clone has them: no build/ left over)."""
    folder = tmp_path_factory.mktemp("build")
    (folder / "src").mkdir()
    for name in SOURCES:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, folder / "src" / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, folder / "src" / name)
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder / "dist"), str(folder / "src")])
    (built,) = (folder / "dist").glob("microbadge-*.whl")
    return built


def run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    """`command`, which must succeed; `options` are more subprocess.run arguments (env, cwd, input)."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, **options)
    assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
    return result


def new_venv(folder: Path, *requirements: str) -> Path:
    """A venv of its own with `pip install REQUIREMENTS`; its bin folder."""
    run([sys.executable, "-m", "venv", str(folder)])
    run([str(folder / "bin" / "pip"), "install", "-q", *requirements])
    return folder / "bin"


def installed(bin_dir: Path) -> set[str]:
    listing = run([str(bin_dir / "pip"), "list", "--format=json"]).stdout
    return {package["name"].lower().replace("_", "-") for package in json.loads(listing)}


def outside(tmp_path: Path, **env: str) -> dict[str, str]:
    """An environment with nothing of the checkout: no PYTHONPATH, no DATA_DIR, a home of its own
    (its data folder under XDG_DATA_HOME)."""
    environment = {name: os.environ[name] for name in ("PATH", "LANG", "LC_ALL") if name in os.environ}
    (tmp_path / "home").mkdir(exist_ok=True)
    return {
        **environment,
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "home" / "data"),
        "LOGNAME": "sam",
        "TZ": "UTC",
        **env,
    }  # LOGNAME: the console learner is the user


def test_a_console_only_install_runs_a_lesson_from_any_folder_with_its_data_in_the_users_data_folder(wheel, tmp_path):
    bin_dir = new_venv(tmp_path / "venv", str(wheel))
    assert installed(bin_dir) & EXTRAS == set(), "a console-only install pulls no extra"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = outside(tmp_path)

    first = run([str(bin_dir / "microbadge")], input=LESSON, cwd=elsewhere, env=env)
    checkout = run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "console", "--learner", "sam"],
        input=LESSON,
        cwd=tmp_path,
        env={**env, "DATA_DIR": str(tmp_path / "checkout-data")},
    )
    assert first.stdout == checkout.stdout, "the same lesson as in the checkout"
    assert "Lesson complete: Spotting hazards. 3 of 3 correct." in first.stdout
    data = tmp_path / "home" / "data" / "microbadge"
    assert first.stderr.splitlines()[0] == f"Database: sqlite+aiosqlite:///{data / 'bot.sqlite3'}"
    assert first.stderr.splitlines()[1].startswith(f"Issuer key: {data / 'keys' / 'issuer-ed25519.pem'} (did:key:")
    assert list(elsewhere.iterdir()) == [], "nothing is written to the current folder"

    another = tmp_path / "another"
    another.mkdir()
    again = run([str(bin_dir / "microbadge"), "console"], input="/quit\n", cwd=another, env=env)
    assert again.stdout.startswith("Welcome back!"), "the same data from any folder"

    usage = run([str(bin_dir / "microbadge"), "--help"], cwd=elsewhere, env=env).stdout
    assert usage.splitlines()[0] == "usage: microbadge [-h] COMMAND ..."
    serve = subprocess.run([str(bin_dir / "microbadge"), "serve"], capture_output=True, text=True, cwd=elsewhere, env=env, timeout=60)
    assert (serve.returncode, serve.stderr) == (
        1,
        "Cannot start: the web app's packages are not installed (fastapi is missing): pip install 'microbadge[web]'.\n",
    )


@pytest.fixture
def empty_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database: the installed package creates the schema itself."""
    admin_url = postgres_admin_url()
    name = f"microbadge_installed_{uuid.uuid4().hex[:10]}"

    async def admin(statement: str) -> None:
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    try:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    except OSError as error:
        pytest.fail(f"PostgreSQL is not reachable at TEST_POSTGRES_URL: {error}")
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_an_install_from_the_lock_file_serves_credential_pages_on_postgresql(wheel, tmp_path, empty_postgres_database):
    bin_dir = new_venv(tmp_path / "venv", "--require-hashes", "-r", str(PROJECT_DIR / "requirements.lock"))
    run([str(bin_dir / "pip"), "install", "-q", "--no-deps", str(wheel)])
    assert run([str(bin_dir / "pip"), "check"]).stdout == "No broken requirements found.\n"
    assert installed(bin_dir) >= EXTRAS, "the lock file holds every extra"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    env = outside(tmp_path, DATABASE_URL=empty_postgres_database, PORT=str(port))
    microbadge = str(bin_dir / "microbadge")

    upgraded = run([microbadge, "db", "upgrade"], cwd=elsewhere, env=env)
    assert upgraded.stdout == f"Database is up to date: {empty_postgres_database}\n"
    lesson = run([microbadge, "console", "--learner", "sam"], input=LESSON, cwd=elsewhere, env=env)
    assert "Lesson complete: Spotting hazards. 3 of 3 correct." in lesson.stdout
    earned = run([str(bin_dir / "python"), "-c", DEMO], cwd=elsewhere, env=env)
    assert "Lockout/Tagout Practitioner" in earned.stdout
    run([microbadge, "xapi", "export", "record.jsonl"], cwd=elsewhere, env=env)
    statements = [json.loads(line) for line in (elsewhere / "record.jsonl").read_text().splitlines()]
    base = f"http://127.0.0.1:{port}"
    (page,) = [
        s["result"]["extensions"][f"{base}/xapi/extensions/credential"]
        for s in statements
        if s["verb"]["display"]["en-US"] == "earned" and s["object"]["id"] == f"{base}/achievements/loto-practitioner"
    ]

    process = subprocess.Popen([microbadge, "serve"], cwd=elsewhere, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for_health(process, base) == {"status": "ok", "checks": {"database": "ok"}}
        html = fetch(page).decode()
        assert '<p class="status-word">Valid</p>' in html
        heading = r'<h1><a href="[^"]*/achievements/loto-practitioner">Lockout/Tagout Practitioner</a></h1>'
        assert re.search(heading, html), "named, and linked to its achievement page"
        assert fetch(f"{page}/image.png").startswith(b"\x89PNG\r\n\x1a\n")
        assert b"font-family" in fetch(f"{base}/static/site.css")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr

    run([microbadge, "credentials", "sample", "samples"], cwd=elsewhere, env=env)
    verdict = run([microbadge, "credentials", "verify", "samples/plant-operations.json"], cwd=elsewhere, env=env)
    assert verdict.stdout.startswith("VALID")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return response.read()


def wait_for_health(process: subprocess.Popen[str], base: str) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while True:
        try:
            return json.loads(fetch(f"{base}/healthz"))
        except OSError:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "serve did not answer /healthz within 60 s"
            time.sleep(0.3)
