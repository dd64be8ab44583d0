"""Runs the independent verifier (Digital Bazaar's libraries, tests/verifier/verify.mjs)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

VERIFIER = Path(__file__).resolve().parent / "verifier"
NOW = "2026-03-02T09:00:00Z"  # an hour after SIGNED_AT, well inside validFrom..validUntil


@dataclass(frozen=True)
class NodeVerifier:
    node: str
    tmp_path: Path

    def __call__(
        self,
        credential: dict[str, Any],
        *,
        did_documents: tuple[dict[str, Any], ...] = (),
        status_lists: tuple[dict[str, Any], ...] = (),
        now: str = NOW,
        stdin: bool = False,
    ) -> dict[str, Any]:
        arguments = ["-" if stdin else self._write("credential.json", credential)]
        for index, document in enumerate(did_documents):
            arguments += ["--did-document", self._write(f"did-{index}.json", document)]
        for index, document in enumerate(status_lists):
            arguments += ["--status-list", self._write(f"status-{index}.json", document)]
        completed = subprocess.run(
            [self.node, str(VERIFIER / "verify.mjs"), *arguments, "--now", now],
            input=json.dumps(credential) if stdin else None,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=VERIFIER,
        )
        assert completed.returncode in (0, 1), completed.stderr
        result = json.loads(completed.stdout)
        assert result["verified"] is (completed.returncode == 0)
        return result

    def _write(self, name: str, document: dict[str, Any]) -> str:
        path = self.tmp_path / name
        path.write_text(json.dumps(document), encoding="utf-8")
        return str(path)


def node_verifier(tmp_path: Path) -> NodeVerifier:
    """The verifier, or a skip (a failure in CI) saying what is missing."""
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node is not installed (apt-get install nodejs)"
    elif not (VERIFIER / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        problem = "the independent verifier's packages are not installed: run (cd tests/verifier && npm ci)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    return NodeVerifier(node=str(node), tmp_path=tmp_path)
