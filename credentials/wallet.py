"""Claiming a credential into a wallet: the VC-API exchange with DID Authentication that the DCC
Learner Credential Wallet (LCW) and other VC-API wallets speak.

The protocol, as built here (issuer side):

1. The learner gets a one-time claim link in chat (bot/wallet_claims.py). It opens a page with a
   QR code of the LCW deep link (web/routes_wallet.py); the same URL asked for JSON is the
   exchange's *interaction URL* and answers `{"protocols": {"vcapi": <exchange URL>, "lcw": ...}}`.
   The deep link is LCW's `request` form: `dccrequest://request?request=` + the URL-encoded JSON
   `{"credentialRequestOrigin": <our origin>, "protocols": {"vcapi": <exchange URL>}}`, and
   `https://lcw.app/request.html?request=...` is the same as a universal link.
2. The wallet POSTs `{}` to the exchange URL and gets a Verifiable Presentation Request:
   `{"verifiablePresentationRequest": {"query": [{"type": "DIDAuthentication", "acceptedMethods":
   [{"method": "key"}], "acceptedCryptosuites": [{"cryptosuite": "eddsa-rdfc-2022"}]}],
   "challenge": ..., "domain": ..., "interact": {"service": [...the exchange URL...]}}}`.
   The challenge is derived from the claim's secret token (one exchange, one challenge); the
   domain is the host of PUBLIC_URL (never the request's Host header).
3. The wallet signs an empty presentation with the key of its own DID (`holder` = its did:key;
   proofPurpose `authentication`; the challenge and domain inside the proof) and POSTs
   `{"verifiablePresentation": vp}` to the `interact` endpoint (the same URL).
4. We verify it (`authenticate`): exactly one proof, purpose authentication, our challenge and
   domain, `created` recent and not in the future, not `expires`d, its verification method a
   did:key key whose DID is the presentation's `holder`, and the signature. Two proof types are
   accepted: `DataIntegrityProof` with `eddsa-rdfc-2022` (credentials/data_integrity.py) and
   `Ed25519Signature2020`, which LCW signs with (its DIDAuth uses @digitalcredentials/vc with
   Ed25519Signature2020). Ed25519Signature2020 hashes as eddsa-rdfc-2022 does (SHA-256 of the
   canonical proof options with the document's @context, then of the canonical document; an
   Ed25519 signature of both, multibase base58btc in proofValue), so it reuses those steps.
5. We answer `{"verifiablePresentation": {"@context": [VC 2.0], "type": ["VerifiablePresentation"],
   "verifiableCredential": [copy]}}` (not signed by us: the credential inside is), where the copy
   (`bound_to`) is the stored credential with `credentialSubject.id` = the wallet's DID, signed
   by the issuer now. Everything else stays: its id, validFrom / validUntil, the achievement and
   evidence, the learner's hashed `identifier`, and the same `credentialStatus` entry (the same
   status list slot), so revoking the award revokes every copy too.

Sources: W3C CCG VC API / VCALM "Workflows and Exchanges" (POST an exchange: `{}` starts it, the
answer holds `verifiablePresentationRequest`, `verifiablePresentation` or `redirectUrl`, errors
are 4xx with a JSON body; interaction URLs give `protocols`); chapi.io "Handling a VC API Exchange
in a Web Wallet"; the Verifiable Presentation Request spec's DID Authentication query (challenge,
domain, acceptedMethods, acceptedCryptosuites, interact); DCC's transaction-service (the LCW
DIDAuth exchange: `getDIDAuthVPR`, `verifyDIDAuth`, the claim workflow setting
`credentialSubject.id` to the holder and answering with a VP) and LCW's app/lib/exchanges.ts and
didAuthRequest.ts (POST `{}`, read `verifiablePresentationRequest`, sign with Ed25519Signature2020
with challenge and domain, POST `{verifiablePresentation}` to `interact.service[0].serviceEndpoint`,
take the credentials out of the returned VP); W3C Data Integrity EdDSA Cryptosuites v1.0
(eddsa-rdfc-2022) and the Ed25519Signature2020 suite (jsonld-signatures' LinkedDataSignature).

Not built: LCW's older one-step link (`issuer`, `auth_type=bearer`, `challenge`, `vc_request_url`),
whose presentation carries no domain; and OpenID4VCI with a pre-authorized code (a credential
offer, a token endpoint and a credential endpoint with a proof of possession), which other
wallets use.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

from credentials.data_integrity import CRYPTOSUITE, PROOF_TYPE, hashing, proof_verification, verify
from credentials.documents import BundledDocumentLoader, DocumentError, DocumentLoader, bundled_contexts, canonicalize
from credentials.issuing import VC_CONTEXT
from credentials.keys import InvalidMultibase, decode_multibase_base58btc, resolve_did_key
from credentials.verification import parse_time

DID_AUTHENTICATION = "DIDAuthentication"
ED25519_2020 = "Ed25519Signature2020"
AUTHENTICATION = "authentication"
LCW_DEEP_LINK = "dccrequest://request"
LCW_UNIVERSAL_LINK = "https://lcw.app/request.html"
# How old a presentation's proof may be (the wallet signs it right after reading the request), and
# how far ahead of our clock a wallet's clock may run.
FRESH_FOR = timedelta(minutes=10)
CLOCK_SKEW = timedelta(minutes=5)
# Contexts a wallet's presentation may use beyond the ones our credentials use (the published files,
# in credentials/contexts/ but not in its index.json: nothing we issue or verify names them).
PRESENTATION_CONTEXTS = {
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",  # VC 1.1, as LCW's presentations
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-signature-2020-v1.jsonld",
}


class PresentationRefused(Exception):
    """The wallet's answer does not prove control of its DID for this exchange. `reason` says
    why, in words a wallet developer can act on; `malformed` marks an answer that is not a
    presentation at all (as against one that fails to authenticate)."""

    def __init__(self, reason: str, *, malformed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.malformed = malformed


@dataclass(frozen=True)
class Exchange:
    """One claim's exchange, as the wallet sees it."""

    url: str  # where the wallet POSTs (it holds the claim's secret token)
    challenge: str
    domain: str
    origin: str  # our site, for the deep link's credentialRequestOrigin


