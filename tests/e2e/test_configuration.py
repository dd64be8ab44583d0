"""Bad configuration as an operator meets it: every command stops with one line on stderr that
names the setting and what is wrong (exit code 2), never a traceback, never a secret, and
nothing is written. The default folders are the project's own, wherever the bot is started."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CONTENT, PROJECT_DIR

SECRET = "hunter2-db-secret"
CONFIG_ERROR = 2
COMMANDS = {
    "console": ["console"],
    "serve": ["serve"],
    "status": ["status"],
}
EVERY_COMMAND = {
    **COMMANDS,
    "db upgrade": ["db", "upgrade"],
    "people import": ["people", "import", "{csv}"],
    "report": ["report", "--from", "2026-03-01", "--to", "2026-03-31"],
    "xapi export": ["xapi", "export", "{out}"],
    "dashboard link": ["dashboard", "link", "telegram:4242"],
    "credentials revoke": ["credentials", "revoke", "some-id", "--reason", "issued in error"],
}
PLATFORM_VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_WEBHOOK_SECRET",
    "TELEGRAM_API_BASE_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "PUBLIC_URL",
    "KEYS_DIR",
    "DATABASE_URL",
    "LOG_FORMAT",
    "PORT",
    "HOST",
    "XAPI_ENDPOINT",
    "ANNOUNCE_CHANNEL",
    "TELEGRAM_ANNOUNCE_CHAT",
    "SLACK_ANNOUNCE_CHANNEL",
)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def run_bot(
    tmp_path: Path, command: list[str], env: dict[str, str], *, project: Path = PROJECT_DIR, cwd: Path | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in PLATFORM_VARIABLES and not k.startswith("NUDGE_")}
    environment |= {"CONTENT_DIR": str(FIXTURE_CONTENT), "DATA_DIR": str(tmp_path / "data"), "TZ": "UTC", **env}
    environment = {k: v for k, v in environment.items() if v is not None}
    csv = tmp_path / "people.csv"
    csv.write_text("platform,user_id,name,team,role,manages\ntelegram,4242,Ana,Crew,learner,\n", encoding="utf-8")
    args = [part.format(csv=csv, out=tmp_path / "out.jsonl") for part in command]
    return subprocess.run(
        [sys.executable, str(project / "run_bot.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd or tmp_path,
        timeout=120,
    )


def assert_refused(result: subprocess.CompletedProcess[str], line: str) -> None:
    assert (result.returncode, result.stderr, result.stdout) == (CONFIG_ERROR, line + "\n", "")


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write to: mode 555, and immutable when the tests run as root (root
    ignores the mode). Skipped where neither can be had."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = False
    if _writable(folder) and shutil.which("chattr"):
        immutable = subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    try:
        if _writable(folder):
            pytest.skip("cannot make a read-only folder here (root without chattr +i)")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def _writable(folder: Path) -> bool:
    try:
        (folder / "probe").touch()
    except OSError:
        return False
    (folder / "probe").unlink()
    return True


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"PORT": "abc"}, "PORT must be a whole number from 1 to 65535, not 'abc'"),
        ({"PORT": "99999"}, "PORT must be a whole number from 1 to 65535, not '99999'"),
        (
            {"DATABASE_URL": "nonsense"},
            "DATABASE_URL is not a database URL: use postgresql+asyncpg://user:password@host/database or sqlite:///path/to/file.sqlite3",
        ),
        (
            {"DATABASE_URL": f"mysql://bot:{SECRET}@db.example.com/bot"},
            "DATABASE_URL names a mysql database; the bot "
            "runs on PostgreSQL or SQLite: use postgresql+asyncpg://user:password@host/database or "
            "sqlite:///path/to/file.sqlite3",
        ),
        ({"PUBLIC_URL": "not a url"}, "PUBLIC_URL must be the web app's address, such as https://learn.example.com, not 'not a url'"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1-abcdefghijkl"},
            "SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: Slack "
            "needs both (the bot token and, from the app's Basic Information, the signing secret)",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP", "TELEGRAM_WEBHOOK_URL": "http://bot.example.com/telegram/webhook"},
            "TELEGRAM_WEBHOOK_URL must be an https:// address (Telegram sends webhooks over HTTPS only), such as "
            "https://bot.example.com/telegram/webhook, not 'http://bot.example.com/telegram/webhook'",
        ),
        ({"NUDGE_CONCURRENCY": "0"}, "NUDGE_CONCURRENCY must be a positive whole number, not '0'"),
        (
            {
                "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP",
                "SLACK_BOT_TOKEN": "xoxb-1-abcdefghijkl",
                "SLACK_SIGNING_SECRET": "0123456789abcdef",
                "ANNOUNCE_CHANNEL": "-1001234567890",
            },
            "ANNOUNCE_CHANNEL is set but both Telegram and Slack are configured: set TELEGRAM_ANNOUNCE_CHAT (the Telegram "
            "group's chat id) and SLACK_ANNOUNCE_CHANNEL (the Slack channel's id) instead",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP", "TELEGRAM_ANNOUNCE_CHAT": "C0123ABC"},
            "TELEGRAM_ANNOUNCE_CHAT must be a Telegram group's chat id (such as -1001234567890) or a channel's @username, not 'C0123ABC'",
        ),
    ],
    ids=[
        "port-abc",
        "port-99999",
        "url-nonsense",
        "mysql",
        "public-url",
        "slack-half",
        "webhook-http",
        "nudges",
        "announce-shared",
        "announce-slack-id-for-telegram",
    ],
)
def test_a_setting_that_cannot_be_used_is_one_line_naming_it(tmp_path, command, env, line):
    result = run_bot(tmp_path, command, env)
    assert_refused(result, line)
    assert not (tmp_path / "data").exists(), "nothing is written"


@pytest.mark.parametrize("command", EVERY_COMMAND.values(), ids=EVERY_COMMAND.keys())
def test_an_unreachable_database_is_one_line_naming_it_with_the_password_hidden(tmp_path, command):
    port = closed_port()
    result = run_bot(tmp_path, command, {"DATABASE_URL": f"postgresql://bot:{SECRET}@127.0.0.1:{port}/bot"})
    assert_refused(
        result,
        (
            f"DATABASE_URL=postgresql+asyncpg://bot:***@127.0.0.1:{port}/bot: cannot connect: the connection was refused; "
            "check that the server is running there and that the host, port, database name, user and password are right"
        ),
    )
    assert not (tmp_path / "data").exists(), "no issuer key or anything else is written"


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_read_only_data_dir_is_one_line_naming_it(tmp_path, read_only_folder, command):
    result = run_bot(tmp_path, command, {"DATA_DIR": str(read_only_folder)})
    assert result.returncode == CONFIG_ERROR and result.stdout == ""
    assert result.stderr in {
        f"DATA_DIR={read_only_folder}: cannot write {where} ({reason}): the folder must exist or be creatable, and be "
        "writable by this user\n"
        for where in (read_only_folder, read_only_folder / "bot.sqlite3")
        for reason in ("Permission denied", "Operation not permitted")
    }, result.stderr


@pytest.mark.parametrize("command", [["console"], ["serve"], ["credentials", "rotate-key"]], ids=str)
def test_an_unwritable_keys_dir_is_one_line_naming_it_and_the_database_is_not_created(tmp_path, read_only_folder, command):
    result = run_bot(tmp_path, command, {"KEYS_DIR": str(read_only_folder / "keys")})
    assert result.returncode == CONFIG_ERROR and result.stdout == ""
    assert result.stderr in {
        f"KEYS_DIR={read_only_folder / 'keys'}: the issuer key cannot be created in {read_only_folder} ({reason}): "
        "the folder must be writable by this user\n"
        for reason in ("Permission denied", "Operation not permitted")
    }, result.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("command", [["console"], ["serve"], ["credentials", "rotate-key"]], ids=str)
def test_an_unreadable_key_file_is_one_line_naming_keys_dir(tmp_path, command):
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    key = keys / "issuer-ed25519.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n", encoding="utf-8")
    key.chmod(0o600)
    result = run_bot(tmp_path, command, {"KEYS_DIR": str(keys)})
    assert_refused(
        result,
        f"KEYS_DIR={keys}: {key} is not a PEM private key; restore it from a backup (a new key "
        "would not verify the credentials signed so far)",
    )
    assert not (tmp_path / "data").exists()


def test_a_database_server_that_never_answers_is_reported_not_waited_on(tmp_path):
    """A server that takes the connection and then says nothing (a dropped network, a hung
    host): after CONNECT_TIMEOUT the command says so in one line, instead of asyncpg's minute
    (and a learner's message waits in the journal instead of holding the bot)."""
    import threading

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(silent.accept()[0]), daemon=True).start()
    url = f"postgresql://bot@127.0.0.1:{silent.getsockname()[1]}/bot"
    try:
        result = subprocess.run(  # the guard is far below asyncpg's default of 60 s
            [sys.executable, str(PROJECT_DIR / "run_bot.py"), "status"],
            capture_output=True,
            text=True,
            timeout=40,
            env={
                **{k: v for k, v in os.environ.items() if k not in PLATFORM_VARIABLES},
                "DATA_DIR": str(tmp_path / "data"),
                "DATABASE_URL": url,
            },
        )
    finally:
        silent.close()
        for connection in held:
            connection.close()
    assert (result.returncode, result.stdout) == (CONFIG_ERROR, "")
    assert result.stderr == (
        f"DATABASE_URL=postgresql+asyncpg://bot@127.0.0.1:{url.rsplit(':', 1)[1].split('/')[0]}/bot: "
        "cannot connect: no answer in time; check that the server is running there and that the "
        "host, port, database name, user and password are right\n"
    )
