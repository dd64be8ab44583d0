"""The web pages in the viewer's language, over ASGI on SQLite and PostgreSQL: a German browser
gets the German credential page (the badge's German title from the curriculum, the signed JSON
untouched), an unknown language gets English, the language link's choice is kept in a cookie,
and a German manager's dashboard is German."""

from __future__ import annotations

import html
import re

import httpx

from bot.clock import ManualClock
from bot.people import import_people, read_people
from bot.store.store import SqlStore
from bot.team import SESSION_VALID, new_token, token_hash
from bot.vocabulary import AccessKind
from bot.wallet_claims import claim_link
from tests.web.conftest import Earned
from tests.web.dashboard_support import SESSION_COOKIE
from web.i18n import Asked, browser_languages

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
PEOPLE = """platform,user_id,name,team,role,manages
console,ana,Ana Lima,Deck,learner,
telegram,900,Maria Manager,,manager,Deck
"""


def html_lang(response: httpx.Response) -> str:
    found = re.search(r'<html lang="([^"]+)">', response.text)
    assert found, response.text[:200]
    return found.group(1)


def visible(response: httpx.Response) -> str:
    """The page's text as a person reads it: tags dropped, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


async def test_a_german_browser_gets_the_german_credential_page(client: httpx.AsyncClient, earned: Earned):
    response = await client.get(f"/credentials/{earned.badge.public_id}", headers={**GERMAN, "Accept": "text/html"})
    assert response.status_code == 200
    assert html_lang(response) == "de"
    text = visible(response)
    assert "Gültig" in text
    assert re.search(r"Dieser Nachweis ist gültig bis zum \d+\. \w+ \d{4}: Die Signatur des Ausstellers ist echt", text)
    assert "<h1>" in response.text and "Decksmann" in re.search(r"<h1>(.*?)</h1>", response.text, re.S).group(1)  # type: ignore[union-attr]
    assert "Liest die Gezeiten und bindet Knoten." in text  # the German description
    assert "Name wie signiert Deckhand" in text  # what was signed stays in sight
    assert '<dd lang="en">Deckhand</dd>' in response.text  # in its own language, for a screen reader
    assert re.search(r"<h1>", response.text)  # the translated name has the page's language
    assert "Signierten Nachweis herunterladen (JSON)" in text
    assert "Ausgestellt von" in text and "Uhr UTC" in text
    assert "Accept-Language" in response.headers["vary"] and "Accept" in response.headers["vary"]
    assert response.headers["cache-control"] == "no-cache"
    assert re.search(r'<a href="[^"]*\?lang=en"[^>]*lang="en"[^>]*>English</a>', response.text)

    signed = await client.get(f"/credentials/{earned.badge.public_id}/credential.json", headers=GERMAN)
    assert signed.json() == earned.badge.credential  # never translated
    assert signed.json()["name"] == "Deckhand"


async def test_english_is_the_default_and_for_a_language_the_app_does_not_speak(client: httpx.AsyncClient, earned: Earned):
    for headers in ({}, {"Accept-Language": "fr-FR,fr;q=0.9"}, {"Accept-Language": "*"}):
        response = await client.get(f"/credentials/{earned.badge.public_id}", headers={**headers, "Accept": "text/html"})
        assert html_lang(response) == "en"
        text = visible(response)
        assert "This credential is valid until" in text and "Deckhand" in text
        assert "Decksmann" not in text and "Name as signed" not in text
        assert re.search(r'<a href="[^"]*\?lang=de"[^>]*lang="de"[^>]*>Deutsch</a>', response.text)


async def test_the_language_link_is_kept_in_a_cookie_over_the_browsers_language(client: httpx.AsyncClient, earned: Earned):
    page = f"/credentials/{earned.certificate.public_id}"
    chosen = await client.get(page + "?lang=en", headers={**GERMAN, "Accept": "text/html"})
    assert html_lang(chosen) == "en" and "This credential is valid until" in visible(chosen)
    assert "mb_lang=en" in chosen.headers["set-cookie"]
    again = await client.get(page, headers={**GERMAN, "Accept": "text/html"})  # the cookie, no ?lang
    assert html_lang(again) == "en"
    german = await client.get(page + "?lang=de", headers={"Accept": "text/html"})
    assert html_lang(german) == "de" and "Dieser Nachweis ist gültig bis zum" in visible(german)
    assert "Zertifikat" in visible(german)
    # The certificate has no German translation: its name, description, criteria and evidence
    # are shown as signed, and say they are English.
    assert '<h1 lang="en">' in german.text and '<p class="lead" lang="en">' in german.text
    assert '<strong lang="en"><a href=' in german.text and '<span lang="en">' in german.text
    english = await client.get(page + "?lang=en", headers={"Accept": "text/html"})
    assert 'lang="en"><' not in english.text.replace('<html lang="en">', "") and "<h1>" in english.text


async def test_public_pages_say_they_vary_by_language_and_a_choice_is_not_cached_for_others(client: httpx.AsyncClient):
    landing = await client.get("/", headers=GERMAN)
    assert html_lang(landing) == "de" and "Einen Nachweis prüfen" in visible(landing)
    assert "Accept-Language" in landing.headers["vary"] and landing.headers["cache-control"].startswith("public")
    chosen = await client.get("/?lang=de")
    assert chosen.headers["cache-control"] == "no-store"  # it sets a cookie
    missing = await client.get("/credentials/00000000-0000-4000-8000-000000000000", headers={**GERMAN, "Accept": "text/html"})
    assert missing.status_code == 404 and "Nicht gefunden" in visible(missing) and html_lang(missing) == "de"


async def test_a_german_managers_dashboard_is_in_german_unless_the_browser_asks_for_english(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock
):
    people, problems = read_people(PEOPLE)
    assert problems == []
    await import_people(store, people, now=clock.now())
    session = new_token()
    async with store.transaction() as tx:
        maria = await tx.learners.find("telegram", "900")
        assert maria is not None
        maria.language = "de"
        await tx.learners.save(maria)
        await tx.access.add(token_hash(session), maria.id, AccessKind.SESSION, clock.now() + SESSION_VALID)
    client.cookies.set(SESSION_COOKIE, session)

    page = await client.get("/dashboard", headers={"Accept-Language": "fr"})  # no language the app speaks: hers
    assert page.status_code == 200 and html_lang(page) == "de"
    text = visible(page)
    assert "Teamübersicht" in text and "Angemeldet als Maria Manager" in text and "Abmelden" in text
    assert "Diese Woche aktiv" in text

    async with store.transaction() as tx:
        ana = await tx.learners.find("console", "ana")
    assert ana is not None
    learner = await client.get(f"/dashboard/learners/{ana.id}", headers={"Accept-Language": "fr"})
    text = visible(learner)
    assert html_lang(learner) == "de" and "Beherrschung je Fähigkeit" in text and "Gezeiten lesen" in text  # the skill's German name
    assert "Gezeiten noch nicht" in text and "Serie 0 Lerntage" in text and "Noch keine Nachweise." in text
    team_link = re.search(r'href="(/dashboard/teams/\d+)"', page.text)
    assert team_link is not None
    team = await client.get(team_link.group(1), headers={"Accept-Language": "fr"})
    text = visible(team)
    assert "Trichter des Lernpfads" in text and "Gezeiten lesen" in text and "Knoten" in text
    assert "Ana Lima" in text and "nein" in text  # not active this week, in words

    english = await client.get("/dashboard", headers={"Accept-Language": "en-GB"})
    assert html_lang(english) == "en" and "Team overview" in visible(english)

    refused = await client.get("/dashboard/teams/999999", headers={"Accept-Language": "fr"})
    assert refused.status_code == 403 and "Dieses Team gehört nicht zu Ihren Teams." in visible(refused)


async def test_not_signed_in_is_said_in_the_browsers_language(client: httpx.AsyncClient):
    response = await client.get("/dashboard", headers=GERMAN)
    assert response.status_code == 401 and html_lang(response) == "de"
    assert "Sie sind nicht angemeldet." in visible(response) and "So melden Sie sich an" in visible(response)


def test_accept_language_is_read_by_its_weights():
    assert browser_languages("en;q=0.4, de-AT, fr;q=0.8, *;q=0.1, es;q=0") == ["de-AT", "fr", "en"]
    assert browser_languages("") == [] and browser_languages("de;q=x") == []
    assert Asked().language() == "en" and Asked().language("de") == "de"
    assert Asked(browser="en").language("de") == "en" and Asked(chosen="de", browser="en").language() == "de"


async def test_the_achievement_and_skill_pages_in_german_and_their_json_ld_as_the_source(client: httpx.AsyncClient):
    page = await client.get("/achievements/deckhand", headers=GERMAN)
    text = visible(page)
    assert html_lang(page) == "de" and "Decksmann (Badge)" in text and "Liest die Gezeiten und bindet Knoten." in text
    assert "Bescheinigte Fähigkeiten" in text and "Gezeiten lesen" in text and "Wie man es erwirbt" in text
    assert "Derzeit besitzt es niemand." in text and "Gezeiten" in text and "Knoten" in text
    assert "Accept-Language" in page.headers["vary"]
    document = await client.get("/achievements/deckhand", headers={**GERMAN, "Accept": "application/ld+json"})
    assert document.json()["name"] == "Deckhand"  # what credentials embed, as signed
    skill = await client.get("/skills/tides", headers=GERMAN)
    assert "Gezeiten lesen (Fähigkeit)" in visible(skill) and "Verlangt von" in visible(skill)


async def test_the_wallet_claim_page_in_german(client: httpx.AsyncClient, earned: Earned, store: SqlStore, clock: ManualClock):
    async with store.transaction() as tx:
        claim = await claim_link(tx, earned.badge, base_url="", now=clock.now())
    assert claim is not None
    page = await client.get(claim, headers={**GERMAN, "Accept": "text/html"})
    text = visible(page)
    assert page.status_code == 200 and html_lang(page) == "de"
    assert "Zu Ihrer Wallet hinzufügen" in text and "Decksmann" in text and "In der Learner Credential Wallet öffnen" in text
    assert 'aria-label="QR-Code für Ihre Wallet: Scannen Sie ihn, um diesen Nachweis hinzuzufügen"' in page.text
    unknown = await client.get(f"/wallet/claim/{'0' * 64}", headers={**GERMAN, "Accept": "text/html"})
    assert unknown.status_code == 404 and "Unter dieser Adresse gibt es keinen Abruflink." in visible(unknown)