def challenge_for(token: str) -> str:
    """The exchange's challenge, derived from its secret token (one-way: the challenge, which
    the wallet signs and may show, does not give the token away), so nothing more is stored."""
    return hashlib.sha256(b"wallet-claim-challenge\0" + token.encode("utf-8", "surrogatepass")).hexdigest()


def domain_of(base_url: str) -> str:
    """The proof domain: the host (and port) of our public address."""
    parts = urlsplit(base_url)
    return parts.netloc.rpartition("@")[2].lower()


def origin_of(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2].lower()}"


def presentation_request(exchange: Exchange) -> dict[str, Any]:
    """The answer to the wallet's first POST: please authenticate as a DID (did:key), over this
    challenge and domain, and send the presentation to this same URL."""
    return {
        "verifiablePresentationRequest": {
            "query": [
                {
                    "type": DID_AUTHENTICATION,
                    "acceptedMethods": [{"method": "key"}],
                    "acceptedCryptosuites": [{"cryptosuite": CRYPTOSUITE}],
                }
            ],
            "challenge": exchange.challenge,
            "domain": exchange.domain,
            "interact": {
                "service": [
                    {"type": "VerifiableCredentialApiExchangeService", "serviceEndpoint": exchange.url},
                    {"type": "UnmediatedHttpPresentationService2021", "serviceEndpoint": exchange.url},
                ]
            },
        }
    }


def protocols(exchange: Exchange) -> dict[str, Any]:
    """What the interaction URL answers a wallet asking for JSON."""
    return {"protocols": {"vcapi": exchange.url, "lcw": lcw_link(exchange, universal=True)}}


