"""Lesson pictures for the platforms: their files, read from the content folder's media/ only
(Telegram uploads them), and their public addresses on the web app (Slack and Teams fetch them
from there: web/routes_media.py serves them).

An address carries the file's digest (`?v=`), so a redrawn picture gets a new address and nobody
is shown a cached old one, while an unchanged one may be cached for good."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from bot.replies import Picture
from content.media_rules import media_path


class MediaFolder:
    """The files lesson pictures may come from: under `content_dir`/media, nowhere else."""

    def __init__(self, content_dir: Path) -> None:
        self._root = content_dir

    def file(self, path: str) -> Path | None:
        """The picture's file, or None when `path` names anything outside media/ or no file."""
        found = media_path(self._root, path)
        if found is None or not found.is_file():
            return None
        media = (self._root / "media").resolve()
        return found if found.resolve().is_relative_to(media) else None  # no symlink out of media/

    def read(self, path: str) -> bytes | None:
        found = self.file(path)
        if found is None:
            return None
        try:
            return found.read_bytes()
        except OSError:
            return None


class MediaLinks:
    """Public addresses of lesson pictures, for platforms that fetch them. None where no platform
    could: the web app is not on https (PUBLIC_URL unset or http), or the file is gone (a learner
    still in a lesson started before it was removed); the picture is then said in words."""

    def __init__(self, *, base_url: str | None, folder: MediaFolder) -> None:
        self._base = base_url.rstrip("/") if base_url and base_url.startswith("https://") else None
        self._folder = folder

    def url(self, picture: Picture) -> str | None:
        if self._base is None or self._folder.file(picture.path) is None:
            return None
        return f"{self._base}/{quote(picture.path)}?v={quote(picture.digest)}"
