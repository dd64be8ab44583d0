"""JSON-LD documents, offline: the bundled contexts, a loader that serves only them, and
RDFC-1.0 canonicalization that refuses to silently drop what no context defines.

The contexts in `contexts/` are the published files (W3C VC 2.0, Open Badges 3.0.3 and 3.0.2,
Multikey v1 and DID v1, and Data Integrity v2 for documents that list it although VC 2.0
already defines `DataIntegrityProof`); `contexts/index.json` maps each URL to its file and is
read by the independent Node verifier too.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Protocol

from pyld import jsonld

MANIFEST = "index.json"
# Probe IRIs for safe mode: nothing legitimate lives under the reserved `.invalid` domain.
_UNDEFINED_VOCAB = "https://undefined-term.invalid/#"
_RELATIVE_BASE = "https://relative-iri.invalid/"
_VOCAB_PROBE_TERM = "aTermThatNoContextDefines"
# RFC 3987: a scheme, a colon, then no whitespace, controls or the characters an IRI excludes.
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]*")


class DocumentError(Exception):
    """A JSON-LD document could not be processed."""


class ContextNotBundled(DocumentError):
    def __init__(self, url: str) -> None:
        super().__init__(f"refusing to fetch {url}: only bundled JSON-LD contexts are served, never the network")
        self.url = url


class UndefinedTerms(DocumentError):
    def __init__(self, terms: tuple[str, ...]) -> None:
        super().__init__(
            "no JSON-LD context defines "
            + ", ".join(repr(term) for term in terms)
            + ": they would be left out of the signed data; define them in a context or remove them"
        )
        self.terms = terms


class RelativeIris(DocumentError):
    def __init__(self, iris: tuple[str, ...]) -> None:
        super().__init__(
            "IRI references that are relative or not IRIs at all would be left out of the signed data: "
            + ", ".join(repr(iri) for iri in iris)
            + "; use absolute IRIs (https:, urn:, did:)"
        )
        self.iris = iris


class CanonicalizationError(DocumentError):
    """pyld rejected the document (an invalid context, a malformed value)."""


class DocumentLoader(Protocol):
    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]: ...


@functools.cache
def bundled_contexts() -> dict[str, Any]:
    """Every bundled context, by URL, read once from the package data."""
    folder = resources.files("credentials") / "contexts"
    manifest: dict[str, str] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return {url: json.loads((folder / name).read_text(encoding="utf-8")) for url, name in manifest.items()}


@dataclass(frozen=True)
class BundledDocumentLoader:
    """A pyld document loader for the bundled contexts plus `extra` documents (for example a
    DID document); any other URL raises ContextNotBundled instead of touching the network."""

    extra: Mapping[str, Any] = field(default_factory=dict)
    contexts: Mapping[str, Any] = field(default_factory=bundled_contexts)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        remote = {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url}
        if url in self.extra:
            return {**remote, "document": self.extra[url]}
        if url not in self.contexts:
            raise ContextNotBundled(url)
        # Bundled contexts never change, so pyld may keep the processed context between
        # operations ("static" is its tag for that): processing the OBv3 context dominated
        # the cost of signing.
        return {**remote, "document": self.contexts[url], "tag": "static"}


def canonicalize(document: Mapping[str, Any], *, document_loader: DocumentLoader) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of `document`, in safe mode: a property or type
    that no context defines, or a relative IRI, raises instead of being dropped."""
    _refuse_what_would_be_dropped(document, document_loader=document_loader)
    return _run(jsonld.normalize, dict(document), {"algorithm": "URDNA2015", "format": "application/n-quads"}, document_loader)


def _ids_that_are_not_iris(value: Any) -> list[str]:
    """Every `id` / `@id` in the document that is not an absolute IRI (a scheme, then no space or
    character an IRI may not hold): pyld leaves such a node's id out of the signed data without a
    word, where independent verifiers refuse the document ("relative @id reference")."""
    found: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "@context":  # term definitions ("id": "@id"), not data
                continue
            if key in ("id", "@id") and isinstance(item, str) and not _ABSOLUTE_IRI.fullmatch(item):
                found.append(item)
            found += _ids_that_are_not_iris(item)
    elif isinstance(value, list):
        for item in value:
            found += _ids_that_are_not_iris(item)
    return found


def _refuse_what_would_be_dropped(document: Mapping[str, Any], *, document_loader: DocumentLoader) -> None:
    """Expand once more with a probe `@vocab` and `@base`: whatever lands under them is exactly
    what plain expansion would have dropped (pyld has no safe mode of its own). A document
    whose own contexts set `@vocab` (e.g. the W3C examples context) keeps it: nothing is
    dropped there. An id that is no IRI at all ("not a url") pyld drops before the probe can
    see it, so ids are checked first."""
    not_iris = _ids_that_are_not_iris(document)
    if not_iris:
        raise RelativeIris(tuple(sorted(set(not_iris))))
    context = document.get("@context", [])
    contexts = context if isinstance(context, list) else [context]
    if not _sets_vocab(contexts, document_loader=document_loader):
        contexts = [*contexts, {"@vocab": _UNDEFINED_VOCAB}]
    probe = {**document, "@context": contexts}
    dataset = _run(jsonld.to_rdf, probe, {"base": _RELATIVE_BASE}, document_loader)
    iris = set(dataset) | {iri for quads in dataset.values() for quad in quads for iri in _iris_of(quad)}
    undefined = tuple(sorted(iri.removeprefix(_UNDEFINED_VOCAB) for iri in iris if iri.startswith(_UNDEFINED_VOCAB)))
    if undefined:
        raise UndefinedTerms(undefined)
    relative = tuple(sorted(iri.removeprefix(_RELATIVE_BASE) for iri in iris if iri.startswith(_RELATIVE_BASE)))
    if relative:
        raise RelativeIris(relative)


def _iris_of(quad: Mapping[str, Any]) -> tuple[str, str, str]:
    term = quad["object"]
    return quad["subject"]["value"], quad["predicate"]["value"], term["value"] if term["type"] == "IRI" else term.get("datatype", "")


def _sets_vocab(contexts: list[Any], *, document_loader: DocumentLoader) -> bool:
    expanded = _run(jsonld.expand, {"@context": contexts, _VOCAB_PROBE_TERM: True}, {}, document_loader)
    return bool(expanded)


def _run(operation: Any, document: dict[str, Any], options: dict[str, Any], loader: DocumentLoader) -> Any:
    try:
        return operation(document, {**options, "documentLoader": loader})
    except jsonld.JsonLdError as error:
        messages: list[str] = []
        cause: BaseException | None = error
        while cause is not None:
            if isinstance(cause, DocumentError):  # ours, from the loader: it names the URL
                raise cause from None
            messages.append(str(cause.args[0]) if cause.args else type(cause).__name__)
            cause = cause.__cause__
        raise CanonicalizationError("JSON-LD processing failed: " + " <- ".join(messages)) from error
