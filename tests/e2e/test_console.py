"""The console bot as a person uses it: `python run_bot.py` with typed (here: piped) input."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURE_CONTENT, PROJECT_DIR


def run_console(workdir: Path, lines: list[str], content: Path = FIXTURE_CONTENT, learner: str = "sam") -> str:
    env = {**os.environ, "CONTENT_DIR": str(content), "DATA_DIR": str(workdir / "data"), "TZ": "UTC"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "console", "--learner", learner],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def test_a_person_finishes_a_lesson_and_its_checks_in_the_terminal(tmp_path):
    out = run_console(tmp_path, ["1", "", "", "2", "1,2", "/quit"])
    assert "Hi Sam!" not in out  # the console learner is named as typed
    assert "Hi sam!" in out
    assert "[1/4] Two tides a day" in out
    assert "✅ Correct!" in out
    assert "Lesson complete: Tides. 2 of 2 correct." in out
    assert "Next in Seamanship L1: Knots" in out
    assert (tmp_path / "data" / "bot.sqlite3").exists()


def test_running_again_resumes_where_the_learner_left_off(tmp_path):
    run_console(tmp_path, ["1", ""])  # input ends after the second card: the learner just leaves
    out = run_console(tmp_path, ["", "2", "/quit"])
    assert "You were in the middle of Tides" in out
    assert "[2/4] Spring and neap" in out
    assert "[3/4] ❓ How many high tides" in out
    assert "✅ Correct!" in out


def test_typed_nonsense_gets_guidance_not_a_crash(tmp_path):
    out = run_console(tmp_path, ["1", "", "", "banana", "9", "/progress", "/quit"])
    assert "Please answer with a number from 1 to 3." in out
    assert "Please pick a number from 1 to 3." in out
    assert "Streak: 1 learning day" in out


def test_broken_content_stops_the_bot_with_path_and_line(tmp_path):
    broken = tmp_path / "content"
    import shutil

    shutil.copytree(FIXTURE_CONTENT, broken)
    lesson = broken / "lessons" / "knots.md"
    lesson.write_text(lesson.read_text().replace("requires: [tides]", "requires: [tide]"))
    env = {**os.environ, "CONTENT_DIR": str(broken), "DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py")], input="", capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert result.returncode == 1
    assert f"{lesson}:6:" in result.stderr and "tide" in result.stderr
    assert "Traceback" not in result.stderr


def test_content_check_and_preview_commands(tmp_path):
    ok = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "content", "check", str(FIXTURE_CONTENT)],
        capture_output=True, text=True, timeout=60,
    )
    assert ok.returncode == 0 and "2 lessons, 3 checks" in ok.stdout
    shown = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "content", "preview", str(FIXTURE_CONTENT / "lessons" / "tides.md")],
        capture_output=True, text=True, timeout=60,
    )
    assert shown.returncode == 0
    assert "[1/4] Two tides a day" in shown.stdout
    assert "(correct: Spring tides; Tides near a full moon)" in shown.stdout


def test_the_shipped_curriculum_can_be_learned_in_the_terminal(tmp_path):
    out = run_console(tmp_path, ["1", "", "", "", "2", "1,2,4", "2", "/path", "/quit"], content=PROJECT_DIR / "content")
    assert "Workplace Safety L1 -> Equipment Maintenance L2 => Plant Operations Certificate" in out
    assert "Lesson complete: Spotting hazards. 3 of 3 correct." in out
    assert "Next in Workplace Safety L1: Protective equipment that protects" in out
    assert "✅ Spotting hazards" in out
    assert "Lockout/Tagout Practitioner (badge)" in out
