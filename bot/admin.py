"""Operator commands: credentials (revoke, rotate the issuer key, verify, samples), status, exports,
and a dashboard sign-in link. Each returns the line to print and an exit code; nothing here
raises for an operator's typo."""
from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot import team
from bot.clock import ManualClock
from bot.core import Core
from bot.demo import DemoLearner
from bot.people import PLATFORMS
from bot.store.database import create_engine, create_sessionmaker
from bot.store.forwarding import ForwardingStore
from bot.store.migrate import upgrade_async
from bot.store.repository import ProgressStore
from bot.report import Event, Report, build_report
from bot.xapi import Record
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from credentials.keys import DidDocumentKeys
from credentials.keystore import KeyStore
from credentials.status_list import check_status, signed_status_list
from credentials.verification import Verdict, verify_credential


@dataclass(frozen=True)
class Outcome:
    message: str
    exit_code: int = 0


def public_id_of(reference: str) -> str:
    """Accept the credential's id, its page URL or the bare public id."""
    return reference.rstrip("/").rsplit("/", 1)[-1]


async def revoke(store: ProgressStore, reference: str, *, reason: str, now: datetime) -> Outcome:
    reason = reason.strip()
    if not reason:
        return Outcome("Give a reason: credentials revoke ID --reason \"...\" (it is kept with the record).", 2)
    if len(reason) > 500:
        return Outcome("The reason is too long: keep it under 500 characters.", 2)
    public_id = public_id_of(reference)
    async with store.transaction() as tx:
        award = await tx.award_by_public_id(public_id)
        if award is None:
            return Outcome(f"No credential has the id {public_id!r}.", 1)
        if award.revoked_at is not None:
            return Outcome(f"Credential {public_id} was already revoked on {award.revoked_at.date()}: {award.revocation_reason}", 0)
        award.revoked_at, award.revocation_reason = now, reason
    return Outcome(f"Revoked credential {public_id} ({award.definition_id}, status list index {award.id}): {reason}")


def rotate_key(keys: KeyStore, *, now: datetime) -> Outcome:
    new = keys.rotate(now)
    retired = len(keys.retired())
    return Outcome(
        f"New issuer key {new.public_key_multibase}; {retired} retired key(s) kept so that earlier "
        "credentials still verify (published in the did:web document)."
    )


