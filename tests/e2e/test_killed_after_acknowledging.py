"""`serve` killed (SIGKILL) moments after its webhook told Telegram "200, received": the learner's
answer must still count once the bot is started again, and they must get its feedback."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import httpx

from adapters.telegram.bot import TelegramSettings
from fakes.serving import free_port
from fakes.telegram_api import FakeTelegram, running_fake_telegram
from tests.conftest import FIXTURE_CONTENT
from tests.e2e.test_serve import start_serve, wait_until_healthy

TOKEN = "123456:KILLED-TOKEN-abcdefghijklmnop"
WEBHOOK = "https://bot.example.com/telegram/webhook"


class WebhookLearner:
    """A learner whose updates reach `serve` through its webhook, as Telegram would send them."""

    def __init__(self, fake: FakeTelegram, http: httpx.AsyncClient, user_id: int) -> None:
        self.fake, self.http, self.id = fake, http, user_id
        self.secret = TelegramSettings(token=TOKEN).secret
        self.pressed = 0  # the newest message whose button was pressed: the next press is on a newer one

    def texts(self) -> list[str]:
        return [c.result.get("text", "") for c in self.fake.messages_to(self.id) if c.method == "sendMessage"]

    async def post(self, update: dict[str, Any]) -> httpx.Response:
        response = await self.http.post("/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": self.secret})
        assert response.status_code == 200, response.text
        return response

    async def says(self, text: str) -> None:
        before = len(self.texts())
        await self.post(self.fake.make_text_update(self.id, text))
        await self.fake.wait_for(lambda f: len(self.texts()) > before, timeout=30)

    def button(self, label: str) -> tuple[dict[str, Any], str] | None:
        for call in reversed(self.fake.messages_to(self.id)):
            if call.result["message_id"] <= self.pressed:
                return None
            message = self.fake.message(self.id, call.result["message_id"]) or {}
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"].startswith(label) and "callback_data" in button:
                        return message, button["callback_data"]
        return None

    async def presses(self, label: str) -> None:
        """Press the button as soon as the bot has shown it (replies arrive paced, a second apart)."""
        await self.fake.wait_for(lambda f: self.button(label) is not None, timeout=30)
        found = self.button(label)
        assert found is not None
        message, data = found
        self.pressed = message["message_id"]
        await self.post(self.fake.make_callback_update(self.id, message, data))


def answers_recorded(database: Path, user_id: int) -> int:
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT COUNT(*) FROM events JOIN learners ON learners.id = events.learner_id"
            " WHERE learners.platform_user_id = ? AND events.kind = 'answered'",
            (str(user_id),),
        ).fetchone()[0]


async def test_an_answer_acknowledged_just_before_a_kill_counts_after_the_restart(tmp_path: Path):
    with running_fake_telegram(TOKEN) as fake:
        port = free_port()
        env = {
            **os.environ,
            "DATA_DIR": str(tmp_path),
            "PORT": str(port),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_WEBHOOK_URL": WEBHOOK,
            "CONTENT_DIR": str(FIXTURE_CONTENT),
        }
        for name in ("DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
            env.pop(name, None)
        base = f"http://127.0.0.1:{port}"
        process = start_serve(env)
        try:
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                for user_id, delay in ((4242, 0.0), (4243, 0.015), (4244, 0.030)):
                    await asyncio.to_thread(wait_until_healthy, process, base)
                    learner = WebhookLearner(fake, http, user_id)
                    await learner.says("/start")
                    for label in ("Europe", "Berlin", "08:00", "Start now", "Next", "Next"):
                        await learner.presses(label)

                    await learner.presses("2) Two")  # Telegram got its 200 ...
                    await asyncio.sleep(delay)
                    process.send_signal(signal.SIGKILL)  # ... and then the process died
                    process.wait(timeout=30)

                    process = start_serve(env)
                    # The answer's feedback shows on the answered question (an edit, not a new message).
                    # awaited in this iteration, so the loop's variables are the ones meant
                    await fake.wait_for(
                        lambda f: "✅ Correct!" in (f.message(user_id, learner.pressed) or {}).get("text", ""),  # noqa: B023
                        timeout=60,
                    )
                    assert answers_recorded(tmp_path / "bot.sqlite3", user_id) == 1, f"killed {delay * 1000:.0f} ms after the 200"
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                _, stderr = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                _, stderr = process.communicate()
    assert "Traceback" not in stderr
