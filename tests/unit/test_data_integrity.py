"""Signing and verifying Open Badges 3.0 credentials with Data Integrity eddsa-rdfc-2022, the
issuer key and its DIDs, the offline document loader and the 1EdTech JSON schema."""

from __future__ import annotations

import copy
import re
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.data_integrity import CRYPTOSUITE, ProofError, sign, verify
from credentials.documents import BundledDocumentLoader, ContextNotBundled, RelativeIris, UndefinedTerms, bundled_contexts
from credentials.keys import (
    DidDocumentKeys,
    InsecureKeyFile,
    InvalidPublicUrl,
    IssuerKey,
    KeyFileExists,
    did_key,
    did_key_verification_method,
    did_web,
    did_web_document,
    load_key,
    public_key_from_multibase,
    resolve_did_key,
    save_key,
)
from credentials.schema import validate_achievement_credential
from tests.credential_samples import SIGNED_AT, open_badge_credential


@pytest.fixture(scope="module")
def key() -> IssuerKey:
    return IssuerKey.generate()


@pytest.fixture(scope="module")
def signed(key: IssuerKey) -> dict[str, Any]:
    return sign(
        open_badge_credential(did_key(key.public_key)),
        key=key,
        verification_method=did_key_verification_method(key.public_key),
        created=SIGNED_AT,
    )


def test_signed_credential_verifies(signed):
    assert verify(signed, resolve_key=resolve_did_key).ok


def test_proof_is_an_array_holding_one_eddsa_rdfc_2022_data_integrity_proof(signed, key):
    [proof] = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == CRYPTOSUITE == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["created"] == "2026-03-02T08:00:00Z"
    assert proof["verificationMethod"] == f"did:key:{key.public_key_multibase}#{key.public_key_multibase}"
    assert proof["proofValue"].startswith("z") and len(base58.b58decode(proof["proofValue"][1:])) == 64


def test_signing_leaves_the_input_untouched(key):
    credential = open_badge_credential(did_key(key.public_key))
    before = copy.deepcopy(credential)
    sign(credential, key=key, verification_method=did_key_verification_method(key.public_key), created=SIGNED_AT)
    assert credential == before


def test_tampered_credential_is_rejected(signed):
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Lockout/Tagout Basicz"
    result = verify(tampered, resolve_key=resolve_did_key)
    assert not result.ok
    assert result.reasons == ["signature does not match"]


def test_credential_signed_by_another_key_is_rejected(key):
    impostor = IssuerKey.generate()
    forged = sign(
        open_badge_credential(did_key(key.public_key)),
        key=impostor,
        verification_method=did_key_verification_method(key.public_key),
        created=SIGNED_AT,
    )
    assert verify(forged, resolve_key=resolve_did_key).reasons == ["signature does not match"]


def test_a_key_that_is_not_the_issuers_is_rejected(key):
    impostor = IssuerKey.generate()
    method = did_key_verification_method(impostor.public_key)
    forged = sign(open_badge_credential(did_key(key.public_key)), key=impostor, verification_method=method, created=SIGNED_AT)
    assert verify(forged, resolve_key=resolve_did_key).reasons == [
        f"verification method {method} does not belong to the issuer {did_key(key.public_key)}"
    ]


def test_unknown_verification_method_is_rejected(key):
    did = did_web("https://academy.example.com")
    credential = open_badge_credential(did)
    signed = sign(credential, key=key, verification_method=f"{did}#key-2", created=SIGNED_AT)
    document = did_web_document("https://academy.example.com", [key.public_key])
    assert verify(signed, resolve_key=DidDocumentKeys((document,))).reasons == [f"unknown verification method {did}#key-2"]


def test_unsupported_cryptosuite_is_rejected(signed):
    other = copy.deepcopy(signed)
    other["proof"][0]["cryptosuite"] = "ecdsa-rdfc-2019"
    assert verify(other, resolve_key=resolve_did_key).reasons == ["cryptosuite not supported: 'ecdsa-rdfc-2019' (expected eddsa-rdfc-2022)"]


def test_a_credential_without_proof_is_rejected(key):
    result = verify(open_badge_credential(did_key(key.public_key)), resolve_key=resolve_did_key)
    assert (result.ok, result.reasons) == (False, ["the document has no proof"])


def test_wrong_proof_purpose_is_rejected(key):
    signed = sign(
        open_badge_credential(did_key(key.public_key)),
        key=key,
        verification_method=did_key_verification_method(key.public_key),
        created=SIGNED_AT,
        proof_purpose="authentication",
    )
    assert verify(signed, resolve_key=resolve_did_key).reasons == ["proof purpose 'authentication' is not 'assertionMethod'"]


def test_a_single_proof_object_is_accepted_too(signed):
    single = {**signed, "proof": signed["proof"][0]}
    assert verify(single, resolve_key=resolve_did_key).ok


