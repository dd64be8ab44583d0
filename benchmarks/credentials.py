"""Credentials signed and verified per second, and claimed into a wallet, against a bare
Ed25519 signature, in one run.

Signing a credential = build the OpenBadgeCredential, canonicalize it and its proof
configuration with RDFC-1.0 (pyld), hash, sign with Ed25519. The baseline signs the same
credential's JSON bytes with the same key and nothing else.

Claiming into a wallet = the issuer's whole VC-API exchange (web/routes_wallet.py) over ASGI on a
SQLite file, one claim link per credential: POST {} (the link looked up, the DID Authentication
request), then POST the wallet's presentation (the link looked up again, the presentation's
eddsa-rdfc-2022 proof verified, the credential bound to the wallet's DID and signed, the award
checked and the link spent in one transaction). The wallets' presentations are signed before the
clock starts (that is the wallet's work); every returned credential is checked afterwards (it
verifies, names its wallet's DID) and every link must be spent.

    python benchmarks/credentials.py            # 200 credentials (and 200 claims)
    python benchmarks/credentials.py --count 500
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bot.clock import ManualClock
from bot.events import LearnerRef
from bot.records import Award
from bot.store.database import create_engine, create_sessionmaker
from bot.store.migrate import upgrade
from bot.store.store import SqlStore
from bot.team import token_hash
from bot.wallet_claims import claim_link
from content.loader import load_curriculum
from content.model import Curriculum
from credentials.data_integrity import CRYPTOSUITE, PROOF_TYPE, hashing, proof_configuration, transformation
from credentials.documents import BundledDocumentLoader
from credentials.issuer import IssuerIdentity
from credentials.issuing import VC_CONTEXT, AwardFacts, build_credential, hashed_identity
from credentials.keys import IssuerKey, did_key, did_key_verification_method, multibase_base58btc
from credentials.wallet import challenge_for, domain_of
from web.app import create_app

CONTENT = Path(__file__).resolve().parents[1] / "content"
AWARDED = datetime(2026, 4, 3, 9, 30, tzinfo=UTC)


def shipped_curriculum() -> Curriculum:
    curriculum = load_curriculum(CONTENT).curriculum
    if curriculum is None:
        raise SystemExit("the shipped content has problems: run `python run_bot.py content check`")
    return curriculum


def credentials(issuer: IssuerIdentity, count: int) -> list[dict]:
    curriculum = shipped_curriculum()
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


def did_authentication(wallet: IssuerKey, *, challenge: str, domain: str, created: datetime) -> dict[str, Any]:
    """A wallet's DID Authentication presentation (Data Integrity eddsa-rdfc-2022, purpose
    authentication, over the exchange's challenge and domain), signed with a did:key of its own."""
    loader = BundledDocumentLoader()
    presentation = {"@context": [VC_CONTEXT], "type": ["VerifiablePresentation"], "holder": did_key(wallet.public_key)}
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": did_key_verification_method(wallet.public_key),
        "proofPurpose": "authentication",
        "challenge": challenge,
        "domain": domain,
    }
    config = proof_configuration(options, document_context=presentation["@context"], document_loader=loader)
    signature = wallet.sign(hashing(transformation(presentation, options=options, document_loader=loader), config))
    return {**presentation, "proof": {**options, "proofValue": multibase_base58btc(signature)}}


async def wallet_claims(issuer: IssuerIdentity, signed: list[dict[str, Any]]) -> float:
    """Seconds for the issuer's side of one wallet exchange per credential, end to end over ASGI;
    SystemExit when a claim did not do all its work."""
    now = AWARDED + timedelta(days=1)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        await asyncio.to_thread(upgrade, url)
        engine = create_engine(url)
        store = SqlStore(create_sessionmaker(engine))
        try:
            tokens: list[str] = []
            async with store.transaction() as tx:
                learner, _ = await tx.learners.locked(LearnerRef("bench", "learner"), now=now)
                for n, credential in enumerate(signed):
                    award = Award(
                        public_id=credential["id"].removeprefix("urn:uuid:"),
                        learner_id=learner.id,
                        definition_id="loto-practitioner",
                        kind="badge",
                        renewal=n,
                        awarded_at=AWARDED,
                        valid_until=AWARDED + timedelta(days=365),
                        evidence={},
                    )
                    await tx.awards.add(award)
                    await tx.awards.store_credential(award.id, credential)
                    award.credential = credential
                    link = await claim_link(tx, award, base_url=issuer.links.base_url, now=now)
                    assert link is not None
                    tokens.append(link.rpartition("/")[2])
            wallets = [IssuerKey.generate() for _ in tokens]
            domain = domain_of(issuer.links.base_url)
            answers = [
                did_authentication(wallet, challenge=challenge_for(token), domain=domain, created=now)
                for wallet, token in zip(wallets, tokens, strict=True)
            ]
            app = create_app(store=store, curriculum=shipped_curriculum(), issuer=issuer, clock=ManualClock(now))
            received = []
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
                started = time.perf_counter()
                for token, answer in zip(tokens, answers, strict=True):
                    request = await client.post(f"/wallet/exchanges/{token}", json={})
                    response = await client.post(f"/wallet/exchanges/{token}", json={"verifiablePresentation": answer})
                    received.append((request.status_code, response.status_code, response.json()))
                seconds = time.perf_counter() - started
            for (first, second, body), wallet in zip(received, wallets, strict=True):
                if (first, second) != (200, 200):
                    raise SystemExit(f"a claim was refused: {first}, {second}: {body}")
                [credential] = body["verifiablePresentation"]["verifiableCredential"]
                if credential["credentialSubject"]["id"] != did_key(wallet.public_key) or not issuer.verify(credential).ok:
                    raise SystemExit("a claimed credential does not verify or does not name its wallet")
            async with store.transaction() as tx:
                claims = [await tx.wallet.find(token_hash(token)) for token in tokens]
            if not all(claim is not None and claim.used_at is not None for claim in claims):
                raise SystemExit("a claim link was not spent")
            return seconds
        finally:
            await engine.dispose()


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

    claiming = asyncio.run(wallet_claims(issuer, signed))

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"command: python benchmarks/credentials.py --count {args.count}\n")
    print("| operation | per second | time vs bare Ed25519 signature |")
    print("|---|---|---|")
    print(f"| bare Ed25519 signature of the JSON bytes (baseline) | {rate(args.count, bare):.0f} | 1.00x |")
    print(f"| sign an OpenBadgeCredential (eddsa-rdfc-2022) | {rate(args.count, signing):.0f} | {signing / bare:.0f}x |")
    print(f"| verify it | {rate(args.count, verifying):.0f} | {verifying / bare:.0f}x |")
    print(
        f"| claim it into a wallet: the VC-API exchange over ASGI on SQLite (start, verify the DIDAuth presentation, "
        f"sign the bound copy, spend the link) | {rate(args.count, claiming):.0f} | {claiming / bare:.0f}x |"
    )


if __name__ == "__main__":
    main()
