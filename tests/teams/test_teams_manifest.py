"""`run_bot.py teams manifest OUT.zip`: the package an admin uploads to Teams, as Teams checks it
(the zip's three files at its top level, the manifest's ids, the bot's scopes, the icons' sizes)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from PIL import Image

PROJECT_DIR = Path(__file__).resolve().parents[2]
APP_ID = "6f1c2a90-3b7e-4a51-9d0e-2c4b8e7f1a23"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATA_DIR": str(tmp_path), **env}
    for name in ("TEAMS_APP_ID", "TEAMS_APP_PASSWORD", "PUBLIC_URL", "DATABASE_URL"):
        if name not in env:
            environment.pop(name, None)
    command = [sys.executable, str(PROJECT_DIR / "run_bot.py"), "teams", "manifest", *args]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=60)


def test_the_package_has_the_manifest_and_both_icons_for_personal_chats_and_teams(tmp_path):
    out = tmp_path / "microbadge-teams.zip"
    result = run(
        tmp_path, str(out), TEAMS_APP_ID=APP_ID, TEAMS_APP_PASSWORD="secret-not-in-the-package", PUBLIC_URL="https://learn.example.com"
    )
    assert result.returncode == 0, result.stderr
    assert "Wrote" in result.stdout and "secret-not-in-the-package" not in result.stdout + result.stderr
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"], "at the top level, no folder"
        manifest = json.loads(package.read("manifest.json"))
        color = Image.open(io.BytesIO(package.read("color.png")))
        outline = Image.open(io.BytesIO(package.read("outline.png")))
        assert b"secret-not-in-the-package" not in b"".join(package.read(name) for name in package.namelist())
    assert manifest["manifestVersion"] == "1.29" and manifest["$schema"].endswith("/v1.29/MicrosoftTeams.schema.json")
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["id"] == APP_ID and GUID.fullmatch(manifest["id"])
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and bot["scopes"] == ["personal", "team"]
    commands = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert {"start", "next", "path", "progress", "badges", "settings", "help"} <= set(commands) and len(commands) <= 10
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in bot["commandLists"][0]["commands"])
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    for link in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert manifest["developer"][link].startswith("https://learn.example.com")
    assert manifest["validDomains"] == ["learn.example.com"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert (color.format, color.size) == ("PNG", (192, 192))
    assert (outline.format, outline.size) == ("PNG", (32, 32))
    # Teams' rule for the outline icon: white, on a transparent background.
    rgba = outline.convert("RGBA").tobytes()
    pixels = {tuple(rgba[i : i + 4]) for i in range(0, len(rgba), 4)}
    assert all(p == (255, 255, 255, 255) or p[3] == 0 for p in pixels) and any(p[3] == 0 for p in pixels)


def test_without_the_app_id_or_an_https_public_url_it_says_which_in_one_line(tmp_path):
    out = tmp_path / "app.zip"
    missing = run(tmp_path, str(out), PUBLIC_URL="https://learn.example.com")
    assert missing.returncode == 2 and "teams manifest needs TEAMS_APP_ID" in missing.stderr and missing.stderr.count("\n") == 1
    plain = run(tmp_path, str(out), TEAMS_APP_ID=APP_ID, TEAMS_APP_PASSWORD="x", PUBLIC_URL="http://localhost:8000")
    assert plain.returncode == 2 and "PUBLIC_URL must be an https:// address" in plain.stderr
    assert not out.exists()
