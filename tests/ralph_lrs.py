"""Ralph (`ralph-malph` on PyPI), a learning record store that organisations run, started on
127.0.0.1 for the LRS test tier (tests/integration/test_ralph_lrs.py): statements the bot forwards
are stored and read back by a server we did not write.

Ralph's `lrs` extra pins FastAPI, Starlette, uvicorn and httpx older than the project's, so it
lives in a venv of its own: `.venv-ralph` beside `.venv` (or the Python named by RALPH_PYTHON),
installed from tests/ralph/requirements.lock (`.ci/run` does it). It runs its filesystem backend
(statements in a JSON-lines file in a temporary folder: no service needed) with HTTP basic auth
from a credentials file written here, as `uvicorn ralph.api:app`, which is what `ralph runserver`
starts. Without it the tier skips and says how to install it; in CI (CI set) it fails instead.

Ralph's other backends need Elasticsearch, MongoDB or a ClickHouse newer than Debian's: none runs
here. Its filesystem backend, as released (5.1.0), stores the first POST only: it writes each POST
with "create", which refuses a file that exists, and answers 500 to every later POST. SERVE
changes that one thing, the backend's write mode, to "append"; the HTTP API, authentication,
validation, the handling of repeated ids and the queries are Ralph's own code, unchanged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urljoin

import httpx
import pytest

from fakes.serving import free_port

PROJECT_DIR = Path(__file__).resolve().parents[1]
RALPH_VENV = PROJECT_DIR / ".venv-ralph"
INSTALL = "python3 -m venv .venv-ralph && .venv-ralph/bin/pip install --require-hashes -r tests/ralph/requirements.lock"
STORE_FILE = "fs_lrs.jsonl"  # the filesystem backend's file of statements (FSLRSBackendSettings.DEFAULT_LRS_FILE)
Statement = dict[str, Any]
SERVE = """
import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND  # see tests/ralph_lrs.py
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]))
"""


@dataclass(frozen=True)
class Ralph:
    base_url: str
    username: str
    password: str
    store_dir: Path
    log_path: Path

    @property
    def endpoint(self) -> str:
        """XAPI_ENDPOINT for the bot: statements go to <endpoint>/statements."""
        return f"{self.base_url}/xAPI/"

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, auth=(self.username, self.password), headers={"X-Experience-API-Version": "1.0.3"}, timeout=30
        )

    def statements(self, page: int = 25) -> list[Statement]:
        """Every statement Ralph stored, read back with GET /xAPI/statements a page at a time
        (following its `more` links)."""
        found: list[Statement] = []
        with self.client() as client:
            url = f"/xAPI/statements?limit={page}"
            for _ in range(10_000):
                answer = client.get(url)
                assert answer.status_code == 200, answer.text
                body = answer.json()
                found += body["statements"]
                if not body.get("more"):
                    return found
                url = urljoin(f"{self.base_url}/xAPI/statements", body["more"])
        raise AssertionError("Ralph kept answering with more pages")

    def clear(self) -> None:
        """Forget every statement (each test starts with an empty store)."""
        (self.store_dir / STORE_FILE).unlink(missing_ok=True)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def ralph_python() -> str | None:
    """The Python that has Ralph: RALPH_PYTHON, else .venv-ralph's; None when there is none."""
    python = os.environ.get("RALPH_PYTHON") or str(RALPH_VENV / "bin" / "python")
    return shutil.which(python)


def unavailable(problem: str) -> NoReturn:
    """A skip that says what is missing; in CI, where the tier must run, a failure."""
    if os.environ.get("CI"):
        pytest.fail(problem)
    pytest.skip(problem)


@contextmanager
def running_ralph(folder: Path, username: str = "forwarder", password: str = "ralph-secret-pass-0421") -> Iterator[Ralph]:
    python = ralph_python()
    if python is None:
        unavailable(f"Ralph (the real LRS) is not installed: run `{INSTALL}` (or set RALPH_PYTHON)")
    hashed = subprocess.run(
        [python, "-c", "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())", password],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if hashed.returncode != 0:
        unavailable(f"Ralph's Python {python} cannot hash a password (is Ralph installed there? `{INSTALL}`): {hashed.stderr[-500:]}")
    auth_file, store_dir, log_path = folder / "auth.json", folder / "statements", folder / "ralph.log"
    store_dir.mkdir(parents=True, exist_ok=True)
    user = {
        "username": username,
        "hash": hashed.stdout.strip(),
        "scopes": ["statements/write", "statements/read"],
        "agent": {"account": {"homePage": "https://lrs.example.com", "name": username}},
    }
    auth_file.write_text(json.dumps([user]), encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if not name.startswith("RALPH_")}
    env |= {
        "RALPH_APP_DIR": str(folder),
        "RALPH_AUTH_FILE": str(auth_file),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(store_dir),
    }
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [python, "-c", SERVE, str(port)],
            cwd=folder,  # Ralph reads a .env from where it runs: none here
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    ralph = Ralph(base_url=base_url, username=username, password=password, store_dir=store_dir, log_path=log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                unavailable(f"Ralph exited with {process.returncode} before answering:\n{ralph.log()[-2000:]}")
            try:
                if httpx.get(f"{base_url}/__heartbeat__", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                unavailable(f"Ralph did not answer on {base_url} within 60 s:\n{ralph.log()[-2000:]}")
            time.sleep(0.05)
        yield ralph
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
