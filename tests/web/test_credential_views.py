"""What a credential page says (web/views.py, credentials/linkedin.py): pure, at any instant."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from bot.published import PublishedAward
from tests.support import found
from web.views import Standing, credential_page

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
URL = "https://learn.example.com/credentials/5b1f"


def award(*, valid_until: str | None = "2027-03-02T08:00:00Z", revoked_at: datetime | None = None) -> PublishedAward:
    credential = {
        "id": URL,
        "validFrom": "2026-03-02T08:00:00Z",
        "issuer": {"id": "did:web:learn.example.com", "name": "Acme & Co", "url": "https://learn.example.com"},
        "credentialSubject": {
            "achievement": {
                "name": "Mariner Certificate",
                "achievementType": "Certificate",
                "criteria": {"narrative": "Holds the Deckhand badge."},
            }
        },
        "evidence": [{"name": "Badge held", "id": "javascript:alert(1)"}],
    }
    if valid_until:
        credential["validUntil"] = valid_until
    return PublishedAward("5b1f", "mariner", "certificate", None, revoked_at, credential)


def test_a_current_credential_is_valid_and_offers_a_well_formed_linkedin_link():
    page = credential_page(award(), now=NOW, signature_ok=True, page_url=URL)
    assert page.standing is Standing.VALID and page.headline == "Valid"
    assert "until 2 March 2027" in page.explanation
    link = urlsplit(found(page.linkedin_url))
    assert (link.scheme, link.netloc, link.path) == ("https", "www.linkedin.com", "/profile/add")
    assert parse_qs(link.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Mariner Certificate"],
        "organizationName": ["Acme & Co"],
        "issueYear": ["2026"],
        "issueMonth": ["3"],
        "expirationYear": ["2027"],
        "expirationMonth": ["3"],
        "certUrl": [URL],
        "certId": ["5b1f"],
    }
    assert "%20" in found(page.linkedin_url) and "%26" in found(page.linkedin_url)


def test_a_credential_without_expiry_has_no_expiration_in_the_linkedin_link():
    page = credential_page(award(valid_until=None), now=NOW, signature_ok=True, page_url=URL)
    assert page.valid_until is None and "no expiry date" in page.explanation
    assert "expiration" not in found(page.linkedin_url)


def test_expiry_is_judged_by_the_clock_to_the_second():
    assert (
        credential_page(award(), now=datetime(2027, 3, 2, 7, 59, 59, tzinfo=UTC), signature_ok=True, page_url=URL).standing
        is Standing.VALID
    )
    expired = credential_page(award(), now=datetime(2027, 3, 2, 8, 0, tzinfo=UTC), signature_ok=True, page_url=URL)
    assert expired.standing is Standing.EXPIRED and expired.explanation.startswith("This credential expired on 2 March 2027")
    assert expired.linkedin_url is None


def test_revocation_outranks_expiry_and_a_bad_signature_and_names_the_date():
    revoked_on = datetime(2026, 4, 9, 12, 0, tzinfo=UTC)
    page = credential_page(award(revoked_at=revoked_on), now=datetime(2030, 1, 1, tzinfo=UTC), signature_ok=False, page_url=URL)
    assert page.standing is Standing.REVOKED
    assert page.explanation == "Acme & Co revoked this credential on 9 April 2026. It is no longer valid."


def test_a_bad_signature_is_never_called_valid():
    page = credential_page(award(), now=NOW, signature_ok=False, page_url=URL)
    assert page.standing is Standing.UNVERIFIED and page.linkedin_url is None


def test_only_web_links_become_links():
    page = credential_page(award(), now=NOW, signature_ok=True, page_url=URL)
    assert page.evidence[0].url is None and page.issuer_url == "https://learn.example.com"


def test_the_skills_shown_are_the_issuers_own_not_the_framework_nodes_they_align_to():
    shown = award()
    shown.credential["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "Hazard recognition", "targetUrl": "https://learn.example.com/skills/hazard-recognition"},
        {
            "type": ["Alignment"],
            "targetName": "identify hazards in the workplace",
            "targetUrl": "http://data.europa.eu/esco/skill/5f97fac8-2001-4b81-ae8b-22f9062d921a",
            "targetFramework": "ESCO",
        },
    ]
    assert credential_page(shown, now=NOW, signature_ok=True, page_url=URL).skills == ("Hazard recognition",)


def test_the_earner_is_named_only_where_they_chose_to_be():
    anonymous = award()
    hashed = {"type": "IdentityObject", "hashed": True, "identityHash": "sha256$00", "identityType": "systemId", "salt": "s"}
    anonymous.credential["credentialSubject"]["identifier"] = [hashed]
    assert credential_page(anonymous, now=NOW, signature_ok=True, page_url=URL).earner_name is None

    named = award()
    named.credential["credentialSubject"]["identifier"] = [
        hashed,
        {"type": "IdentityObject", "hashed": False, "identityHash": "Ana <b>Lima</b>", "identityType": "name"},
    ]
    assert credential_page(named, now=NOW, signature_ok=True, page_url=URL).earner_name == "Ana <b>Lima</b>"  # escaped by the template