def lcw_link(exchange: Exchange, *, universal: bool = False) -> str:
    """The LCW deep link (`dccrequest://`), or the same as LCW's universal link (lcw.app, which
    a phone without the app opens in a browser: the exchange URL then passes through that page)."""
    request = json.dumps({"credentialRequestOrigin": exchange.origin, "protocols": {"vcapi": exchange.url}}, separators=(",", ":"))
    return f"{LCW_UNIVERSAL_LINK if universal else LCW_DEEP_LINK}?request={quote(request, safe='')}"


def presentation_of(body: Any) -> Mapping[str, Any]:
    """The presentation in a wallet's second POST (`{"verifiablePresentation": ...}`)."""
    if not isinstance(body, Mapping):
        raise PresentationRefused("the body must be a JSON object", malformed=True)
    presentation = body.get("verifiablePresentation")
    if not isinstance(presentation, Mapping):
        raise PresentationRefused("the body must hold a verifiablePresentation object", malformed=True)
    return presentation


def authenticate(
    presentation: Mapping[str, Any],
    *,
    challenge: str,
    domain: str,
    now: datetime,
    document_loader: DocumentLoader | None = None,
) -> str:
    """The DID the presentation proves control of (its holder), or PresentationRefused."""
    types = presentation.get("type")
    listed = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if "VerifiablePresentation" not in listed:
        raise PresentationRefused("the presentation's type must include VerifiablePresentation", malformed=True)
    holder = _holder(presentation)
    proofs = presentation.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs] if proofs is not None else []
    if len(proofs) != 1 or not isinstance(proofs[0], Mapping):
        raise PresentationRefused("the presentation must carry exactly one proof, by the holder", malformed=True)
    proof: Mapping[str, Any] = proofs[0]
    if proof.get("proofPurpose") != AUTHENTICATION:
        raise PresentationRefused(f"the proof's purpose must be {AUTHENTICATION!r}, not {proof.get('proofPurpose')!r}")
    if not _same(proof.get("challenge"), challenge):
        raise PresentationRefused("the proof's challenge is not this exchange's challenge")
    if not _names_domain(proof.get("domain"), domain):
        raise PresentationRefused(f"the proof's domain must be {domain!r}")
    _fresh(proof, now)
    method = proof.get("verificationMethod")
    method_id = method.get("id") if isinstance(method, Mapping) else method
    if not isinstance(method_id, str) or method_id.partition("#")[0] != holder:
        raise PresentationRefused("the proof's verification method must be a key of the holder's own DID")
    if resolve_did_key(method_id) is None:
        raise PresentationRefused("the proof's verification method is not a did:key Ed25519 key (did:key:z6Mk...#z6Mk...)")
    loader = document_loader or presentation_loader()
    if proof.get("type") == PROOF_TYPE and proof.get("cryptosuite") == CRYPTOSUITE:
        result = verify(presentation, resolve_key=resolve_did_key, proof_purpose=AUTHENTICATION, document_loader=loader)
        if not result.ok:
            raise PresentationRefused("the signature does not verify: " + "; ".join(result.reasons))
    elif proof.get("type") == ED25519_2020:
        _verify_ed25519_2020(presentation, proof, method_id, loader)
    else:
        raise PresentationRefused(
            f"proof type not supported: {proof.get('type')!r} (send {PROOF_TYPE} with {CRYPTOSUITE}, or {ED25519_2020})",
            malformed=True,
        )
    return holder


@functools.cache
def presentation_loader() -> BundledDocumentLoader:
    """The bundled contexts and PRESENTATION_CONTEXTS; never the network."""
    folder = resources.files("credentials") / "contexts"
    more = {url: json.loads((folder / name).read_text(encoding="utf-8")) for url, name in PRESENTATION_CONTEXTS.items()}
    return BundledDocumentLoader(contexts={**bundled_contexts(), **more})


