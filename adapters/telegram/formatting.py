"""The core's Markdown as Telegram HTML, and that HTML split into messages Telegram accepts.

Telegram's HTML mode knows a handful of tags and four named entities, and rejects a message
with anything else. So the HTML is built from markdown-it-py's token tree, never by patching
rendered HTML, and every piece of text goes through `escape`.

Line breaks (see bot/replies.py): `to_html(markdown, breaks=True)` keeps every single line break
(what the bot composes line by line); without it a single line break is soft and the text flows
(what authors wrap in their editor). The name is markdown-it's own option for the same choice.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from adapters.kept_lines import KeptLines

# html off: raw HTML an author or learner types is shown as text, not interpreted.
# linkify off: prose such as "file.py" must not turn into links.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough")
_LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")
_SPANS = {"strong": "b", "em": "i", "s": "s"}
_LISTS = ("bullet_list", "ordered_list")
RULE = "———"


def escape(text: str) -> str:
    """Plain text (a learner's name, an answer) made safe to put into Telegram HTML."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return escape(value).replace('"', "&quot;")


# --- Markdown -> HTML ---------------------------------------------------------------------


@lru_cache(maxsize=4096)  # pure, and every learner gets the same lesson cards
def to_html(markdown: str, *, breaks: bool = False) -> str:
    """Markdown rendered as Telegram HTML: always only the allowed tags, balanced and escaped.
    `breaks`: a single line break stays a line break instead of flowing into a space."""
    return _blocks(SyntaxTreeNode(_MD.parse(markdown)).children, quoted=False, breaks=breaks)


def _blocks(nodes: Sequence[SyntaxTreeNode], quoted: bool, breaks: bool) -> str:
    out, previous = "", ""
    for node in nodes:
        text = _block(node, quoted, depth=0, breaks=breaks)
        if not text:
            continue
        if out:  # a blank line between blocks, but a heading sits right above its text
            out += "\n" if previous == "heading" else "\n\n"
        out += text
        previous = node.type
    return out


def _block(node: SyntaxTreeNode, quoted: bool, depth: int, breaks: bool) -> str:
    match node.type:
        case "paragraph":
            return _inline(node.children[0], KeptLines.of(node.children[0]) if breaks else None) if node.children else ""
        case "heading":  # chat has no heading sizes: bold on its own line
            return f"<b>{_inline(node.children[0], None)}</b>" if node.children else ""
        case "bullet_list" | "ordered_list":
            return _list(node, quoted, depth, breaks)
        case "blockquote":  # Telegram rejects nested blockquotes: inner ones are flattened
            inner = _blocks(node.children, quoted=True, breaks=breaks)
            return inner if quoted or not inner else f"<blockquote>{inner}</blockquote>"
        case "fence" | "code_block":
            code = escape(node.content.removesuffix("\n"))
            language = node.info.split()[0] if node.info.strip() else ""
            if language:
                return f'<pre><code class="language-{_attr(language)}">{code}</code></pre>'
            return f"<pre>{code}</pre>"
        case "hr":
            return RULE
    # Anything else (e.g. html_block, should a preset ever produce one) is shown as text.
    return _blocks(node.children, quoted, breaks) if node.children else escape(node.content)


def _list(node: SyntaxTreeNode, quoted: bool, depth: int, breaks: bool) -> str:
    start = int(node.attrs.get("start", 1))
    indent = "  " * depth
    lines = []
    for number, item in enumerate(node.children, start=start):
        head = indent + ("•" if node.type == "bullet_list" else f"{number}.")
        text = _item(item, quoted, depth, breaks)
        # No trailing space after an empty item's marker or one whose first block is a list.
        lines.append(f"{head} {text}" if text and not text.startswith("\n") else head + text)
    return "\n".join(lines)


def _item(item: SyntaxTreeNode, quoted: bool, depth: int, breaks: bool) -> str:
    parts: list[str] = []
    for child in item.children:
        if child.type in _LISTS:  # nested lists start a line and indent themselves
            parts.append(("" if parts else "\n") + _list(child, quoted, depth + 1, breaks))
            continue
        text = _block(child, quoted, depth + 1, breaks)
        # The first block follows the marker; later ones (a second paragraph) line up under it.
        parts.append(text if not parts else "  " * (depth + 1) + text)
    return "\n".join(parts)


def _inline(node: SyntaxTreeNode, lines: KeptLines | None) -> str:
    return "".join(_span(child, lines) for child in node.children)


def _span(node: SyntaxTreeNode, lines: KeptLines | None) -> str:
    inner = "".join(_span(child, lines) for child in node.children)
    match node.type:
        case "text" | "html_inline":
            return escape(node.content)
        case "softbreak" | "hardbreak" if lines is not None:  # the bot's lines stay lines
            return lines.next_line()
        case "softbreak":  # a wrapped line in an author's paragraph flows
            return " "
        case "hardbreak":
            return "\n"
        case "code_inline":
            return f"<code>{escape(node.content)}</code>"
        case "strong" | "em" | "s":
            tag = _SPANS[node.type]
            return f"<{tag}>{inner}</{tag}>"
        case "link":
            return _link(str(node.attrs.get("href", "")), inner)
        case "image":  # chat cannot inline an image: its alt text, linked to it
            return _link(str(node.attrs.get("src", "")), inner)
    return inner or escape(node.content)


def _link(url: str, text: str) -> str:
    if not url.lower().startswith(_LINK_SCHEMES):  # javascript:, relative paths, ...
        return text
    return f'<a href="{_attr(url)}">{text or escape(url)}</a>'


# --- Measuring and splitting --------------------------------------------------------------

# One piece is a tag, an entity or a single character: the units a cut must not go inside.
_PIECE = re.compile(r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);|.", re.DOTALL)
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)")
_SEPARATORS = ("\n\n", "\n", " ")  # best place to cut first


