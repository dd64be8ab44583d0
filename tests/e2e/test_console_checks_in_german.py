"""Issue 17 in the terminal: a German learner's lesson card (its pictures in words), checks and
feedback, and the choices under them, read in German, as the console prints them; an English
learner's read as they always did."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_DIR
from tests.e2e.test_console import console_env
from tests.pictures import CHART_ALT, content_with_pictures

# Start, two cards (Enter), One (not right: Two is), then the first and third of the
# multiple-answer check (not right either: the first two are).
LESSON = ["1", "", "", "1", "1,3", "/quit"]


def run(workdir: Path, **environ: str) -> str:
    content = content_with_pictures(workdir / "content")
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "console", "--learner", "sam"],
        input="\n".join(LESSON) + "\n",
        capture_output=True,
        text=True,
        cwd=workdir,
        env=console_env(workdir, content) | environ,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_german_learner_reads_the_card_checks_and_feedback_in_german(tmp_path: Path) -> None:
    out = run(tmp_path, LC_ALL="", LANG="de_AT.UTF-8")
    # The copied lesson has pictures and no German translation: the lesson's words are the
    # source's, what the console says around them is German.
    picture = (
        f"🖼  Bild: {CHART_ALT}\n"
        "   Bildunterschrift: Two highs & two lows <in a day>\n"
        "   Datei: media/tide-chart.png (im Inhaltsordner)\n\n"
        "[1] Weiter ▶   (oder drück Enter)"
    )
    assert picture in out, out
    lines = out.splitlines()
    assert "(Schreib die Nummer deiner Antwort)" in lines
    assert "❌ Nicht ganz. Die Antwort: Two" in lines
    assert "(Schreib die Nummern aller richtigen Antworten, z. B. 1,3)" in lines
    assert "❌ Nicht ganz. Die Antwort: Spring tides; Tides near a full moon" in lines
    assert not [line for line in lines if line.startswith(("(Type", "❌ Not quite", "🖼  Picture", "   File:"))], out


def test_an_english_learner_reads_what_they_always_read(tmp_path: Path) -> None:
    out = run(tmp_path, LC_ALL="en_US.UTF-8")
    picture = (
        f"🖼  Picture: {CHART_ALT}\n"
        "   Caption: Two highs & two lows <in a day>\n"
        "   File: media/tide-chart.png (in the content folder)\n\n"
        "[1] Next ▶   (or press Enter)"
    )
    assert picture in out, out
    lines = out.splitlines()
    assert "(Type the number of your answer)" in lines
    assert "❌ Not quite. The answer: Two" in lines
    assert "(Type the numbers of every correct option, e.g. 1,3)" in lines
