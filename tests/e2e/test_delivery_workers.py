"""Three real `run_bot.py serve` processes deliver the daily nudge of 1,000 learners in several
timezones from one PostgreSQL database through one fake Telegram server. One worker is killed
with SIGKILL in the middle of sending a message; its claims expire and the others deliver them.
Every learner gets exactly one nudge, inside their own waking hours, and none is lost."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil
import pytest
from sqlalchemy import insert, select

from bot.store.database import create_engine
from bot.store.models import LearnerRow, NudgeRow
from fakes.serving import free_port
from fakes.telegram_api import running_fake_telegram
from fakes.zones import daytime_zones
from tests.support import found

PROJECT_DIR = Path(__file__).resolve().parents[2]
TOKEN = "123456:WORKERS-TOKEN-abcdefghijklmnop"
LEARNERS = 1000
pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]


async def seed(database_url: str, zones: list[str], now: datetime) -> None:
    """1,000 learners, every day a working day, each with a nudge due now (as the planner
    would have scheduled for a daily time of a minute ago)."""
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(
            insert(LearnerRow),
            [
                {
                    "platform": "telegram",
                    "platform_user_id": str(10_000 + i),
                    "display_name": f"L{i}",
                    "timezone": zones[i % len(zones)],
                    "timezone_confirmed": True,
                    "daily_time": "09:00",
                    "working_days": "1234567",
                    "announce": True,
                    "created_at": now,
                }
                for i in range(LEARNERS)
            ],
        )
        ids = list(await connection.scalars(select(LearnerRow.id).order_by(LearnerRow.id)))
        await connection.execute(
            insert(NudgeRow),
            [
                {
                    "learner_id": learner_id,
                    "kind": "daily",
                    "due_at": now - timedelta(seconds=60 - i * 0.01),
                    "status": "pending",
                    "attempts": 0,
                }
                for i, learner_id in enumerate(ids)
            ],
        )
    await engine.dispose()


def worker(database_url: str, data_dir: Path, base_url: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "PORT": str(free_port()),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
        # Several processes share one bot: Telegram then delivers updates by webhook, never by polling.
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.com/telegram/webhook",
        "NUDGE_INTERVAL_SECONDS": "0.2",
        "NUDGE_LEASE_SECONDS": "10",
        "NUDGE_BATCH": "25",
        # The three share one send rate through the database; the fake sets no limit here.
        "TELEGRAM_MESSAGES_PER_SECOND": "100",
    }
    return subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def owner_of_port(port: int, candidates: list[subprocess.Popen[str]]) -> subprocess.Popen[str]:
    for process in candidates:
        for connection in psutil.Process(process.pid).net_connections(kind="tcp"):
            if connection.laddr and connection.laddr.port == port:
                return process
    raise AssertionError(f"no worker holds local port {port}")


async def test_three_workers_one_killed_mid_send_every_learner_nudged_exactly_once(database_url, tmp_path):
    now = datetime.now(UTC)
    zones = daytime_zones(now)
    await seed(database_url, zones, now)
    victim_chat = 10_000 + LEARNERS // 2  # due in the middle of the run
    with running_fake_telegram(TOKEN) as fake:
        fake.hold_sends_to(victim_chat)
        workers = [worker(database_url, tmp_path, fake.base_url) for _ in range(3)]
        try:
            await fake.wait_for(lambda f: f.held_client_port is not None, timeout=120)
            # Every worker has its SIGTERM handling installed once it has set its webhook; one
            # still starting when the run ends would die of the test's SIGTERM instead.
            await fake.wait_for(lambda f: len(f.sent("setWebhook")) == 3, timeout=120)
            victim = owner_of_port(found(fake.held_client_port), workers)
            victim.send_signal(signal.SIGKILL)  # mid-send: the message is not yet delivered
            victim.wait(timeout=10)
            fake.release()
            chats = {str(10_000 + i) for i in range(LEARNERS)}

            def everyone_nudged(f) -> bool:
                return {str(c.chat_id) for c in f.sent("sendMessage")} >= chats

            await fake.wait_for(everyone_nudged, timeout=180)
            await asyncio.sleep(2)  # any second copy would arrive by now
        finally:
            for process in workers:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            stderr = {process.pid: process.communicate(timeout=30)[1] for process in workers}
        sends = [c for c in fake.sent("sendMessage") if str(c.chat_id) in chats]
        arrived = {c.chat_id: c for c in sends}
    assert victim.returncode == -signal.SIGKILL
    # The victim's held send, and any others it had under way (all held once the first arrived).
    assert fake.dropped_by_disconnect >= 1, "the killed worker's sends never reached the platform"
    assert len(sends) == LEARNERS == len(arrived), "every learner exactly one nudge: none lost, none twice"
    survivors = [p for p in workers if p is not victim]
    for process in survivors:
        assert process.returncode == 0, stderr[process.pid][-3000:]
    for call in sends:
        chat_id = call.chat_id
        assert chat_id is not None, call
        zone = ZoneInfo(zones[(int(chat_id) - 10_000) % len(zones)])
        sent_at = datetime.now(UTC) - timedelta(seconds=time.monotonic() - call.at)
        assert 8 <= sent_at.astimezone(zone).hour < 20, "inside the learner's waking hours"
        assert "5-minute lesson" in call.params["text"]
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        statuses = list(await connection.scalars(select(NudgeRow.status).where(NudgeRow.due_at <= now)))
    await engine.dispose()
    assert statuses.count("sent") == LEARNERS
