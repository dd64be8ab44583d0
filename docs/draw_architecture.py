#!/usr/bin/env python3
"""Draw the picture in docs/architecture.md from the code's imports.

Every module of the product packages is read with `ast` (nothing is imported, so this runs with
any Python 3.11, no Graphviz and no project dependency), put into one of the layers below, and
every import statement that crosses from one layer into another is counted. The result is a
Mermaid flowchart (GitHub draws it) written between the marker comments in the page:

    python docs/draw_architecture.py          # refresh the picture in place
    python docs/draw_architecture.py --check  # exit 1 if the picture is not what the code says

An arrow A --n--> B means: n import statements in A's modules import a module of B (imports inside
functions and under TYPE_CHECKING count too; imports within one layer are not drawn)."""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- imports:begin (drawn by docs/draw_architecture.py from the imports; do not edit by hand) -->"
END = "<!-- imports:end -->"
PACKAGES = ("bot", "adapters", "content", "credentials", "web", "fakes")  # fakes/: only if it exists


@dataclass(frozen=True)
class Layer:
    id: str  # the Mermaid node id
    label: str  # what the node says (Mermaid's <br/> breaks a line)
    modules: tuple[str, ...]  # dotted module prefixes; a module belongs to the layer naming its longest prefix
    kind: str  # its colour: one of STYLES


LAYERS: tuple[Layer, ...] = (
    Layer(
        "edge",
        "edge: adapters/cli/,<br/>wiring.py (composition root), service.py",
        ("adapters.cli", "adapters.wiring", "adapters.service"),
        "wiring",
    ),
    Layer("telegram", "adapters/telegram/", ("adapters.telegram",), "outside"),
    Layer("slack", "adapters/slack/", ("adapters.slack",), "outside"),
    Layer("teams", "adapters/teams/", ("adapters.teams",), "outside"),
    Layer("console", "adapters/console/", ("adapters.console",), "outside"),
    Layer(
        "shared",
        "adapters/*.py: inbox.py (delivery journal), journal_lanes.py, lanes.py,<br/>request_body.py, kept_lines.py, joining.py, "
        "lrs.py,<br/>media.py, redaction.py",
        ("adapters",),
        "outside",
    ),
    Layer("web", "web/ (credential pages, dashboard)", ("web",), "outside"),
    Layer(
        "settings",
        "settings: bot/config.py,<br/>platform_settings.py, teams_settings.py, config_errors.py",
        ("bot.config", "bot.config_errors", "bot.platform_settings", "bot.teams_settings"),
        "wiring",
    ),
    Layer("core", "core domain: bot/*<br/>(Core, Turn, flows, rules)", ("bot",), "domain"),
    Layer("seam", "seam: bot/ports.py, records.py,<br/>vocabulary.py", ("bot.ports", "bot.records", "bot.vocabulary"), "ports"),
    Layer("store", "SQL store: bot/store/", ("bot.store",), "database"),
    Layer("migrations", "bot/store/migrations/ (Alembic)", ("bot.store.migrations",), "database"),
    Layer("content", "content/", ("content",), "domain"),
    Layer("credentials", "credentials/", ("credentials",), "domain"),
    Layer("fakes", "fakes/ (fake platform servers)", ("fakes",), "testing"),
)
# Colours by kind: what wires and configures, what speaks to the outside, the domain, the seam, the store.
STYLES = {
    "wiring": "fill:#eeeeee,stroke:#666666",
    "outside": "fill:#dbeafe,stroke:#1d4ed8",
    "domain": "fill:#fef3c7,stroke:#b45309",
    "ports": "fill:#dcfce7,stroke:#15803d",
    "database": "fill:#fee2e2,stroke:#b91c1c",
    "testing": "fill:#ffffff,stroke:#999999,stroke-dasharray:4 3",
}
DOTTED_FROM = {"edge"}  # the edge imports every layer to wire it: its arrows are dotted, so the rest reads


def layer_of(module: str) -> Layer | None:
    """The layer of a dotted module name: the one naming the longest prefix of it."""
    best: tuple[int, Layer] | None = None
    for layer in LAYERS:
        for prefix in layer.modules:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), layer)
    return best[1] if best is not None else None


