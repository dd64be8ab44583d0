"""A transcript of a stack: the 1EdTech Comprehensive Learner Record 2.0 `ClrCredential` of a
certificate, before signing. Pure: built only from the signed credentials as they are stored.

What it holds (CLR 2.0, ClrSubject): the certificate and each badge it stacks, exactly as signed
(`verifiableCredential`, proofs and all, so each still verifies on its own); their achievements
(`achievement`); and one Association per badge, "isPartOf", from the badge's achievement to the
certificate's (`association`). The CLR is `partial`: it holds this one stack, not everything the
learner holds.

Status: the CLR carries no `credentialStatus` of its own. It is signed by the same issuer, says
which credentials were issued to the same holder and how they relate, and stays true; whether
each credential is valid now is for that credential's own dates and status entry to say (the
certificate's suspension list: set while a badge it stacks is not valid; each badge's revocation
list). A verifier checks the CLR's proof, then each credential inside as it would on its own.

Every term is defined by the VC 2.0, CLR 2.0.1 or OBv3 3.0.3 context (bundled in `contexts/`), in
the order CLR 2.0 requires.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credentials.data_integrity import verify
from credentials.issuing import OB_CONTEXT, VC_CONTEXT, Issuer, Names
from credentials.keys import KeyResolver
from credentials.schema import validate_clr_credential
from credentials.verification import Report, StatusChecker, Verdict, parse_time, verify_credential

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CLR_TYPE = "ClrCredential"
# CLR 2.0 AssociationType: "the source achievement is part of the target achievement".
PART_OF = "isPartOf"


def transcript_id(names: Names, certificate_public_id: str) -> str:
    """The CLR's id: where it is served (next to the certificate's JSON) when the certificate's
    id is a web address, else a URN derived from the certificate's (did:key: nothing to fetch)."""
    certificate_id = names.credential(certificate_public_id)
    if certificate_id.startswith(("https://", "http://")):
        return f"{certificate_id}/clr.json"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'microbadge:clr:{certificate_id}')}"


def stacked_ids(certificate: Mapping[str, Any]) -> list[str]:
    """The ids the certificate's evidence names (its stacked badges' credentials), in its order."""
    return [str(item["id"]) for item in certificate.get("evidence", []) if isinstance(item, Mapping) and item.get("id")]


def build_clr(
    *,
    certificate: Mapping[str, Any],
    badges: Sequence[Mapping[str, Any]],
    issuer: Issuer,
    clr_id: str,
) -> dict[str, Any]:
    """The unsigned ClrCredential of `certificate` and the signed `badges` it stacks (in the order
    given). Its validFrom is the certificate's: the transcript states what was true when the
    certificate was awarded, so the same stored credentials give the same CLR."""
    achievement = _achievement_of(certificate)
    title = str(achievement.get("name") or certificate.get("name") or "Certificate")
    noun = "badge" if len(badges) == 1 else "badges"
    subject: dict[str, Any] = {"type": ["ClrSubject"]}
    identifier = certificate.get("credentialSubject", {}).get("identifier")
    if identifier:  # the same holder as the certificate's, as the certificate names them
        subject["identifier"] = copy.deepcopy(identifier)
    subject["achievement"] = [copy.deepcopy(achievement)] + [copy.deepcopy(_achievement_of(badge)) for badge in badges]
    subject["verifiableCredential"] = [copy.deepcopy(dict(certificate))] + [copy.deepcopy(dict(badge)) for badge in badges]
    associations = [
        {"type": "Association", "associationType": PART_OF, "sourceId": _achievement_of(badge)["id"], "targetId": achievement["id"]}
        for badge in badges
    ]
    if associations:
        subject["association"] = associations
    return {
        "@context": [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT],
        "id": clr_id,
        "type": ["VerifiableCredential", CLR_TYPE],
        "name": f"{title}: Comprehensive Learner Record",
        "description": (
            f"The {title} and the {len(badges)} {noun} it stacks, each exactly as signed by its issuer. "
            "This record has no status of its own: each credential in it carries its own dates and status."
        ),
        "issuer": issuer.profile(),
        "validFrom": certificate["validFrom"],
        "partial": True,  # this one stack, not every credential the learner holds
        "credentialSubject": subject,
    }


def _achievement_of(credential: Mapping[str, Any]) -> dict[str, Any]:
    subject = credential.get("credentialSubject")
    found = subject.get("achievement") if isinstance(subject, Mapping) else None
    if not isinstance(found, dict) or "id" not in found:
        raise ValueError(f"{credential.get('id')!r} is not an Open Badges credential with an achievement")
    return found


@dataclass(frozen=True)
class TranscriptReport:
    """`envelope`: the CLR's own check (proof, dates, type, schemas); `inside`: one report per
    credential it holds, each checked as on its own (its proof, dates, schema and status)."""

    envelope: Report
    inside: tuple[Report, ...]

    @property
    def verdict(self) -> Verdict:
        reports = (self.envelope, *self.inside)
        return Verdict.VALID if all(report.verdict is Verdict.VALID for report in reports) else Verdict.INVALID

    @property
    def lines(self) -> list[str]:
        return [self.envelope.line, *(f"  {report.line}" for report in self.inside)]


def verify_transcript(
    clr: Mapping[str, Any], *, resolve_key: KeyResolver, check_status: StatusChecker | None, now: datetime
) -> TranscriptReport:
    """VALID when the CLR's proof, dates and schemas check out and so does every credential in it
    (a revoked badge, or a suspended or expired certificate, makes the transcript INVALID and says
    which). The CLR itself has no status to check."""
    name = repr(clr.get("name")) if isinstance(clr.get("name"), str) else "the transcript"
    envelope = _envelope(clr, name, resolve_key=resolve_key, now=now)
    subject = clr.get("credentialSubject")
    inside = subject.get("verifiableCredential", []) if isinstance(subject, Mapping) else []
    reports = tuple(
        verify_credential(credential, resolve_key=resolve_key, check_status=check_status, now=now)
        if isinstance(credential, Mapping)
        else Report(Verdict.INVALID, "INVALID: an entry of verifiableCredential is not a credential")
        for credential in (inside if isinstance(inside, list) else [inside])
    )
    return TranscriptReport(envelope=envelope, inside=reports)


def _envelope(clr: Mapping[str, Any], name: str, *, resolve_key: KeyResolver, now: datetime) -> Report:
    proof = verify(clr, resolve_key=resolve_key)
    if not proof.ok:
        return Report(Verdict.INVALID, f"INVALID: {name}: {'; '.join(proof.reasons)}")
    valid_from = parse_time(clr.get("validFrom"))
    if valid_from is None or now < valid_from:
        return Report(Verdict.INVALID, f"INVALID: {name}: not valid before {clr.get('validFrom')}")
    if "validUntil" in clr:
        valid_until = parse_time(clr.get("validUntil"))
        if valid_until is None or valid_until <= now:
            return Report(Verdict.INVALID, f"INVALID: {name}: expired on {clr.get('validUntil')}")
    types = clr.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types or CLR_TYPE not in types:
        return Report(Verdict.INVALID, f"INVALID: {name}: not a CLR 2.0 credential: its type is {types!r}")
    schema = validate_clr_credential(clr)
    if not schema.ok:
        return Report(Verdict.INVALID, f"INVALID: {name}: not a valid CLR 2.0 credential: {schema.problems[0]}")
    return Report(Verdict.VALID, f"VALID: {name}: signature, dates and schema check out; it has no status of its own")