def bound_to(credential: Mapping[str, Any], holder: str) -> dict[str, Any]:
    """The stored credential, unsigned, with its subject the wallet's DID: everything else (id,
    dates, status entry, the hashed identifier) as it is."""
    unsigned = {key: copy.deepcopy(value) for key, value in credential.items() if key != "proof"}
    subject = unsigned.get("credentialSubject")
    if not isinstance(subject, dict):
        raise ValueError("the credential has no credentialSubject object")
    unsigned["credentialSubject"] = {"id": holder, **{key: value for key, value in subject.items() if key != "id"}}
    return unsigned


def offered(credentials: list[dict[str, Any]]) -> dict[str, Any]:
    """The exchange's last answer: the credentials, in a presentation the wallet takes them from."""
    return {"verifiablePresentation": {"@context": [VC_CONTEXT], "type": ["VerifiablePresentation"], "verifiableCredential": credentials}}


def _holder(presentation: Mapping[str, Any]) -> str:
    holder = presentation.get("holder")
    if isinstance(holder, Mapping):
        holder = holder.get("id")
    if not isinstance(holder, str) or not holder.startswith("did:key:"):
        raise PresentationRefused("the presentation's holder must be the wallet's did:key", malformed=True)
    return holder


def _same(given: Any, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))


def _names_domain(given: Any, domain: str) -> bool:
    """A proof's domain is a string or a set of strings (Data Integrity); ours must be it or in it."""
    return given == domain or (isinstance(given, list) and domain in given)


def _fresh(proof: Mapping[str, Any], now: datetime) -> None:
    created = parse_time(proof.get("created"))
    if created is None:
        raise PresentationRefused("the proof has no created date-time (with its time zone)")
    if created > now + CLOCK_SKEW:
        raise PresentationRefused(f"the proof was created in the future ({proof['created']})")
    if created < now - FRESH_FOR:
        raise PresentationRefused(f"the proof is too old ({proof['created']}): sign a new presentation for this request")
    if "expires" in proof:
        expires = parse_time(proof.get("expires"))
        if expires is None or expires <= now:
            raise PresentationRefused("the proof has expired")


def _verify_ed25519_2020(presentation: Mapping[str, Any], proof: Mapping[str, Any], method: str, loader: DocumentLoader) -> None:
    """Ed25519Signature2020 (jsonld-signatures' LinkedDataSignature): the proof options without
    proofValue, under the document's @context, and the document without its proof, each
    canonicalized (RDFC-1.0) and hashed (SHA-256); the Ed25519 signature is over both hashes."""
    public_key = resolve_did_key(method)
    if public_key is None:  # pragma: no cover - checked by authenticate
        raise PresentationRefused("unknown verification method")
    contexts = presentation.get("@context")
    listed = contexts if isinstance(contexts, list) else [contexts]
    if "https://w3id.org/security/suites/ed25519-2020/v1" not in listed:
        raise PresentationRefused(f"an {ED25519_2020} proof needs the https://w3id.org/security/suites/ed25519-2020/v1 context")
    try:
        signature = decode_multibase_base58btc(str(proof.get("proofValue", "")))
    except InvalidMultibase:
        raise PresentationRefused("proofValue is not multibase base58btc") from None
    if len(signature) != 64:
        raise PresentationRefused("proofValue is not a 64-byte Ed25519 signature")
    options = {"@context": contexts, **{key: value for key, value in proof.items() if key not in ("proofValue", "jws", "signatureValue")}}
    document = {key: value for key, value in presentation.items() if key != "proof"}
    try:
        canonical_options = canonicalize(options, document_loader=loader)
        canonical_document = canonicalize(document, document_loader=loader)
    except DocumentError as error:
        raise PresentationRefused(f"cannot canonicalize: {error}", malformed=True) from None
    if not proof_verification(hashing(canonical_document, canonical_options), signature, public_key=public_key):
        raise PresentationRefused("the signature does not verify: signature does not match")
