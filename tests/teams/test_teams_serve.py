"""`run_bot.py serve` with Microsoft Teams configured: a real process on a real port answers the
fake Bot Connector at /api/messages, next to everything else it serves; a bad TEAMS_* setting
stops it in one line before anything is written; the secret is never printed."""

from __future__ import annotations

import asyncio
import os
import signal

import httpx
import pytest

from fakes.serving import free_port
from fakes.teams_connector import running_fake_connector, text_of
from tests.e2e.test_serve import start_serve, wait_until_healthy

APP_ID = "0c5e8a2f-7d41-4b9e-a3c6-58f1e2d4b7a9"
PASSWORD = "serve-client-secret-7Yq~w"
TENANT = "3e2d1c0b-9a8f-4e7d-b6c5-a4b3c2d1e0f9"
PLATFORM_VARIABLES = ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL")


def environment(tmp_path: object, port: int, **teams: str) -> dict[str, str]:
    env = {**os.environ, "DATA_DIR": str(tmp_path), "PORT": str(port), **teams}
    for name in PLATFORM_VARIABLES:
        env.pop(name, None)
    return env


async def test_serve_answers_teams_at_api_messages_and_refuses_a_forged_token(tmp_path):
    with running_fake_connector(app_id=APP_ID, app_password=PASSWORD, tenant_id=TENANT) as fake:
        port = free_port()
        env = environment(
            tmp_path,
            port,
            TEAMS_APP_ID=APP_ID,
            TEAMS_APP_PASSWORD=PASSWORD,
            TEAMS_TENANT_ID=TENANT,
            TEAMS_SERVICE_URL=fake.service_url,
            TEAMS_LOGIN_URL=fake.login_url,
            TEAMS_OPENID_METADATA_URL=fake.openid_metadata_url,
        )
        process = start_serve(env)
        base = f"http://127.0.0.1:{port}"
        try:
            await asyncio.to_thread(wait_until_healthy, process, base)
            activity = fake.activity("29:kim", text="hi", name="Kim", localTimezone="Asia/Tokyo")
            async with httpx.AsyncClient(base_url=base) as client:
                forged = fake.signed(activity, audience="00000000-0000-0000-0000-000000000000")
                assert (await client.post("/api/messages", json=activity, headers=forged)).status_code == 401
                assert fake.calls() == []
                assert (await client.post("/api/messages", json=activity, headers=fake.signed(activity))).status_code == 200
                for _ in range(300):
                    if fake.activities(fake.personal("29:kim")):
                        break
                    await asyncio.sleep(0.1)
                [greeting] = fake.activities(fake.personal("29:kim"))
                assert "Hi Kim!" in text_of(greeting) and "09:00 (Asia/Tokyo)" in text_of(greeting)
                health = (await client.get("/healthz")).json()
                assert "teams" in str(health)
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == 0, stderr
    assert "/api/messages" in stderr
    assert PASSWORD not in stderr and "Traceback" not in stderr


@pytest.mark.parametrize(
    ("teams", "says"),
    [
        ({"TEAMS_APP_ID": "my-bot"}, "TEAMS_APP_ID must be the bot's Microsoft app id, a GUID"),
        ({"TEAMS_APP_ID": APP_ID}, "TEAMS_APP_ID is set but TEAMS_APP_PASSWORD is not"),
        ({"TEAMS_APP_PASSWORD": PASSWORD}, "TEAMS_APP_PASSWORD is set but TEAMS_APP_ID is not"),
        ({"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": PASSWORD, "TEAMS_TENANT_ID": "contoso"}, "TEAMS_TENANT_ID must be"),
        (
            {"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": PASSWORD, "TEAMS_ANNOUNCE_CONVERSATION": "General"},
            "TEAMS_ANNOUNCE_CONVERSATION must be a team channel's conversation id",
        ),
        ({"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": PASSWORD, "TEAMS_SERVICE_URL": "smba"}, "TEAMS_SERVICE_URL must be an http(s)"),
        (
            {"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": PASSWORD, "CLIENT_SECRET": "another-programs"},
            "CLIENT_SECRET is set in the environment",
        ),
    ],
)
def test_a_bad_teams_setting_stops_serve_in_one_line(tmp_path, teams, says):
    process = start_serve(environment(tmp_path, free_port(), **teams))
    stdout, stderr = process.communicate(timeout=120)
    assert (process.returncode, stdout) == (2, "")
    assert stderr.startswith(says) and stderr.count("\n") == 1, stderr
    assert PASSWORD not in stderr
    assert not (tmp_path / "bot.sqlite3").exists() and not (tmp_path / "keys").exists(), "refused before anything is written"
