"""`teams manifest OUT.zip`: the Teams app package an admin uploads (adapters/teams/manifest.py),
for the bot named by TEAMS_APP_ID, its links under PUBLIC_URL."""

from __future__ import annotations

from pathlib import Path

from adapters.cli.shared import say
from bot.config import ConfigError, Settings


def write_manifest(settings: Settings, out: Path) -> int:
    from adapters.teams.manifest import AppInfo, ManifestProblem, package

    if settings.teams is None:
        raise ConfigError("teams manifest needs TEAMS_APP_ID (the bot's Microsoft app id) and TEAMS_APP_PASSWORD")
    if not settings.public_url:
        raise ConfigError("teams manifest needs PUBLIC_URL, the https:// address the web app is served at")
    try:
        data = package(AppInfo(app_id=settings.teams.app_id, public_url=settings.public_url, name=settings.issuer_name))
    except ManifestProblem as problem:
        raise ConfigError(str(problem)) from None
    if out.suffix.lower() != ".zip":
        say(f"teams manifest: {out} should end in .zip (Teams uploads a .zip)")
        return 2
    try:
        out.write_bytes(data)
    except OSError as error:
        say(f"teams manifest: {out} cannot be written ({error.strerror or type(error).__name__})")
        return 1
    print(f"Wrote {out}: manifest.json, color.png, outline.png. Upload it in Teams (Apps > Manage your apps > Upload an app).")
    return 0
