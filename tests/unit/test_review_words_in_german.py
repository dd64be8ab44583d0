"""The findings (bot/analytics.py) and the nudges' figures (bot/uplift.py) in German, from the
bot's catalog, for the L&D page (issue 17), the findings' figures as German writes them (45 %,
0,05); English as written stays the default (`content review`, `report`)."""

from __future__ import annotations

from bot.analytics import SkillCurve, item_findings, skill_finding
from bot.i18n import Translators
from bot.uplift import Arm, Comparison
from tests.unit.test_analytics import _item

GERMAN = Translators.load().of("de")


def test_the_findings_in_german():
    assert item_findings(_item(first_try_rate=0.25, option_shares=(0.25, 0.4, 0.35)), GERMAN) == [
        "zu schwer: 25\u00a0% beim ersten Versuch richtig (Schwelle: unter 30\u00a0%; 200 Lernende)",
        "Ablenker: Option 2 „Left“ beim ersten Versuch von 40\u00a0% gewählt, mehr als die richtige Antwort (25\u00a0%)"
        " (Schwelle: mehr als die richtige Antwort; 200 Lernende)",
    ]
    assert item_findings(_item(first_try_rate=0.97, option_shares=(0.97, 0.02, 0.01)), GERMAN) == [
        "zu leicht: 97\u00a0% beim ersten Versuch richtig (Schwelle: über 95\u00a0%; 200 Lernende)"
    ]
    assert item_findings(_item(discrimination=0.05), GERMAN) == [
        "trennt starke nicht von schwachen Lernenden: Trennschärfe 0,05 (Schwelle: unter 0,10; 200 Lernende)"
    ]
    found = skill_finding(SkillCurve("navigation", (), 400, None, 400, 0.4, 0.85), GERMAN)
    assert found is not None and found.startswith("Fähigkeit „navigation“ wird schneller vergessen als vorhergesagt: 40\u00a0% abgerufen")
    assert found.endswith("(Schwelle: 15 Punkte darunter und jenseits des Zufalls; 400 Wiederholungs-Checks)")


def test_the_nudges_figures_in_german():
    nudged, held = Arm("nudged", 70, 20, 56), Arm("held out", 80, 22, 48)
    assert nudged.describe(GERMAN) == "56 von 70 Tagen (80%, 95-%-KI 69% bis 88%; 20 Lernende)"
    assert Arm("one", 1, 1, 1).describe(GERMAN) == "1 von 1 Tag (100%, 95-%-KI 21% bis 100%; 1 lernende Person)"
    assert Comparison(nudged, held).describe(GERMAN) == "+20.0 Prozentpunkte (95-%-KI +5.2 Prozentpunkte bis +33.4 Prozentpunkte)"
    assert Arm("none", 0, 0, 0).describe(GERMAN) == "keine"
    assert nudged.describe() == "56 of 70 days (80%, 95% CI 69% to 88%; 20 learners)", "English as before"
