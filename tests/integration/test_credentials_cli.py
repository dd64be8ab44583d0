"""`run_bot.py credentials revoke`, `rotate-key`, `sample` and `verify`, as an operator runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.cli.credentials import write_samples
from bot.records import Award
from content.loader import load_curriculum
from credentials.data_integrity import verify
from credentials.issuer import IssuerIdentity
from credentials.keys import DidDocumentKeys, IssuerKey
from credentials.keystore import KeyStore
from credentials.schema import validate_achievement_credential
from credentials.status_list import signed_status_list
from tests.conftest import PROJECT_DIR
from tests.node_verifier import NodeVerifier
from tests.support import Chat


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


async def give_badge(core, store, clock) -> str:
    chat = Chat(core)
    await chat.start()
    public_id = str(uuid.uuid4())
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        await tx.awards.add(
            Award(
                public_id=public_id,
                learner_id=learner.id,
                definition_id="deckhand",
                kind="badge",
                renewal=0,
                awarded_at=clock.now() - timedelta(days=1),
                valid_until=None,
                evidence={},
            )
        )
    return public_id


async def test_revoke_flips_the_record_and_the_badge_stops_counting(core, store, clock, database_url):
    public_id = await give_badge(core, store, clock)
    chat = Chat(core)
    await chat.command("path")
    assert "Mariner Certificate** (certificate): 1 of 1 requirements met" in chat.text

    result = run(
        "credentials",
        "revoke",
        f"https://learn.example.com/credentials/{public_id}",
        "--reason",
        "issued in error",
        env={"DATABASE_URL": database_url},
    )
    assert result.returncode == 0, result.stderr
    assert f"Revoked credential {public_id}" in result.stdout
    async with store.transaction() as tx:
        award = await tx.awards.by_public_id(public_id)
        assert award.revoked_at is not None and award.revocation_reason == "issued in error"
        assert await tx.awards.revoked_indices() == [award.id]
    await chat.command("path")
    assert "still needs: Hold Deckhand" in chat.text

    again = run("credentials", "revoke", public_id, "--reason", "twice", env={"DATABASE_URL": database_url})
    assert again.returncode == 0 and "already revoked" in again.stdout


async def test_revoking_an_unknown_id_says_so(database_url):
    result = run("credentials", "revoke", "no-such-id", "--reason", "x", env={"DATABASE_URL": database_url})
    assert result.returncode == 1
    assert "No credential has the id 'no-such-id'" in result.stderr
    assert "Traceback" not in result.stderr


def test_rotate_key_keeps_only_the_old_public_key(tmp_path):
    keys = KeyStore(tmp_path / "keys")
    old = keys.load_or_create()
    result = run("credentials", "rotate-key", env={"KEYS_DIR": str(tmp_path / "keys")})
    assert result.returncode == 0, result.stderr
    assert "The old key can no longer sign (its private half is destroyed); 1 retired public key(s) stay" in result.stdout
    assert keys.load_or_create().public_key_multibase != old.public_key_multibase
    assert keys.retired() == [old.public_key]
    assert not list((tmp_path / "keys" / "retired").glob("*.pem")), "no private key of the retired one is left"


# --- credentials sample: demo credentials from a demo issuer, never the deployment's -----------

DEPLOYMENT_URL = "https://learn.example.com"
SAMPLE_NAMES = ("safety-foundations", "loto-practitioner", "maintenance-fundamentals", "plant-operations")


@dataclass(frozen=True)
class Samples:
    """A deployment (its KEYS_DIR, PUBLIC_URL, ISSUER_NAME) and the folder `credentials sample` wrote for it."""

    folder: Path
    keys_dir: Path
    env: dict[str, str]
    stdout: str

    def credential(self, name: str) -> dict[str, Any]:
        return json.loads((self.folder / f"{name}.json").read_text(encoding="utf-8"))

    def deployment(self) -> IssuerIdentity:
        """The deployment's own issuer: its key is made now if `credentials sample` did not make it."""
        return IssuerIdentity.create(
            key=KeyStore(self.keys_dir).load_or_create(), name="Acme Plant Academy", public_url=DEPLOYMENT_URL, local_url=DEPLOYMENT_URL
        )


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Samples:
    base = tmp_path_factory.mktemp("deployment")
    env = {
        "DATA_DIR": str(base / "data"),
        "KEYS_DIR": str(base / "keys"),
        "PUBLIC_URL": DEPLOYMENT_URL,
        "ISSUER_NAME": "Acme Plant Academy",
    }
    result = run("credentials", "sample", str(base / "samples"), env=env)
    assert result.returncode == 0, result.stderr
    return Samples(base / "samples", base / "keys", env, result.stdout)


def verdict(*args: str, env: dict[str, str]) -> tuple[int, str]:
    result = run("credentials", "verify", *args, env=env)
    assert "Traceback" not in result.stderr and result.stdout.count("\n") == 1, result
    return result.returncode, result.stdout.strip()


