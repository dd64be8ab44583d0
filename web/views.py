"""What a credential page says, worked out from the signed credential, its standing in the
store and the time. Pure: no I/O, so every wording can be tested at any instant."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bot.i18n import Translator
from bot.published import PublishedAward
from bot.suspension import Lapse
from content.model import CredentialDefinition
from credentials.linkedin import add_to_profile_url
from web import i18n


class Standing(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUSPENDED = "suspended"  # a certificate while a badge it stacks is not valid (bot/suspension.py)
    UNVERIFIED = "unverified"  # the signature does not check out: nothing on it can be trusted


@dataclass(frozen=True)
class EvidenceItem:
    name: str
    narrative: str
    url: str | None  # a stacked badge's own credential page
    now: str | None = None  # what is true of it now, where that differs from what was signed


@dataclass(frozen=True)
class CredentialPage:
    standing: Standing
    headline: str
    explanation: str
    name: str
    kind: str  # Badge | Certificate
    description: str
    criteria: str
    skills: tuple[str, ...]
    issuer_name: str
    issuer_url: str | None
    issuer_did: str
    valid_from: str
    valid_until: str | None
    evidence: tuple[EvidenceItem, ...]
    linkedin_url: str | None  # offered only while the credential is valid
    earner_name: str | None = None  # only where the learner chose to be named (/settings)
    signed_name: str | None = None  # the name as signed, where the page shows a translation of it
    # What the page shows as signed, in the credential's language, while the page is in another:
    # those parts say their language (lang=...), so that a screen reader pronounces them right.
    as_signed: frozenset[str] = frozenset()
    signed_language: str = "en"


def parse_instant(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def day(instant: datetime, t: Translator = i18n.SOURCE) -> str:
    return i18n.day(t, instant)


def moment(instant: datetime, t: Translator = i18n.SOURCE) -> str:
    return i18n.moment(t, instant)


def web_url(value: object) -> str | None:
    """Only http(s) links are rendered as links: never a javascript: or data: URL."""
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def standing_of(award: PublishedAward, *, now: datetime, signature_ok: bool) -> Standing:
    valid_until = award.credential.get("validUntil")
    if award.revoked_at is not None:
        return Standing.REVOKED
    if not signature_ok:
        return Standing.UNVERIFIED
    if valid_until and parse_instant(valid_until) <= now:
        return Standing.EXPIRED
    if award.lapses:
        return Standing.SUSPENDED
    return Standing.VALID


def _wording(t: Translator, standing: Standing, award: PublishedAward, issuer: str, until: datetime | None) -> tuple[str, str]:
    if standing is Standing.REVOKED and award.revoked_at is not None:
        explanation = t.gettext("{issuer} revoked this credential on {day}. It is no longer valid.")
        return t.gettext("Revoked"), explanation.format(issuer=issuer, day=day(award.revoked_at, t))
    if standing is Standing.UNVERIFIED:
        return t.gettext("Cannot be verified"), t.gettext(
            "The signature on this credential does not match the issuer's keys. Do not rely on it."
        )
    if standing is Standing.EXPIRED and until is not None:
        return t.gettext("Expired"), t.gettext("This credential expired on {day}. It is no longer valid.").format(day=day(until, t))
    if standing is Standing.SUSPENDED:
        why = "; ".join(_lapse(t, lapse) for lapse in award.lapses)
        explanation = t.gettext(
            "This certificate does not count while a badge it stacks is not valid: {why}. It counts again once renewed."
        )
        return t.gettext("Suspended"), explanation.format(why=why)
    if until:
        explanation = t.gettext(
            "This credential is valid until {day}: the issuer's signature checks out and it has not been revoked."
        ).format(day=day(until, t))
    else:
        explanation = t.gettext(
            "This credential is valid with no expiry date: the issuer's signature checks out and it has not been revoked."
        )
    return t.gettext("Valid"), explanation


def _earner_name(credential: dict[str, Any]) -> str | None:
    """The name a learner chose to have on the credential: an unhashed IdentityObject of type name."""
    subject = credential.get("credentialSubject", {})
    for identity in subject.get("identifier", []) if isinstance(subject, dict) else []:
        if isinstance(identity, dict) and identity.get("identityType") == "name" and identity.get("hashed") is False:
            name = identity.get("identityHash")
            return name if isinstance(name, str) and name.strip() else None
    return None


def _lapse(t: Translator, lapse: Lapse) -> str:
    if lapse.how == "not held" or lapse.since is None:
        return t.gettext("{title} is not held").format(title=lapse.title)
    if lapse.how == "revoked":
        return t.gettext("{title} was revoked on {day}").format(title=lapse.title, day=day(lapse.since, t))
    if lapse.how == "expired":
        return t.gettext("{title} was expired on {day}").format(title=lapse.title, day=day(lapse.since, t))
    return f"{lapse.title} was {lapse.how} on {day(lapse.since, t)}"


def _evidence(t: Translator, credential: dict[str, Any], lapsed: tuple[Lapse, ...]) -> tuple[EvidenceItem, ...]:
    items = []
    for item in credential.get("evidence", []):
        name = str(item.get("name", "Evidence"))
        lapse = next((lapse for lapse in lapsed if name == f"Badge held: {lapse.title}"), None)
        items.append(
            EvidenceItem(
                name=name,
                narrative=str(item.get("narrative", "")),
                url=web_url(item.get("id")),
                now=t.gettext("Not valid now: {why}.").format(why=_lapse(t, lapse)) if lapse is not None else None,
            )
        )
    return tuple(items)


def credential_page(
    award: PublishedAward, *, now: datetime, signature_ok: bool, page_url: str, t: Translator = i18n.SOURCE
) -> CredentialPage:
    """`t`: the viewer's language for what the page says; what was signed (names, criteria,
    evidence) is shown as signed (routes_credentials puts a translated title beside it)."""
    credential = award.credential
    achievement = credential.get("credentialSubject", {}).get("achievement", {})
    issuer = credential.get("issuer", {})
    issuer_name = str(issuer.get("name", t.gettext("The issuer")))
    issued = parse_instant(credential["validFrom"])
    until = parse_instant(credential["validUntil"]) if credential.get("validUntil") else None
    standing = standing_of(award, now=now, signature_ok=signature_ok)
    headline, explanation = _wording(t, standing, award, issuer_name, until)
    name = str(achievement.get("name", credential.get("name", "")))
    return CredentialPage(
        standing=standing,
        headline=headline,
        explanation=explanation,
        name=name,
        kind=str(achievement.get("achievementType", "Badge")),
        description=str(achievement.get("description", "")),
        criteria=str(achievement.get("criteria", {}).get("narrative", "")),
        # The issuer's own skills; framework nodes (ESCO...) name the same skills in other words.
        skills=tuple(
            str(a.get("targetName")) for a in achievement.get("alignment", []) if a.get("targetName") and not a.get("targetFramework")
        ),
        issuer_name=issuer_name,
        issuer_url=web_url(issuer.get("url")),
        issuer_did=str(issuer.get("id", "")),
        valid_from=moment(issued, t),
        valid_until=moment(until, t) if until else None,
        evidence=_evidence(t, credential, award.lapses),
        earner_name=_earner_name(credential),
        linkedin_url=add_to_profile_url(
            name=name, organization=issuer_name, issued=issued, expires=until, url=page_url, credential_id=award.public_id
        )
        if standing is Standing.VALID
        else None,
    )


def in_language(
    page: CredentialPage, source: CredentialDefinition, translated: CredentialDefinition, skill_names: Mapping[str, str]
) -> CredentialPage:
    """The page with the curriculum's translation of what was signed: each of the name, the
    description and the criteria only where it was signed as the source says it today (a
    definition changed since keeps its signed words); the skills by their translated names."""
    if translated is source:
        return page
    name = translated.title if page.name == source.title else page.name
    return replace(
        page,
        name=name,
        description=translated.description if page.description == source.description else page.description,
        criteria=translated.criteria if page.criteria == source.criteria else page.criteria,
        skills=tuple(skill_names.get(skill, skill) for skill in page.skills),
        signed_name=page.name if name != page.name else None,
    )


def marking_as_signed(page: CredentialPage, signed: CredentialPage, *, page_language: str, signed_language: str) -> CredentialPage:
    """`page` (maybe translated) with what it still shows as `signed` marked, when the page's
    language is not the credential's: the name, description and criteria left as signed, the
    evidence (never translated) and the skills that have no translation."""
    if page_language == signed_language:
        return page
    fields = {name for name in ("name", "description", "criteria") if getattr(page, name) == getattr(signed, name)}
    fields |= {"evidence"} if page.evidence else set()
    fields |= {"skills"} if page.skills and page.skills == signed.skills else set()
    return replace(page, as_signed=frozenset(fields), signed_language=signed_language)
