"""Runs the test wallet (Digital Bazaar's libraries, tests/wallet/wallet.mjs): a claim over a
VC-API exchange end to end, or just a signed DID Authentication presentation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

WALLET = Path(__file__).resolve().parent / "wallet"
VERIFIER = Path(__file__).resolve().parent / "verifier"
LCW_SUITE = "Ed25519Signature2020"  # what the Learner Credential Wallet signs its DIDAuth with
DATA_INTEGRITY = "eddsa-rdfc-2022"


@dataclass(frozen=True)
class NodeWallet:
    node: str

    def claim(
        self, claim_url: str, *, now: str, resolve: dict[str, str], suite: str = LCW_SUITE, vc_version: str = "1.0"
    ) -> dict[str, Any]:
        """The wallet's whole exchange; its JSON result (an `error` and `status` if refused)."""
        arguments = ["claim", claim_url, "--suite", suite, "--vc-version", vc_version, "--now", now]
        for public, local in resolve.items():
            arguments += ["--resolve", f"{public}={local}"]
        return self._run(arguments, allowed=(0, 1))

    def present(
        self, *, challenge: str, domain: str, now: str, suite: str = LCW_SUITE, vc_version: str = "1.0", holder: str | None = None
    ) -> dict[str, Any]:
        """{"did": the wallet's DID, "presentation": the signed DIDAuth presentation}."""
        arguments = ["present", "--challenge", challenge, "--domain", domain, "--suite", suite, "--vc-version", vc_version, "--now", now]
        if holder is not None:
            arguments += ["--holder", holder]
        return self._run(arguments, allowed=(0,))

    def _run(self, arguments: list[str], *, allowed: tuple[int, ...]) -> dict[str, Any]:
        completed = subprocess.run(
            [self.node, str(WALLET / "wallet.mjs"), *arguments], capture_output=True, text=True, timeout=120, cwd=WALLET
        )
        assert completed.returncode in allowed, f"exit {completed.returncode}: {completed.stderr}"
        result: dict[str, Any] = json.loads(completed.stdout)
        return result


def node_wallet() -> NodeWallet:
    """The wallet, or a skip (a failure in CI) saying what is missing."""
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node is not installed (apt-get install nodejs)"
    elif not (WALLET / "node_modules" / "@digitalbazaar" / "ed25519-signature-2020").is_dir():
        problem = "the test wallet's packages are not installed: run (cd tests/wallet && npm ci)"
    elif not (VERIFIER / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        problem = "the independent verifier's packages are not installed: run (cd tests/verifier && npm ci)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    return NodeWallet(node=str(node))
