"""The issuer's signing keys on disk, outside the database. Files are 0600, folders 0700.

- `issuer-ed25519.pem`: the current private key, the only key that signs.
- `retired/<when>.pub`: the public halves of keys rotated out routinely. They stay in the did:web
  document so that what they signed keeps verifying; their private halves are destroyed at
  rotation, so a retired key can no longer sign anything.
- `withdrawn/<when>.pub`: keys withdrawn as compromised. They leave the DID document, so nothing
  they signed verifies any more (the credentials they signed are signed again with the new key).

Every process reads the folder again when it changes (`KeyStore.ring`), so a rotation takes
effect in each running `serve` without a restart. A rotation replaces the current key file in one
atomic rename: a reader sees the old key or the new one, never none."""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.keys import InvalidKeyFile, IssuerKey, IssuerKeyError, KeyFileExists, load_key, save_key

log = logging.getLogger(__name__)

CURRENT = "issuer-ed25519.pem"
RETIRED, WITHDRAWN = "retired", "withdrawn"


@dataclass(frozen=True)
class KeyRing:
    """The keys as they are now: the one that signs, and the public halves of the others."""

    current: IssuerKey
    retired: tuple[Ed25519PublicKey, ...] = ()  # still verify what they signed (newest first)
    withdrawn: tuple[Ed25519PublicKey, ...] = ()  # compromised: verify nothing


class KeyStore:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._seen: tuple[object, ...] | None = None
        self._ring: KeyRing | None = None

    @property
    def current_path(self) -> Path:
        return self._folder / CURRENT

    @property
    def retired_folder(self) -> Path:
        return self._folder / RETIRED

    @property
    def withdrawn_folder(self) -> Path:
        return self._folder / WITHDRAWN

    def load_or_create(self) -> IssuerKey:
        """The current key; generated on first start."""
        if not self.current_path.exists():
            with contextlib.suppress(KeyFileExists):  # another process created it first: theirs is the key
                save_key(IssuerKey.generate(), self.current_path)
        return load_key(self.current_path)

    def ring(self) -> KeyRing:
        """The keys, read again only when the folder changed since the last call (a few stat
        calls otherwise). Retired private keys left by earlier versions are destroyed here,
        their public halves kept."""
        seen = self._version()
        if self._ring is not None and seen == self._seen:
            return self._ring
        try:
            current = self.load_or_create()
            self._destroy_retired_private_keys()
            ring = KeyRing(current, _public_keys(self.retired_folder), _public_keys(self.withdrawn_folder))
        except (IssuerKeyError, OSError) as error:
            if self._ring is None:
                raise
            # Unreadable for a moment (a chmod, a copy under way): keep signing with what was read.
            log.warning("The issuer keys in %s could not be read again (%s); the keys read before stay in use", self._folder, error)
            return self._ring
        self._ring, self._seen = ring, self._version() if seen is None else seen
        return ring

    def retired(self) -> list[Ed25519PublicKey]:
        return list(self.ring().retired)

    def rotate(self, now: datetime | None = None, *, compromised: bool = False) -> IssuerKey:
        """Start a new key. The old one's public half goes to retired/ (routine: what it signed
        still verifies) or withdrawn/ (compromised: nothing it signed verifies); its private half
        is gone once the new key has replaced it."""
        old = self.load_or_create()
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
        _save_public_key(old.public_key, (self.withdrawn_folder if compromised else self.retired_folder) / f"{stamp}.pub")
        new = IssuerKey.generate()
        pending = self._folder / f".{CURRENT}.{stamp}.new"
        save_key(new, pending)
        os.replace(pending, self.current_path)  # atomic: the old private key's file is gone with it
        return new

    def _version(self) -> tuple[object, ...] | None:
        stamps: list[object] = []
        for path in (self.current_path, self.retired_folder, self.withdrawn_folder):
            try:
                status = path.stat()
            except FileNotFoundError:
                stamps.append(None)
                continue
            stamps.append((status.st_ino, status.st_mtime_ns, status.st_size))
        return None if stamps[0] is None else tuple(stamps)

    def _destroy_retired_private_keys(self) -> None:
        if not self.retired_folder.is_dir():
            return
        for path in sorted(self.retired_folder.glob("*.pem")):
            try:
                key = load_key(path)
            except FileNotFoundError:  # another process got to it first
                continue
            public = path.with_suffix(".pub")
            if not public.exists():
                _save_public_key(key.public_key, public)
            path.unlink(missing_ok=True)


def _save_public_key(key: Ed25519PublicKey, path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    pending = path.with_name(f".{path.name}.new")
    descriptor = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
        file.flush()
        os.fsync(file.fileno())
    os.replace(pending, path)


def _public_keys(folder: Path) -> tuple[Ed25519PublicKey, ...]:
    """Newest first (the file names are timestamps)."""
    if not folder.is_dir():
        return ()
    keys = []
    for path in sorted(folder.glob("*.pub"), reverse=True):
        key = serialization.load_pem_public_key(path.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise InvalidKeyFile(f"{path} holds a {type(key).__name__}, not an Ed25519 public key")
        keys.append(key)
    return tuple(keys)
