"""The Teams app package an admin uploads (Teams admin center, or the Developer Portal's Import):
a zip of manifest.json (app manifest schema 1.29), color.png (192 x 192, full colour) and
outline.png (32 x 32, white on transparent), as https://learn.microsoft.com/microsoftteams/platform/
concepts/build-and-test/apps-package describes. The bot is offered in personal chats (lessons)
and in teams (badge announcements in a channel); its command menu is bot/commands.py's table,
what a learner may type."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

from bot import commands
from bot.vocabulary import Role

SCHEMA_VERSION = "1.29"
SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{SCHEMA_VERSION}/MicrosoftTeams.schema.json"
ACCENT = "#1F5F8B"
COLOR_SIZE, OUTLINE_SIZE = 192, 32
MAX_COMMANDS = 10  # per command list
SHORT_NAME, FULL_NAME, SHORT_DESCRIPTION = 30, 100, 80
COMMAND_TITLE, COMMAND_DESCRIPTION = 32, 128


class ManifestProblem(Exception):
    """What the package cannot be made without (a setting), said in one line."""


@dataclass(frozen=True)
class AppInfo:
    app_id: str  # the bot's Microsoft app id, also the Teams app's id
    public_url: str  # https://...: the developer's site, privacy and terms pages, the valid domain
    name: str  # the issuer's name: who the learners learn with


def manifest(info: AppInfo) -> dict[str, Any]:
    parts = urlsplit(info.public_url)
    if parts.scheme != "https" or not parts.hostname:
        raise ManifestProblem(f"PUBLIC_URL must be an https:// address for a Teams app (Teams opens its links), not {info.public_url!r}")
    site = info.public_url.rstrip("/")
    learner_commands = [c for c in commands.offered("teams", Role.LEARNER) if " " not in c.name][:MAX_COMMANDS]
    return {
        "$schema": SCHEMA,
        "manifestVersion": SCHEMA_VERSION,
        "version": _version(),
        "id": info.app_id,
        "developer": {"name": info.name[:32], "websiteUrl": site, "privacyUrl": site, "termsOfUseUrl": site},
        "name": {"short": "Microbadge"[:SHORT_NAME], "full": f"Microbadge: {info.name}"[:FULL_NAME]},
        "description": {
            "short": "Five-minute lessons, quick checks and verifiable badges in chat"[:SHORT_DESCRIPTION],
            "full": (
                "A five-minute lesson a day in your chat with the bot: short cards, quick checks with feedback, "
                "spaced re-checks, streaks and mastery per skill, and Open Badges 3.0 credentials anyone can verify. "
                "Add it to a team to announce the badges its members earn."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": info.app_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal"],
                        "commands": [
                            {"title": c.name[:COMMAND_TITLE], "description": (c.about[:1].upper() + c.about[1:])[:COMMAND_DESCRIPTION]}
                            for c in learner_commands
                        ],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [parts.hostname],
    }


def package(info: AppInfo) -> bytes:
    """The zip: manifest.json and the two icons, at the top level (Teams wants no folder)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(info), indent=2, ensure_ascii=False))
        archive.writestr("color.png", _icon(COLOR_SIZE, outline=False))
        archive.writestr("outline.png", _icon(OUTLINE_SIZE, outline=True))
    return buffer.getvalue()


def _version() -> str:
    try:
        return metadata.version("microbadge")
    except metadata.PackageNotFoundError:
        return "1.0.0"


def _icon(size: int, *, outline: bool) -> bytes:
    """A medal on a ribbon: on the accent colour (color.png), or white on transparent (outline.png)."""
    from PIL import Image, ImageDraw

    white = (255, 255, 255, 255)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0) if outline else ACCENT)
    draw = ImageDraw.Draw(image)
    s = size / 32  # drawn on a 32-unit grid
    draw.polygon([(10 * s, 2 * s), (15 * s, 2 * s), (17 * s, 13 * s), (12 * s, 14 * s)], fill=white)
    draw.polygon([(17 * s, 2 * s), (22 * s, 2 * s), (20 * s, 14 * s), (15 * s, 13 * s)], fill=white)
    draw.ellipse([8 * s, 12 * s, 24 * s, 28 * s], fill=white)
    if not outline:
        draw.ellipse([11 * s, 15 * s, 21 * s, 25 * s], outline=ACCENT, width=max(1, round(1.5 * s)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
