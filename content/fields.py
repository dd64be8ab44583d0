"""Typed front-matter fields: each missing or wrongly typed field becomes a Problem at its line."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from content.frontmatter import YamlDocument
from content.model import Problem


def is_blank(node: yaml.Node) -> bool:
    """A value left empty (`key:`), or written as null."""
    return isinstance(node, yaml.ScalarNode) and (node.tag.endswith(":null") or not str(node.value).strip())


class FieldReader:
    """Reads fields from one YAML mapping and collects what is wrong with them.

    `bad` names the fields that were present but unusable, so later rules can skip them
    instead of reporting the same mistake twice.
    """

    def __init__(self, document: YamlDocument, *, path: Path, opening_line: int = 1, place: str = "the front matter") -> None:
        self.document = document
        self.path = path
        self.opening_line = opening_line
        self.place = place
        self.problems: list[Problem] = []
        self.bad: set[str] = set()

    def report(self, line: int, message: str, field: str | None = None) -> None:
        self.problems.append(Problem(self.path, line, message))
        if field is not None:
            self.bad.add(field)

    def _missing(self, path: tuple[str, ...], example: str) -> None:
        """Report a required field that is absent (at the opening line) or blank (at its own line)."""
        name = ".".join(path)
        if self.document.node(*path) is None:
            self.report(self.opening_line, f"missing '{name}': add a line like '{example}' to {self.place}", name)
        else:
            self.report(self.document.line(*path), f"'{name}' is empty: write it like '{example}'", name)

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        known = list(allowed)
        for key in self.document.keys():  # noqa: SIM118 - a YamlDocument is not a dict: it has keys() but no __iter__
            if key not in known:
                self.report(
                    self.document.line(key), f"unknown field '{key}' (the fields are: {', '.join(known)}); check its spelling or remove it"
                )

    def text(self, key: str, *, example: str, required: bool = True) -> str:
        node = self.document.node(key)
        if node is None or is_blank(node):
            if required:
                self._missing((key,), example)
            return ""
        value = self.document.text(key)
        if value is None:
            self.report(self.document.line(key), f"'{key}' must be a single piece of text, for example '{example}'", key)
            return ""
        return value.strip()

    def integer(self, key: str, *, example: str, required: bool = True) -> int | None:
        node = self.document.node(key)
        if node is None or is_blank(node):
            if required:
                self._missing((key,), example)
            return None
        value = self.document.value(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.report(self.document.line(key), f"'{key}' must be a whole number, for example '{example}'", key)
            return None
        return value

    def id_list(self, *path: str, example: str, required: bool = True) -> tuple[str, ...]:
        """A list of ids (`[a, b]` or one `- a` per line); a blank value is an empty list."""
        name = ".".join(path)
        node = self.document.node(*path)
        if node is None or is_blank(node):
            if required:
                self._missing(path, example)
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.report(self.document.line(*path), f"'{name}' must be a list, for example '{example}'", name)
            return ()
        ids: list[str] = []
        for index, item in enumerate(node.value):
            if isinstance(item, yaml.ScalarNode) and not is_blank(item):
                ids.append(str(item.value).strip())
            else:
                self.report(self.document.line(*path, index), f"each entry of '{name}' must be a single id, for example '{example}'", name)
        if required and not ids and name not in self.bad:
            self._missing(path, example)
        return tuple(ids)
