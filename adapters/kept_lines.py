"""Line breaks the bot composes, kept when Markdown is rendered for a chat (bot/replies.py).

markdown-it with `breaks` turns each line break into a hard break, but drops the spaces a line
starts with; they come back from the paragraph's source, so a line the bot indents (the map's
"   still needs: ...") stays indented on every platform."""

from __future__ import annotations

from markdown_it.tree import SyntaxTreeNode


class KeptLines:
    """The line breaks of one paragraph, each with the indentation of the line it starts."""

    def __init__(self, indents: list[str]) -> None:
        self._indents = iter(indents)

    @classmethod
    def of(cls, inline: SyntaxTreeNode) -> KeptLines:
        return cls([line[: len(line) - len(line.lstrip(" \t"))] for line in inline.content.split("\n")[1:]])

    def next_line(self) -> str:
        return "\n" + next(self._indents, "")
