"""The Teams SDK reads a `.env` file and generic variable names; the bot's configuration is its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_a_stray_env_file_in_the_working_folder_is_not_loaded_with_the_teams_sdk(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CLIENT_SECRET=from-a-stray-file\nSTRAY_MARKER=loaded\n")
    probe = "import adapters.teams.bot, os; print(os.environ.get('STRAY_MARKER', 'absent'), os.environ.get('CLIENT_SECRET', 'absent'))"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON_DOTENV_DISABLED", "CLIENT_SECRET", "STRAY_MARKER")}
    env["PYTHONPATH"] = str(PROJECT_DIR)
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["absent", "absent"]
