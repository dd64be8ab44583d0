"""The core's Markdown as the Markdown an Adaptive Card's TextBlock renders in Teams: **bold**,
_italic_, [links](https://...), bulleted and numbered lists, paragraphs. Nothing else (no
headings, no code, no HTML) is rendered there, so it is built from markdown-it-py's token tree:
a heading becomes a bold line, code its plain text, raw HTML text.

Text a person typed reaches the Markdown backslash-escaped (bot/markup.py `literal`), and an
escaped character is that character here too: TextBlock has no escapes, so a `*`, `_` or `` ` ``
that Teams could read as a marker is shown as a look-alike (∗ ˍ ˋ), as on Slack, and a `]` is
followed by an invisible space, so that `[text](url)` typed by a person is never a link.

Line breaks (see bot/replies.py): with `breaks=True` every single line break is kept (what the
bot composes line by line); without it a single line break is soft (what authors wrap)."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("text_join")
_MARKS = {"strong": "**", "em": "_"}
_LOOK_ALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "`": "\u02cb"})
_LINK_SCHEMES = ("http://", "https://", "mailto:")


def plain(text: str) -> str:
    """Text from a person (a name, an option) for a TextBlock: never a marker, never a link (an
    invisible space after every `]` keeps `[text](url)` from reading as one)."""
    return text.translate(_LOOK_ALIKES).replace("]", "]\u200b")


def to_teams(markdown: str, *, breaks: bool = False) -> str:
    """The core's Markdown as TextBlock Markdown; paragraphs stay apart by a blank line."""
    root = SyntaxTreeNode(_MD.parse(markdown))
    return "\n\n".join(block for block in (_block(node, breaks) for node in root.children) if block).strip()


def _block(node: SyntaxTreeNode, breaks: bool) -> str:
    if node.type in ("paragraph", "heading"):
        text = _inline(node.children[0], breaks) if node.children else ""
        return f"**{text}**" if node.type == "heading" and text else text
    if node.type in ("bullet_list", "ordered_list"):
        lines = []
        for number, item in enumerate(node.children, start=int(str(node.attrs.get("start", 1)))):
            marker = f"{number}." if node.type == "ordered_list" else "-"
            body = " ".join(_block(child, breaks) for child in item.children).replace("\n\n", " ")
            lines.append(f"{marker} {body}")
        return "\n".join(lines)
    if node.type in ("code_block", "fence"):
        return plain(node.content.rstrip("\n"))
    if node.type == "blockquote":
        return "\n\n".join(_block(child, breaks) for child in node.children)
    if node.type == "hr":
        return "———"
    return plain(node.content) if node.content else ""


def _inline(node: SyntaxTreeNode, breaks: bool) -> str:
    out: list[str] = []
    for child in node.children:
        kind = child.type
        if kind in ("text", "text_special", "html_inline") or kind == "code_inline":
            out.append(plain(child.content))
        elif kind == "softbreak":
            out.append("\n\n" if breaks else " ")  # TextBlock keeps a line break only as a paragraph's end
        elif kind == "hardbreak":
            out.append("\n\n")
        elif kind in _MARKS:
            inner = _inline(child, breaks)
            out.append(f"{_MARKS[kind]}{inner}{_MARKS[kind]}" if inner.strip() else inner)
        elif kind == "link":
            href = str(child.attrs.get("href", ""))
            label = _inline(child, breaks)
            out.append(f"[{label}]({href})" if href.startswith(_LINK_SCHEMES) and ")" not in href else label)
        elif kind == "image":
            out.append(plain(str(child.attrs.get("alt") or child.content)))
        else:
            out.append(_inline(child, breaks))
    return "".join(out)
