"""`run_bot.py serve` as an operator starts it: a real process, on a real port, stopped by SIGTERM."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fakes.serving import free_port

PROJECT_DIR = Path(__file__).resolve().parents[2]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def start_serve(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_healthy(process: subprocess.Popen[str], base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            assert get_json(f"{base}/healthz")["status"] == "ok"
            return
        except OSError:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "serve did not start within 60 s"
            time.sleep(0.2)


def test_serve_publishes_the_issuer_and_stops_cleanly_on_sigterm(tmp_path):
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(tmp_path), "PORT": str(port), "PUBLIC_URL": "https://learn.example.com"}
    env.pop("DATABASE_URL", None)
    for name in ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        env.pop(name, None)
    process = start_serve(env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, base)
        did = get_json(f"{base}/.well-known/did.json")
        assert did["id"] == "did:web:learn.example.com"
        status_list = get_json(f"{base}/status/revocation")
        assert "BitstringStatusListCredential" in status_list["type"] and "proof" in status_list
        assert (tmp_path / "keys").is_dir(), "the issuer key is generated on first start, under DATA_DIR"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "Credentials:" not in stderr, "a public https address: every verifier can check what it issues"


def test_a_key_rotated_while_serve_runs_is_published_at_once_without_a_restart(tmp_path):
    """`credentials rotate-key` in another process: the running serve publishes the new key
    first and the retired one after it at its next request, and signs with the new one."""
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(tmp_path), "PORT": str(port), "PUBLIC_URL": "https://learn.example.com"}
    for name in ("DATABASE_URL", "KEYS_DIR", "TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        env.pop(name, None)
    process = start_serve(env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, base)
        [before] = [m["publicKeyMultibase"] for m in get_json(f"{base}/.well-known/did.json")["verificationMethod"]]
        command = [sys.executable, str(PROJECT_DIR / "run_bot.py"), "credentials", "rotate-key"]
        rotated = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert rotated.returncode == 0, rotated.stderr
        methods = [m["publicKeyMultibase"] for m in get_json(f"{base}/.well-known/did.json")["verificationMethod"]]
        assert len(methods) == 2 and methods[1] == before and methods[0] in rotated.stdout
        status_list = get_json(f"{base}/status/revocation")
        assert status_list["proof"][0]["verificationMethod"].endswith("#" + methods[0]), "signed with the new key"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr


@pytest.mark.parametrize(
    ("public_url", "says"),
    [
        (
            None,
            "WARNING adapters.service: Credentials: PUBLIC_URL is not set, so badges are signed with did:key and carry no revocation",
        ),
        ("http://127.0.0.1:8000", "WARNING adapters.service: Credentials: PUBLIC_URL http://127.0.0.1:8000 opens on this machine only"),
    ],
)
def test_serve_warns_when_the_public_could_not_check_its_credentials(tmp_path, public_url, says):
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(tmp_path), "PORT": str(port)}
    for name in ("DATABASE_URL", "PUBLIC_URL", "TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        env.pop(name, None)
    if public_url:
        env["PUBLIC_URL"] = public_url
    process = start_serve(env)
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    warning = [line for line in stderr.splitlines() if "Credentials:" in line]
    assert len(warning) == 1 and warning[0].startswith(says), stderr


async def test_serve_runs_the_telegram_bot_when_a_token_is_set(tmp_path):
    from fakes.telegram_api import running_fake_telegram

    token = "123456:SERVE-TOKEN-abcdefghijklmnop"
    with running_fake_telegram(token) as fake:
        port = free_port()
        env = {
            **os.environ,
            "DATA_DIR": str(tmp_path),
            "PORT": str(port),
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "ANNOUNCE_CHANNEL": "-100123",
            "LOG_FORMAT": "json",
        }
        env.pop("DATABASE_URL", None)
        process = start_serve(env)
        try:
            fake.user_sends_text(4242, "/start")
            await fake.wait_for(lambda f: len(f.messages_to(4242)) == 1, timeout=60)
            assert "where are you?" in fake.messages_to(4242)[0].result["text"]
            assert fake.sent("setMyCommands")
            health = get_json(f"http://127.0.0.1:{port}/healthz")
            assert health == {"status": "ok", "checks": {"database": "ok", "telegram": "ok"}}
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]  # LOG_FORMAT=json: one object a line
    assert any("receives updates by long polling" in line["message"] for line in lines)
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert token not in stderr and "Traceback" not in stderr


async def test_serve_answers_slack_at_slack_events_when_tokens_are_set(tmp_path):
    import httpx

    from fakes import slack_signing as signing
    from fakes.slack_api import running_fake_slack

    secret = "serve-signing-secret-0123456789"
    with running_fake_slack(bot_token="xoxb-serve-token") as fake:
        fake.add_user("U0ANA", name="ana", tz="Asia/Tokyo")
        port = free_port()
        env = {
            **os.environ,
            "DATA_DIR": str(tmp_path),
            "PORT": str(port),
            "SLACK_BOT_TOKEN": "xoxb-serve-token",
            "SLACK_SIGNING_SECRET": secret,
            "SLACK_API_URL": fake.api_url,
        }
        env.pop("DATABASE_URL", None)
        env.pop("TELEGRAM_BOT_TOKEN", None)
        process = start_serve(env)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(process, base)
            async with httpx.AsyncClient(base_url=base) as client:
                body = signing.event_callback(signing.message_im("U0ANA", "hi", channel=fake.dm_channel("U0ANA")))
                assert (await signing.post(client, "/slack/events", body, "wrong-secret")).status_code == 401
                assert (await signing.post(client, "/slack/events", body, secret)).status_code == 200
            await fake.wait_for(lambda f: len(f.messages_in(fake.dm_channel("U0ANA"))) == 1, timeout=30)
            assert "09:00 (Asia/Tokyo)" in str(fake.messages_in(fake.dm_channel("U0ANA"))[0].params)
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "/slack/events" in stderr
    assert "xoxb-serve-token" not in stderr and secret not in stderr and "Traceback" not in stderr


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("NUDGE_CONCURRENCY", "0", "NUDGE_CONCURRENCY must be a positive whole number, not '0'"),
        ("NUDGE_BATCH", "fifty", "NUDGE_BATCH must be a positive whole number, not 'fifty'"),
        ("TELEGRAM_MESSAGES_PER_SECOND", "-5", "TELEGRAM_MESSAGES_PER_SECOND must be a positive number, not '-5'"),
    ],
)
def test_serve_refuses_an_unusable_setting_in_one_line(tmp_path, name, value, says):
    """A typo in a setting stops the start with its name (0 nudges at once would stall delivery
    for ever), not with a traceback."""
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "PORT": str(free_port()),
        name: value,
        "TELEGRAM_BOT_TOKEN": "123456:NOT-USED-abcdefghijklmnop",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
    }
    env.pop("DATABASE_URL", None)
    process = start_serve(env)
    stdout, stderr = process.communicate(timeout=120)
    assert (process.returncode, stderr, stdout) == (2, says + "\n", "")
    assert not (tmp_path / "bot.sqlite3").exists(), "refused before anything is written"


# --- secrets never printed, /healthz says only ok or down -------------------------------------


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_token_telegram_refuses_is_never_printed(tmp_path, log_format):
    """PTB's InvalidToken quotes the token; neither it nor any other secret may reach the terminal."""
    from fakes.telegram_api import running_fake_telegram

    token, lrs_password = "123456:REFUSED-TOKEN-abcdefghijklmnop", "lrs-password-0123456789"
    with running_fake_telegram("654321:THE-BOTS-REAL-TOKEN") as fake:
        env = {
            **os.environ,
            "DATA_DIR": str(tmp_path),
            "PORT": str(free_port()),
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "LOG_FORMAT": log_format,
            "XAPI_ENDPOINT": f"http://127.0.0.1:{free_port()}/xapi",
            "XAPI_USERNAME": "bot",
            "XAPI_PASSWORD": lrs_password,
        }
        env.pop("DATABASE_URL", None)
        process = start_serve(env)
        stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    said = "Cannot start: Telegram refused TELEGRAM_BOT_TOKEN (InvalidToken): copy the token from @BotFather again."
    last = stderr.splitlines()[-1]
    assert (json.loads(last)["message"] if log_format == "json" else last) == said
    for secret in (token, token.split(":")[1], lrs_password):
        assert secret not in stdout + stderr