def modules_of(root: Path) -> dict[str, Path]:
    """Every product module under `root`, by dotted name."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def unplaced(root: Path, modules: dict[str, Path]) -> list[str]:
    """Packages one level inside a product package (adapters/teams/, bot/store/) that no layer names:
    a new one is a new part of the house and gets a node of its own, not a silent place in another."""
    named = {prefix for layer in LAYERS for prefix in layer.modules}
    inner = {".".join(path.relative_to(root).parts[:2]) for path in modules.values() if len(path.relative_to(root).parts) > 2}
    return sorted(package for package in inner if package not in named)


def imported(statement: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The project modules one import statement names (`from pkg import sub` names pkg.sub)."""
    if isinstance(statement, ast.Import):
        return {alias.name for alias in statement.names}
    base = statement.module or ""
    if statement.level:  # relative: from the module's package, up level - 1 more
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[: len(package) - (statement.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    names = {f"{base}.{alias.name}" for alias in statement.names if f"{base}.{alias.name}" in known}
    return names or {base}


def statements(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node


def edges(root: Path) -> Counter[tuple[str, str]]:
    """(importing layer, imported layer) -> import statements, across layers only."""
    modules = modules_of(root)
    known = set(modules)
    counted: Counter[tuple[str, str]] = Counter()
    for module, path in modules.items():
        source = layer_of(module)
        if source is None:
            raise SystemExit(f"{path}: no layer in docs/draw_architecture.py LAYERS takes {module}")
        for statement in statements(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            names = imported(statement, module, path.name == "__init__.py", known)
            targets = {layer.id for name in names if (layer := layer_of(name)) is not None}
            for target in sorted(targets - {source.id}):
                counted[(source.id, target)] += 1
    return counted


def present(root: Path) -> list[Layer]:
    """The layers that have modules under `root` (fakes/ may not exist yet)."""
    modules = modules_of(root)
    taken = {layer.id for module in modules if (layer := layer_of(module)) is not None}
    return [layer for layer in LAYERS if layer.id in taken]


def picture(root: Path) -> str:
    """The Mermaid flowchart, with its fences and markers."""
    new = unplaced(root, modules_of(root))
    if new:
        raise SystemExit(f"{', '.join(new)}: no layer in docs/draw_architecture.py LAYERS names it; give it a node")
    layers = present(root)
    lines = [BEGIN, "```mermaid", "flowchart TB"]
    lines += [f'  {layer.id}["{layer.label}"]:::{layer.kind}' for layer in layers]
    order = {layer.id: index for index, layer in enumerate(LAYERS)}
    for (source, target), count in sorted(edges(root).items(), key=lambda item: (order[item[0][0]], order[item[0][1]])):
        arrow = "-.->" if source in DOTTED_FROM else "-->"
        lines.append(f"  {source} {arrow}|{count}| {target}")
    kinds = {layer.kind for layer in layers}
    lines += [f"  classDef {kind} {style}" for kind, style in STYLES.items() if kind in kinds]
    lines += ["```", END]
    return "\n".join(lines)


def refreshed(page: str, drawn: str) -> str:
    """The page with the picture between its markers replaced by `drawn`."""
    start, end = page.find(BEGIN), page.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"the page has no picture markers: put {BEGIN!r} and {END!r} where it goes")
    return page[:start] + drawn + page[end + len(END) :]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if the picture is stale; change nothing")
    parser.add_argument("--root", type=Path, default=PROJECT, help="the project to read (default: this checkout)")
    parser.add_argument("--page", type=Path, default=None, help="the page to refresh (default: ROOT/docs/architecture.md)")
    args = parser.parse_args(argv)
    page_path: Path = args.page or args.root / "docs" / "architecture.md"
    page = page_path.read_text(encoding="utf-8")
    updated = refreshed(page, picture(args.root))
    if args.check:
        if updated != page:
            print(
                f"{page_path}: the picture is stale (the imports between layers changed); run: python docs/draw_architecture.py",
                file=sys.stderr,
            )
            return 1
        print(f"{page_path}: the picture matches the imports")
        return 0
    if updated != page:
        page_path.write_text(updated, encoding="utf-8")
        print(f"{page_path}: picture redrawn")
    else:
        print(f"{page_path}: picture already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
