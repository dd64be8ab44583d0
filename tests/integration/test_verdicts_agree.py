"""`credentials verify` never says VALID where an independent verifier says INVALID.

Each row hands our command (`run_bot.py credentials verify`, run as a verifier who is not the
issuer) and Digital Bazaar's verifier (tests/verifier/verify.mjs) the same files: a credential,
the issuer's DID document and the status lists given, if any; nothing is fetched. The
credentials are real ones, written as `credentials sample` writes them (its `write_samples`, for
a did:web issuer whose key the test holds: the command's own demo key is not kept), changed and
signed again with the issuer's key where a row needs a credential that says something else;
and, for the rows on a self-contained did:key credential, written the same way by a did:key
issuer (no PUBLIC_URL). Rows cover badges and certificates, valid, tampered, revoked, expired,
suspended (a certificate whose badge is revoked) and signed by a key withdrawn as compromised.

The two agree on every row but two, where the credential is a valid Verifiable Credential but
not a valid Open Badge: Digital Bazaar's verifier checks the VC data model, proofs and status,
not Open Badges types or the 1EdTech schema, so it accepts what only an Open Badges verifier
refuses. Where they differ, ours is the stricter.

Without Node or the verifier's packages these tests skip (fail in CI), as tests/node_verifier.py says.
"""

from __future__ import annotations

import asyncio
import copy
import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.cli.credentials import write_samples
from content.loader import load_curriculum
from credentials.data_integrity import sign
from credentials.issuer import IssuerIdentity
from credentials.issuing import SUSPENSION, named_identity
from credentials.keys import IssuerKey, did_key, did_key_verification_method
from credentials.keystore import KeyStore
from credentials.status_list import signed_status_list, status_list_credential
from tests.conftest import PROJECT_DIR, blocking
from tests.integration.test_credentials_cli import run
from tests.node_verifier import VERIFIER, NodeVerifier

PUBLIC_URL = "https://learn.example.com"
EXIT_CODES = {"VALID": 0, "INVALID": 1, "UNKNOWN": 3}