async def test_healthz_says_a_platform_is_down_without_its_error(tmp_path):
    """A token Telegram stops accepting: PTB's error quotes the token; /healthz must not."""
    from fakes.telegram_api import running_fake_telegram

    token = "123456:HEALTH-TOKEN-abcdefghijklmnop"
    with running_fake_telegram(token) as fake:
        port = free_port()
        env = {
            **os.environ,
            "DATA_DIR": str(tmp_path),
            "PORT": str(port),
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
        }
        env.pop("DATABASE_URL", None)
        process = start_serve(env)
        try:
            fake.user_sends_text(4242, "/start")
            await fake.wait_for(lambda f: len(f.messages_to(4242)) == 1, timeout=60)  # started
            fake.fail_next("getMe", status=401, description="Unauthorized")
            status, body = get_raw(f"http://127.0.0.1:{port}/healthz")
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = process.communicate(timeout=30)
    assert (status, json.loads(body)) == (503, {"status": "unhealthy", "checks": {"database": "ok", "telegram": "down"}})
    assert "WARNING web.health: Health check: telegram is down (InvalidToken: " in stderr, "the log keeps the detail"
    assert token not in body + stdout + stderr


async def test_healthz_says_the_database_is_down_without_host_port_or_error(tmp_path, postgres_database):
    from sqlalchemy.engine import make_url

    password = "pg-password-0123456789"
    target = make_url(postgres_database)
    with CuttableRelay(target.host or "127.0.0.1", target.port or 5432) as relay:
        url = target.set(host="127.0.0.1", port=relay.port, password=password).render_as_string(hide_password=False)
        port = free_port()
        env = {**os.environ, "DATA_DIR": str(tmp_path), "PORT": str(port), "DATABASE_URL": url}
        for name in ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
            env.pop(name, None)
        process = start_serve(env)
        try:
            wait_until_healthy(process, f"http://127.0.0.1:{port}")
            relay.cut()  # the database goes away
            status, body = get_raw(f"http://127.0.0.1:{port}/healthz")
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = process.communicate(timeout=60)
    assert (status, body) == (503, '{"status":"unhealthy","checks":{"database":"down"}}')
    assert "WARNING web.health: Health check: database is down (" in stderr, "the log keeps the detail"
    assert f"Database: postgresql+asyncpg://postgres:***@127.0.0.1:{relay.port}/" in stderr, "said at start"
    assert password not in stdout + stderr


