"""Top-level Markdown blocks with their source lines, found with markdown-it-py line maps."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass(frozen=True)
class Block:
    """One top-level Markdown block: its tokens and its lines [start, end) in the text."""

    tokens: list[Token]
    start: int
    end: int

    @property
    def type(self) -> str:
        return self.tokens[0].type

    def is_heading(self, markup: str) -> bool:
        """An ATX heading such as `## Title` (markup "##"); `Title` + `---` lines do not count."""
        return self.type == "heading_open" and self.tokens[0].markup == markup

    @property
    def inline(self) -> str:
        return self.tokens[1].content.strip() if len(self.tokens) > 1 else ""


def markdown_blocks(text: str) -> list[Block]:
    tokens = MarkdownIt("commonmark").parse(text)
    blocks: list[Block] = []
    i = 0
    while i < len(tokens):
        j = i
        if tokens[i].nesting == 1:
            depth = 0
            for j in range(i, len(tokens)):
                depth += tokens[j].nesting
                if depth == 0:
                    break
        lines = tokens[i].map
        if lines is not None:
            start, end = lines
            blocks.append(Block(tokens[i : j + 1], start, end))
        i = j + 1
    return blocks


def first_inline(tokens: list[Token]) -> str:
    """The text of the first paragraph inside the container that `tokens` starts with."""
    depth = 0
    for token in tokens:
        depth += token.nesting
        if token.type == "inline":
            return token.content
        if depth == 0:
            break
    return ""


def trimmed(lines: list[str]) -> str:
    """`lines` joined, without blank lines at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])