def _is_tag(piece: str) -> bool:
    return piece.startswith("<") and len(piece) > 1


def _text(piece: str) -> str:
    return html.unescape(piece) if piece.startswith("&") else piece


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def plain_length(html_text: str) -> int:
    """The length Telegram counts: tags stripped, entities unescaped, in UTF-16 code units."""
    return sum(_utf16(_text(p)) for p in _PIECE.findall(html_text) if not _is_tag(p))


def split_html(html_text: str, limit: int = 4096) -> list[str]:
    """`html_text` as messages of at most `limit` plain UTF-16 units each, every one valid HTML.

    Cuts at a blank line, else a line break, else a space (the separator is dropped), else
    mid-word. Tags open at a cut are closed there and reopened in the next part. A single
    character wider than `limit` (an emoji when limit is 1) still gets a part of its own.
    """
    pieces = _PIECE.findall(html_text)
    chars = [i for i, piece in enumerate(pieces) if not _is_tag(piece)]
    widths = [_utf16(_text(pieces[i])) for i in chars]
    if not chars:
        return []
    if sum(widths) <= limit:
        return [html_text]
    # One character per text piece, so positions here are positions in `chars`.
    flat = "".join(t if len(t := _text(pieces[i])) == 1 else "\0" for i in chars)
    return _render(pieces, chars, _spans(flat, widths, limit))


def _spans(flat: str, widths: list[int], limit: int) -> list[tuple[int, int]]:
    """The [start, end) character ranges of the parts."""
    spans = []
    start = 0
    while start < len(flat):
        end, used = start, 0
        while end < len(flat) and used + widths[end] <= limit:
            used += widths[end]
            end += 1
        if end == len(flat):
            spans.append((start, end))
            break
        cut, skip = _cut(flat, start, end)
        spans.append((start, cut))
        start = cut + skip
    return spans


def _cut(flat: str, start: int, end: int) -> tuple[int, int]:
    """Where to end a part whose text must lie in [start, end), and how many separator
    characters to drop there. A separator may reach past `end`: it is not sent."""
    for separator in _SEPARATORS:
        at = flat.rfind(separator, start + 1, end + len(separator))
        if at != -1:
            return at, len(separator)
    return max(end, start + 1), 0


def _render(pieces: list[str], chars: list[int], spans: list[tuple[int, int]]) -> list[str]:
    parts = []
    stack: list[tuple[str, str]] = []  # open tags as (name, raw tag) so a part can reopen them
    position = 0
    for start, end in spans:
        first, last = chars[start], chars[end - 1]
        for piece in pieces[position:first]:  # tags between parts and the dropped separator
            _track(stack, piece)
        reopen = "".join(raw for _, raw in stack)
        body = pieces[first : last + 1]
        for piece in body:
            _track(stack, piece)
        close = "".join(f"</{name}>" for name, _ in reversed(stack))
        parts.append(reopen + "".join(body) + close)
        position = last + 1
    return parts


def _track(stack: list[tuple[str, str]], piece: str) -> None:
    """Keep `stack` equal to the tags open after `piece`."""
    match = _TAG.match(piece) if _is_tag(piece) else None
    if match is None or piece.endswith("/>"):
        return
    closing, name = match.group(1), match.group(2).lower()
    if not closing:
        stack.append((name, piece))
        return
    for index in range(len(stack) - 1, -1, -1):
        if stack[index][0] == name:
            del stack[index]
            return
