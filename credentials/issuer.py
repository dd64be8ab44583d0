"""Who signs: the deployment's issuer identity (did:web from PUBLIC_URL, else did:key), its
profile, and where it publishes."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class IssuerIdentity:
    """`links`: where this deployment serves its pages (PUBLIC_URL, else the local web app), for
    people; `names`: how its credentials name things, which is those links only where the public
    can open them (did:web), and self-contained URNs otherwise (did:key)."""

    key: IssuerKey
    retired: tuple[Ed25519PublicKey, ...]
    profile: Issuer
    links: Links
    names: Names
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
            links = Links(public_url.rstrip("/"))
            return cls(
                key=key,
                retired=retired,
                profile=Issuer(id=did, name=name, url=links.base_url),
                links=links,
                names=links,
                verification_method=f"{did}#{key.public_key_multibase}",
                public_url=public_url,
            )
        return cls(
            key=key,
            retired=retired,
            profile=Issuer(id=did_key(key.public_key), name=name, url=None),
            links=Links(local_url.rstrip("/")),
            names=SelfContained(issuer_name=name),
            verification_method=did_key_verification_method(key.public_key),
            public_url=None,
        )

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
