"""Who signs: the deployment's issuer identity (did:web from PUBLIC_URL, else did:key), its
profile, and where it publishes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.data_integrity import VerificationResult, sign, verify
from credentials.issuing import Issuer, Links
from credentials.keys import (
    DidDocumentKeys,
    IssuerKey,
    KeyResolver,
    did_key,
    did_key_verification_method,
    did_web,
    did_web_document,
    public_key_multibase,
    resolve_did_key,
)


@dataclass(frozen=True)
class IssuerIdentity:
    key: IssuerKey
    retired: tuple[Ed25519PublicKey, ...]
    profile: Issuer
    links: Links
    verification_method: str
    public_url: str | None

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
        if public_url:
            did = did_web(public_url)
            method = f"{did}#{key.public_key_multibase}"
            base = public_url.rstrip("/")
        else:
            did, method, base = did_key(key.public_key), did_key_verification_method(key.public_key), local_url.rstrip("/")
        return cls(
            key=key,
            retired=retired,
            profile=Issuer(id=did, name=name, url=base),
            links=Links(base),
            verification_method=method,
            public_url=public_url,
        )

    def did_document(self) -> dict[str, Any] | None:
        """Served at /.well-known/did.json for did:web; did:key needs no document."""
        if not self.public_url:
            return None
        return did_web_document(self.public_url, [self.key.public_key, *self.retired])

    def sign(self, document: dict[str, Any], *, created: datetime) -> dict[str, Any]:
        return sign(document, key=self.key, verification_method=self.verification_method, created=created)

    def resolver(self) -> KeyResolver:
        document = self.did_document()
        return DidDocumentKeys((document,)) if document else resolve_did_key

    def verify(self, document: dict[str, Any]) -> VerificationResult:
        return verify(document, resolve_key=self.resolver())

    def describe(self) -> str:
        """For logs: the DID and the public key only."""
        return f"{self.profile.id} (key {public_key_multibase(self.key.public_key)})"
