"""The core's Markdown as Slack mrkdwn, and that mrkdwn split into pieces Block Kit accepts.

mrkdwn is not Markdown: `*bold*`, `_italic_`, `~strike~`, `<url|text>` links, and `&`, `<`, `>`
are control characters (`<!channel>` pings a whole channel, `<@U123>` a person). So mrkdwn is
built from markdown-it-py's token tree, never by patching Markdown with regexes, and every
piece of author or learner text goes through `escape`.

Text a person typed reaches the Markdown backslash-escaped (bot/markup.py `literal`), and an
escaped character is that character, never markup, here too: it is not part of a bare URL that
becomes a link, and a `*`, `_`, `~` or `` ` `` that Slack could read as a marker (mrkdwn has no
escapes) is shown as a look-alike (∗ ˍ ∼ ˋ); between two letters or digits Slack reads no marker,
so there it stays itself.

Line breaks (see bot/replies.py): `to_mrkdwn(markdown, breaks=True)` keeps every single line
break (what the bot composes line by line); without it a single line break is soft and the text
flows (what authors wrap in their editor).

Lengths are counted in UTF-16 code units: never less than Slack's character count, so a part
measured here never exceeds Slack's limits however Slack counts an emoji.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from adapters.kept_lines import KeptLines

# html off: raw HTML an author or learner types is shown as text, not interpreted.
# linkify off: prose such as "file.py" must not turn into links (bare http(s) URLs are
# linked by `_autolink`, which needs the scheme).
# text_join off: an escaped character stays a token of its own (text_special), so it is never
# read as part of a URL or as a marker.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough").disable("text_join")
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_MARKS = {"strong": "*", "em": "_", "s": "~"}
_LISTS = ("bullet_list", "ordered_list")
_INDENT = "    "  # nested list lines and a list item's later lines
_PIPE = "\u2223"  # "∣": a `|` in link text would end Slack's URL part early
_ELLIPSIS = "…"
RULE = "———"
FENCE = "```"
SECTION_LIMIT = 3000

# A bare http(s) URL; trailing punctuation belongs to the sentence, not to the URL.
_BARE_URL = re.compile(r"https?://[^\s<>]*[^\s<>.,;:!?'\")\]}*_~]")
_NEWLINES = re.compile(r"[ \t]*\n\s*")
_INNER_FENCE = re.compile("`(?=``)")
_BROKEN_TICK = "`\u200b"
# Characters a person typed that Slack would read as markers, and what shows them instead.
_LOOK_ALIKES = {"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"}
# Any URL, for text that must not carry one (a notification): its scheme and what follows.
_ANY_URL = re.compile(r"\b(?:[a-z][a-z0-9+.-]*://|mailto:|www\.)\S+", re.IGNORECASE)
LINK_LEFT_OUT = "(link)"


def escape(text: str) -> str:
    """Plain text (a learner's name, an answer) made safe to put into mrkdwn: Slack's rule is
    exactly these three characters, anything more would show up as literal entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def length(text: str) -> int:
    """Length as measured against Slack's limits (UTF-16 code units, see the module doc)."""
    return len(text.encode("utf-16-le")) // 2


def plain_text(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` long, ending in "…" when trimmed: for plain_text
    fields (button labels: 75, headers: 150), which Slack rejects when too long."""
    flat = " ".join(text.split())
    if length(flat) <= limit:
        return flat
    kept, used = [], length(_ELLIPSIS)
    for char in flat:  # by code point, so an emoji is never cut in half
        used += length(char)
        if used > limit:
            break
        kept.append(char)
    return "".join(kept).rstrip() + _ELLIPSIS


# --- Markdown -> mrkdwn -------------------------------------------------------------------


@lru_cache(maxsize=4096)  # pure, and every learner gets the same lesson cards
def to_mrkdwn(markdown: str, *, breaks: bool = False) -> str:
    """Markdown rendered as Slack mrkdwn, with all author text escaped. `breaks`: a single line
    break stays a line break instead of flowing into a space."""
    return _Writer(plain=False, breaks=breaks).render(markdown)


def to_plain(markdown: str) -> str:
    """Markdown as unformatted, unescaped text: for plain_text fields and notification text
    (escape it before using it as mrkdwn)."""
    return _Writer(plain=True).render(markdown)


def without_links(text: str) -> str:
    """`text` with every URL left out: a notification or lock screen shows no link (a sign-in
    link's token must not sit in a notification); the message itself still carries it."""
    return _ANY_URL.sub(LINK_LEFT_OUT, text)


def inline_mrkdwn(markdown: str, *, bold: bool = False) -> str:
    """Short Markdown (a title, an option) as one line of mrkdwn, bold if asked. Text holding
    a code block keeps its lines and is not bolded: Slack's bold cannot span lines."""
    text = _Writer(plain=False, bold=bold).render(markdown)
    if FENCE in text:
        return to_mrkdwn(markdown)
    line = _NEWLINES.sub(" ", text).strip()
    return f"*{line}*" if bold and line else line


class _Writer:
    """One walk over markdown-it's tree. `plain` leaves out everything mrkdwn (markers, links,
    escaping); `bold` renders as if inside `*...*` (no nested bold markers, which Slack cannot
    parse)."""

    def __init__(self, *, plain: bool, bold: bool = False, breaks: bool = False) -> None:
        self.plain = plain
        self.base = frozenset({"strong"}) if bold else frozenset()
        self.breaks = breaks

    def render(self, markdown: str) -> str:
        return self.blocks(SyntaxTreeNode(_MD.parse(markdown)).children, quoted=False)

    def blocks(self, nodes: Sequence[SyntaxTreeNode], quoted: bool) -> str:
        out, previous = "", ""
        for node in nodes:
            text = self.block(node, quoted)
            if not text:
                continue
            if out:  # a blank line between blocks, but a heading sits right above its text
                out += "\n" if previous == "heading" else "\n\n"
            out += text
            previous = node.type
        return out

    def block(self, node: SyntaxTreeNode, quoted: bool) -> str:
        match node.type:
            case "paragraph":
                if not node.children:
                    return ""
                return self.inline(node.children[0], self.base, KeptLines.of(node.children[0]) if self.breaks else None)
            case "heading":  # chat has no heading sizes: a bold line
                if not node.children:
                    return ""
                return self.styled("strong", self.inline(node.children[0], self.base | {"strong"}, None), self.base)
            case "bullet_list" | "ordered_list":
                return self.list(node, quoted)
            case "blockquote":  # Slack has no nested quotes: inner ones are flattened
                inner = self.blocks(node.children, quoted=True)
                if quoted or not inner:
                    return inner
                return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
            case "fence" | "code_block":
                return self.code_block(node.content.removesuffix("\n"))
            case "hr":
                return RULE
        # Anything else (e.g. html_block, should a preset ever produce one) is shown as text.
        return self.blocks(node.children, quoted) if node.children else self.text(node.content, self.base)

    def code_block(self, code: str) -> str:
        if self.plain or not code.strip():
            return code
        # A ``` inside the code would end Slack's block early: a zero-width space breaks it up.
        return f"{FENCE}\n{_INNER_FENCE.sub(_BROKEN_TICK, escape(code))}\n{FENCE}"

    def list(self, node: SyntaxTreeNode, quoted: bool) -> str:
        start = int(node.attrs.get("start", 1))
        out: list[str] = []
        for number, item in enumerate(node.children, start=start):
            marker = "•" if node.type == "bullet_list" else f"{number}."
            first, *rest = self.item(item, quoted).split("\n")
            out.append(f"{marker} {first}" if first else marker)
            # Later lines (a nested list, a second paragraph) indent under the marker; the
            # recursion makes deeper lists indent further.
            out += [_INDENT + line if line else "" for line in rest]
        return "\n".join(out)

    def item(self, item: SyntaxTreeNode, quoted: bool) -> str:
        return "\n".join(text for child in item.children if (text := self.block(child, quoted)))

    def inline(self, node: SyntaxTreeNode, active: frozenset[str], lines: KeptLines | None) -> str:
        out, children = "", node.children
        for i, child in enumerate(children):
            if child.type == "text_special":  # an escaped character: itself, never markup
                before = _source_char(children[i - 1], -1) if i > 0 else ""
                after = _source_char(children[i + 1], 0) if i + 1 < len(children) else ""
                out += self.escaped(child.content, before, after)
            else:
                out += self.span(child, active, lines)
        return out

    def span(self, node: SyntaxTreeNode, active: frozenset[str], lines: KeptLines | None) -> str:
        match node.type:
            case "text" | "html_inline":
                return self.text(node.content, active)
            case "softbreak" | "hardbreak" if lines is not None:  # the bot's lines stay lines
                return lines.next_line()
            case "softbreak":  # a wrapped line in an author's paragraph flows
                return " "
            case "hardbreak":
                return "\n"
            case "code_inline":
                return node.content if self.plain else f"`{escape(node.content)}`"
            case "strong" | "em" | "s":
                return self.styled(node.type, self.inline(node, active | {node.type}, lines), active)
            case "link":
                return self.link(str(node.attrs.get("href", "")), self.inline(node, active | {"link"}, lines))
            case "image":  # a message cannot inline an image: its alt text, linked to it
                return self.link(str(node.attrs.get("src", "")), self.inline(node, active | {"link"}, lines))
        return self.inline(node, active, lines) if node.children else self.text(node.content, active)

    def escaped(self, char: str, before: str, after: str) -> str:
        """An escaped character (`\\*`, `&amp;`): shown as itself. Slack reads no marker between
        two letters or digits (`ana_lima`); anywhere else a marker is shown by its look-alike."""
        if self.plain:
            return char
        if char in _LOOK_ALIKES and not (before.isalnum() and after.isalnum()):
            return _LOOK_ALIKES[char]
        return escape(char)

    def styled(self, style: str, inner: str, active: frozenset[str]) -> str:
        # Slack cannot nest a style in itself (`*a *b* c*`): the inner one adds nothing.
        if self.plain or style in active or not inner.strip():
            return inner
        mark = _MARKS[style]
        return f"{mark}{inner}{mark}"

    def link(self, url: str, text: str) -> str:
        if self.plain:
            return text or url
        if not url.lower().startswith(_LINK_SCHEMES):  # javascript:, relative paths, ...
            return text
        label = _NEWLINES.sub(" ", text).replace("|", _PIPE).strip()
        return f"<{_target(url)}|{label}>" if label else f"<{_target(url)}>"

    def text(self, content: str, active: frozenset[str]) -> str:
        if self.plain:
            return content
        if "link" in active:  # a link inside link text would break both
            return escape(content)
        return _autolink(content)


def _source_char(node: SyntaxTreeNode, at: int) -> str:
    """The first (0) or last (-1) character a text node shows; "" for any other node."""
    return node.content[at] if node.type in ("text", "text_special") and node.content else ""


def _target(url: str) -> str:
    """A URL as the first half of `<url|text>`: escaped, and no `|` to end it early."""
    return escape(url).replace("|", "%7C")


def _autolink(content: str) -> str:
    """Escaped text with bare http(s) URLs as `<url>`: messages are sent with verbatim text (no
    automatic link or mention parsing), and wrapping also keeps `_` in a URL from italicizing."""
    out, last = [], 0
    for match in _BARE_URL.finditer(content):
        out += [escape(content[last : match.start()]), f"<{_target(match.group())}>"]
        last = match.end()
    out.append(escape(content[last:]))
    return "".join(out)


# --- Splitting ----------------------------------------------------------------------------

# A piece is a ``` marker, a <...> link or mention, an &...; entity, a `code span` or a single
# character: cuts go only between pieces.
_PIECE = re.compile(r"```|<[^<>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);|`[^`\n]+`|.", re.DOTALL)
_REOPEN, _CLOSE = f"{FENCE}\n", f"\n{FENCE}"
_FENCE_COST = length(_REOPEN) + length(_CLOSE)
_SEPARATORS = ("\n\n", "\n", " ")  # best place to cut first
_MIN_LIMIT = 16


def split_mrkdwn(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """`text` as parts of at most `limit` each, nothing lost.

    Cuts at a blank line, else a line break, else a space (the separator is dropped), else
    anywhere between pieces, never inside a link, an entity or a code span. A code block open
    at a cut is closed there and reopened in the next part. Whitespace-only parts are dropped.
    """
    if limit < _MIN_LIMIT:
        raise ValueError(f"limit must be at least {_MIN_LIMIT}")
    if length(text) <= limit:
        return [text] if text.strip() else []
    pieces = _pieces(text, limit)
    widths = [length(piece) for piece in pieces]
    fenced = _fenced(pieces)
    parts, start = [], 0
    while start < len(pieces):
        end, resume = _cut(pieces, widths, fenced, start, limit)
        body = "".join(pieces[start:end])
        parts.append((_REOPEN if fenced[start] else "") + body + (_CLOSE if fenced[end] else ""))
        if resume < len(pieces) and fenced[resume] and pieces[resume] == FENCE:
            resume += 1  # the block's own closing marker: the part just made closed it already
        start = resume
    return [part for part in parts if part.strip()]


def clip_mrkdwn(text: str, limit: int) -> str:
    """`text` cut to `limit` at the best place, ending in "…" when cut: for a field that takes
    one text only (a context line)."""
    parts = split_mrkdwn(text, limit - length(_ELLIPSIS))
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return parts[0] + _ELLIPSIS


def _pieces(text: str, limit: int) -> list[str]:
    """The pieces of `text`. One that could never fit a part whole (an absurdly long link; in
    a code block, room goes to the closing and reopening markers) is broken into characters."""
    pieces: list[str] = []
    fenced = False
    for piece in _PIECE.findall(text):
        widest = limit - (_FENCE_COST if fenced else 0)
        pieces += list(piece) if length(piece) > widest else [piece]
        fenced = fenced != (piece == FENCE)
    return pieces


def _fenced(pieces: list[str]) -> list[bool]:
    """For each position 0..len(pieces): is a code block open there?"""
    fenced = [False]
    for piece in pieces:
        fenced.append(fenced[-1] != (piece == FENCE))
    return fenced


def _cut(pieces: list[str], widths: list[int], fenced: list[bool], start: int, limit: int) -> tuple[int, int]:
    """Where the part from `start` ends, and where the next begins (past a dropped separator)."""
    budget = limit - (length(_REOPEN) if fenced[start] else 0)
    ends: list[int] = []  # every end whose part, closing marker included, fits
    used, end = 0, start
    while end < len(pieces) and used + widths[end] <= budget:
        used += widths[end]
        end += 1
        if used + (length(_CLOSE) if fenced[end] else 0) <= budget:
            ends.append(end)
    if ends and ends[-1] == len(pieces):
        return len(pieces), len(pieces)
    # Not right after an opening ``` marker: that would leave an empty code block behind.
    usable = [e for e in reversed(ends) if not (fenced[e] and pieces[e - 1] == FENCE)] or ends[::-1]
    for separator in _SEPARATORS:
        for e in usable:
            if not _separator_at(pieces, e, separator):
                continue
            if not fenced[e]:
                return e, e + len(separator)
            if separator == "\n":  # in code, only a line break; the closing and reopening markers restore it
                return e, e + 1
    end = usable[0] if usable else start + 1
    return end, end


def _separator_at(pieces: list[str], at: int, separator: str) -> bool:
    return "".join(pieces[at : at + len(separator)]) == separator
