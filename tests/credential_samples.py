"""A realistic OpenBadgeCredential for signing and verifying tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

SIGNED_AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
OB_CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def open_badge_credential(issuer_did: str, *, email: str = "ana@example.com", salt: str = "9f2c1d7e") -> dict[str, Any]:
    """A realistic badge: the learner named only by a salted hash of their email."""
    identity_hash = "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()
    site = "https://academy.example.com"
    return {
        "@context": list(OB_CONTEXTS),
        "id": "urn:uuid:7c1f3a52-5b2e-4d0a-9a51-3e6f1c2b9d40",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Lockout/Tagout Basics",
        "issuer": {"id": issuer_did, "type": ["Profile"], "name": "Acme Plant Academy", "url": site},
        "validFrom": "2026-03-02T08:00:00Z",
        "validUntil": "2028-03-02T08:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "hashed": True, "identityHash": identity_hash, "identityType": "emailAddress", "salt": salt}
            ],
            "achievement": {
                "id": f"{site}/achievements/lockout-tagout-basics",
                "type": ["Achievement"],
                "name": "Lockout/Tagout Basics",
                "description": "Isolates energy sources safely before maintenance, following the six LOTO steps.",
                "criteria": {
                    "narrative": "Complete the Lockout/Tagout lessons and answer spaced re-checks correctly on two separate days.",
                },
                "image": {"id": f"{site}/badges/lockout-tagout-basics.png", "type": "Image", "caption": "Lockout/Tagout Basics badge"},
                "achievementType": "Badge",
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "Hazardous energy control",
                        "targetUrl": f"{site}/skills/hazardous-energy-control",
                        "targetType": "ceasn:Competency",
                        "targetFramework": "Acme Workplace Safety Skills",
                    }
                ],
            },
        },
        "evidence": [
            {
                "id": f"{site}/evidence/7c1f3a52/lockout-tagout",
                "type": ["Evidence"],
                "name": "Lessons and re-checks",
                "description": "Completed 3 lessons on 2026-02-23; correct spaced re-checks on 2026-02-26 and 2026-03-02.",
            }
        ],
    }
