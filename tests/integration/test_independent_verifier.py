"""Our credentials verify with a verifier we did not write: Digital Bazaar's VC libraries
(tests/verifier/verify.mjs), offline, fed only the bundled contexts and the DID document.

Without Node or its packages these tests skip with the reason, except in CI, where they fail:
CI installs the packages with `(cd tests/verifier && npm ci)`."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from credentials.data_integrity import sign
from credentials.documents import bundled_contexts
from credentials.keys import IssuerKey, did_key, did_key_verification_method, did_web, did_web_document
from tests.credential_samples import SIGNED_AT, open_badge_credential
from tests.node_verifier import VERIFIER

PUBLIC_URL = "https://academy.example.com"


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


def test_independent_verifier_accepts_our_credential(verify_with_node, signed):
    assert verify_with_node(signed) == {"verified": True, "errors": []}


def test_independent_verifier_rejects_the_tampered_credential(verify_with_node, signed):
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Lockout/Tagout Basicz"
    result = verify_with_node(tampered, stdin=True)
    assert result["verified"] is False
    assert result["errors"] == ["Error: Invalid signature."]


def test_independent_verifier_rejects_a_credential_signed_by_another_key(verify_with_node, key):
    forged = sign(
        open_badge_credential(did_key(key.public_key)),
        key=IssuerKey.generate(),
        verification_method=did_key_verification_method(key.public_key),
        created=SIGNED_AT,
    )
    assert verify_with_node(forged) == {"verified": False, "errors": ["Error: Invalid signature."]}


def test_independent_verifier_rejects_a_property_no_context_defines(verify_with_node, signed):
    padded = copy.deepcopy(signed)
    padded["credentialSubject"]["grade"] = "A+"
    [error] = verify_with_node(padded)["errors"]
    assert "Safe mode validation error" in error and '"property":"grade"' in error


def test_independent_verifier_rejects_an_expired_credential(verify_with_node, signed):
    [error] = verify_with_node(signed, now="2028-03-03T00:00:00Z")["errors"]
    assert 'after "validUntil"' in error


def test_independent_verifier_accepts_a_did_web_credential_signed_by_a_retired_key(verify_with_node):
    retired, current = IssuerKey.generate(), IssuerKey.generate()
    did = did_web(PUBLIC_URL)
    document = did_web_document(PUBLIC_URL, [current.public_key, retired.public_key])
    old = sign(open_badge_credential(did), key=retired, verification_method=f"{did}#{retired.public_key_multibase}", created=SIGNED_AT)
    assert verify_with_node(old, did_documents=(document,)) == {"verified": True, "errors": []}
    without_retired = did_web_document(PUBLIC_URL, [current.public_key])
    assert verify_with_node(old, did_documents=(without_retired,))["verified"] is False


def test_bundled_contexts_are_the_ones_the_independent_verifier_ships(verify_with_node):
    """The VC 2.0 context we sign with is exactly what Digital Bazaar's package carries."""
    shipped = VERIFIER / "node_modules" / "@digitalbazaar" / "credentials-context" / "contexts" / "v2.jsonld"
    assert bundled_contexts()["https://www.w3.org/ns/credentials/v2"] == json.loads(shipped.read_text(encoding="utf-8"))
