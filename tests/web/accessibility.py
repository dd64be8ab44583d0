"""An automated accessibility check of a page open in the browser: axe-core (Deque's engine, pinned
in tests/axe/package-lock.json and installed offline with `npm ci`), run inside the page as it is
served, its Content-Security-Policy included (the engine is evaluated through the browser's
DevTools protocol, which no page policy blocks, and loads nothing from the network)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[1] / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# What the test refuses: axe's two highest impacts (the others are listed in a failure's message).
BLOCKING = ("serious", "critical")


@dataclass(frozen=True)
class Violation:
    rule: str  # axe's rule id, e.g. color-contrast
    impact: str  # minor, moderate, serious or critical
    help: str
    targets: tuple[str, ...]  # CSS selectors of the elements that break the rule

    def __str__(self) -> str:
        return f"{self.impact} {self.rule} ({self.help}): {', '.join(self.targets[:6])}"


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_source() -> str:
    """The engine's code, or a skip (a failure in CI) saying how to install it."""
    if not AXE.is_file():
        problem = f"{AXE} is missing: run (cd tests/axe && npm ci)"
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    return _axe_source()


async def violations(page: Any) -> list[Violation]:
    """Every violation of axe's WCAG 2.x A and AA rules and its best practices on the page as it is now."""
    source = axe_source()
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(f"() => {{ {source}\n;return null; }}")
    found = await page.evaluate("async () => (await axe.run(document, { resultTypes: ['violations'] })).violations")
    return [
        Violation(
            rule=v["id"],
            impact=v["impact"] or "minor",
            help=v["help"],
            targets=tuple(" ".join(map(str, node["target"])) for node in v["nodes"]),
        )
        for v in found
    ]


async def open_every_details(page: Any) -> None:
    """Open every details element ("Show ... as a table"): axe skips what is not shown."""
    await page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


async def blocking(page: Any, name: str) -> list[str]:
    """The page's serious and critical violations, each with the page's name, every details open."""
    await open_every_details(page)
    return [f"{name}: {v}" for v in sorted(await violations(page), key=lambda v: v.rule) if v.impact in BLOCKING]
