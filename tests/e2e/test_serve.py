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

PROJECT_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_serve_publishes_the_issuer_and_stops_cleanly_on_sigterm(tmp_path):
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(tmp_path), "PORT": str(port), "PUBLIC_URL": "https://learn.example.com"}
    env.pop("DATABASE_URL", None)
    for name in ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "serve"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert get_json(f"{base}/healthz")["status"] == "ok"
                break
            except OSError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "serve did not start within 60 s"
                time.sleep(0.2)
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
