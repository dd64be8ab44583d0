"""Validate a credential against the 1EdTech JSON Schemas bundled in `schemas/`, offline: the
schema's `$ref`s are resolved from a local registry that holds only the bundled schema.

- `ob_v3p0_achievementcredential_schema.json`: Open Badges 3.0 AchievementCredential (1EdTech
  openbadges-specification, build of 2024-07-30).
- `clr_v2p0_clrcredential_schema.json`: Comprehensive Learner Record 2.0 ClrCredential, the file
  1EdTech publishes at its `$id` (https://purl.imsglobal.org/spec/clr/v2p0/schema/json/
  clr_v2p0_clrcredential_schema.json; its JSON-LD adaptation, which also accepts single values
  where arrays are usual), verbatim as vendored in conform-ed/conform-ed
  (packages/coverage/vendor/clr/v2_0/, commit b379d26b).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"
CLR_SCHEMA_FILE = "clr_v2p0_clrcredential_schema.json"
OPEN_BADGE_TYPES = ("OpenBadgeCredential", "AchievementCredential")


@dataclass(frozen=True)
class SchemaValidation:
    ok: bool
    problems: list[str] = field(default_factory=list)


def achievement_credential_schema() -> dict[str, Any]:
    return _bundled(SCHEMA_FILE)


def clr_credential_schema() -> dict[str, Any]:
    return _bundled(CLR_SCHEMA_FILE)


def _bundled(name: str) -> dict[str, Any]:
    return json.loads((resources.files("credentials") / "schemas" / name).read_text(encoding="utf-8"))


def validate_achievement_credential(credential: Mapping[str, Any], *, schema: Mapping[str, Any] | None = None) -> SchemaValidation:
    """Every schema violation, as "path: message", most relevant first."""
    return _validate(credential, schema or achievement_credential_schema())


def validate_clr_credential(clr: Mapping[str, Any]) -> SchemaValidation:
    """A ClrCredential against the CLR 2.0 schema, and each Open Badge inside it against the Open
    Badges 3.0 schema (the CLR schema takes any Verifiable Credential there), as 1EdTech's own
    CLR verifier does."""
    problems = _validate(clr, clr_credential_schema()).problems
    subject = clr.get("credentialSubject")
    inside = subject.get("verifiableCredential", []) if isinstance(subject, Mapping) else []
    for index, credential in enumerate(inside if isinstance(inside, list) else [inside]):
        types = credential.get("type", []) if isinstance(credential, Mapping) else []
        if any(t in OPEN_BADGE_TYPES for t in (types if isinstance(types, list) else [types])):
            found = validate_achievement_credential(credential).problems
            problems += [f"credentialSubject/verifiableCredential/{index}/{problem}" for problem in found]
    return SchemaValidation(ok=not problems, problems=problems)


def _validate(document: Mapping[str, Any], schema: Mapping[str, Any]) -> SchemaValidation:
    validator = Draft201909Validator(
        schema,
        registry=_offline_registry(schema),
        format_checker=Draft201909Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(document), key=lambda error: (list(error.absolute_path) != [], str(list(error.absolute_path))))
    problems = [_describe(best_match([error]) or error) for error in errors]
    return SchemaValidation(ok=not problems, problems=problems)


def _offline_registry(schema: Mapping[str, Any]) -> Registry:
    # The two ignores: referencing's stubs (_attrs.pyi) mark its attrs classes with a
    # `__dataclass_transform__` that mypy does not read, so it sees no keyword arguments.
    def refuse(uri: str) -> Resource:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # never fetched from the network

    resource = Resource.from_contents(dict(schema))
    return Registry(retrieve=refuse).with_resource(uri=schema["$id"], resource=resource)  # type: ignore[call-arg]


def _describe(error: Any) -> str:
    path = "/".join(str(part) for part in error.absolute_path) or "(credential)"
    return f"{path}: {error.message}"
