"""Credentials signed and verified per second, against a bare Ed25519 signature, in one run.

Signing a credential = build the OpenBadgeCredential, canonicalize it and its proof
configuration with RDFC-1.0 (pyld), hash, sign with Ed25519. The baseline signs the same
credential's JSON bytes with the same key and nothing else.

    python benchmarks/credentials.py            # 200 credentials
    python benchmarks/credentials.py --count 500
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from content.loader import load_curriculum
from credentials.issuer import IssuerIdentity
from credentials.issuing import AwardFacts, build_credential, hashed_identity
from credentials.keys import IssuerKey

CONTENT = Path(__file__).resolve().parents[1] / "content"
AWARDED = datetime(2026, 4, 3, 9, 30, tzinfo=UTC)


def credentials(issuer: IssuerIdentity, count: int) -> list[dict]:
    curriculum = load_curriculum(CONTENT).curriculum
    if curriculum is None:
        raise SystemExit("the shipped content has problems: run `python run_bot.py content check`")
    definition = curriculum.credentials["loto-practitioner"]
    return [
        build_credential(
            award=AwardFacts(
                public_id=f"00000000-0000-4000-8000-{n:012d}",
                definition_id=definition.id,
                awarded_at=AWARDED,
                valid_until=AWARDED + timedelta(days=365),
                status_index=n,
                evidence={
                    "lessons": {"lockout-tagout": "2026-03-09"},
                    "mastery": {"energy-isolation": 0.9},
                    "rechecks": {"energy-isolation": ["2026-03-11", "2026-03-25"]},
                    "badges": [],
                },
                stacked_credentials={},
            ),
            curriculum=curriculum,
            issuer=issuer.profile,
            names=issuer.names,
            subject_identity=hashed_identity(f"telegram:{n}", salt=f"salt{n}"),
        )
        for n in range(count)
    ]


def rate(count: int, seconds: float) -> float:
    return count / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    issuer = IssuerIdentity.create(key=IssuerKey.generate(), name="Bench Academy", public_url=None, local_url="http://127.0.0.1:8000")
    documents = credentials(issuer, args.count)

    started = time.perf_counter()
    for document in documents:
        issuer.key.sign(json.dumps(document, sort_keys=True).encode())
    bare = time.perf_counter() - started

    started = time.perf_counter()
    signed = [issuer.sign(document, created=AWARDED) for document in documents]
    signing = time.perf_counter() - started

    started = time.perf_counter()
    results = [issuer.verify(document) for document in signed]
    verifying = time.perf_counter() - started
    if not all(result.ok for result in results):
        raise SystemExit("a signed credential failed to verify")

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"command: python benchmarks/credentials.py --count {args.count}\n")
    print("| operation | per second | time vs bare Ed25519 signature |")
    print("|---|---|---|")
    print(f"| bare Ed25519 signature of the JSON bytes (baseline) | {rate(args.count, bare):.0f} | 1.00x |")
    print(f"| sign an OpenBadgeCredential (eddsa-rdfc-2022) | {rate(args.count, signing):.0f} | {signing / bare:.0f}x |")
    print(f"| verify it | {rate(args.count, verifying):.0f} | {verifying / bare:.0f}x |")


if __name__ == "__main__":
    main()