async def write_samples(*, curriculum: Curriculum, issuer: IssuerIdentity, out_dir: Path, start: datetime) -> Outcome:
    """Play the demo learner through the curriculum on a throwaway database and write one
    signed credential of every definition, the DID document (did:web) and the status list."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'sample.sqlite3'}"
        await upgrade_async(url)
        engine = create_engine(url)
        try:
            clock = ManualClock(start)
            store = ProgressStore(create_sessionmaker(engine))
            demo = DemoLearner(Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer), clock, curriculum)
            earned = await demo.study()
            async with store.transaction() as tx:
                learner = await tx.find_learner(demo.learner.platform, demo.learner.user_id)
                awards = await tx.awards(learner.id) if learner else []
        finally:
            await engine.dispose()
    written = []
    for award in awards:
        if award.credential is not None:
            path = out_dir / f"{award.definition_id}.json"
            path.write_text(json.dumps(award.credential, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            written.append(path.name)
    document = issuer.did_document()
    if document is not None:
        (out_dir / "did.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        written.append("did.json")
    status_list = signed_status_list(issuer=issuer, revoked_indices=[], now=datetime.now(start.tzinfo))
    (out_dir / "status-list.json").write_text(json.dumps(status_list, indent=2) + "\n", encoding="utf-8")
    written.append("status-list.json")
    missing = sorted(set(curriculum.credentials) - {a.definition_id for a in awards})
    summary = ", ".join(f"{title} on day {day}" for title, day in earned.items())
    message = f"Wrote {', '.join(written)} to {out_dir}. The demo learner earned: {summary or 'nothing'}."
    if missing:
        return Outcome(message + f" Never earned (check their requirements): {', '.join(missing)}.", 1)
    return Outcome(message)


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
    store: ProgressStore | None,
    now: datetime,
) -> Outcome:
    """`credentials verify`: exit 0 valid, 1 invalid, 3 valid but revocation status unknown."""
    credential, problem = read_json(path, "the credential file")
    if credential is None:
        return Outcome(f"INVALID: {problem}", 1)
    documents = []
    for document_path in did_documents:
        document, problem = read_json(document_path, "the DID document")
        if document is None:
            return Outcome(f"INVALID: {problem}", 1)
        documents.append(document)
    own_document = own_issuer.did_document() if own_issuer else None
    if own_document:
        documents.append(own_document)
    status_list: dict[str, Any] | None = None
    if status_list_path is not None:
        status_list, problem = read_json(status_list_path, "the status list")
        if status_list is None:
            return Outcome(f"UNKNOWN: {problem}", 3)
    elif own_issuer is not None and store is not None and _status_url(credential) == own_issuer.links.status_list():
        async with store.transaction() as tx:
            status_list = signed_status_list(issuer=own_issuer, revoked_indices=await tx.revoked_indices(), now=now)
    issuer_id = _issuer_id(credential)
    if isinstance(issuer_id, str) and issuer_id.startswith("did:web:") and issuer_id not in {d.get("id") for d in documents}:
        return Outcome(
            f"INVALID: cannot check the signature offline: the DID document of {issuer_id} was not given "
            "(pass --did-document FILE; nothing is fetched from the network)", 1)
    resolver = DidDocumentKeys(tuple(documents))
    checker = None
    if status_list is not None:
        checker = lambda c: check_status(c, status_list=status_list, resolve_key=resolver, now=now)  # noqa: E731
    try:
        report = verify_credential(credential, resolve_key=resolver, check_status=checker, now=now)
    except Exception as error:  # a malformed credential must end in a verdict, not a traceback
        return Outcome(f"INVALID: the credential cannot be processed: {type(error).__name__}: {error}", 1)
    code = {Verdict.VALID: 0, Verdict.INVALID: 1, Verdict.UNKNOWN: 3}[report.verdict]
    return Outcome(report.line, code)


def _issuer_id(credential: dict[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _status_url(credential: dict[str, Any]) -> str | None:
    entry = credential.get("credentialStatus")
    return entry.get("statusListCredential") if isinstance(entry, dict) else None


async def status(store: ProgressStore, *, now: datetime, forwarding: ForwardingStore | None = None) -> str:
    """`run_bot.py status`: learners, and due, overdue and delivered nudges; xAPI forwarding."""
    async with store.transaction() as tx:
        report = await tx.delivery_status(now)
    learners = ", ".join(f"{count} on {platform}" for platform, count in sorted(report.learners.items())) or "none yet"
    states = report.nudge_states
    lines = [
        f"Learners: {sum(report.learners.values())} ({learners})",
        f"  nudges on: {states.get('on', 0)}, dormant (ignored three offers): {states.get('dormant', 0)}, "
        f"stopped (said /stop): {states.get('stopped', 0)}",
        f"Nudges due now: {report.due} (overdue by more than 5 minutes: {report.overdue}); being sent: {report.in_flight}",
        f"Delivered in the last hour: {report.sent_last_hour}",
        f"Errors: {report.retrying} to be retried, {report.failed_last_day} given up in the last day"
        + (f"; last error: {report.last_error}" if report.last_error else ""),
        "Next nudge due: " + (f"{report.next_due:%Y-%m-%d %H:%M} UTC" if report.next_due else "none scheduled"),
    ]
    if report.overdue:
        lines.append("Overdue nudges mean no `run_bot.py serve` is delivering for their platform, or it cannot keep up.")
    if forwarding is not None:
        lines += await forwarding_status(forwarding)
    return "\n".join(lines)


async def forwarding_status(forwarding: ForwardingStore) -> list[str]:
    states = await forwarding.states()
    if not states:
        return ["xAPI forwarding: nothing forwarded yet (set XAPI_ENDPOINT to forward the record to an LRS)"]
    lines = []
    for state in states:
        last = f"{state.forwarded_at:%Y-%m-%d %H:%M} UTC" if state.forwarded_at else "never"
        lines.append(
            f"xAPI forwarding to {state.endpoint}: {state.waiting} event(s) waiting; {state.forwarded} statement(s) "
            f"stored, {state.skipped} refused by the LRS and skipped; last forwarded: {last}"
        )
        if state.last_error:
            lines.append(f"  last error ({state.last_error_at:%Y-%m-%d %H:%M} UTC): {state.last_error}")
    return lines


async def export_xapi(store: ProgressStore, record: Record, out: Path, *,
                      progress: Callable[[int, int], None] | None = None, batch: int = 2000) -> int:
    """Every learning event as xAPI statements, one JSON object a line; returns how many."""
    async with store.transaction() as tx:
        total = await tx.count_events()
    written, last_id, seen = 0, 0, 0
    temporary = out.with_name(out.name + ".partial")  # a failed export leaves no half file behind
    with temporary.open("w", encoding="utf-8") as file:
        while True:
            async with store.transaction() as tx:
                events = await tx.events_after(last_id, batch)
            if not events:
                break
            for event in events:
                for statement in record.statements(event):
                    file.write(json.dumps(statement, ensure_ascii=False) + "\n")
                    written += 1
            last_id, seen = events[-1].id, seen + len(events)
            if progress is not None:
                progress(seen, total)
    temporary.replace(out)
    return written


async def programme_report(store: ProgressStore, curriculum: Curriculum, start: datetime, end: datetime) -> Report:
    async with store.transaction() as tx:
        rows = await tx.report_events(end)
    events = [Event(learner, kind, at, lesson, str(payload.get("credential")) if kind == "awarded" else None)
              for learner, kind, at, lesson, payload in rows]
    return build_report(events, curriculum, start, end)


DASHBOARD_ROLES = ("manager", "admin")


async def dashboard_link(store: ProgressStore, person: str, *, base_url: str, now: datetime) -> Outcome:
    """`dashboard link PERSON`: a one-time sign-in link for a manager or admin, for teams that
    do not use Slack or Telegram (where /team and /learn team give one)."""
    platform, _, user_id = person.strip().partition(":")
    platform = platform.lower()
    if platform not in PLATFORMS or not user_id or user_id.startswith("erased:"):
        return Outcome(f"PERSON is platform:user_id with platform {', '.join(PLATFORMS)} (e.g. telegram:4242, "
                       f"slack:U0ANA or console:ana), not {person[:60]!r}.", 2)
    async with store.transaction() as tx:
        learner = await tx.find_learner(platform, user_id)
        if learner is None:
            return Outcome(f"Nobody is known as {platform}:{user_id}: managers and admins are added with "
                           "`run_bot.py people import`.", 1)
        if learner.role not in DASHBOARD_ROLES:
            return Outcome(f"{platform}:{user_id} is a {learner.role}: the dashboard is for managers and admins "
                           "(give the role with `run_bot.py people import`).", 1)
        link = team.signin_link(tx, learner, base_url, now)
    minutes = int(team.SIGNIN_VALID.total_seconds() // 60)
    return Outcome(f"Dashboard sign-in link for {platform}:{user_id} ({learner.role}; works once, for {minutes} "
                   f"minutes): {link}")