def test_samples_come_from_a_demo_issuer_that_is_not_the_deployment(samples: Samples):
    assert "Plant Operations Certificate on day" in samples.stdout
    assert (
        "demo credentials from a demo issuer, 'Acme Plant Academy (demo samples: not a real credential)' (did:web:samples.invalid"
        in samples.stdout
    )
    did_document = json.loads((samples.folder / "did.json").read_text())
    assert did_document["id"] == "did:web:samples.invalid" != samples.deployment().did
    for name in SAMPLE_NAMES:
        credential = samples.credential(name)
        assert credential["issuer"] == {
            "id": "did:web:samples.invalid",
            "type": ["Profile"],
            "name": "Acme Plant Academy (demo samples: not a real credential)",
            "url": "https://samples.invalid",
        }
        purpose = "suspension" if name == "plant-operations" else "revocation"  # a certificate's status is its suspension
        assert credential["credentialStatus"]["statusListCredential"] == f"https://samples.invalid/status/{purpose}"
        assert verify(credential, resolve_key=DidDocumentKeys((did_document,))).ok, name
        assert validate_achievement_credential(credential).ok, name
        assert "learn.example.com" not in json.dumps(credential), "a sample never names the deployment's address"


def test_sample_leaves_the_deployments_keys_and_database_alone(tmp_path):
    data = tmp_path / "data"  # a fresh machine: nothing there yet
    result = run("credentials", "sample", str(tmp_path / "samples"), env={"DATA_DIR": str(data), "PUBLIC_URL": DEPLOYMENT_URL})
    assert result.returncode == 0, result.stderr
    assert not data.exists(), f"credentials sample wrote {sorted(p.name for p in data.rglob('*'))} into DATA_DIR"
    keys = tmp_path / "keys"
    result = run("credentials", "sample", str(tmp_path / "again"), env={"DATA_DIR": str(data), "KEYS_DIR": str(keys)})
    assert result.returncode == 0, result.stderr
    assert not keys.exists() and not data.exists()
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == sorted(
        [*(f"{n}.json" for n in SAMPLE_NAMES), "did.json", "status-list.json", "status-list-suspension.json"]
    )


def test_the_sample_folder_verifies_with_the_independent_verifier_and_only_with_its_own_files(
    samples: Samples, verify_with_node: NodeVerifier
):
    did_document = json.loads((samples.folder / "did.json").read_text())
    status_lists = tuple(json.loads(path.read_text()) for path in sorted(samples.folder.glob("status-list*.json")))
    deployment = samples.deployment()
    real_document = deployment.did_document()
    assert real_document is not None
    real_lists = tuple(
        signed_status_list(issuer=deployment, revoked_indices=[], now=datetime.now(UTC), purpose=purpose)
        for purpose in ("revocation", "suspension")
    )
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for name in SAMPLE_NAMES:
        credential = samples.credential(name)
        assert verify_with_node(credential, did_documents=(did_document,), status_lists=status_lists, now=now) == {
            "verified": True,
            "errors": [],
        }, name
        real = verify_with_node(credential, did_documents=(real_document,), status_lists=real_lists, now=now)
        assert not real["verified"], f"{name} verified against the deployment's own DID document and status list"


def test_verify_says_valid_for_each_sample_file_alone_and_never_with_the_deployments_files(samples: Samples, tmp_path):
    stranger = {"KEYS_DIR": str(tmp_path / "not-the-issuer")}  # no keys, no database: only the folder
    for name in SAMPLE_NAMES:
        code, line = verdict(str(samples.folder / f"{name}.json"), env=stranger)
        assert code == 0 and line.startswith("VALID: ") and "signature, dates, schema and status check out (not " in line, line
    deployment = samples.deployment()
    (tmp_path / "did.json").write_text(json.dumps(deployment.did_document()))
    (tmp_path / "list.json").write_text(json.dumps(signed_status_list(issuer=deployment, revoked_indices=[], now=datetime.now(UTC))))
    badge = str(samples.folder / "loto-practitioner.json")
    code, line = verdict(badge, "--did-document", str(tmp_path / "did.json"), "--status-list", str(tmp_path / "list.json"), env=stranger)
    assert code == 1 and "the DID document of did:web:samples.invalid was not given" in line
    # The deployment's own files, put beside a sample: not its issuer's, so not used, and said so.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(badge, elsewhere / "badge.json")
    shutil.copy(tmp_path / "did.json", elsewhere / "did.json")
    code, line = verdict(str(elsewhere / "badge.json"), env=stranger)
    assert (code, line) == (
        1,
        "INVALID: cannot check the signature offline: the DID document of did:web:samples.invalid was not given (pass "
        "--did-document FILE, or keep it beside the credential as did.json; nothing is fetched from the network); the did.json "
        "beside it is 'did:web:learn.example.com', not 'did:web:samples.invalid'",
    )


