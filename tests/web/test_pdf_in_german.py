"""The printable PDF of a credential in the requester's language (issue 17): a German reader's page
says its own words in German, what was signed (names, the issuer) as signed; an English reader
asking right after gets the English page, not the German copy drawn a moment before. Over ASGI on
SQLite and PostgreSQL, from real awards; pypdf reads the page's text."""

from __future__ import annotations

import httpx

from bot.clock import ManualClock
from tests.web.conftest import Earned
from tests.web.test_transcript import pdf_text
from web.i18n import WebTexts
from web.views import day, moment

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


async def test_a_german_reader_prints_the_certificate_in_german_and_an_english_one_in_english(
    client: httpx.AsyncClient, earned: Earned, clock: ManualClock
):
    certificate, badge = earned.certificate, earned.badge
    assert certificate.valid_until is not None
    de = WebTexts.load().of("de")
    url = f"/credentials/{certificate.public_id}/certificate.pdf"

    text = pdf_text((await client.get(url, headers=GERMAN)).content)
    for fact in (
        "Z E R T I F I K A T",
        "Mariner Certificate",  # its name as signed
        "verliehen an die Inhaberin oder den Inhaber dieses Nachweises",
        f"von Acme Plant Academy am {day(certificate.awarded_at, de)}",
        f"Gültig bis {day(certificate.valid_until, de)}",
        "Es umfasst 1 Badge:",
        f"Deckhand, verliehen am {day(badge.awarded_at, de)}",
        f"Gültig beim Drucken ({moment(clock.now(), de)}).",
        "Jetzt prüfen",
        "Scannen Sie den Code oder öffnen Sie den Link unten.",
        "Aussteller: did:web:learn.example.com",
    ):
        assert fact in text, f"{fact!r} not in {text!r}"
    for english in ("awarded to", "Valid until", "It stacks", "Check it now", "Scan the code", "Issuer:", "when printed"):
        assert english not in text, f"{english!r} left in English: {text!r}"

    english = pdf_text((await client.get(url)).content)
    assert "C E R T I F I C A T E" in english and "It stacks 1 badge:" in english and "Check it now" in english
    assert "Jetzt prüfen" not in english, "the German copy is kept for German readers only"
    again = pdf_text((await client.get(url, headers=GERMAN)).content)
    assert "Jetzt prüfen" in again
