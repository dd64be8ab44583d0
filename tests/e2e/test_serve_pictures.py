"""`run_bot.py serve` with lesson pictures: a real process on a real port serves the content's
pictures at /media/ and uploads a card's picture to Telegram (the fake Bot API on loopback)."""

from __future__ import annotations

import asyncio
import os
import signal
import urllib.request
from pathlib import Path

from fakes.serving import free_port
from fakes.telegram_api import Upload, running_fake_telegram
from tests.e2e.test_serve import start_serve, wait_until_healthy
from tests.pictures import CHART_CAPTION, content_with_pictures
from tests.telegram.client import TelegramUser
from tests.telegram.test_telegram_bot import onboard

TOKEN = "123456:SERVE-TOKEN-abcdefghijklmnop"


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read()


async def test_serve_uploads_a_cards_picture_to_telegram_and_serves_it_at_media(tmp_path: Path) -> None:
    content = content_with_pictures(tmp_path / "content")
    with running_fake_telegram(TOKEN) as fake:
        port = free_port()
        env = {
            **os.environ,
            "DATA_DIR": str(tmp_path / "data"),
            "CONTENT_DIR": str(content),
            "PORT": str(port),
            "PUBLIC_URL": "https://learn.example.com",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake.base_url,
        }
        env.pop("DATABASE_URL", None)
        process = start_serve(env)
        try:
            wait_until_healthy(process, f"http://127.0.0.1:{port}")
            served = await asyncio.to_thread(fetch, f"http://127.0.0.1:{port}/media/tide-chart.png")
            ana = TelegramUser(fake, core=None)  # type: ignore[arg-type]  # no check is answered here
            await onboard(ana)
            await ana.presses("Start now")
            await fake.wait_for(lambda f: bool(f.sent("sendPhoto")), timeout=60)
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
    chart = (content / "media" / "tide-chart.png").read_bytes()
    assert served == (200, "image/png", chart)
    [photo] = fake.sent("sendPhoto")
    assert photo.result["caption"].endswith(f"🖼 {CHART_CAPTION}")
    assert isinstance(photo.params["photo"], Upload) and photo.params["photo"].data == chart
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
