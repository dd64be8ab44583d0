"""The seam that matters: the core and credentials never import a platform SDK or an adapter."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("adapters", "slack_bolt", "slack_sdk", "telegram", "fastapi", "starlette", "uvicorn")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["bot", "credentials", "content"])
def test_platform_neutral_packages_import_no_sdk_or_adapter(package):
    offenders = [
        f"{path.relative_to(PROJECT)} imports {name}"
        for path in sorted((PROJECT / package).rglob("*.py"))
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


def test_the_scan_would_catch_an_sdk_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from telegram.ext import Application\nimport slack_bolt\n")
    assert {"telegram.ext", "slack_bolt"} <= imported_modules(sample)
