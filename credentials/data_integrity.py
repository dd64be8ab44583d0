"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite.

Mirrors W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.3 (eddsa-rdfc-2022): 3.3.1 Create
Proof, 3.3.2 Verify Proof, 3.3.3 Transformation, 3.3.4 Hashing, 3.3.5 Proof Configuration,
3.3.6 Proof Serialization, 3.3.7 Proof Verification. Proofs are written as an array (the 1EdTech
Open Badges 3.0 schema's form); a single proof object is accepted when verifying.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.documents import BundledDocumentLoader, DocumentError, DocumentLoader, canonicalize
from credentials.keys import InvalidMultibase, IssuerKey, KeyResolver, decode_multibase_base58btc, multibase_base58btc

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofError(Exception):
    """The proof options are not ones this cryptosuite can sign with."""


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    reasons: list[str] = field(default_factory=list)


def sign(
    document: Mapping[str, Any],
    *,
    key: IssuerKey,
    verification_method: str,
    created: datetime,
    proof_purpose: str = "assertionMethod",
    document_loader: DocumentLoader | None = None,
) -> dict[str, Any]:
    """3.3.1 Create Proof: a copy of `document` with one more proof in its `proof` array.
    Raises DocumentError (e.g. UndefinedTerms) if the document would not sign as written."""
    if created.tzinfo is None:
        raise ProofError("created must be a timezone-aware datetime")
    loader = document_loader or BundledDocumentLoader()
    unsecured = _unsecured(document)
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    canonical_proof_config = proof_configuration(options, document_context=unsecured.get("@context"), document_loader=loader)
    transformed_document = transformation(unsecured, options=options, document_loader=loader)
    hash_data = hashing(transformed_document, canonical_proof_config)
    proof = {**options, "proofValue": multibase_base58btc(proof_serialization(hash_data, key=key))}
    return {**copy.deepcopy(dict(document)), "proof": [*_proofs(document), proof]}


def verify(
    document: Mapping[str, Any],
    *,
    resolve_key: KeyResolver,
    proof_purpose: str = "assertionMethod",
    document_loader: DocumentLoader | None = None,
) -> VerificationResult:
    """Every proof on `document` must verify (3.3.2 Verify Proof), each with a key that
    `resolve_key` knows and that belongs to the document's issuer."""
    proofs = _proofs(document)
    if not proofs:
        return VerificationResult(ok=False, reasons=["the document has no proof"])
    loader = document_loader or BundledDocumentLoader()
    reasons = [
        reason
        for proof in proofs
        for reason in _verify_proof(document, proof, resolve_key=resolve_key, proof_purpose=proof_purpose, document_loader=loader)
    ]
    return VerificationResult(ok=not reasons, reasons=reasons)


def transformation(unsecured_document: Mapping[str, Any], *, options: Mapping[str, Any], document_loader: DocumentLoader) -> str:
    """3.3.3: the RDFC-1.0 canonical N-Quads of the document without its proof."""
    _require_this_cryptosuite(options)
    return canonicalize(unsecured_document, document_loader=document_loader)


def hashing(transformed_document: str, canonical_proof_config: str) -> bytes:
    """3.3.4: SHA-256 of the proof configuration, then SHA-256 of the document (64 bytes)."""
    proof_config_hash = hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
    transformed_document_hash = hashlib.sha256(transformed_document.encode("utf-8")).digest()
    return proof_config_hash + transformed_document_hash


def proof_configuration(options: Mapping[str, Any], *, document_context: Any, document_loader: DocumentLoader) -> str:
    """3.3.5: the proof options (no proofValue) with the document's @context, canonicalized."""
    _require_this_cryptosuite(options)
    created = options.get("created")
    if created is not None and not _is_xsd_datetime(created):
        raise ProofError(f"created {created!r} is not an XML Schema dateTime")
    proof_config = {key: value for key, value in options.items() if key != "proofValue"}
    proof_config["@context"] = document_context
    return canonicalize(proof_config, document_loader=document_loader)


def proof_serialization(hash_data: bytes, *, key: IssuerKey) -> bytes:
    """3.3.6: the Ed25519 signature of the hash data."""
    return key.sign(hash_data)


def proof_verification(hash_data: bytes, proof_bytes: bytes, *, public_key: Ed25519PublicKey) -> bool:
    """3.3.7: does the Ed25519 signature match the hash data?"""
    try:
        public_key.verify(proof_bytes, hash_data)
    except InvalidSignature:
        return False
    return True


def _verify_proof(
    document: Mapping[str, Any], proof: Any, *, resolve_key: KeyResolver, proof_purpose: str, document_loader: DocumentLoader
) -> list[str]:
    if not isinstance(proof, Mapping):
        return ["proof is not an object"]
    if proof.get("type") != PROOF_TYPE:
        return [f"proof type not supported: {proof.get('type')!r} (expected {PROOF_TYPE})"]
    if proof.get("cryptosuite") != CRYPTOSUITE:
        return [f"cryptosuite not supported: {proof.get('cryptosuite')!r} (expected {CRYPTOSUITE})"]
    if proof.get("proofPurpose") != proof_purpose:
        return [f"proof purpose {proof.get('proofPurpose')!r} is not {proof_purpose!r}"]
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        return ["proof has no verificationMethod"]
    issuer = _issuer_id(document)
    reasons = []
    if issuer is not None and method.partition("#")[0] != issuer:
        reasons.append(f"verification method {method} does not belong to the issuer {issuer}")
    public_key = resolve_key(method)
    if public_key is None:
        return [*reasons, f"unknown verification method {method}"]
    try:
        proof_bytes = decode_multibase_base58btc(str(proof.get("proofValue", "")))
    except InvalidMultibase:
        return [*reasons, "proofValue is not multibase base58btc"]
    if len(proof_bytes) != 64:
        return [*reasons, "proofValue is not a 64-byte Ed25519 signature"]
    unsecured = _unsecured(document)
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in options:
        if not _starts_with(document.get("@context"), options["@context"]):
            return [*reasons, "the proof's @context does not match the start of the document's @context"]
        unsecured["@context"] = options["@context"]
    try:
        transformed_document = transformation(unsecured, options=options, document_loader=document_loader)
        canonical_proof_config = proof_configuration(options, document_context=unsecured.get("@context"), document_loader=document_loader)
    except (DocumentError, ProofError) as error:
        return [*reasons, f"cannot canonicalize: {error}"]
    if not proof_verification(hashing(transformed_document, canonical_proof_config), proof_bytes, public_key=public_key):
        reasons.append("signature does not match")
    return reasons


def _require_this_cryptosuite(options: Mapping[str, Any]) -> None:
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"only {PROOF_TYPE} with cryptosuite {CRYPTOSUITE} is supported")


def _unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    return {key: copy.deepcopy(value) for key, value in document.items() if key != "proof"}


def _proofs(document: Mapping[str, Any]) -> list[Any]:
    proof = document.get("proof")
    if proof is None:
        return []
    return copy.deepcopy(list(proof) if isinstance(proof, list) else [proof])


def _issuer_id(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _starts_with(document_context: Any, proof_context: Any) -> bool:
    document_list = document_context if isinstance(document_context, list) else [document_context]
    proof_list = proof_context if isinstance(proof_context, list) else [proof_context]
    return document_list[: len(proof_list)] == proof_list


def _is_xsd_datetime(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
