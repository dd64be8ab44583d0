"""`credentials revoke | rotate-key | reissue | verify | sample`: the issuer's side of the credentials. Each
returns the line to print and an exit code; nothing here raises for an operator's typo."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.cli.demo import DemoLearner
from adapters.cli.rotation import reissue, rotate_compromised, rotate_routinely
from adapters.cli.shared import Outcome, content_or_report, opened_store
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.ports import Store
from bot.store.database import create_engine, create_sessionmaker
from bot.store.migrate import upgrade_async
from bot.store.store import SqlStore
from bot.suspension import suspended_indices
from content.loader import load_curriculum
from content.model import Curriculum
from credentials.clr import CLR_TYPE, verify_transcript
from credentials.issuer import IssuerIdentity
from credentials.issuing import REVOCATION, SUSPENSION
from credentials.keys import DidDocumentKeys, IssuerKey, did_key
from credentials.keystore import KeyStore
from credentials.status_list import check_status, signed_status_list
from credentials.verification import StatusCheck, Verdict, verify_credential


async def command(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.wiring import check_keys, load_issuer, prepare_database

    now = datetime.now(UTC)
    if args.credentials_command == "rotate-key" and not args.compromised:
        check_keys(settings)
        outcome = rotate_routinely(KeyStore(settings.keys_dir), now=now)
    elif args.credentials_command in ("rotate-key", "reissue"):
        check_keys(settings)
        keys = KeyStore(settings.keys_dir)
        issuer = IssuerIdentity.from_store(keys, name=settings.issuer_name, public_url=settings.public_url, local_url=settings.local_url)
        async with opened_store(settings) as store:
            if args.credentials_command == "reissue":
                outcome = await reissue(store, issuer, now=now)
            else:
                outcome = await rotate_compromised(keys, store, issuer, now=now)
    elif args.credentials_command == "verify":
        own = load_issuer(settings) if KeyStore(settings.keys_dir).current_path.exists() else None
        if own is not None:
            await prepare_database(settings)
        engine = create_engine(settings.database_url) if own is not None else None
        try:
            outcome = await verify_file(
                args.file,
                did_documents=args.did_document,
                status_list_path=args.status_list,
                own_issuer=own,
                store=SqlStore(create_sessionmaker(engine)) if engine else None,
                now=now,
                curriculum=load_curriculum(settings.content_dir).curriculum if own is not None else None,
            )
        finally:
            if engine is not None:
                await engine.dispose()
        print(outcome.message)
        return outcome.exit_code
    elif args.credentials_command == "sample":
        curriculum = content_or_report(settings)
        if curriculum is None:
            return 1
        # Never the deployment's issuer: KEYS_DIR and the database are neither read nor created.
        outcome = await write_samples(
            # Start the demo in the past, so the samples are already valid today.
            curriculum=curriculum,
            issuer=demo_issuer(settings.issuer_name),
            out_dir=args.out_dir,
            start=now - timedelta(days=60),
        )
    else:
        async with opened_store(settings) as store:
            outcome = await revoke(store, args.id, reason=args.reason, now=now)
    print(outcome.message, file=sys.stderr if outcome.exit_code else sys.stdout)
    return outcome.exit_code


def public_id_of(reference: str) -> str:
    """Accept the credential's id, its page URL or the bare public id."""
    return reference.rstrip("/").rsplit("/", 1)[-1]


async def revoke(store: Store, reference: str, *, reason: str, now: datetime) -> Outcome:
    reason = reason.strip()
    if not reason:
        return Outcome('Give a reason: credentials revoke ID --reason "..." (it is kept with the record).', 2)
    if len(reason) > 500:
        return Outcome("The reason is too long: keep it under 500 characters.", 2)
    public_id = public_id_of(reference)
    async with store.transaction() as tx:
        award = await tx.awards.by_public_id(public_id)
        if award is None:
            return Outcome(f"No credential has the id {public_id!r}.", 1)
        if award.revoked_at is not None:
            return Outcome(f"Credential {public_id} was already revoked on {award.revoked_at.date()}: {award.revocation_reason}", 0)
        await tx.awards.revoke(award.id, at=now, reason=reason)
    return Outcome(f"Revoked credential {public_id} ({award.definition_id}, status list index {award.id}): {reason}")


DEMO_URL = "https://samples.invalid"
"""Where the demo issuer of `credentials sample` "lives": `.invalid` is reserved (RFC 2606, RFC 6761)
and never resolves, so no one can ever publish a DID document or a status list there, and no
verifier that resolves did:web can be made to accept a sample. It is did:web, not did:key, so that
the samples carry a status list as real credentials do, and the sample folder holds the DID
document and the status list an offline verifier needs. It does not depend on PUBLIC_URL, so a
sample never names the deployment's address."""
DEMO_NAME = "{name} (demo samples: not a real credential)"
DEMO_STATUS_VALID_FOR = timedelta(days=365)  # its key is gone, so the list can never be signed again
DID_DOCUMENT_FILE, STATUS_LIST_FILE = "did.json", "status-list.json"  # written beside the samples; verify looks for them there