@dataclass(frozen=True)
class Issued:
    """What the issuer published (as `credentials sample` writes it), and its key to sign variants with."""

    badge: dict[str, Any]
    certificate: dict[str, Any]
    did_document: dict[str, Any]
    status_list: dict[str, Any]
    suspension_list: dict[str, Any]  # a certificate's status (bot/suspension.py)
    self_contained: dict[str, Any]  # a did:key issuer's (no PUBLIC_URL): its badge and certificate
    issuer: IssuerIdentity
    now: datetime

    def resigned(self, credential: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """`credential` changed by `change` and signed again by the issuer: a proof that holds."""
        document = {key: value for key, value in copy.deepcopy(credential).items() if key != "proof"}
        change(document)
        return self.issuer.sign(document, created=self.now)


@dataclass(frozen=True)
class Handed:
    """What both verifiers are given."""

    credential: dict[str, Any]
    status_lists: tuple[dict[str, Any], ...] = ()
    did_documents: tuple[dict[str, Any], ...] = ()


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    samples = tmp_path_factory.mktemp("issuer") / "samples"
    issuer = IssuerIdentity.create(key=IssuerKey.generate(), name="Acme Plant Academy", public_url=PUBLIC_URL, local_url=PUBLIC_URL)
    curriculum = load_curriculum(PROJECT_DIR / "content").curriculum
    assert curriculum is not None
    start = datetime.now(UTC) - timedelta(days=60)
    outcome = blocking(asyncio.run, write_samples(curriculum=curriculum, issuer=issuer, out_dir=samples, start=start))
    assert outcome.exit_code == 0, outcome.message
    did_key_issuer = IssuerIdentity.create(key=IssuerKey.generate(), name="Acme Plant Academy", public_url=None, local_url=PUBLIC_URL)
    did_key_samples = samples.parent / "did-key"
    outcome = blocking(asyncio.run, write_samples(curriculum=curriculum, issuer=did_key_issuer, out_dir=did_key_samples, start=start))
    assert outcome.exit_code == 0, outcome.message

    def read(name: str) -> dict[str, Any]:
        return json.loads((samples / f"{name}.json").read_text(encoding="utf-8"))

    return Issued(
        badge=read("loto-practitioner"),
        certificate=read("plant-operations"),
        did_document=read("did"),
        status_list=read("status-list"),
        suspension_list=signed_status_list(issuer=issuer, revoked_indices=[], now=datetime.now(UTC), purpose=SUSPENSION),
        self_contained={
            name: json.loads((did_key_samples / f"{name}.json").read_text(encoding="utf-8"))
            for name in ("loto-practitioner", "plant-operations")
        },
        issuer=issuer,
        now=datetime.now(UTC),
    )


def status_index(credential: dict[str, Any]) -> int:
    return int(credential["credentialStatus"]["statusListIndex"])


def set_(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        if value is None:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


def tampered_subject(issued: Issued) -> Handed:
    credential = copy.deepcopy(issued.badge)
    credential["credentialSubject"]["achievement"]["name"] = "Lockout/Tagout Grandmaster"
    return Handed(credential, (issued.status_list,))


def tampered_proof(issued: Issued) -> Handed:
    credential = copy.deepcopy(issued.badge)
    value = credential["proof"][0]["proofValue"]
    middle = len(value) // 2
    credential["proof"][0]["proofValue"] = value[:middle] + ("2" if value[middle] != "2" else "3") + value[middle + 1 :]
    return Handed(credential, (issued.status_list,))


def expired(issued: Issued) -> Handed:
    def back_then(document: dict[str, Any]) -> None:
        document["validFrom"] = (issued.now - timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%SZ")
        document["validUntil"] = (issued.now - timedelta(days=35)).strftime("%Y-%m-%dT%H:%M:%SZ")

    return Handed(issued.resigned(issued.badge, back_then), (issued.status_list,))


def forged_status_list(issued: Issued) -> Handed:
    """The issuer's list, naming the issuer's key, but signed by someone else's key."""
    document = status_list_credential(issuer=issued.issuer, revoked_indices=[], now=issued.now)
    forged = sign(document, key=IssuerKey.generate(), verification_method=issued.issuer.verification_method, created=issued.now)
    return Handed(issued.badge, (forged,))


def status_list_of_another_issuer(issued: Issued) -> Handed:
    """A list at the issuer's URL, properly signed, by someone else (a did:key of their own)."""
    other = IssuerKey.generate()
    document = status_list_credential(issuer=issued.issuer, revoked_indices=[], now=issued.now)
    document["issuer"] = did_key(other.public_key)
    foreign = sign(document, key=other, verification_method=did_key_verification_method(other.public_key), created=issued.now)
    return Handed(issued.badge, (foreign,))


def did_key_badge_after_a_key_rotation(issued: Issued, keys_dir: Path) -> Handed:
    """A did:key issuer's badge from before `credentials rotate-key`: the list it publishes now
    is signed by the new key, so it is the list of another issuer (did:key names the key)."""
    keys = KeyStore(keys_dir)
    old = keys.load_or_create()
    before = IssuerIdentity.create(key=old, name="Acme Plant Academy", public_url=None, local_url=PUBLIC_URL)
    document = {key: value for key, value in copy.deepcopy(issued.badge).items() if key != "proof"}
    document["issuer"] = {**document["issuer"], "id": before.profile.id}
    badge = before.sign(document, created=issued.now)
    after = IssuerIdentity.create(
        key=keys.rotate(issued.now), retired=(old.public_key,), name="Acme Plant Academy", public_url=None, local_url=PUBLIC_URL
    )
    assert after.links.status_list() == badge["credentialStatus"]["statusListCredential"]
    return Handed(badge, (signed_status_list(issuer=after, revoked_indices=[], now=issued.now),))


def signed_by_a_withdrawn_key(issued: Issued, keys_dir: Path) -> Handed:
    """`credentials rotate-key --compromised`: the DID document the issuer publishes now lists
    only the new key, so the badge signed by the withdrawn one (or a forgery made with it)
    verifies nowhere; the status list is signed by the new key."""
    now = IssuerIdentity.create(key=IssuerKey.generate(), name="Acme Plant Academy", public_url=PUBLIC_URL, local_url=PUBLIC_URL)
    document = now.did_document()
    assert document is not None and issued.issuer.key.public_key_multibase not in json.dumps(document)
    status_list = signed_status_list(issuer=now, revoked_indices=[], now=issued.now)
    return Handed(issued.badge, (status_list,), (document,))


def named(name: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["credentialSubject"]["identifier"].append(named_identity(name))

    return change


def suspended_certificate(issued: Issued) -> Handed:
    """A badge the certificate stacks was revoked: its suspension bit is set (bot/suspension.py)."""
    suspended = signed_status_list(
        issuer=issued.issuer, revoked_indices=[status_index(issued.certificate)], now=issued.now, purpose=SUSPENSION
    )
    return Handed(issued.certificate, (suspended,))


@dataclass(frozen=True)
class Row:
    name: str
    handed: Callable[[Issued, Path], Handed]
    ours: str  # our verdict
    reason: str  # what our line must say
    independent: str = ""  # the independent verifier's verdict, when it differs from ours

    @property
    def theirs(self) -> str:
        return self.independent or self.ours


ROWS = [
    Row(
        "valid badge",
        lambda i, _: Handed(i.badge, (i.status_list,)),
        "VALID",
        "signature, dates, schema and status check out (not revoked)",
    ),
    Row(
        "valid certificate",
        lambda i, _: Handed(i.certificate, (i.suspension_list,)),
        "VALID",
        "signature, dates, schema and status check out (not suspended)",
    ),
    Row(
        "did:key badge, self-contained (no PUBLIC_URL)",
        lambda i, _: Handed(i.self_contained["loto-practitioner"]),
        "VALID",
        "signature, dates and schema check out; it has no revocation status",
    ),
    Row(
        "did:key certificate, self-contained (no PUBLIC_URL)",
        lambda i, _: Handed(i.self_contained["plant-operations"]),
        "VALID",
        "signature, dates and schema check out; it has no revocation status",
    ),
    Row(
        "named badge (the learner chose to be named)",
        lambda i, _: Handed(i.resigned(i.badge, named("Ana Lima")), (i.status_list,)),
        "VALID",
        "signature, dates, schema and status check out (not revoked)",
    ),
    Row(
        "suspended certificate (a badge it stacks revoked)", lambda i, _: suspended_certificate(i), "INVALID", "suspended (status list bit"
    ),
    Row("signed by a key withdrawn as compromised", signed_by_a_withdrawn_key, "INVALID", "unknown verification method did:web:"),
    Row("tampered subject", lambda i, _: tampered_subject(i), "INVALID", "signature does not match"),
    Row("tampered proof", lambda i, _: tampered_proof(i), "INVALID", "signature does not match"),
    Row(
        "wrong type: a Verifiable Credential that is not an Open Badge",
        lambda i, _: Handed(i.resigned(i.badge, set_(("type",), ["VerifiableCredential"])), (i.status_list,)),
        "INVALID",
        'not an Open Badges 3.0 credential: its type is ["VerifiableCredential"]',
        independent="VALID",  # it checks Verifiable Credentials, not Open Badges
    ),
    Row(
        "schema failure: an achievement without a description",
        lambda i, _: Handed(i.resigned(i.badge, set_(("credentialSubject", "achievement", "description"), None)), (i.status_list,)),
        "INVALID",
        "not a valid Open Badges 3.0 credential: credentialSubject/achievement: 'description' is a required property",
        independent="VALID",  # the 1EdTech schema is not its business
    ),
    Row(
        "schema failure: an issuer without an id",
        lambda i, _: Handed(i.resigned(i.badge, set_(("issuer", "id"), None)), (i.status_list,)),
        "INVALID",
        "not a valid Open Badges 3.0 credential: issuer: 'id' is a required property",
    ),
    Row(
        "revoked",
        lambda i, _: Handed(i.badge, (signed_status_list(issuer=i.issuer, revoked_indices=[status_index(i.badge)], now=i.now),)),
        "INVALID",
        "revoked (status list bit",
    ),
    Row("expired", lambda i, _: expired(i), "INVALID", "expired on"),
    Row(
        "forged status list signed by another key",
        lambda i, _: forged_status_list(i),
        "INVALID",
        "its revocation status cannot be verified: the status list's signature does not verify",
    ),
    Row(
        "status list of a different issuer",
        lambda i, _: status_list_of_another_issuer(i),
        "INVALID",
        "its revocation status cannot be verified: the status list was issued by did:key:",
    ),
    Row(
        "did:key badge after a key rotation",
        did_key_badge_after_a_key_rotation,
        "INVALID",
        "its revocation status cannot be verified: the status list was issued by did:key:",
    ),
    Row(
        "expired status list",
        lambda i, _: Handed(i.badge, (signed_status_list(issuer=i.issuer, revoked_indices=[], now=i.now - timedelta(days=3)),)),
        "INVALID",
        "its revocation status cannot be verified: the status list expired on",
    ),
    Row(
        "missing status list",
        lambda i, _: Handed(i.badge),
        "INVALID",
        f"its revocation status cannot be verified: its status list {PUBLIC_URL}/status/revocation was not given",
    ),
]


def write(folder: Path, name: str, document: dict[str, Any]) -> str:
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def ours(folder: Path, handed: Handed) -> tuple[int, str]:
    """What `credentials verify` says, given these files, to someone who is not the issuer."""
    folder.mkdir(exist_ok=True)
    arguments = [write(folder, "credential.json", handed.credential)]
    for index, document in enumerate(handed.did_documents):
        arguments += ["--did-document", write(folder, f"did-{index}.json", document)]
    for index, document in enumerate(handed.status_lists):
        arguments += ["--status-list", write(folder, f"status-{index}.json", document)]
    result = run("credentials", "verify", *arguments, env={"KEYS_DIR": str(folder / "not-the-issuer")})
    assert "Traceback" not in result.stderr and result.stdout.count("\n") == 1, result
    return result.returncode, result.stdout.strip()


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_our_verdict_agrees_with_the_independent_verifier(row: Row, issued: Issued, tmp_path: Path, verify_with_node: NodeVerifier) -> None:
    handed = row.handed(issued, tmp_path / "keys")
    handed = Handed(handed.credential, handed.status_lists, handed.did_documents or (issued.did_document,))
    theirs = verify_with_node(
        handed.credential,
        did_documents=handed.did_documents,
        status_lists=handed.status_lists,
        now=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    code, line = ours(tmp_path / "ours", handed)

    assert ("VALID" if theirs["verified"] else "INVALID") == row.theirs, theirs["errors"]
    assert (code, line.split(":", 1)[0]) == (EXIT_CODES[row.ours], row.ours), line
    assert row.reason in line, line
    assert not (row.ours == "VALID" and not theirs["verified"]), "VALID where the independent verifier says INVALID"


def test_a_status_list_file_that_cannot_be_read_is_unknown_to_both(issued: Issued, tmp_path: Path, verify_with_node: NodeVerifier) -> None:
    """The one UNKNOWN: the status list FILE handed over is not there (or not JSON). The
    independent verifier, handed it, stops with an error and no verdict either."""
    credential = write(tmp_path, "credential.json", issued.badge)
    did_document = write(tmp_path, "did.json", issued.did_document)
    missing = str(tmp_path / "no-such-list.json")
    node = subprocess.run(
        [verify_with_node.node, str(VERIFIER / "verify.mjs"), credential, "--did-document", did_document, "--status-list", missing],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=VERIFIER,
    )
    assert node.returncode != 0 and node.stdout == "" and "ENOENT" in node.stderr

    result = run(
        "credentials", "verify", credential, "--did-document", did_document, "--status-list", missing, env={"KEYS_DIR": str(tmp_path / "k")}
    )
    assert (result.returncode, result.stdout.strip()) == (
        3,
        f"UNKNOWN: the status list {missing} does not exist, so the credential's revocation status could not be checked",
    )
