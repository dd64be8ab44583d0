"""Split a Markdown file into YAML front matter and body, remembering the line of every key.

PyYAML (safe) composes the YAML into nodes first, so every key and list item keeps its
`start_mark`; values are then constructed from those nodes. Malformed YAML becomes a
`Problem` at the line YAML reports, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from content.model import Problem

FENCE = "---"
KeyPath = tuple[str | int, ...]
_MAP_TAG = "tag:yaml.org,2002:map"


@dataclass(frozen=True)
class YamlDocument:
    """A YAML mapping plus the nodes it came from, so each value can name its line."""

    root: yaml.MappingNode
    data: dict[str, Any]
    first_line: int  # line in the file of the YAML text's first line

    def keys(self) -> list[str]:
        return [str(key.value) for key, _ in self.root.value]

    def node(self, *path: str | int) -> yaml.Node | None:
        found = _walk(self.root, path)
        return found[-1][1] if len(found) == len(path) + 1 else None

    def line(self, *path: str | int) -> int:
        """The line of the deepest key or item along `path` (the document start if none)."""
        found = _walk(self.root, path)
        mark = found[-1][0]
        return self.first_line + mark.line if mark is not None else self.first_line

    def value(self, *path: str | int) -> Any:
        current: Any = self.data
        for step in path:
            if isinstance(current, dict) and step in current:  # noqa: SIM114 - one branch per type, so each narrows
                current = current[step]
            elif isinstance(current, list) and isinstance(step, int) and step < len(current):
                current = current[step]
            else:
                return None
        return current

    def text(self, *path: str | int) -> str | None:
        """A scalar exactly as written (so `id: 2024` and `version: 1.10` stay text), else None."""
        node = self.node(*path)
        if isinstance(node, yaml.ScalarNode):
            return str(node.value)
        return None


def yaml_document(node: yaml.MappingNode, *, first_line: int) -> YamlDocument:
    """A `YamlDocument` for one mapping node (for example one entry of skills.yml)."""
    data = SafeConstructor().construct_document(node)
    return YamlDocument(root=node, data={str(k): v for k, v in data.items()}, first_line=first_line)


@dataclass(frozen=True)
class FrontMatter:
    fields: YamlDocument
    body: str
    body_line: int  # line in the file of the body's first line


def _walk(root: yaml.Node, path: KeyPath) -> list[tuple[yaml.Mark | None, yaml.Node]]:
    """The (mark, node) pairs along `path`; the mark is the key's for mapping entries."""
    found: list[tuple[yaml.Mark | None, yaml.Node]] = [(root.start_mark, root)]
    node = root
    for step in path:
        nxt: tuple[yaml.Mark | None, yaml.Node] | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                    nxt = (key.start_mark, value)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            item = node.value[step]
            nxt = (item.start_mark, item)
        if nxt is None:
            break
        found.append(nxt)
        node = nxt[1]
    return found


def _duplicate_key_problems(root: yaml.Node, *, path: Path, first_line: int) -> list[Problem]:
    """A Problem for each key given twice in one mapping (YAML itself keeps the last silently)."""
    problems: list[Problem] = []
    pending, visited = [root], set()
    while pending:
        node = pending.pop()
        if id(node) in visited:  # aliases share nodes: visit each once
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                line = first_line + key.start_mark.line
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
                if name in seen:
                    message = f"'{name}' appears twice (first on line {seen[name]}); keep only one"
                    problems.append(Problem(path, line, message))
                seen.setdefault(name, line)
                pending.append(value)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
    return problems


def parse_yaml_mapping(text: str, *, path: Path, first_line: int = 1, what: str = "the file") -> tuple[YamlDocument | None, list[Problem]]:
    """Parse YAML that must be a mapping of `field: value` lines; `first_line` is its line in the file."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is None:
            root = yaml.MappingNode(_MAP_TAG, [])
        if not isinstance(root, yaml.MappingNode):
            line = first_line + root.start_mark.line
            message = f"{what} must be 'field: value' lines (like 'id: lockout-tagout'), not a list or a single value"
            return None, [Problem(path, line, message)]
        document = yaml_document(root, first_line=first_line)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark is not None else first_line
        reason = error.problem or error.context or "it cannot be read"
        hint = (
            "write plain text, numbers and lists only"
            if isinstance(error, ConstructorError)
            else "check the indentation, and put text that contains ': ' or starts with a special character in quotes"
        )
        return None, [Problem(path, line, f"{what} is not valid YAML ({reason}): {hint}")]
    except (yaml.YAMLError, TypeError, ValueError) as error:
        return None, [Problem(path, first_line, f"{what} is not valid YAML ({error})")]
    return document, _duplicate_key_problems(root, path=path, first_line=first_line)


def parse_front_matter(text: str, *, path: Path) -> tuple[FrontMatter | None, list[Problem]]:
    """Split `text` at its `---` fences and parse the YAML between them."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        return None, [
            Problem(
                path, 1, "missing front matter: the file must start with a line '---', then the fields (id, title, ...), then another '---'"
            )
        ]
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (FENCE, "...")), None)
    if closing is None:
        return None, [Problem(path, 1, "the front matter is never closed: add a line '---' after the last field")]
    fields, problems = parse_yaml_mapping("\n".join(lines[1:closing]), path=path, first_line=2, what="the front matter")
    if fields is None:
        return None, problems
    return FrontMatter(fields=fields, body="\n".join(lines[closing + 1 :]), body_line=closing + 2), problems
