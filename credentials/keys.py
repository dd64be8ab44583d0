"""The issuer's Ed25519 key: generate, save (0600, folder 0700), load; its Multikey and did:key
forms; a did:web DID document that lists the current and retired keys; and resolvers that turn
a verification method id into a public key. Key material is never logged or shown in a repr.

Encodings (Controlled Identifiers v1.0, Multikey; did:key v0.7): a public key is multibase
base58btc ("z") of the multicodec ed25519-pub header 0xed 0x01 and the 32 key bytes, so it
starts "z6Mk"; a signature is multibase base58btc of its 64 bytes.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519_PUB_MULTICODEC = b"\xed\x01"
BASE58BTC_PREFIX = "z"
DID_CONTEXTS = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")


class IssuerKeyError(Exception):
    """Base of the key errors (named so as not to shadow the builtin KeyError)."""


class KeyFileExists(IssuerKeyError):
    pass


class InsecureKeyFile(IssuerKeyError):
    pass


class InvalidKeyFile(IssuerKeyError):
    pass


class InvalidMultibase(IssuerKeyError):
    pass


class InvalidPublicUrl(IssuerKeyError):
    pass


@dataclass(frozen=True)
class IssuerKey:
    private_key: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls) -> IssuerKey:
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_key_multibase(self) -> str:
        return public_key_multibase(self.public_key)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    def __repr__(self) -> str:
        return f"IssuerKey(public_key_multibase={self.public_key_multibase!r})"


def save_key(key: IssuerKey, path: Path) -> None:
    """Write the key as unencrypted PKCS#8 PEM, readable by its owner only. Never overwrites:
    a replaced key would make every credential it signed unverifiable."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
        folder.chmod(0o700)
    pem = key.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as error:
        raise KeyFileExists(f"{path} already exists; keep it (rotate by saving the new key elsewhere)") from error
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), 0o600)  # whatever the umask did
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
    except OSError:
        path.unlink(missing_ok=True)  # no half-written key left behind
        raise


def load_key(path: Path) -> IssuerKey:
    """Read a key saved by save_key; refuse a file that others may read."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise InsecureKeyFile(f"{path} is open to other users (mode {mode:o}); chmod 600 {path}")
    try:
        private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as error:
        raise InvalidKeyFile(f"{path} is not a PEM private key") from error
    if not isinstance(private_key, Ed25519PrivateKey):
        raise InvalidKeyFile(f"{path} holds a {type(private_key).__name__}, not an Ed25519 key")
    return IssuerKey(private_key)


def multibase_base58btc(data: bytes) -> str:
    return BASE58BTC_PREFIX + base58.b58encode(data).decode("ascii")


def decode_multibase_base58btc(value: str) -> bytes:
    if not value.startswith(BASE58BTC_PREFIX):
        raise InvalidMultibase(f"{value[:12]!r} is not multibase base58btc (it must start with 'z')")
    try:
        return base58.b58decode(value[1:])
    except ValueError as error:
        raise InvalidMultibase(f"{value[:12]!r}... is not valid base58btc") from error


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return multibase_base58btc(ED25519_PUB_MULTICODEC + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    data = decode_multibase_base58btc(value)
    if not data.startswith(ED25519_PUB_MULTICODEC) or len(data) != 34:
        raise InvalidMultibase(f"{value[:12]!r}... is not an ed25519-pub Multikey (0xed01 and 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def did_key(public_key: Ed25519PublicKey) -> str:
    return f"did:key:{public_key_multibase(public_key)}"


def did_key_verification_method(public_key: Ed25519PublicKey) -> str:
    """did:key:z6Mk...#z6Mk...: the id a proof names as its verificationMethod."""
    return f"{did_key(public_key)}#{public_key_multibase(public_key)}"


def did_web(public_url: str) -> str:
    """https://example.com -> did:web:example.com; a port is %3A-encoded, path segments become
    ':'-separated. http is accepted only for loopback hosts (local development)."""
    parts = urlsplit(public_url)
    try:
        port = parts.port
    except ValueError as error:
        raise InvalidPublicUrl(f"PUBLIC_URL {public_url!r} has an invalid port") from error
    if not parts.hostname or parts.query or parts.fragment or parts.username:
        raise InvalidPublicUrl(f"PUBLIC_URL {public_url!r} must be a plain https://host[:port][/path] URL")
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname)):
        raise InvalidPublicUrl(f"PUBLIC_URL {public_url!r} must use https (did:web is resolved over https)")
    host = parts.hostname + (f"%3A{port}" if port else "")
    segments = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *segments])


def did_web_document(public_url: str, keys: Iterable[Ed25519PublicKey]) -> dict[str, Any]:
    """The DID document for did:web(public_url): each key (current first, then retired ones, so
    what they signed stays verifiable) as a Multikey usable for assertionMethod."""
    did = did_web(public_url)
    methods = [
        {"id": f"{did}#{public_key_multibase(key)}", "type": "Multikey", "controller": did, "publicKeyMultibase": public_key_multibase(key)}
        for key in keys
    ]
    if not methods:
        raise IssuerKeyError("a DID document needs at least one key")
    return {"@context": list(DID_CONTEXTS), "id": did, "verificationMethod": methods, "assertionMethod": [m["id"] for m in methods]}


class KeyResolver(Protocol):
    def __call__(self, verification_method: str) -> Ed25519PublicKey | None:
        """The key behind an assertionMethod verification method id, or None if unknown."""
        ...


def resolve_did_key(verification_method: str) -> Ed25519PublicKey | None:
    """did:key carries the key in the identifier itself: no lookup."""
    did, _, fragment = verification_method.partition("#")
    value = did.removeprefix("did:key:")
    if not did.startswith("did:key:") or fragment != value:
        return None
    try:
        return public_key_from_multibase(value)
    except InvalidMultibase:
        return None


@dataclass(frozen=True)
class DidDocumentKeys:
    """Resolves the assertionMethod keys listed in the given DID documents (e.g. our did:web
    document); did:key ids resolve by themselves."""

    documents: tuple[Mapping[str, Any], ...]

    def __call__(self, verification_method: str) -> Ed25519PublicKey | None:
        if verification_method.startswith("did:key:"):
            return resolve_did_key(verification_method)
        for document in self.documents:
            if verification_method not in document.get("assertionMethod", []):
                continue
            for method in document.get("verificationMethod", []):
                if method.get("id") == verification_method and method.get("type") == "Multikey":
                    try:
                        return public_key_from_multibase(method["publicKeyMultibase"])
                    except (InvalidMultibase, KeyError):
                        return None
        return None


def is_loopback_url(url: str) -> bool:
    """http://127.0.0.1:8000 and the like: an address only this machine can open."""
    host = urlsplit(url).hostname
    return host is not None and _is_loopback(host)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