def test_a_second_signature_joins_the_proof_set(signed, key):
    again = sign(signed, key=key, verification_method=did_key_verification_method(key.public_key), created=SIGNED_AT)
    assert len(again["proof"]) == 2
    assert verify(again, resolve_key=resolve_did_key).ok


def test_undefined_property_makes_signing_fail(key):
    credential = open_badge_credential(did_key(key.public_key))
    credential["credentialSubject"]["favouriteColour"] = "blue"
    with pytest.raises(UndefinedTerms, match="no JSON-LD context defines 'favouriteColour'") as raised:
        sign(credential, key=key, verification_method=did_key_verification_method(key.public_key), created=SIGNED_AT)
    assert raised.value.terms == ("favouriteColour",)


def test_undefined_type_makes_signing_fail(key):
    credential = open_badge_credential(did_key(key.public_key))
    credential["type"].append("SuperBadge")
    with pytest.raises(UndefinedTerms, match="'SuperBadge'"):
        sign(credential, key=key, verification_method=did_key_verification_method(key.public_key), created=SIGNED_AT)


def test_relative_id_makes_signing_fail(key):
    credential = open_badge_credential(did_key(key.public_key))
    credential["id"] = "badge-42"
    with pytest.raises(RelativeIris, match="'badge-42'"):
        sign(credential, key=key, verification_method=did_key_verification_method(key.public_key), created=SIGNED_AT)


@pytest.mark.parametrize("not_an_iri", ["not a url", "https://learn.example.com/a b", "<urn:x>"])
def test_an_id_that_is_no_iri_makes_signing_fail_and_a_signed_one_fail_verification(key, signed, not_an_iri):
    """pyld drops such an id from the signed data without a word; Digital Bazaar's verifier refuses it."""
    credential = open_badge_credential(did_key(key.public_key))
    credential["credentialSubject"]["achievement"]["id"] = not_an_iri
    with pytest.raises(RelativeIris, match=re.escape(repr(not_an_iri))):
        sign(credential, key=key, verification_method=did_key_verification_method(key.public_key), created=SIGNED_AT)
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["id"] = not_an_iri
    [reason] = verify(changed, resolve_key=resolve_did_key).reasons
    assert "not IRIs at all" in reason


def test_a_property_added_after_signing_is_rejected(signed):
    padded = copy.deepcopy(signed)
    padded["credentialSubject"]["grade"] = "A+"
    [reason] = verify(padded, resolve_key=resolve_did_key).reasons
    assert reason.startswith("cannot canonicalize: no JSON-LD context defines 'grade'")


def test_naive_created_time_is_refused(key):
    with pytest.raises(ProofError, match="timezone-aware"):
        sign({}, key=key, verification_method=did_key_verification_method(key.public_key), created=datetime(2026, 3, 2))


def test_loader_serves_bundled_contexts_and_refuses_the_network():
    loader = BundledDocumentLoader()
    assert loader("https://www.w3.org/ns/credentials/v2")["document"]["@context"]["VerifiableCredential"]
    with pytest.raises(ContextNotBundled, match=re.escape("refusing to fetch https://example.com/context.json")):
        loader("https://example.com/context.json")


def test_signing_with_an_unbundled_context_names_the_url(key):
    credential = open_badge_credential(did_key(key.public_key))
    credential["@context"].append("https://example.com/extra-terms.jsonld")
    with pytest.raises(ContextNotBundled, match=re.escape("https://example.com/extra-terms.jsonld")) as raised:
        sign(credential, key=key, verification_method=did_key_verification_method(key.public_key), created=SIGNED_AT)
    assert raised.value.url == "https://example.com/extra-terms.jsonld"


def test_a_context_one_loader_served_is_not_remembered_for_another(key):
    url = "https://example.com/grades.jsonld"
    credential = open_badge_credential(did_key(key.public_key))
    credential["@context"].append(url)
    credential["credentialSubject"]["grade"] = "A"
    method = did_key_verification_method(key.public_key)
    with_grades = BundledDocumentLoader(extra={url: {"@context": {"grade": "https://example.com/grades#grade"}}})
    assert sign(credential, key=key, verification_method=method, created=SIGNED_AT, document_loader=with_grades)["proof"]
    with pytest.raises(ContextNotBundled, match=url):
        sign(credential, key=key, verification_method=method, created=SIGNED_AT)


def test_vc_v2_context_already_defines_data_integrity_proof_and_bitstring_status_list():
    terms = bundled_contexts()["https://www.w3.org/ns/credentials/v2"]["@context"]
    assert terms["DataIntegrityProof"]["@id"] == "https://w3id.org/security#DataIntegrityProof"
    assert {"BitstringStatusListCredential", "BitstringStatusListEntry"} <= terms.keys()


