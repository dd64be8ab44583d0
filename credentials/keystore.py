"""The issuer's signing keys on disk, outside the database: the current key and the retired
ones that still verify what they signed. Files are 0600, the folder 0700."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.keys import IssuerKey, load_key, save_key

CURRENT = "issuer-ed25519.pem"


class KeyStore:
    def __init__(self, folder: Path) -> None:
        self._folder = folder

    @property
    def current_path(self) -> Path:
        return self._folder / CURRENT

    @property
    def retired_folder(self) -> Path:
        return self._folder / "retired"

    def load_or_create(self) -> IssuerKey:
        """The current key; generated on first start."""
        if not self.current_path.exists():
            self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            save_key(IssuerKey.generate(), self.current_path)
        return load_key(self.current_path)

    def retired(self) -> list[Ed25519PublicKey]:
        if not self.retired_folder.is_dir():
            return []
        return [load_key(path).public_key for path in sorted(self.retired_folder.glob("*.pem"), reverse=True)]

    def rotate(self, now: datetime | None = None) -> IssuerKey:
        """Retire the current key (kept, so its credentials still verify) and start a new one."""
        old = self.load_or_create()
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
        self.retired_folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        save_key(old, self.retired_folder / f"{stamp}.pem")
        os.remove(self.current_path)
        return self.load_or_create()
