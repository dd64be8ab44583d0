"""Who signs: the deployment's issuer identity (did:web from PUBLIC_URL, else did:key), its
profile, and where it publishes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.data_integrity import VerificationResult, sign, verify
from credentials.issuing import Issuer, Links, Names, SelfContained
from credentials.keys import (
    DidDocumentKeys,
    IssuerKey,
    KeyResolver,
    did_key,
    did_key_verification_method,
    did_web,
    did_web_document,
    is_loopback_url,
    public_key_multibase,
    resolve_did_key,
)
from credentials.keystore import KeyRing, KeyStore


@dataclass(frozen=True)
class WithoutWithdrawn:
    """A resolver that refuses the keys withdrawn as compromised."""

    inner: KeyResolver
    withdrawn: tuple[Ed25519PublicKey, ...]

    def __call__(self, verification_method: str) -> Ed25519PublicKey | None:
        key = self.inner(verification_method)
        if key is None or any(key == gone for gone in self.withdrawn):
            return None
        return key


@dataclass(frozen=True)
class IssuerIdentity:
    """The issuer as it is now. `keys` gives the current key ring: read from KEYS_DIR again
    whenever it changes (KeyStore.ring), so a rotation takes effect without a restart; a fixed
    ring in tests and throwaway issuers.

    `links`: where this deployment serves its pages (PUBLIC_URL, else the local web app), for
    people; `names`: how its credentials name things, which is those links only where the public
    can open them (did:web), and self-contained URNs otherwise (did:key)."""

    keys: Callable[[], KeyRing] = field(repr=False)
    name: str
    public_url: str | None
    local_url: str

    def __post_init__(self) -> None:
        if self.public_url:
            did_web(self.public_url)  # InvalidPublicUrl now, not at the first award

    @classmethod
    def create(
        cls,
        *,
        key: IssuerKey,
        retired: tuple[Ed25519PublicKey, ...] = (),
        name: str,
        public_url: str | None,
        local_url: str,
    ) -> IssuerIdentity:
        """An issuer whose keys never change."""
        ring = KeyRing(key, tuple(retired))
        return cls(keys=lambda: ring, name=name, public_url=public_url, local_url=local_url)

    @classmethod
    def from_store(cls, store: KeyStore, *, name: str, public_url: str | None, local_url: str) -> IssuerIdentity:
        """An issuer that follows the key store: `credentials rotate-key` reaches it while it runs."""
        store.ring()  # the key exists, and its files are usable, before anything is signed
        return cls(keys=store.ring, name=name, public_url=public_url, local_url=local_url)

    @property
    def key(self) -> IssuerKey:
        return self.keys().current

    @property
    def retired(self) -> tuple[Ed25519PublicKey, ...]:
        return self.keys().retired

    @property
    def withdrawn(self) -> tuple[Ed25519PublicKey, ...]:
        return self.keys().withdrawn

    @property
    def links(self) -> Links:
        return Links((self.public_url or self.local_url).rstrip("/"))

    @property
    def names(self) -> Names:
        return self.links if self.public_url else SelfContained(issuer_name=self.name)

    @property
    def did(self) -> str:
        return did_web(self.public_url) if self.public_url else did_key(self.key.public_key)

    @property
    def profile(self) -> Issuer:
        return Issuer(id=self.did, name=self.name, url=self.links.base_url if self.public_url else None)

    @property
    def verification_method(self) -> str:
        key = self.key
        return f"{self.did}#{key.public_key_multibase}" if self.public_url else did_key_verification_method(key.public_key)

    def unchecked_by_the_public(self) -> str | None:
        """For `serve` to say at start when the credentials it issues cannot be checked fully by
        someone else; None when they can (did:web at a public https address)."""
        if self.public_url is None:
            return (
                "Credentials: PUBLIC_URL is not set, so badges are signed with did:key and carry no revocation status: "
                "anyone can check who signed one and that it is unchanged, but a revocation shows only on this bot's own pages. "
                "Set PUBLIC_URL to this server's public https address for did:web and a public revocation list."
            )
        if is_loopback_url(self.public_url):
            return (
                f"Credentials: PUBLIC_URL {self.public_url} opens on this machine only: badges issued now name it, so nobody else "
                "can fetch their issuer's DID document or revocation list, and independent verifiers will reject them. "
                "Set PUBLIC_URL to a public https address."
            )
        return None

    def did_document(self) -> dict[str, Any] | None:
        """Served at /.well-known/did.json for did:web: the current key and the retired ones,
        never a withdrawn one. did:key needs no document."""
        if not self.public_url:
            return None
        ring = self.keys()
        return did_web_document(self.public_url, [ring.current.public_key, *ring.retired])

    def sign(self, document: dict[str, Any], *, created: datetime) -> dict[str, Any]:
        return sign(document, key=self.key, verification_method=self.verification_method, created=created)

    def resolver(self) -> KeyResolver:
        """Our own keys as a verifier would find them; a withdrawn key resolves to nothing, also
        where did:key would name it by itself."""
        document = self.did_document()
        return WithoutWithdrawn(DidDocumentKeys((document,)) if document else resolve_did_key, self.withdrawn)

    def signed_by_withdrawn_key(self, document: dict[str, Any]) -> bool:
        """Whether a proof names a key this issuer withdrew as compromised."""
        proofs = document.get("proof")
        withdrawn = {public_key_multibase(key) for key in self.withdrawn}
        for proof in proofs if isinstance(proofs, list) else [proofs]:
            method = proof.get("verificationMethod") if isinstance(proof, dict) else None
            if isinstance(method, str) and method.rpartition("#")[2] in withdrawn:
                return True
        return False

    def verify(self, document: dict[str, Any]) -> VerificationResult:
        return verify(document, resolve_key=self.resolver())

    def describe(self) -> str:
        """For logs: the DID and the public key only."""
        return f"{self.profile.id} (key {public_key_multibase(self.key.public_key)})"
