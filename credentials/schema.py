"""Validate a credential against the 1EdTech Open Badges 3.0 AchievementCredential JSON Schema
(bundled in `schemas/`, build of 2024-07-30), offline: the schema's `$ref`s are resolved from a
local registry that holds only the bundled schema."""

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


@dataclass(frozen=True)
class SchemaValidation:
    ok: bool
    problems: list[str] = field(default_factory=list)


def achievement_credential_schema() -> dict[str, Any]:
    text = (resources.files("credentials") / "schemas" / SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def validate_achievement_credential(credential: Mapping[str, Any], *, schema: Mapping[str, Any] | None = None) -> SchemaValidation:
    """Every schema violation, as "path: message", most relevant first."""
    schema = schema or achievement_credential_schema()
    validator = Draft201909Validator(
        schema,
        registry=_offline_registry(schema),
        format_checker=Draft201909Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(credential), key=lambda error: (list(error.absolute_path) != [], str(list(error.absolute_path))))
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
