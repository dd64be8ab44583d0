"""An award as an Open Badges 3.0 `OpenBadgeCredential` (VC Data Model 2.0), before signing.

Every property used here is defined by the VC 2.0 or OBv3 3.0.3 context: verifiers reject
undefined terms. The learner appears as a salted hash of their identity, and by their name only
if they chose so (`named_identity`).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from content.model import Alignment, CredentialDefinition, CredentialKind, Curriculum
from credentials.images import badge_svg

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
REVOCATION, SUSPENSION = "revocation", "suspension"  # Bitstring Status List purposes
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@dataclass(frozen=True)
class Issuer:
    id: str  # did:web or did:key
    name: str
    url: str | None  # the issuer's public site; None where it has none the public can open

    def profile(self) -> dict[str, Any]:
        profile: dict[str, Any] = {"id": self.id, "type": ["Profile"], "name": self.name}
        if self.url:
            profile["url"] = self.url
        return profile


class Names(Protocol):
    """How a credential names what it speaks of: its own id, the achievement, its image, each
    skill, and the status list that says whether it was revoked (None: it carries no status)."""

    def credential(self, public_id: str) -> str: ...
    def achievement(self, definition_id: str) -> str: ...
    def image(self, definition: CredentialDefinition) -> str: ...
    def skill(self, skill_id: str) -> str: ...
    def status_list(self, purpose: str = REVOCATION) -> str | None: ...


@dataclass(frozen=True)
class Links:
    """Where this deployment publishes things (PUBLIC_URL, or the local web app)."""

    base_url: str

    def credential(self, public_id: str) -> str:
        return f"{self.base_url}/credentials/{public_id}"

    def credential_json(self, public_id: str) -> str:
        """The signed credential as a file to download (any OBv3 verifier or wallet reads it)."""
        return f"{self.base_url}/credentials/{public_id}/credential.json"

    def credential_image(self, public_id: str) -> str:
        """The badge as a PNG with the credential baked in (chat platforms show PNG, not SVG)."""
        return f"{self.base_url}/credentials/{public_id}/image.png"

    def achievement(self, definition_id: str) -> str:
        return f"{self.base_url}/achievements/{definition_id}"

    def image(self, definition: CredentialDefinition) -> str:
        return f"{self.base_url}/achievements/{definition.id}/image.svg"

    def skill(self, skill_id: str) -> str:
        return f"{self.base_url}/skills/{skill_id}"

    def status_list(self, purpose: str = REVOCATION) -> str:
        """One list per purpose: /status/revocation (badges) and /status/suspension (certificates)."""
        return f"{self.base_url}/status/{purpose}"


@dataclass(frozen=True)
class SelfContained:
    """Names for credentials that must hold up with no web server at all (did:key, no PUBLIC_URL):
    every id is a URN that nothing needs to fetch, the image travels inside as a data: URI, and
    there is no status list, since none the public could reach exists. Such a credential proves
    who signed it and what it says, anywhere and forever; whether it was revoked is known only
    to this bot (its own pages and `credentials verify` here say so)."""

    issuer_name: str

    def credential(self, public_id: str) -> str:
        return f"urn:uuid:{public_id}"

    def achievement(self, definition_id: str) -> str:
        return f"urn:uuid:{self._stable('achievement', definition_id)}"

    def image(self, definition: CredentialDefinition) -> str:
        encoded = base64.b64encode(badge_svg(definition).encode("utf-8")).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"

    def skill(self, skill_id: str) -> str:
        return f"urn:uuid:{self._stable('skill', skill_id)}"

    def status_list(self, purpose: str = REVOCATION) -> None:
        return None

    def _stable(self, kind: str, key: str) -> uuid.UUID:
        """The same id for the same achievement or skill of this issuer, across key rotations."""
        return uuid.uuid5(uuid.NAMESPACE_URL, f"microbadge:{self.issuer_name}:{kind}:{key}")


def hashed_identity(identity: str, *, salt: str, identity_type: str = "systemId") -> dict[str, Any]:
    """OBv3 IdentityObject: sha256 of the identity followed by the salt, never the raw value."""
    digest = hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "identityType": identity_type,
        "salt": salt,
    }


def named_identity(name: str) -> dict[str, Any] | None:
    """The learner's name, for a learner who chose to be named: an OBv3 IdentityObject of
    identityType "name", not hashed (its identityHash then holds "the plaintext value"), beside
    the hashed subject. OBv3's AchievementSubject has no `name`; this is what the 3.0.3 context
    defines and the 1EdTech schema allows. A name is text: it goes in as a string, on one line.
    None when there is no name."""
    shown = " ".join(name.split())
    if not shown:
        return None
    return {"type": "IdentityObject", "hashed": False, "identityHash": shown, "identityType": "name"}


def xsd_datetime(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class AwardFacts:
    """What the credential states about one award."""

    public_id: str
    definition_id: str
    awarded_at: datetime
    valid_until: datetime | None
    status_index: int
    evidence: dict[str, Any]  # as stored with the award: lessons, mastery, rechecks, badges
    stacked_credentials: dict[str, str]  # badge id -> public id of the badge credential it stacks


def build_credential(
    *,
    award: AwardFacts,
    curriculum: Curriculum,
    issuer: Issuer,
    names: Names,
    subject_identity: dict[str, Any],
    subject_name: str | None = None,
) -> dict[str, Any]:
    """`subject_name`: the learner's name, only if they chose to be named (`named_identity`)."""
    definition = curriculum.credentials[award.definition_id]
    identifiers = [subject_identity]
    if subject_name is not None and (named := named_identity(subject_name)) is not None:
        identifiers.append(named)
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": names.credential(award.public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": definition.title,
        "issuer": issuer.profile(),
        "validFrom": xsd_datetime(award.awarded_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": achievement(definition, curriculum, names),
        },
        "evidence": evidence(definition, award, curriculum, names),
    }
    # One entry (the 1EdTech schema allows no more). A badge's is revocation, for good; a
    # certificate's is suspension: set while it is revoked or while a badge it stacks is not
    # valid, and cleared when that badge is renewed (bot/suspension.py).
    purpose = SUSPENSION if definition.kind is CredentialKind.CERTIFICATE else REVOCATION
    if (status_list := names.status_list(purpose)) is not None:
        credential["credentialStatus"] = {
            "id": f"{status_list}#{award.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(award.status_index),
            "statusListCredential": status_list,
        }
    if award.valid_until is not None:
        credential["validUntil"] = xsd_datetime(award.valid_until)
    return credential


