"""The console in the terminal's language, or the one asked for with --language: a whole lesson
in German (the bot's texts and the lesson's), and the console's own words (its guidance, its
goodbye), which follow the language chosen in /settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_DIR
from tests.e2e.test_console import console_env


def run(workdir: Path, lines: list[str], *options: str, **environ: str) -> str:
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "console", "--learner", "sam", *options],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=workdir,
        env=console_env(workdir) | environ,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_terminal_in_german_gets_the_bot_and_the_lesson_in_german(tmp_path: Path) -> None:
    out = run(tmp_path, ["1", "", "", "Banane", "2", "1,2", "/quit"], LC_ALL="", LANG="de_AT.UTF-8")
    assert "Hallo sam! Ich bin dein Lernbegleiter" in out
    assert "\nBitte antworte mit einer Zahl von 1 bis 3.\n" in out, "the console's own guidance in German too"
    assert "Gezeiten" in out and "Wie viele Hochwasser gibt es an den meisten Küsten pro Tag?" in out
    assert "✅ Lektion abgeschlossen: Gezeiten. 2 von 2 richtig." in out
    assert out.rstrip().endswith(
        "Tschüss! Dein Fortschritt ist gespeichert: Starte mich wieder, um dort weiterzumachen, wo du aufgehört hast."
    )


def test_language_option_wins_over_the_terminal_and_settings_can_switch(tmp_path: Path) -> None:
    out = run(tmp_path, ["/settings language en", "/progress", "/quit"], "--language", "de", LC_ALL="en_US.UTF-8")
    assert "Hallo sam!" in out
    assert "I will speak English with you from now on. Your streak, mastery and badges stay as they are." in out
    assert "Your progress" in out
    assert out.rstrip().endswith("Bye! Your progress is saved: run me again to pick up where you left off."), "its own words follow"
