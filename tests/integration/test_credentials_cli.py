"""`run_bot.py credentials revoke` and `rotate-key`, as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

from bot.records import Award
from credentials.keystore import KeyStore
from tests.conftest import PROJECT_DIR
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


def test_sample_writes_a_signed_credential_of_every_definition(tmp_path):
    import json

    from credentials.data_integrity import verify
    from credentials.keys import DidDocumentKeys
    from credentials.schema import validate_achievement_credential

    out = tmp_path / "samples"
    result = run("credentials", "sample", str(out), env={"KEYS_DIR": str(tmp_path / "keys"), "PUBLIC_URL": "https://learn.example.com"})
    assert result.returncode == 0, result.stderr
    assert "Plant Operations Certificate on day" in result.stdout
    did_document = json.loads((out / "did.json").read_text())
    for name in ("safety-foundations", "loto-practitioner", "maintenance-fundamentals", "plant-operations"):
        credential = json.loads((out / f"{name}.json").read_text())
        assert verify(credential, resolve_key=DidDocumentKeys((did_document,))).ok, name
        assert validate_achievement_credential(credential).ok, name
        assert credential["issuer"]["id"] == "did:web:learn.example.com"


def test_verify_gives_a_one_line_verdict_for_each_case(tmp_path):
    import json

    out = tmp_path / "samples"
    env = {"KEYS_DIR": str(tmp_path / "keys"), "PUBLIC_URL": "https://learn.example.com"}
    assert run("credentials", "sample", str(out), env=env).returncode == 0
    plain = {"KEYS_DIR": str(tmp_path / "nokeys")}  # a verifier who is not the issuer
    badge, did_doc, status = out / "loto-practitioner.json", out / "did.json", out / "status-list.json"

    def verify(*args):
        result = run("credentials", "verify", *args, env=plain)
        assert "Traceback" not in result.stderr and result.stdout.count("\n") == 1, result
        return result.returncode, result.stdout.strip()

    assert verify(str(badge), "--did-document", str(did_doc), "--status-list", str(status)) == (
        0,
        "VALID: 'Lockout/Tagout Practitioner': signature, dates, schema and status check out (not revoked)",
    )
    # Without its status list it is refused, as independent verifiers refuse it: never passed unchecked.
    assert verify(str(badge), "--did-document", str(did_doc)) == (
        1,
        "INVALID: 'Lockout/Tagout Practitioner': its revocation status cannot be verified: its status list "
        "https://learn.example.com/status/revocation was not given (pass --status-list FILE; nothing is fetched from the network)",
    )
    code, line = verify(str(badge))
    assert code == 1 and "DID document of did:web:learn.example.com was not given" in line

    tampered = json.loads(badge.read_text())
    tampered["credentialSubject"]["achievement"]["name"] = "Lockout/Tagout Grandmaster"
    (tmp_path / "tampered.json").write_text(json.dumps(tampered))
    code, line = verify(str(tmp_path / "tampered.json"), "--did-document", str(did_doc), "--status-list", str(status))
    assert code == 1 and "signature does not match" in line

    # The issuer revokes it: the status list the issuer now publishes says so.
    award_index = int(json.loads(badge.read_text())["credentialStatus"]["statusListIndex"])
    from credentials.issuer import IssuerIdentity
    from credentials.keystore import KeyStore
    from credentials.status_list import signed_status_list

    keys = KeyStore(tmp_path / "keys")
    issuer = IssuerIdentity.create(
        key=keys.load_or_create(), name="x", public_url="https://learn.example.com", local_url="http://127.0.0.1:8000"
    )
    revoked = signed_status_list(issuer=issuer, revoked_indices=[award_index], now=datetime.now(UTC))
    (tmp_path / "revoked-list.json").write_text(json.dumps(revoked))
    code, line = verify(str(badge), "--did-document", str(did_doc), "--status-list", str(tmp_path / "revoked-list.json"))
    assert code == 1 and line.endswith(f"revoked (status list bit {award_index} is set)")

    not_json = tmp_path / "broken.json"
    not_json.write_text("{oops")
    code, line = verify(str(not_json))
    assert code == 1 and "is not JSON" in line
