"""Key rotation as an auditor would try it: a retired key can no longer sign, every running
process takes up the new key without a restart, and a key withdrawn as compromised verifies
nothing while what it signed is signed again and its learners are told. Checked with Digital
Bazaar's verifier, from what the issuer publishes after the rotation."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest

from adapters.cli.credentials import verify_file
from adapters.cli.rotation import reissue, rotate_compromised, rotate_routinely
from bot.core import Core
from bot.events import LearnerRef
from bot.replies import Text
from bot.vocabulary import NudgeKind
from credentials.data_integrity import sign
from credentials.issuer import IssuerIdentity
from credentials.keys import InsecureKeyFile, IssuerKey, load_key, save_key
from credentials.keystore import KeyStore
from credentials.status_list import signed_status_list
from tests.conftest import FIXTURE_CONTENT
from tests.integration.test_credentials_cli import run
from tests.integration.test_issuing_on_award import earn_deckhand

PUBLIC = "https://learn.example.com"
ANA = LearnerRef("test", "ana")


def live_issuer(keys: KeyStore, public_url: str | None = PUBLIC) -> IssuerIdentity:
    return IssuerIdentity.from_store(keys, name="Acme Plant Academy", public_url=public_url, local_url="http://127.0.0.1:8000")


async def earned(store, curriculum, clock, issuer):
    """Ana earns the Deckhand badge and the Mariner certificate: she and her awards."""
    awards = await earn_deckhand(Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer), clock, store)
    async with store.transaction() as tx:
        return await tx.learners.find("test", "ana"), awards


def iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def files(keys_dir) -> list[str]:
    return sorted(str(p.relative_to(keys_dir)) for p in keys_dir.rglob("*") if p.is_file())


async def test_a_routine_rotation_destroys_the_old_private_key_and_keeps_old_credentials_valid(
    store, curriculum, clock, tmp_path, verify_with_node
):
    keys_dir = tmp_path / "keys"
    issuer = live_issuer(KeyStore(keys_dir))
    old_key = issuer.key
    _, [badge, *_] = await earned(store, curriculum, clock, issuer)

    said = rotate_routinely(KeyStore(keys_dir), now=clock.now()).message  # another process: the CLI
    assert "can no longer sign" in said

    # Every private key left on disk is the new one: the retired one is gone, its public half kept.
    assert [name.split("/")[0] for name in files(keys_dir)] == ["issuer-ed25519.pem", "retired"]
    assert load_key(keys_dir / "issuer-ed25519.pem").public_key_multibase != old_key.public_key_multibase
    assert not list((keys_dir / "retired").glob("*.pem"))

    # The running issuer follows without a restart: new key signs, both keys are in the DID document.
    assert issuer.key.public_key_multibase != old_key.public_key_multibase
    document = issuer.did_document()
    assert document is not None
    assert [m["publicKeyMultibase"] for m in document["verificationMethod"]] == [
        issuer.key.public_key_multibase,
        old_key.public_key_multibase,
    ]
    status = signed_status_list(issuer=issuer, revoked_indices=[], now=clock.now())
    assert verify_with_node(badge.credential, did_documents=(document,), status_lists=(status,), now=iso(clock.now())) == {
        "verified": True,
        "errors": [],
    }


async def test_retired_private_keys_left_by_an_earlier_version_are_destroyed_on_first_read(tmp_path):
    keys_dir = tmp_path / "keys"
    current, retired = IssuerKey.generate(), IssuerKey.generate()
    save_key(current, keys_dir / "issuer-ed25519.pem")
    save_key(retired, keys_dir / "retired" / "20260101T000000000000Z.pem")  # as rotate-key kept them before

    issuer = live_issuer(KeyStore(keys_dir))
    assert files(keys_dir) == ["issuer-ed25519.pem", "retired/20260101T000000000000Z.pub"]
    document = issuer.did_document()
    assert document is not None
    assert [m["publicKeyMultibase"] for m in document["verificationMethod"]] == [
        current.public_key_multibase,
        retired.public_key_multibase,
    ]


async def test_a_compromised_key_verifies_nothing_and_what_it_signed_is_signed_again(store, curriculum, clock, tmp_path, verify_with_node):
    keys_dir = tmp_path / "keys"
    issuer = live_issuer(KeyStore(keys_dir))
    stolen = issuer.key  # what the attacker has
    learner, [badge, certificate] = await earned(store, curriculum, clock, issuer)
    old_copy = copy.deepcopy(badge.credential)  # the learner's download, signed by the stolen key
    async with store.transaction() as tx:  # a revoked credential is left as it is
        await tx.awards.revoke(certificate.id, at=clock.now(), reason="issued in error")
    forged = copy.deepcopy(old_copy)
    forged["credentialSubject"]["achievement"]["name"] = "Master Mariner"
    forged = sign(
        {k: v for k, v in forged.items() if k != "proof"},
        key=stolen,
        verification_method=old_copy["proof"][0]["verificationMethod"],
        created=clock.now(),
    )

    clock.advance(hours=1)
    said = (await rotate_compromised(KeyStore(keys_dir), store, issuer, now=clock.now())).message
    assert "Signed again with the new key: 1 credential(s) of 1 learner(s)" in said, said
    assert "1 revoked or expired one(s) left as they are" in said

    document = issuer.did_document()  # what serve publishes now, without a restart
    assert stolen.public_key_multibase not in str(document)
    now = iso(clock.now())
    status = signed_status_list(issuer=issuer, revoked_indices=[certificate.id], now=clock.now())

    def node(credential):
        return verify_with_node(credential, did_documents=(document,), status_lists=(status,), now=now)

    for refused in (old_copy, forged):
        result = node(refused)
        assert not result["verified"], "a key withdrawn as compromised verifies nothing"
    async with store.transaction() as tx:
        again = await tx.awards.by_public_id(badge.public_id)
        nudges = await tx.nudges.claim(now=clock.now(), worker="test", lease=timedelta(minutes=1), limit=10)
    assert again is not None and again.credential is not None
    assert node(again.credential) == {"verified": True, "errors": []}
    assert again.credential["credentialStatus"] == old_copy["credentialStatus"], "the same status list slot"
    assert again.credential["id"] == old_copy["id"] and again.credential["validFrom"] == old_copy["validFrom"]
    assert issuer.verify(again.credential).ok and not issuer.verify(old_copy).ok
    assert [(n.kind, who.id) for n, who in nudges] == [(NudgeKind.REISSUED, learner.id)]

    # The learner is told, with the page of each credential to take the new copy from.
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
    [notice] = await core.nudge(ANA, NudgeKind.REISSUED)
    assert isinstance(notice, Text)
    assert notice.text.splitlines() == [
        "🔑 **Your credentials were signed again with a new key.** The old key was withdrawn to keep them trustworthy, "
        "so copies you downloaded or added to a wallet before no longer verify: take the new ones from their pages.",
        f"🏅 [Deckhand]({PUBLIC}/credentials/{badge.public_id})",
    ]

    # Running it again (`credentials reissue`, after an interruption) signs nothing twice.
    assert (await reissue(store, issuer, now=clock.now())).message.startswith("Signed again with the current key: 0 credential(s)")


async def test_did_key_a_compromised_key_is_refused_here_and_the_credential_gets_the_new_did(store, curriculum, clock, tmp_path):
    keys_dir = tmp_path / "keys"
    issuer = live_issuer(KeyStore(keys_dir), public_url=None)
    old_did = issuer.did
    _, [badge, *_] = await earned(store, curriculum, clock, issuer)
    said = (await rotate_compromised(KeyStore(keys_dir), store, issuer, now=clock.now())).message
    assert "verifiers elsewhere keep accepting copies signed before" in said
    async with store.transaction() as tx:
        again = await tx.awards.by_public_id(badge.public_id)
    assert again.credential["issuer"]["id"] == issuer.did != old_did
    assert issuer.verify(again.credential).ok
    assert not issuer.verify(badge.credential).ok, "this bot knows the old key was withdrawn"


async def test_the_operator_withdraws_a_key_from_the_command_line_and_verify_calls_old_copies_superseded(
    store, curriculum, clock, tmp_path, database_url
):
    keys_dir = tmp_path / "keys"
    issuer = live_issuer(KeyStore(keys_dir))
    clock.set(datetime.now(UTC) - timedelta(days=40))  # the command runs at today's date: both still valid then
    _, [badge, certificate] = await earned(store, curriculum, clock, issuer)
    async with store.transaction() as tx:
        await tx.awards.revoke(badge.id, at=clock.now(), reason="issued in error")
    copies = {}
    for award in (badge, certificate):
        copies[award.definition_id] = tmp_path / f"{award.definition_id}.json"
        copies[award.definition_id].write_text(json.dumps(award.credential), encoding="utf-8")
    env = {"KEYS_DIR": str(keys_dir), "DATABASE_URL": database_url, "PUBLIC_URL": PUBLIC}

    result = run("credentials", "rotate-key", "--compromised", env=env)
    assert result.returncode == 0, result.stderr
    assert "Signed again with the new key: 1 credential(s) of 1 learner(s)" in result.stdout
    assert "1 revoked or expired one(s) left as they are" in result.stdout

    result = run("credentials", "verify", str(copies[certificate.definition_id]), env=env)
    assert (result.returncode, result.stdout.strip()) == (
        1,
        "INVALID: signed by a key this issuer withdrew as compromised; the credential is superseded: "
        f"the copy signed again is at {PUBLIC}/credentials/{certificate.public_id}",
    )
    result = run("credentials", "verify", str(copies[badge.definition_id]), env=env)
    assert (result.returncode, result.stdout.strip()) == (
        1,
        "INVALID: signed by a key this issuer withdrew as compromised; it was not signed again, as it was no longer valid",
    )
    result = run("credentials", "reissue", env=env)
    assert (result.returncode, result.stdout.strip()) == (0, "Signed again with the current key: 0 credential(s) of 0 learner(s).")


async def test_verify_here_knows_a_did_key_credential_was_revoked_though_it_carries_no_status(store, curriculum, clock, tmp_path):
    issuer = live_issuer(KeyStore(tmp_path / "keys"), public_url=None)
    _, [badge, _] = await earned(store, curriculum, clock, issuer)
    async with store.transaction() as tx:
        await tx.awards.revoke(badge.id, at=clock.now(), reason="issued in error")
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(badge.credential), encoding="utf-8")
    said = await verify_file(path, did_documents=[], status_list_path=None, own_issuer=issuer, store=store, now=clock.now())
    assert (said.exit_code, said.message) == (
        1,
        f"INVALID: revoked by its issuer on {clock.now().date().isoformat()}: issued in error (this issuer's own record: "
        "the credential carries no status list, so verifiers elsewhere still accept it)",
    )


async def test_the_issuer_verifies_its_own_certificate_against_its_suspension_list(store, curriculum, clock, tmp_path, database_url):
    """`credentials verify` run by the issuer works out the certificate's suspension list from
    its database, as /status/suspension publishes it: valid, then suspended once its badge is revoked."""
    keys_dir = tmp_path / "keys"
    issuer = live_issuer(KeyStore(keys_dir))
    clock.set(datetime.now(UTC) - timedelta(days=40))  # the command runs at today's date: both still valid then
    _, [badge, certificate] = await earned(store, curriculum, clock, issuer)
    path = tmp_path / "certificate.json"
    path.write_text(json.dumps(certificate.credential), encoding="utf-8")
    env = {"KEYS_DIR": str(keys_dir), "DATABASE_URL": database_url, "PUBLIC_URL": PUBLIC, "CONTENT_DIR": str(FIXTURE_CONTENT)}

    result = run("credentials", "verify", str(path), env=env)
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "VALID: 'Mariner Certificate': signature, dates, schema and status check out (not suspended)",
    )
    async with store.transaction() as tx:
        await tx.awards.revoke(badge.id, at=clock.now(), reason="issued in error")
    result = run("credentials", "verify", str(path), env=env)
    assert result.returncode == 1 and result.stdout.startswith("INVALID: 'Mariner Certificate': suspended (status list bit "), result.stdout


def test_a_key_file_unreadable_for_a_moment_leaves_the_running_issuer_signing_with_the_keys_it_read(tmp_path, caplog):
    """A chmod or a copy under way must not stop a running serve from signing: the keys read
    before stay in use, the operator is told, and a fresh process still refuses the file."""
    keys = KeyStore(tmp_path / "keys")
    issuer = live_issuer(keys)
    before = issuer.key.public_key_multibase
    keys.current_path.chmod(0o644)  # open to others: load_key refuses it
    keys.current_path.touch()  # a change the ring notices
    assert issuer.key.public_key_multibase == before
    assert "could not be read again" in caplog.text and before not in caplog.text
    with pytest.raises(InsecureKeyFile):
        KeyStore(tmp_path / "keys").ring()
