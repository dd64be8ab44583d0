"""`run_bot.py serve` as an operator starts it: a real process, on a real port, stopped by SIGTERM."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def start_serve(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "serve"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
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


async def test_serve_runs_the_telegram_bot_when_a_token_is_set(tmp_path):
    from tests.telegram.fake_api import running_fake_telegram

    token = "123456:SERVE-TOKEN-abcdefghijklmnop"
    with running_fake_telegram(token) as fake:
        port = free_port()
        env = {**os.environ, "DATA_DIR": str(tmp_path), "PORT": str(port), "TELEGRAM_BOT_TOKEN": token,
               "TELEGRAM_API_BASE_URL": fake.base_url, "ANNOUNCE_CHANNEL": "-100123", "LOG_FORMAT": "json"}
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

    from tests.slack import signing
    from tests.slack.fake_api import running_fake_slack

    secret = "serve-signing-secret-0123456789"
    with running_fake_slack(bot_token="xoxb-serve-token") as fake:
        fake.add_user("U0ANA", name="ana", tz="Asia/Tokyo")
        port = free_port()
        env = {**os.environ, "DATA_DIR": str(tmp_path), "PORT": str(port), "SLACK_BOT_TOKEN": "xoxb-serve-token",
               "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": fake.api_url}
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


@pytest.mark.parametrize(("name", "value", "says"), [
    ("NUDGE_CONCURRENCY", "0", "NUDGE_CONCURRENCY must be a positive whole number, not '0'"),
    ("NUDGE_BATCH", "fifty", "NUDGE_BATCH must be a positive whole number, not 'fifty'"),
    ("TELEGRAM_MESSAGES_PER_SECOND", "-5", "TELEGRAM_MESSAGES_PER_SECOND must be a positive number, not '-5'"),
])
def test_serve_refuses_an_unusable_setting_in_one_line(tmp_path, name, value, says):
    """A typo in a setting stops the start with its name (0 nudges at once would stall delivery
    for ever), not with a traceback."""
    env = {**os.environ, "DATA_DIR": str(tmp_path), "PORT": str(free_port()), name: value,
           "TELEGRAM_BOT_TOKEN": "123456:NOT-USED-abcdefghijklmnop", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot"}
    env.pop("DATABASE_URL", None)
    process = start_serve(env)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    assert f"Cannot start: {says}." in stderr
    assert "Traceback" not in stderr