async def test_revoking_the_deployments_first_award_leaves_every_sample_as_it_was(core, store, clock, database_url, samples: Samples):
    deployment_env = {**samples.env, "DATABASE_URL": database_url}
    samples.deployment()  # the deployment has its key (the issuer runs verify: its DID document and database are used)
    assert {samples.credential(name)["credentialStatus"]["statusListIndex"] for name in SAMPLE_NAMES} == {"1", "2", "3", "4"}
    before = [verdict(str(samples.folder / f"{name}.json"), env=deployment_env) for name in SAMPLE_NAMES]

    public_id = await give_badge(core, store, clock)
    revoked = run("credentials", "revoke", public_id, "--reason", "issued in error", env=deployment_env)
    assert revoked.returncode == 0, revoked.stderr
    assert "status list index 1)" in revoked.stdout
    async with store.transaction() as tx:
        assert await tx.awards.revoked_indices() == [1]

    after = [verdict(str(samples.folder / f"{name}.json"), env=deployment_env) for name in SAMPLE_NAMES]
    assert after == before
    assert all(code == 0 for code, _ in after), after  # the issuer, too, finds its samples VALID from the folder


def test_a_tampered_sample_is_invalid(samples: Samples, tmp_path):
    folder = shutil.copytree(samples.folder, tmp_path / "samples")
    tampered = json.loads((folder / "loto-practitioner.json").read_text())
    tampered["credentialSubject"]["achievement"]["name"] = "Lockout/Tagout Grandmaster"
    (folder / "loto-practitioner.json").write_text(json.dumps(tampered))  # beside the sample's own DID document and status list
    code, line = verdict(str(folder / "loto-practitioner.json"), env={"KEYS_DIR": str(tmp_path / "nokeys")})
    assert code == 1 and "signature does not match" in line, line


async def test_verify_reads_the_status_list_beside_the_credential_and_its_bits(tmp_path):
    """An issuer whose key the test holds writes the folder (as `credentials sample` does for its
    demo issuer); a revoked list put beside a credential makes it INVALID, one of another
    issuer is not used."""
    result = load_curriculum(PROJECT_DIR / "content")
    assert result.curriculum is not None
    issuer = IssuerIdentity.create(key=IssuerKey.generate(), name="Held", public_url=DEPLOYMENT_URL, local_url=DEPLOYMENT_URL)
    folder = tmp_path / "samples"
    outcome = await write_samples(curriculum=result.curriculum, issuer=issuer, out_dir=folder, start=datetime.now(UTC) - timedelta(days=60))
    assert outcome.exit_code == 0, outcome.message
    plain = {"KEYS_DIR": str(tmp_path / "nokeys")}
    badge = folder / "loto-practitioner.json"
    index = int(json.loads(badge.read_text())["credentialStatus"]["statusListIndex"])
    assert verdict(str(badge), env=plain)[0] == 0

    revoked = signed_status_list(issuer=issuer, revoked_indices=[index], now=datetime.now(UTC))
    (folder / "status-list.json").write_text(json.dumps(revoked))
    code, line = verdict(str(badge), env=plain)
    assert code == 1 and line.endswith(f"revoked (status list bit {index} is set)"), line

    other = IssuerIdentity.create(key=IssuerKey.generate(), name="Other", public_url="https://other.example.com", local_url="http://x")
    (folder / "status-list.json").write_text(json.dumps(signed_status_list(issuer=other, revoked_indices=[], now=datetime.now(UTC))))
    code, line = verdict(str(badge), env=plain)
    assert (code, line) == (
        1,
        "INVALID: 'Lockout/Tagout Practitioner': its revocation status cannot be verified: its status list "
        "https://learn.example.com/status/revocation was not given (pass --status-list FILE, or keep it beside the credential as "
        "status-list.json; nothing is fetched from the network); the status-list.json beside it is "
        "'https://other.example.com/status/revocation', not 'https://learn.example.com/status/revocation'",
    )


def test_verify_gives_a_one_line_verdict_for_each_case(samples: Samples, tmp_path):
    plain = {"KEYS_DIR": str(tmp_path / "nokeys")}  # a verifier who is not the issuer
    did_doc, status = samples.folder / "did.json", samples.folder / "status-list.json"
    badge = tmp_path / "badge.json"  # away from the sample folder: nothing beside it
    shutil.copy(samples.folder / "loto-practitioner.json", badge)

    assert verdict(str(badge), "--did-document", str(did_doc), "--status-list", str(status), env=plain) == (
        0,
        "VALID: 'Lockout/Tagout Practitioner': signature, dates, schema and status check out (not revoked)",
    )
    # Without its status list it is refused, as independent verifiers refuse it: never passed unchecked.
    assert verdict(str(badge), "--did-document", str(did_doc), env=plain) == (
        1,
        "INVALID: 'Lockout/Tagout Practitioner': its revocation status cannot be verified: its status list "
        "https://samples.invalid/status/revocation was not given (pass --status-list FILE, or keep it beside the credential as "
        "status-list.json; nothing is fetched from the network)",
    )
    code, line = verdict(str(badge), env=plain)
    assert code == 1 and "DID document of did:web:samples.invalid was not given" in line

    not_json = tmp_path / "broken.json"
    not_json.write_text("{oops")
    code, line = verdict(str(not_json), env=plain)
    assert code == 1 and "is not JSON" in line