def achievement(definition: CredentialDefinition, curriculum: Curriculum, names: Names) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": names.achievement(definition.id),
        "type": ["Achievement"],
        "achievementType": "Certificate" if definition.kind is CredentialKind.CERTIFICATE else "Badge",
        "name": definition.title,
        "description": definition.description,
        "criteria": {"narrative": definition.criteria},
        "image": {"id": names.image(definition), "type": "Image", "caption": definition.title},
    }
    alignments: list[dict[str, Any]] = []
    framework_urls: set[str] = set()
    for requirement in definition.skills:
        skill = curriculum.skills.get(requirement.skill)
        if skill is None:
            continue
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": skill.name,
                "targetDescription": skill.description,
                "targetUrl": names.skill(skill.id),
                "targetType": "ceasn:Competency",
            }
        )
        for target in skill.alignments:  # skills.yml `alignments`: ESCO, O*NET, an employer's framework
            if target.url not in framework_urls:  # two required skills may share a framework node
                framework_urls.add(target.url)
                alignments.append(framework_alignment(target))
    if alignments:
        result["alignment"] = alignments
    return result


def framework_alignment(target: Alignment) -> dict[str, Any]:
    """The OBv3 Alignment to a node of a public or employer skills framework; optional fields
    only when skills.yml gives them (an empty string is not a valid targetCode or targetType)."""
    alignment: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": target.name,
        "targetUrl": target.url,
        "targetFramework": target.framework,
    }
    for key, value in (("targetCode", target.code), ("targetType", target.type), ("targetDescription", target.description)):
        if value:
            alignment[key] = value
    return alignment


def evidence(definition: CredentialDefinition, award: AwardFacts, curriculum: Curriculum, names: Names) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for lesson_id, day in sorted(award.evidence.get("lessons", {}).items(), key=lambda kv: kv[1]):
        lesson = curriculum.lessons.get(lesson_id)
        title = lesson.title if lesson else lesson_id
        items.append(
            {
                "type": ["Evidence"],
                "name": f"Lesson completed: {title}",
                "narrative": f"Completed the lesson {title!r} and its micro-checks on {day}.",
                "genre": "Lesson",
            }
        )
    for skill_id, days in sorted(award.evidence.get("rechecks", {}).items()):
        skill = curriculum.skills.get(skill_id)
        name = skill.name if skill else skill_id
        mastery = award.evidence.get("mastery", {}).get(skill_id)
        narrative = f"Answered spaced re-checks of {name} correctly on {', '.join(days)}"
        narrative += f", reaching a mastery of {mastery:.0%}." if mastery is not None else "."
        items.append({"type": ["Evidence"], "name": f"Durable recall: {name}", "narrative": narrative, "genre": "Assessment"})
    for badge_id in definition.stacks:
        badge = curriculum.credentials.get(badge_id)
        public_id = award.stacked_credentials.get(badge_id)
        item: dict[str, Any] = {
            "type": ["Evidence"],
            "name": f"Badge held: {badge.title if badge else badge_id}",
            "narrative": (
                f"An Open Badge this certificate stacks, valid when it was awarded on {award.awarded_at.date().isoformat()}; "
                "the certificate is suspended while this badge is not valid."
            ),
            "genre": "Open Badge",
        }
        if public_id:
            item["id"] = names.credential(public_id)
        items.append(item)
    return items