def test_the_sqlite_database_is_private_and_said_at_start(tmp_path):
    """The file (with its WAL and shared-memory files) 0600, its folder 0700, whatever the umask;
    serve says which database and which issuer key it uses."""
    data = tmp_path / "fresh" / "data"
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(data), "PORT": str(port)}
    for name in ("DATABASE_URL", "KEYS_DIR", "PUBLIC_URL", "TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.umask(0o022),
    )
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}")
        modes = {path.name: path.stat().st_mode & 0o777 for path in [data, *data.glob("bot.sqlite3*")]}
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert modes == {"data": 0o700, "bot.sqlite3": 0o600, "bot.sqlite3-wal": 0o600, "bot.sqlite3-shm": 0o600}
    key = next(line for line in stderr.splitlines() if "Issuer key:" in line)
    assert stderr.splitlines()[:2] == [
        f"WARNING run_bot: Database: sqlite+aiosqlite:///{data / 'bot.sqlite3'}",
        key,
    ]
    assert key.startswith(f"WARNING run_bot: Issuer key: {data / 'keys' / 'issuer-ed25519.pem'} (did:key:z6Mk")


def get_raw(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class CuttableRelay:
    """A TCP relay on 127.0.0.1 to a database server that can be cut: an outage for one process
    without stopping the server other tests use. Cut, it closes every connection and refuses new ones."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._cut = False

    def __enter__(self) -> CuttableRelay:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.cut()

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            for sock in [self._listener, *self._sockets]:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # cut
            upstream = socket.create_connection(self._target)
            with self._lock:
                if self._cut:
                    client.close()
                    upstream.close()
                    return
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)


def test_serve_says_at_start_when_its_content_has_warnings(tmp_path):
    """A translation left behind its source is set aside (its learners read the source): the content
    loads, and the operator is told once, in one line, where `content check` would say more."""
    content = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "tests" / "fixtures" / "content", content)
    lesson = content / "lessons" / "tides.md"
    lesson.write_text(lesson.read_text().replace("## Spring and neap\nSpring tides are the biggest; neap tides the smallest.\n\n", ""))
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data"), "PORT": str(port), "CONTENT_DIR": str(content)}
    env.pop("DATABASE_URL", None)
    for name in ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "TEAMS_APP_ID", "TEAMS_APP_PASSWORD"):
        env.pop(name, None)
    process = start_serve(env)
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    [said] = [line for line in stderr.splitlines() if line.startswith("WARNING adapters.wiring: Content:")]
    first = f"{content}/lessons/de/tides.md:1: "
    assert said.startswith(f"WARNING adapters.wiring: Content: 2 warning(s), `content check {content}` lists them; the first: {first}")
