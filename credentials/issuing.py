"""An award as an Open Badges 3.0 `OpenBadgeCredential` (VC Data Model 2.0), before signing.

Every property used here is defined by the VC 2.0 or OBv3 3.0.3 context: verifiers reject
undefined terms. The learner appears only as a salted hash of their identity.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from content.model import CredentialDefinition, CredentialKind, Curriculum

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@dataclass(frozen=True)
class Issuer:
    id: str  # did:web or did:key
    name: str
    url: str

    def profile(self) -> dict[str, Any]:
        return {"id": self.id, "type": ["Profile"], "name": self.name, "url": self.url}


@dataclass(frozen=True)
class Links:
    """Where this deployment publishes things (PUBLIC_URL, or the local web app)."""

    base_url: str

    def credential(self, public_id: str) -> str:
        return f"{self.base_url}/credentials/{public_id}"

    def credential_image(self, public_id: str) -> str:
        """The badge as a PNG with the credential baked in (chat platforms show PNG, not SVG)."""
        return f"{self.base_url}/credentials/{public_id}/image.png"

    def achievement(self, definition_id: str) -> str:
        return f"{self.base_url}/achievements/{definition_id}"

    def image(self, definition_id: str) -> str:
        return f"{self.base_url}/achievements/{definition_id}/image.svg"

    def skill(self, skill_id: str) -> str:
        return f"{self.base_url}/skills/{skill_id}"

    def status_list(self) -> str:
        return f"{self.base_url}/status/revocation"


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
    links: Links,
    subject_identity: dict[str, Any],
) -> dict[str, Any]:
    definition = curriculum.credentials[award.definition_id]
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": links.credential(award.public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": definition.title,
        "issuer": issuer.profile(),
        "validFrom": xsd_datetime(award.awarded_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [subject_identity],
            "achievement": achievement(definition, curriculum, links),
        },
        "evidence": evidence(definition, award, curriculum, links),
        "credentialStatus": {
            "id": f"{links.status_list()}#{award.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(award.status_index),
            "statusListCredential": links.status_list(),
        },
    }
    if award.valid_until is not None:
        credential["validUntil"] = xsd_datetime(award.valid_until)
    return credential


def achievement(definition: CredentialDefinition, curriculum: Curriculum, links: Links) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": links.achievement(definition.id),
        "type": ["Achievement"],
        "achievementType": "Certificate" if definition.kind is CredentialKind.CERTIFICATE else "Badge",
        "name": definition.title,
        "description": definition.description,
        "criteria": {"narrative": definition.criteria},
        "image": {"id": links.image(definition.id), "type": "Image", "caption": definition.title},
    }
    alignments = [
        {
            "type": ["Alignment"],
            "targetName": curriculum.skills[r.skill].name,
            "targetDescription": curriculum.skills[r.skill].description,
            "targetUrl": links.skill(r.skill),
            "targetType": "ceasn:Competency",
        }
        for r in definition.skills
        if r.skill in curriculum.skills
    ]
    if alignments:
        result["alignment"] = alignments
    return result


def evidence(definition: CredentialDefinition, award: AwardFacts, curriculum: Curriculum, links: Links) -> list[dict[str, Any]]:
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
            "narrative": "A valid Open Badge this certificate stacks.",
            "genre": "Open Badge",
        }
        if public_id:
            item["id"] = links.credential(public_id)
        items.append(item)
    return items