def demo_issuer(name: str) -> IssuerIdentity:
    """A throwaway issuer for sample credentials: a key made now, held in memory only (never in
    KEYS_DIR, never written anywhere, gone when the process ends, so nobody can sign more
    "samples" with it), a did:web under DEMO_URL, and a name that says it is a demo."""
    return IssuerIdentity.create(key=IssuerKey.generate(), name=DEMO_NAME.format(name=name), public_url=DEMO_URL, local_url=DEMO_URL)


async def write_samples(
    *, curriculum: Curriculum, issuer: IssuerIdentity, out_dir: Path, start: datetime, status_valid_for: timedelta = DEMO_STATUS_VALID_FOR
) -> Outcome:
    """Play the demo learner through the curriculum on a throwaway database and write one
    credential of every definition signed by `issuer` (`demo_issuer` for `credentials sample`),
    its DID document (did:web) and the signed status list each credential names, at the indices
    the throwaway database gave them, none set. Nothing is read from or written to the
    deployment's database or keys."""
    out_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a CLI command: nothing else runs on its loop
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'sample.sqlite3'}"
        await upgrade_async(url)
        engine = create_engine(url)
        try:
            clock = ManualClock(start)
            store = SqlStore(create_sessionmaker(engine))
            demo = DemoLearner(Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer), clock, curriculum)
            earned = await demo.study()
            async with store.transaction() as tx:
                learner = await tx.learners.find(demo.learner.platform, demo.learner.user_id)
                awards = await tx.awards.of(learner.id) if learner else []
        finally:
            await engine.dispose()
    written, credentials = [], []
    for award in awards:
        if award.credential is not None:
            path = out_dir / f"{award.definition_id}.json"
            path.write_text(json.dumps(award.credential, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            written.append(path.name)
            credentials.append(award.credential)
    document = issuer.did_document()
    if document is not None:
        (out_dir / DID_DOCUMENT_FILE).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        written.append(DID_DOCUMENT_FILE)
    now = datetime.now(start.tzinfo)
    for name, status_list in _status_lists(issuer, credentials, now=now, valid_for=status_valid_for).items():
        (out_dir / name).write_text(json.dumps(status_list, indent=2) + "\n", encoding="utf-8")
        written.append(name)
    missing = sorted(set(curriculum.credentials) - {a.definition_id for a in awards})
    summary = ", ".join(f"{title} on day {day}" for title, day in earned.items())
    message = (
        f"Wrote {', '.join(written)} to {out_dir}: demo credentials from a demo issuer, {issuer.name!r} ({issuer.did}, "
        "a key made for this run and not kept), not this deployment's: they are not awards and never verify against its "
        f"DID document or status list. The demo learner earned: {summary or 'nothing'}."
    )
    if credentials:
        message += (
            f" Check one with `credentials verify {out_dir / written[0]}`: it uses the DID document and status list beside it"
            f" (valid until {(now + status_valid_for).date().isoformat()})."
        )
    if missing:
        return Outcome(message + f" Never earned (check their requirements): {', '.join(missing)}.", 1)
    return Outcome(message)


def status_list_file(purpose: Any) -> str:
    """The name a status list has beside the credentials: status-list.json for revocation (badges),
    status-list-suspension.json for suspension (certificates)."""
    return f"status-list-{SUSPENSION}.json" if purpose == SUSPENSION else STATUS_LIST_FILE


def _status_lists(issuer: IssuerIdentity, credentials: list[dict[str, Any]], *, now: datetime, valid_for: timedelta) -> dict[str, Any]:
    """A signed list for each purpose the credentials' status entries name (revocation for
    badges, suspension for certificates), always revocation, with no bit set: nothing in the
    demo is revoked or suspended."""
    purposes = [REVOCATION]
    for credential in credentials:
        entry = credential.get("credentialStatus")
        if isinstance(entry, Mapping) and (purpose := entry.get("statusPurpose")) in (REVOCATION, SUSPENSION) and purpose not in purposes:
            purposes.append(purpose)
    return {
        status_list_file(purpose): signed_status_list(issuer=issuer, revoked_indices=[], now=now, valid_for=valid_for, purpose=purpose)
        for purpose in purposes
    }


def read_json(path: Path, what: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, f"{what} {path} does not exist"
    except (OSError, UnicodeDecodeError) as error:
        return None, f"{what} {path} cannot be read: {error}"
    except json.JSONDecodeError as error:
        return None, f"{what} {path} is not JSON: line {error.lineno}: {error.msg}"
    if not isinstance(data, dict):
        return None, f"{what} {path} is not a JSON object"
    return data, None


async def verify_file(
    path: Path,
    *,
    did_documents: list[Path],
    status_list_path: Path | None,
    own_issuer: IssuerIdentity | None,
    store: Store | None,
    now: datetime,
    curriculum: Curriculum | None = None,
) -> Outcome:
    """`credentials verify`: exit 0 VALID, 1 INVALID, 3 UNKNOWN. `curriculum`: the issuer's own,
    to work out its suspension list (which certificates' badges are not valid now).

    The verdicts are those of independent verifiers given the same files (see
    credentials/verification.py): a credential that names a status list is INVALID unless that
    list is in hand and checks out, as the issuer's own (read from the store when this is the
    issuer) or as `--status-list FILE`; nothing is fetched from the network. UNKNOWN (3) is said
    only when the `--status-list` FILE itself cannot be read: the independent verifier, handed an
    unreadable file, gives no verdict either.

    Without `--did-document` / `--status-list`, the files beside the credential stand in for them
    (as `credentials sample` writes them): `did.json` when its id is the credential's issuer, and
    `status-list.json` (`status-list-suspension.json` for a certificate) when its id is the credential's
    statusListCredential; any other file there is left alone. The issuer's own DID document and
    database, when this is the issuer, come first.

    A CLR 2.0 transcript (a certificate's clr.json) is checked whole: its own signature, dates and
    schema on the first line, then one line for each credential it holds, each against its own
    status list (a certificate's suspension list, its badges' revocation list; beside it, both
    files). VALID only when every line is."""
    credential, problem = read_json(path, "the credential file")
    if credential is None:
        return Outcome(f"INVALID: {problem}", 1)
    if own_issuer is not None and store is not None and (known := await _own_record(credential, own_issuer, store)) is not None:
        return Outcome(known, 1)
    documents = []
    for document_path in did_documents:
        document, problem = read_json(document_path, "the DID document")
        if document is None:
            return Outcome(f"INVALID: {problem}", 1)
        documents.append(document)
    own_document = own_issuer.did_document() if own_issuer else None
    if own_document:
        documents.append(own_document)
    issuer_id = _issuer_id(credential)
    beside: list[str] = []  # what the files beside the credential turned out to be, when not used
    if (
        not did_documents
        and isinstance(issuer_id, str)
        and issuer_id.startswith("did:web:")
        and issuer_id not in {d.get("id") for d in documents}
    ):
        document, other = _beside(path, DID_DOCUMENT_FILE, issuer_id)
        if document is not None:
            documents.append(document)
        beside += other
    transcript = _is_transcript(credential)
    # The status lists to check against, by address: the credential's own, or for a transcript
    # those of every credential it holds (a certificate's suspension list, its badges' revocation list).
    given: dict[str, Any] | None = None
    if status_list_path is not None:
        given, problem = read_json(status_list_path, "the status list")
        if given is None:
            return Outcome(f"UNKNOWN: {problem}, so the credential's revocation status could not be checked", 3)
    status_lists: dict[str | None, dict[str, Any] | None] = {}
    for held in _held(credential) if transcript else [credential]:
        status_url = _status_url(held)
        if status_url in status_lists:
            continue
        if given is not None and (not transcript or given.get("id") == status_url):
            status_lists[status_url] = given  # one credential: whatever list was given (check_status says when it is another)
        else:
            status_lists[status_url] = await _issuers_status_list(status_url, own_issuer, store, curriculum, now)
        if status_lists[status_url] is None and isinstance(status_url, str):
            status_lists[status_url], other = _beside(path, _status_list_file_of(held), status_url)
            beside += [line for line in other if line not in beside]
    note = f"; {' and '.join(beside)}" if beside else ""
    if isinstance(issuer_id, str) and issuer_id.startswith("did:web:") and issuer_id not in {d.get("id") for d in documents}:
        return Outcome(
            f"INVALID: cannot check the signature offline: the DID document of {issuer_id} was not given "
            f"(pass --did-document FILE, or keep it beside the credential as {DID_DOCUMENT_FILE}; nothing is fetched from the network)"
            + note,
            1,
        )
    resolver = DidDocumentKeys(tuple(documents))

    def checker(checked: Mapping[str, Any]) -> StatusCheck:
        status_list = status_lists.get(_status_url(checked))
        if status_list is None:
            return StatusCheck(
                None,
                f"its status list {_status_url(checked)} was not given (pass --status-list FILE, or keep it beside the credential as "
                f"{_status_list_file_of(checked)}; nothing is fetched from the network){note}",
            )
        return check_status(checked, status_list=status_list, resolve_key=resolver, now=now)

    try:
        if transcript:
            checked = verify_transcript(credential, resolve_key=resolver, check_status=checker, now=now)
            return Outcome("\n".join(checked.lines), 0 if checked.verdict is Verdict.VALID else 1)
        report = verify_credential(credential, resolve_key=resolver, check_status=checker, now=now)
    except Exception as error:  # a malformed credential must end in a verdict, not a traceback
        return Outcome(f"INVALID: the credential cannot be processed: {type(error).__name__}: {error}", 1)
    code = {Verdict.VALID: 0, Verdict.INVALID: 1, Verdict.UNKNOWN: 3}[report.verdict]
    return Outcome(report.line, code)


async def _issuers_status_list(
    status_url: str | None, own_issuer: IssuerIdentity | None, store: Store | None, curriculum: Curriculum | None, now: datetime
) -> dict[str, Any] | None:
    """This issuer's own revocation or suspension list, signed now, when `status_url` is one of them."""
    if own_issuer is None or store is None or status_url is None:
        return None
    if status_url == own_issuer.links.status_list():
        async with store.transaction() as tx:
            return signed_status_list(issuer=own_issuer, revoked_indices=await tx.awards.revoked_indices(), now=now)
    if curriculum is not None and status_url == own_issuer.links.status_list(SUSPENSION):
        async with store.transaction() as tx:
            suspended = await suspended_indices(tx, curriculum, now=now)
        return signed_status_list(issuer=own_issuer, revoked_indices=suspended, now=now, purpose=SUSPENSION)
    return None


def _is_transcript(credential: Mapping[str, Any]) -> bool:
    types = credential.get("type")
    return isinstance(types, list) and CLR_TYPE in types


def _held(clr: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The credentials a transcript holds (those that are credentials at all: verify_transcript says the rest)."""
    subject = clr.get("credentialSubject")
    inside = subject.get("verifiableCredential", []) if isinstance(subject, Mapping) else []
    return [held for held in (inside if isinstance(inside, list) else [inside]) if isinstance(held, Mapping)]


async def _own_record(credential: dict[str, Any], issuer: IssuerIdentity, store: Store) -> str | None:
    """What only the issuer knows, said when it runs the check: its key was withdrawn as
    compromised (the credential was signed again), or it revoked a did:key credential, which
    carries no status list. Stricter than verifiers elsewhere, which may still accept it."""
    reference = credential.get("id")
    public_id = public_id_of(reference.removeprefix("urn:uuid:")) if isinstance(reference, str) else ""
    async with store.transaction() as tx:
        award = await tx.awards.by_public_id(public_id) if public_id else None
    if issuer.signed_by_withdrawn_key(credential):
        said = "INVALID: signed by a key this issuer withdrew as compromised"
        if award is None or award.credential is None:
            return said
        if issuer.signed_by_withdrawn_key(award.credential):  # revoked or expired when the key was withdrawn
            return f"{said}; it was not signed again, as it was no longer valid"
        return f"{said}; the credential is superseded: the copy signed again is at {issuer.links.credential(award.public_id)}"
    ours = {did_key(key) for key in (issuer.key.public_key, *issuer.retired)}
    if award is not None and award.revoked_at is not None and "credentialStatus" not in credential and _issuer_id(credential) in ours:
        return (
            f"INVALID: revoked by its issuer on {award.revoked_at.date().isoformat()}: {award.revocation_reason} (this issuer's own "
            "record: the credential carries no status list, so verifiers elsewhere still accept it)"
        )
    return None


def _beside(credential_path: Path, name: str, wanted_id: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The file `name` beside the credential if its id is `wanted_id`; else None and, for the
    line, what that file is when it is there."""
    path = credential_path.parent / name
    if not path.is_file():
        return None, []
    document, _ = read_json(path, name)
    found = document.get("id") if document is not None else None
    if found == wanted_id:
        return document, []
    if document is None:
        return None, [f"the {name} beside it cannot be read"]
    return None, [f"the {name} beside it is {found!r}, not {wanted_id!r}" if isinstance(found, str) else f"the {name} beside it has no id"]


def _status_list_file_of(credential: Mapping[str, Any]) -> str:
    entry = credential.get("credentialStatus")
    return status_list_file(entry.get("statusPurpose") if isinstance(entry, Mapping) else None)


def _issuer_id(credential: dict[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _status_url(credential: Mapping[str, Any]) -> str | None:
    entry = credential.get("credentialStatus")
    return entry.get("statusListCredential") if isinstance(entry, Mapping) else None
