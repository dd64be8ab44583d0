"""What Slack shows for a mrkdwn text, for tests that check what a person reads: the visible
text, the links one can click, the mentions that ping or link, and what is formatted.

Modelled on Slack's documented mrkdwn (https://api.slack.com/reference/surfaces/formatting):
`<url|label>` and `<url>` are links; `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>`,
`<@U…>` and `<#C…>` are mentions; `&amp;`, `&lt;`, `&gt;` are the only entities; `*bold*`,
`_italic_`, `~strike~` and `` `code` `` need a word boundary outside the markers (Slack reads
no marker between two letters or digits: `snake_case` stays as it is) and no space inside
them, and end on the line they start; ``` fences a code block; a line starting with `>` is a
quote. Texts are sent with `verbatim: true`, so bare URLs and names are not linked by Slack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_STYLES = {"*": "bold", "_": "italic", "~": "strike", "`": "code"}
_FENCE = "```"


@dataclass
class Shown:
    text: str = ""
    links: list[str] = field(default_factory=list)  # the URLs a person can click
    mentions: list[str] = field(default_factory=list)  # e.g. "!channel", "@U0ANA"
    styled: list[tuple[str, str]] = field(default_factory=list)  # (bold|italic|strike|code|pre|quote, text)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def shown(mrkdwn: str) -> Shown:
    result = Shown()
    parts = mrkdwn.split(_FENCE)
    out = []
    for index, part in enumerate(parts):
        if index % 2 and index < len(parts) - 1:  # inside a code block: literal
            code = _unescape(part.strip("\n"))
            result.styled.append(("pre", code))
            out.append(code)
        else:
            out.append("\n".join(_line(line, result) for line in part.split("\n")))
    result.text = "".join(out)
    return result


def shown_blocks(blocks: list[dict[str, Any]]) -> Shown:
    """The section and context texts of a message or view, one after another, as Slack shows
    them; headers are plain text."""
    result = Shown()
    texts = []
    for block in blocks:
        objects = [block["text"]] if isinstance(block.get("text"), dict) else []
        objects += [e for e in block.get("elements") or [] if block["type"] == "context"]
        for text in objects:
            if text.get("type") == "plain_text":
                texts.append(text["text"])
                continue
            part = shown(text["text"])
            texts.append(part.text)
            result.links += part.links
            result.mentions += part.mentions
            result.styled += part.styled
    result.text = "\n".join(texts)
    return result


def _line(line: str, result: Shown) -> str:
    for marker in (">", "&gt;"):
        if line.startswith(marker):
            quoted = _inline(line[len(marker) :].removeprefix(" "), result)
            result.styled.append(("quote", quoted))
            return quoted
    return _inline(line, result)


def _inline(text: str, result: Shown) -> str:
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "<" and (end := text.find(">", i)) != -1:
            out.append(_angle(text[i + 1 : end], result))
            i = end + 1
            continue
        if char == "&":
            entity = next((e for e in _ENTITIES if text.startswith(e, i)), None)
            if entity:
                out.append(_ENTITIES[entity])
                i += len(entity)
                continue
        if char in _STYLES and (closing := _closing(text, i)) is not None:
            inner = _unescape(text[i + 1 : closing]) if char == "`" else _inline(text[i + 1 : closing], result)
            result.styled.append((_STYLES[char], inner))
            out.append(inner)
            i = closing + 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _closing(text: str, start: int) -> int | None:
    """Where the marker at `start` closes, if it opens a style at all."""
    marker = text[start]
    if start > 0 and text[start - 1].isalnum():
        return None
    if start + 1 >= len(text) or text[start + 1].isspace() or text[start + 1] == marker:
        return None
    for end in range(start + 2, len(text)):
        if text[end] == marker and not text[end - 1].isspace() and (end + 1 == len(text) or not text[end + 1].isalnum()):
            return end
    return None


def _angle(inside: str, result: Shown) -> str:
    target, _, label = inside.partition("|")
    if target.startswith(("!", "@", "#")):
        result.mentions.append(target)
        name = label or target.lstrip("!@#").split("^")[0]
        return ("#" if target.startswith("#") else "@") + name
    result.links.append(_unescape(target))
    return _unescape(label or target)


def _unescape(text: str) -> str:
    return re.sub("&(amp|lt|gt);", lambda m: _ENTITIES[m.group()], text)
