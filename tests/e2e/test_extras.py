"""Installs with fewer extras, as an operator meets them: the console needs no web framework, image
library or platform SDK; `serve` without a part it needs says in one line which extra to install;
a Telegram-only install serves Telegram. Real processes, on a Python that finds only the packages
such an install would have (a copy of this environment's site-packages without the others)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from fakes.serving import free_port
from tests.conftest import FIXTURE_CONTENT, PROJECT_DIR
from tests.e2e.test_serve import get_json

# What each extra adds, by import name (pyproject.toml [project.optional-dependencies]).
WEB = ("fastapi", "starlette", "uvicorn", "jinja2", "PIL", "httpx")
TELEGRAM = ("telegram", "aiolimiter")
SLACK = ("slack_bolt", "slack_sdk", "aiohttp")
PLATFORM_VARIABLES = (
    "DATABASE_URL",
    "PUBLIC_URL",
    "TELEGRAM_BOT_TOKEN",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "LOG_FORMAT",
    "COLUMNS",
)


def site_without(folder: Path, missing: tuple[str, ...]) -> Path:
    """A site-packages of links to this environment's, less the packages named (and their
    dist-info), as an install without those extras has it."""
    folder.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        if entry.name.split(".")[0].split("-")[0] in missing or entry.suffix == ".pth":
            continue
        (folder / entry.name).symlink_to(entry)
    return folder


def run_bot(
    *args: str, site: Path | None, tmp_path: Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """`run_bot.py ARGS` on the packages in `site` only (None: this whole environment)."""
    tmp_path.mkdir(exist_ok=True)
    return subprocess.run(
        _command(args, site), input=stdin, capture_output=True, text=True, timeout=120, env=_environment(tmp_path, site, env), cwd=tmp_path
    )


def _command(args: tuple[str, ...], site: Path | None) -> list[str]:
    # -S: not this environment's site-packages, only the folder on PYTHONPATH
    return [sys.executable, *(["-S"] if site else []), str(PROJECT_DIR / "run_bot.py"), *args]


def _environment(tmp_path: Path, site: Path | None, env: dict[str, str] | None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in PLATFORM_VARIABLES}
    environment |= {"DATA_DIR": str(tmp_path / "data"), "CONTENT_DIR": str(FIXTURE_CONTENT), "TZ": "UTC"}
    if site is not None:
        environment["PYTHONPATH"] = str(site)
    return environment | (env or {})


LESSON = "1\n\n\n2\n1,2\n/quit\n"


def test_the_console_needs_none_of_the_extras(tmp_path):
    """A console-only install: the same lesson, word for word, as with everything installed."""
    everything = run_bot("console", "--learner", "sam", site=None, tmp_path=tmp_path / "all", stdin=LESSON)
    alone = run_bot(
        "console",
        "--learner",
        "sam",
        site=site_without(tmp_path / "site", WEB + TELEGRAM + SLACK),
        tmp_path=tmp_path / "alone",
        stdin=LESSON,
    )
    assert everything.returncode == alone.returncode == 0, alone.stderr
    assert "Lesson complete: Tides. 2 of 2 correct." in alone.stdout
    assert alone.stdout == everything.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["console", "--learner", "sam"],
        ["status"],
        ["content", "check"],
        ["db", "upgrade"],
        ["credentials", "sample", "samples"],
        ["xapi", "export", "out.jsonl"],
        ["report", "--from", "2026-03-01", "--to", "2026-03-31"],
    ],
    ids=" ".join,
)
def test_commands_other_than_serve_import_no_web_framework_image_library_or_platform_sdk(tmp_path, command):
    """What a command imported, read from sys.modules as the process exits. aiohttp is left out:
    PyLD imports it for its document loader whenever it is installed (it is in the slack extra, so
    a console-only install does not have it: see the test above)."""
    modules = tmp_path / "modules.json"
    script = (
        "import atexit, json, runpy, sys\n"
        f"atexit.register(lambda: open({str(modules)!r}, 'w').write(json.dumps(sorted(sys.modules))))\n"
        f"sys.argv, sys.path[0] = [{str(PROJECT_DIR / 'run_bot.py')!r}, *sys.argv[1:]], {str(PROJECT_DIR)!r}\n"
        f"runpy.run_path(sys.argv[0], run_name='__main__')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *command],
        input="1\n\n/quit\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=_environment(tmp_path, None, None),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    imported = {name.split(".")[0] for name in json.loads(modules.read_text())}
    assert sorted(imported & {*WEB, *TELEGRAM, *SLACK} - {"aiohttp"}) == []
    assert "bot" in imported  # the scan saw the command's own modules


@pytest.mark.parametrize(
    ("missing", "env", "line"),
    [
        (
            WEB + TELEGRAM + SLACK,
            {},
            "Cannot start: the web app's packages are not installed (fastapi is missing): pip install 'microbadge[web]'.",
        ),
        (
            TELEGRAM,
            {"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP"},
            "Cannot start: TELEGRAM_BOT_TOKEN is set but "
            "Telegram's packages are not installed (telegram is missing): pip install 'microbadge[telegram]'.",
        ),
        (
            SLACK,
            {"SLACK_BOT_TOKEN": "xoxb-1-abcdefghijkl", "SLACK_SIGNING_SECRET": "s3cret"},
            "Cannot start: "
            "SLACK_BOT_TOKEN is set but Slack's packages are not installed (slack_bolt is missing): "
            "pip install 'microbadge[slack]'.",
        ),
    ],
    ids=["console-only", "no-telegram", "no-slack"],
)
def test_serve_without_a_part_it_needs_names_the_extra_in_one_line(tmp_path, missing, env, line):
    result = run_bot("serve", site=site_without(tmp_path / "site", missing), tmp_path=tmp_path, env=env)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", line + "\n")
    assert not (tmp_path / "data").exists(), "nothing is written"


async def test_a_telegram_only_install_serves_telegram(tmp_path):
    from fakes.telegram_api import running_fake_telegram

    token = "123456:EXTRAS-TOKEN-abcdefghijklmnop"
    site = site_without(tmp_path / "site", SLACK)
    with running_fake_telegram(token) as fake:
        port = free_port()
        env = _environment(tmp_path, site, {"PORT": str(port), "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": fake.base_url})
        # Popen returns once the process is started; it runs beside the fake while the test waits
        process = subprocess.Popen(  # noqa: ASYNC220
            _command(("serve",), site),
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            fake.user_sends_text(4242, "/start")
            await fake.wait_for(lambda f: len(f.messages_to(4242)) == 1, timeout=60)
            assert get_json(f"http://127.0.0.1:{port}/healthz") == {"status": "ok", "checks": {"database": "ok", "telegram": "ok"}}
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
