"""The console bot as a person uses it: `python run_bot.py` with typed (here: piped) input."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.conftest import FIXTURE_CONTENT, PROJECT_DIR


def console_env(workdir: Path, content: Path = FIXTURE_CONTENT) -> dict[str, str]:
    # LC_ALL C.UTF-8: a terminal that says no language, so the bot speaks English whatever this machine's locale.
    env = {**os.environ, "CONTENT_DIR": str(content), "DATA_DIR": str(workdir / "data"), "TZ": "UTC", "LC_ALL": "C.UTF-8"}
    env.pop("DATABASE_URL", None)
    env.pop("COLUMNS", None)
    return env


def run_console(workdir: Path, lines: list[str], content: Path = FIXTURE_CONTENT, learner: str = "sam") -> str:
    env = console_env(workdir, content)
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


def test_start_in_a_lesson_welcomes_back_to_the_same_card_as_on_every_platform(tmp_path):
    """`/start` means what it means in Telegram and Slack (bot/commands.py): welcome back, and the
    card the learner is on shown again, not skipped; `/next` moves past it."""
    out = run_console(tmp_path, ["1", "/start", "/next", "/quit"])
    first_card = "─" * 60 + "\n[1/4] Two tides a day\n\nMost coasts see two high tides and two low tides each day.\n\n"
    welcome_back = _block("Welcome back! You were in the middle of Tides.") + "Picking up where you left off in Tides.\n\n"
    assert welcome_back + first_card in out
    after_start = out.split(welcome_back, 1)[1]
    assert after_start.startswith(first_card), "the card being read is shown again"
    assert "[2/4] Spring and neap" in after_start.removeprefix(first_card), "/next moves on"


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
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0 and "2 lessons, 3 checks" in ok.stdout
    shown = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "content", "preview", str(FIXTURE_CONTENT / "lessons" / "tides.md")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0
    assert "[1/4] Two tides a day" in shown.stdout
    assert "(correct: Spring tides; Tides near a full moon)" in shown.stdout


def test_the_shipped_curriculum_can_be_learned_in_the_terminal(tmp_path):
    out = run_console(tmp_path, ["1", "", "", "", "2", "1,2,4", "2", "/path", "/quit"], content=PROJECT_DIR / "content")
    assert "Workplace Safety L1 -> Equipment Maintenance L2 => Plant Operations Certificate" in out
    assert "Lesson complete: Spotting hazards. 3 of 3 correct." in out
    assert "Next in Workplace Safety L1: Protective equipment that protects" in out
    assert "✅ done: Spotting hazards" in out
    assert "Lockout/Tagout Practitioner (badge)" in out


def _block(*lines: str) -> str:
    """Lines as one printed message: whole lines, between the blank lines that separate messages."""
    return "\n\n" + "\n".join(lines) + "\n\n"


FINAL_STEP = _block(
    "Last check: this cannot be undone. Your name, chat id, settings and streak are deleted for good, "
    "and your progress can no longer be linked to you. Delete your data now?",
    "",
    "[type DELETE] Delete my data now   [1] No, stay",
)
TYPE_THE_WORD = 'To press "Delete my data now", type DELETE. Otherwise type 1, or a command such as /help.'


def test_enter_and_numbers_never_delete_the_learners_data_only_the_typed_word_does(tmp_path):
    # Enter at the first question; then Enter, "2" and "1" at the final step.
    out = run_console(tmp_path, ["/settings", "8", "", "1", "", "2", "1", "/quit"])
    assert _block("[1] Yes, delete my data   [2] No, stay", "", "Type a number from 1 to 2, or a command such as /help.") in out
    assert (
        FINAL_STEP
        + TYPE_THE_WORD
        + "\n\n"
        + TYPE_THE_WORD
        + "\n\n"
        + ("Glad you are staying! Nothing was deleted; /next continues where you are.\n\n")
        in out
    )
    assert "personal data is deleted" not in out

    out = run_console(tmp_path, ["/settings", "8", "1", "delete", "/quit"])
    assert out.startswith("Welcome back!"), "the first session deleted nothing"
    assert (
        FINAL_STEP
        + ("Done: your personal data is deleted and I will not message you again. Say /start if you ever want to begin afresh.\n\nBye!\n\n")
        in out
    )

    out = run_console(tmp_path, ["/quit"])
    assert out.startswith("Hi sam!"), "the data is gone: the bot meets a new learner"


HELP = _block(
    "Here is what I understand:",
    "/start: begin, or pick up where you left off",
    "/next: continue where you are (or start the next lesson)",
    "/path: your pathway map: what is done, what is next, what each badge needs",
    "/progress: your streak and mastery per skill",
    "/badges: your badges and what the next one needs",
    "/settings: your timezone, daily time, working days, vacation hold and language",
    "/stop: no more reminders from me (until /resume)",
    "/resume: your daily lesson offers again, after /stop",
    "/help: this list",
    "/quit: leave the console; your progress is saved",
)


def test_help_settings_progress_path_and_badges_keep_their_lines_and_cards_flow(tmp_path):
    out = run_console(tmp_path, ["1", "", "", "2", "1,2", "/help", "/settings", "/progress", "/path", "/badges", "/quit"])
    assert _block("✅ Lesson complete: Tides. 2 of 2 correct.", "Seamanship L1: 1 of 2 lessons done.") in out
    assert HELP in out
    assert (
        _block(
            "Your settings",
            "Timezone: UTC",
            "Daily lesson time: 09:00",
            "Working days: Mon, Tue, Wed, Thu, Fri",
            "Vacation hold: none",
            "Announce my badges in the team channel: on",
            "My name on new credentials: off",
            "Language: English",
            "",
            "Change a setting like this:",
            "/settings timezone Europe/Berlin",
            "/settings time 08:30",
            "/settings days mon-fri   (or e.g. mon,tue,thu)",
            "/settings hold 2026-12-22 2027-01-02   (a vacation: your streak waits)",
            "/settings hold off",
            "/settings announce off   (or on: your badges in the team channel)",
            "/settings name on   (or off: your name on the credentials you earn from now on)",
            "/settings language de   (or en: the language I speak to you in)",
            "",
            "[1] Timezone   [2] Daily time   [3] Pause   [4] Resume   [5] Announce my badges: turn off   "
            "[6] My name on new credentials: turn on   [7] Deutsch   [8] Leave and delete my data",
        )
        in out
    )
    progress = "\n".join(
        [
            "Your progress",
            "🔥 Streak: 1 learning day",
            "📚 Lessons done: 1 of 2",
            "",
            "Mastery by skill",
            "▓▓▓▓▓▓▓▓░░ 80% Reading tides",
            "",
        ]
    )
    assert re.search(re.escape("\n\n" + progress + "\n") + r"🔁 Next re-check: \w{3} \d{2} \w{3}, \d{2}:\d{2}\n\n", out), out
    credentials = (
        "🏅 Deckhand (badge): 2 of 6 requirements met",
        "   still needs: Complete Knots; Reading tides: correct re-checks on 2 separate days (0 so far)"
        "; Tying knots mastery 50% (now 0%); Tying knots: correct re-checks on 2 separate days (0 so far)",
        "🏅 Mariner Certificate (certificate): 0 of 1 requirements met",
        "   still needs: Hold Deckhand",
    )
    assert (
        _block(
            "Your pathway map",
            "",
            "Seamanship L1 (1 of 2 done)",
            "✅ done: Tides",
            "➡️ next: Knots",
            "",
            "Credentials",
            *credentials,
            "",
            "[1] Continue   (or press Enter)",
        )
        in out
    )
    assert (
        _block(
            "Your badges",
            "No badges yet: a badge is earned by showing durable mastery, not by clicking through.",
            "",
            "Still to earn",
            *credentials,
            "",
            "[1] Continue learning   (or press Enter)",
        )
        in out
    )

    # An author's paragraph, wrapped over three lines in the lesson file, flows as one.
    (tmp_path / "shipped").mkdir()
    out = run_console(tmp_path / "shipped", ["1", "/quit"], content=PROJECT_DIR / "content")
    assert (
        _block(
            "─" * 60,
            "[1/6] Why spotting hazards matters",
            "",
            "Most injuries at work come from hazards someone walked past: a cable across a walkway, a guard "
            "left off, a leak nobody reported. Spotting them takes seconds. Fixing them early saves a trip to "
            "the hospital.",
            "",
            "A hazard is anything that could cause harm. A risk is how likely that harm is, and how bad.",
            "",
            "[1] Next ▶   (or press Enter)",
        )
        in out
    )


TIDES_QUESTION = _block(
    "─" * 60,
    "[3/4] ❓ How many high tides do most coasts see in a day?",
    "",
    "  1) One",
    "  2) Two",
    "  3) Four",
    "",
    "(Type the number of your answer)",
)


def test_a_command_during_a_question_asks_the_question_again(tmp_path):
    out = run_console(tmp_path, ["1", "", "", "/progress", "2", "/help", "1,2", "/quit"])
    assert "Type /next to continue" not in out
    after_progress = out.index("📚 Lessons done: 0 of 2")
    assert out[after_progress:].startswith("📚 Lessons done: 0 of 2" + TIDES_QUESTION + "✅ Correct!\n"), out
    assert HELP.rstrip("\n") + "\n\n" + "─" * 60 + "\n[4/4] ❓ Which tides have the biggest range? Choose all that apply.\n" in out
    assert out.count("✅ Correct!") == 2
    assert "✅ Lesson complete: Tides. 2 of 2 correct." in out


def test_at_the_end_of_the_pathway_the_map_says_what_is_left_instead_of_continue(tmp_path):
    # Tides, then Knots; then "Show my pathway", then Enter.
    out = run_console(tmp_path, ["1", "", "", "2", "1,2", "1", "", "2", "1", "", "/quit"])
    assert "🎓 You have completed every lesson on your pathway." in out
    found = re.search(r"\n\nYour pathway map\n.*?\n\n(.*?)\n\n🎓 You have completed every lesson on your pathway\.", out, re.S)
    assert found, out
    # The map's last lines, and no buttons: Enter went on to where the learner is.
    done, recheck, badges = found.group(1).split("\n")[-3:]
    assert done == "🎓 Every lesson on your pathway is done: there is nothing to continue right now."
    assert re.fullmatch(r"🔁 Your next re-check is due \w{3} \d{2} \w{3}, \d{2}:\d{2}; I will offer it then\.", recheck)
    assert badges == "🏅 /badges shows the badges you hold and what is left to earn."
    assert "[1] Continue" not in out, "a Continue at the end only led back to the same map"


def _read_until(stream: int, marker: str, deadline: float) -> str:
    seen = b""
    while marker.encode() not in seen:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(stream, 65536) if ready else b""
        if not chunk:
            raise AssertionError(f"{marker!r} never came; got {seen.decode(errors='replace')!r}")
        seen += chunk
    return seen.decode()


def test_ctrl_c_ends_the_console_at_once_with_a_goodbye(tmp_path):
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "console", "--learner", "sam"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=console_env(tmp_path),
    )
    assert process.stdout is not None and process.stderr is not None  # both piped
    try:
        shown = _read_until(process.stdout.fileno(), "[1] Start now", time.monotonic() + 120)
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends; stdin stays open, as in a terminal
        process.wait(timeout=60)  # a generous bound on a loaded machine; before, it waited for a line forever
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    out = shown + process.stdout.read().decode()
    err = process.stderr.read().decode()
    assert process.returncode in (0, 130), err
    assert out.endswith(
        "[1] Start now   [2] Later   [3] Daily time\n\nBye! Your progress is saved: run me again to pick up where you left off.\n\n"
    )
    assert "Traceback" not in err and "Error" not in err, err


def test_a_terminal_gets_lines_wrapped_to_its_width(tmp_path):
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 60, 0, 0))  # 40 rows, 60 columns
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), "console", "--learner", "sam"],
        stdin=subprocess.PIPE,
        stdout=terminal,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=console_env(tmp_path),
    )
    os.close(terminal)
    assert process.stdin is not None  # piped
    try:
        process.stdin.write(b"/path\n/quit\n")
        process.stdin.close()
        out = _read_until(controller, "Bye!", time.monotonic() + 120)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    assert _block(
        "Credentials",
        "🏅 Deckhand (badge): 0 of 6 requirements met",
        "   still needs: Complete Tides; Complete Knots; Reading",
        "   tides mastery 80% (now 0%); Reading tides: correct",
        "   re-checks on 2 separate days (0 so far); Tying knots",
        "   mastery 50% (now 0%); Tying knots: correct re-checks on 2",
        "   separate days (0 so far)",
        "🏅 Mariner Certificate (certificate): 0 of 1 requirements",
        "met",
        "   still needs: Hold Deckhand",
        "",
        "[1] Continue   (or press Enter)",
    ) in out.replace("\r\n", "\n")
