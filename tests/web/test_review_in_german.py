"""The L&D page (/dashboard/review) in German (issue 17): the findings, the forgetting curves'
summaries and the nudges' figures, worded in bot/ (as `content review` and `report` print them)
and in web/, are German for a German viewer and English as before for others; the CSV keeps the
source's columns. Over HTTP on SQLite and PostgreSQL, after the simulated month of 200 learners."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from content.model import Curriculum
from tests.item_histories import DECAYING
from tests.web.review_support import PAGE, Organisation
from tests.web.test_review_requests import app, as_, client, findings_on, organisation, sample, text  # noqa: F401

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


async def test_an_admin_reads_the_findings_curves_and_nudges_in_german(
    client: httpx.AsyncClient,
    organisation: Organisation,
    sample: Curriculum,
    app: FastAPI,
):
    page = await as_(client, organisation.lee_session).get(PAGE, headers=GERMAN)
    assert page.status_code == 200
    found = findings_on(page.text)
    assert any(
        "Ablenker: Option 1 „Water“ beim ersten Versuch von 60 % gewählt, mehr als die richtige Antwort (40 %) "
        "(Schwelle: mehr als die richtige Antwort; 200 Lernende)" in f
        for f in found
    ), found
    assert any("wird schneller vergessen als vorhergesagt" in f and "Wiederholungs-Checks)" in f for f in found), found
    assert any("Trennschärfe 0,00 (Schwelle: unter 0,10; 200 Lernende)" in f for f in found), "figures as German writes them"
    assert not any(word in f for f in found for word in ("distractor", "too hard", "too easy", "forgotten", "learners)")), found

    curve = re.search(rf'<section class="curve" id="curve-{DECAYING}".*?</section>', page.text, re.S)
    assert curve
    desc = text(re.search(r"<desc[^>]*>(.*?)</desc>", curve.group(0), re.S).group(1))  # type: ignore[union-attr]
    assert desc.startswith(f"Abruf von {sample.skills[DECAYING].name} nach Tagen seit der letzten Wiederholung."), desc
    assert "von FSRS vorhergesagt" in desc and "Kalibrierungsfehler" in desc and "recalled" not in desc
    week = "38 % abgerufen etwa 7 Tage nach der letzten Wiederholung, von FSRS vorhergesagt 85 % (585 Wiederholungs-Checks)"
    assert week in text(curve.group(0))
    assert 'aria-hidden="true">50\u00a0%</text>' in curve.group(0), "the chart's axis too"

    shown = text(page.text)
    assert "Anstöße: tägliche Angebote gegenüber vergleichbaren Tagen" in shown and "Kontrollgruppe 1: Zuwachs" in shown
    assert "Kontrollgruppe 1: gezählt 2026-03-25 09:00 UTC bis 2026-03-31 09:00 UTC" in shown
    assert "nicht genug Daten (jede Seite braucht mindestens einen Tag), beobachtet" in shown
    assert "nudges:" not in shown and "observational" not in shown

    english = await client.get(PAGE, headers={"Accept-Language": "en"})
    assert any(f.endswith("(threshold: more than the right answer; 200 learners)") for f in findings_on(english.text))
    assert any("chosen by 60% at the first try" in f for f in findings_on(english.text)), "English keeps 60%"
    assert "nudges: daily offers against comparable days" in english.text and "Anstöße" not in english.text