def test_matches_the_w3c_eddsa_rdfc_2022_test_vector():
    """Data Integrity EdDSA Cryptosuites v1.0, appendix B.1: same key, document and time give the
    published proofValue (Ed25519 signatures are deterministic)."""
    secret_key = base58.b58decode("3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")  # 0x8026 + seed
    key = IssuerKey(Ed25519PrivateKey.from_private_bytes(secret_key[2:]))
    assert key.public_key_multibase == "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    examples = {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}
    loader = BundledDocumentLoader(extra={"https://www.w3.org/ns/credentials/examples/v2": examples})
    alumni = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "name": "Alumni Credential",
        "description": "A minimum viable example of an Alumni Credential.",
        "issuer": "https://vc.example/issuers/5678",
        "validFrom": "2023-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    }
    signed = sign(
        alumni,
        key=key,
        verification_method=did_key_verification_method(key.public_key),
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
        document_loader=loader,
    )
    expected = "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"
    assert signed["proof"][0]["proofValue"] == expected
    # The signature holds; only our issuer rule objects (the vector's issuer is not the key's DID).
    assert verify(signed, resolve_key=resolve_did_key, document_loader=loader).reasons == [
        f"verification method {signed['proof'][0]['verificationMethod']} does not belong to the issuer https://vc.example/issuers/5678"
    ]


def test_signed_credential_validates_against_the_1edtech_schema(signed):
    result = validate_achievement_credential(signed)
    assert (result.ok, result.problems) == (True, [])


def test_schema_problems_name_the_path(signed):
    broken = copy.deepcopy(signed)
    del broken["validFrom"]
    broken["credentialSubject"]["identifier"][0]["hashed"] = "yes"
    problems = validate_achievement_credential(broken).problems
    assert any("'validFrom' is a required property" in problem for problem in problems)
    assert any(problem.startswith("credentialSubject/identifier/0/hashed:") for problem in problems)


# --- the issuer key and its DIDs


def test_saved_key_is_private_and_loads_back(tmp_path: Path):
    key = IssuerKey.generate()
    path = tmp_path / "keys" / "issuer.pem"
    save_key(key, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_key(path).public_key_multibase == key.public_key_multibase


def test_saving_never_overwrites_a_key(tmp_path: Path):
    path = tmp_path / "issuer.pem"
    save_key(IssuerKey.generate(), path)
    first = path.read_bytes()
    with pytest.raises(KeyFileExists):
        save_key(IssuerKey.generate(), path)
    assert path.read_bytes() == first


def test_a_key_file_others_can_read_is_refused(tmp_path: Path):
    path = tmp_path / "issuer.pem"
    save_key(IssuerKey.generate(), path)
    path.chmod(0o644)
    with pytest.raises(InsecureKeyFile, match="chmod 600"):
        load_key(path)


def test_key_repr_shows_no_secret():
    key = IssuerKey.generate()
    raw = key.private_key.private_bytes_raw()
    assert raw.hex() not in repr(key) and base58.b58encode(raw).decode() not in repr(key)
    assert key.public_key_multibase in repr(key)


def test_public_key_is_an_ed25519_multikey():
    key = IssuerKey.generate()
    assert key.public_key_multibase.startswith("z6Mk")
    assert base58.b58decode(key.public_key_multibase[1:])[:2] == b"\xed\x01"
    assert public_key_from_multibase(key.public_key_multibase) == key.public_key


@pytest.mark.parametrize(
    ("public_url", "did"),
    [
        ("https://example.com", "did:web:example.com"),
        ("https://example.com/", "did:web:example.com"),
        ("https://Badges.Example.com:8443/acme/academy/", "did:web:badges.example.com%3A8443:acme:academy"),
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000"),
    ],
)
def test_did_web_from_public_url(public_url, did):
    assert did_web(public_url) == did


@pytest.mark.parametrize("public_url", ["http://example.com", "example.com", "https://example.com/?a=1", "ftp://example.com"])
def test_did_web_refuses_a_url_it_cannot_serve(public_url):
    with pytest.raises(InvalidPublicUrl):
        did_web(public_url)


def test_rotated_keys_keep_old_credentials_verifiable():
    retired, current = IssuerKey.generate(), IssuerKey.generate()
    did = did_web("https://academy.example.com")
    document = did_web_document("https://academy.example.com", [current.public_key, retired.public_key])
    assert [m["type"] for m in document["verificationMethod"]] == ["Multikey", "Multikey"]
    assert document["assertionMethod"] == [m["id"] for m in document["verificationMethod"]]
    old = sign(open_badge_credential(did), key=retired, verification_method=f"{did}#{retired.public_key_multibase}", created=SIGNED_AT)
    new = sign(open_badge_credential(did), key=current, verification_method=f"{did}#{current.public_key_multibase}", created=SIGNED_AT)
    resolve = DidDocumentKeys((document,))
    assert verify(old, resolve_key=resolve).ok and verify(new, resolve_key=resolve).ok
    only_current = DidDocumentKeys((did_web_document("https://academy.example.com", [current.public_key]),))
    assert not verify(old, resolve_key=only_current).ok
