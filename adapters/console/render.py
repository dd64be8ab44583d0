"""Neutral replies as terminal text. Buttons become numbered choices; a destructive button is
pressed only by typing its word.

Markdown is read with markdown-it-py, as the Telegram and Slack renderers read it, so what a
person typed (escaped by `bot.markup.literal`) prints exactly as typed: `\\[x\\]` is `[x]`.
Line breaks follow bot/replies.py: in what the bot composes every line break is kept; in what
authors write (a card's body, an explanation) a single line break is soft and the text flows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from bot import actions
from bot.i18n import N_, SOURCE, Translator
from bot.replies import Announcement, AwardNotice, Button, CardWords, Feedback, LessonCard, Picture, Question, Reply, Text

# html off: raw HTML is shown as typed. linkify off: "file.py" stays prose.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough")
RULE = "─" * 60
_GAP = "   "  # between choices on the buttons line
_LIST_MARKER = re.compile(r"^(\s*)((?:[•\-*+]|\d+[.)])\s+)")
_ENTER_LABEL = re.compile(r"^\W*(next|continue)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
# The console's own words around the choices, in the terminal's language (the app's Translator).
TYPE_THE_WORD = N_("[type {word}]")
OR_PRESS_ENTER = N_("(or press Enter)")


# --- Markdown -> terminal text -----------------------------------------------------------


def plain(markdown: str, *, flow: bool = False) -> str:
    """Markdown as it reads in a terminal: emphasis markers dropped, escapes read as the
    characters they stand for, lists kept as lists, blank lines kept between blocks. A single
    line break is kept, or with `flow` (authors' text, wrapped in their editor) it is a space."""
    source = markdown.splitlines()
    return _Writer(source, flow).blocks(SyntaxTreeNode(_MD.parse(markdown)).children, top=True)


@dataclass(frozen=True)
class _Writer:
    source: list[str]
    flow: bool

    def blocks(self, nodes: Sequence[SyntaxTreeNode], top: bool = False) -> str:
        out = ""
        for node in nodes:
            text = self.block(node, top)
            if not text:
                continue
            if out:  # a blank line where the source has one, else a line break
                out += "\n\n" if self._blank_before(node) else "\n"
            out += text
        return out

    def _blank_before(self, node: SyntaxTreeNode) -> bool:
        line = node.map[0] - 1 if node.map else -1
        return 0 <= line < len(self.source) and not self.source[line].strip(" \t>")

    def block(self, node: SyntaxTreeNode, top: bool) -> str:
        match node.type:
            case "paragraph" | "heading":
                text = self.inline(node.children[0]) if node.children else ""
                return self._indented(node, text) if top and not self.flow else text
            case "bullet_list" | "ordered_list":
                return self._list(node)
            case "blockquote":
                return "\n".join(f"│ {line}".rstrip() for line in self.blocks(node.children).split("\n"))
            case "fence" | "code_block":
                return "\n".join(f"    {line}".rstrip() for line in node.content.removesuffix("\n").split("\n"))
            case "hr":
                return "─" * 20
        return self.blocks(node.children) if node.children else node.content

    def _indented(self, node: SyntaxTreeNode, text: str) -> str:
        """A paragraph's lines with the indentation they have in the source, which CommonMark
        drops (the bot indents e.g. a credential's "still needs" under it)."""
        lines = text.split("\n")
        start, end = node.map or (0, 0)
        written = self.source[start:end]
        if len(written) != len(lines):  # e.g. a code span across lines: keep the text as read
            return text
        return "\n".join([lines[0]] + [w[: len(w) - len(w.lstrip())] + line for w, line in zip(written[1:], lines[1:], strict=True)])

    def _list(self, node: SyntaxTreeNode) -> str:
        number = int(node.attrs.get("start", 1))
        out = ""
        for item in node.children:
            marker = "•" if node.type == "bullet_list" else f"{number}."
            number += 1
            pad = " " * (len(marker) + 1)
            first, *rest = self.blocks(item.children).split("\n")
            text = "\n".join([f"{marker} {first}".rstrip()] + [(pad + line).rstrip() for line in rest])
            if out:
                out += "\n\n" if self._blank_before(item) else "\n"
            out += text
        return out

    def inline(self, node: SyntaxTreeNode) -> str:
        return "".join(self._span(child) for child in node.children)

    def _span(self, node: SyntaxTreeNode) -> str:
        inner = "".join(self._span(child) for child in node.children)
        match node.type:
            case "text" | "code_inline" | "html_inline":
                return node.content
            case "softbreak":
                return " " if self.flow else "\n"
            case "hardbreak":
                return "\n"
            case "link" | "image":
                url = str(node.attrs.get("href") or node.attrs.get("src") or "")
                return inner if not url or url == inner else f"{inner} ({url})" if inner else url
        return inner


# --- Fitting a terminal --------------------------------------------------------------------


def columns(text: str) -> int:
    """How many terminal columns `text` takes: wide characters (most emoji) take two."""
    return sum(
        0
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf") or "\ufe00" <= c <= "\ufe0f"
        else 2
        if unicodedata.east_asian_width(c) in ("W", "F")
        else 1
        for c in text
    )


def wrap(text: str, width: int | None) -> str:
    """Every line longer than `width` broken between words; its later lines keep its indent,
    and a list item's line up under its text. Words are never split (a URL stays whole)."""
    if width is None:
        return text
    return "\n".join(part for line in text.split("\n") for part in _wrap_line(line, width))


def _wrap_line(line: str, width: int) -> list[str]:
    if columns(line) <= width:
        return [line]
    marker = _LIST_MARKER.match(line)
    indent = line[: len(line) - len(line.lstrip())]
    hang = " " * len(marker.group(0)) if marker else indent
    lines, current, prefix = [], "", indent
    for word in line.split():
        if current and columns(f"{prefix}{current} {word}") > width:
            lines.append(prefix + current)
            current, prefix = word, hang
        else:
            current = f"{current} {word}" if current else word
    return [*lines, prefix + current]


# --- Replies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    text: str
    buttons: tuple[Button, ...] = ()  # what typed numbers press: 1 is buttons[0]
    words: tuple[tuple[str, Button], ...] = ()  # destructive buttons, pressed only by typing the word
    question: Question | None = None
    enter: Button | None = None  # what Enter presses: a lone Next or Continue button, else nothing


def confirm_word(button: Button) -> str:
    """The word that presses a destructive button: the first word of its label, in capitals."""
    found = _WORD.search(button.label)
    return found.group(0).upper() if found else "CONFIRM"


def enter_button(buttons: tuple[Button, ...]) -> Button | None:
    """Enter presses a button only when it is the only one and it just moves on (Next,
    Continue): never a choice between several, never a destructive one."""
    if len(buttons) == 1 and not buttons[0].destructive and (_moves_on(buttons[0]) or _ENTER_LABEL.match(buttons[0].label)):
        return buttons[0]
    return None


def _moves_on(button: Button) -> bool:
    """A Next or Continue button, whatever language its label is in."""
    return isinstance(actions.parse(button.action), actions.NextCard | actions.Continue)


def without_buttons(reply: Reply) -> Reply:
    if isinstance(reply, Question | Announcement) or not reply.buttons:  # these two have no buttons
        return reply
    return replace(reply, buttons=())


def render(reply: Reply, width: int | None = None, t: Translator = SOURCE) -> Rendered:
    """`reply` as terminal text; with `width`, long lines are wrapped to it. The words around
    the choices are said by `t`; the rest are the reply's own (the core's, in the learner's language)."""
    match reply:
        case Text():
            return _with_buttons(plain(reply.text), reply.buttons, width, t)
        case LessonCard():
            head = f"{RULE}\n[{reply.position}/{reply.total}] {plain(reply.title, flow=True)}\n"
            shown = (picture(p, reply.words) for p in reply.pictures)
            text = "\n\n".join(part for part in (plain(reply.body, flow=True).strip(), *shown) if part)
            return _with_buttons(head + "\n" + text, reply.buttons, width, t)
        case Question():
            lines = [RULE, f"[{reply.position}/{reply.total}] ❓ {plain(reply.question, flow=True)}", ""]
            lines += [f"  {i}) {plain(option, flow=True)}" for i, option in enumerate(reply.options, start=1)]
            hint = reply.words.type_numbers if reply.multiple else reply.words.type_number
            lines += ["", f"({hint})"]
            return Rendered(wrap("\n".join(lines), width), question=reply)
        case Feedback():
            if reply.correct:
                head = f"✅ {reply.words.correct}"
            else:
                answer = "; ".join(plain(o, flow=True) for o in reply.correct_options)
                head = f"❌ {reply.words.not_quite} " + reply.words.the_answer.format(answer=answer)
            return _with_buttons(f"{head}\n{plain(reply.explanation, flow=True).strip()}", reply.buttons, width, t)
        case AwardNotice():
            lines = [plain(reply.text)]
            if reply.page_url:
                lines.append(reply.words.page_line.format(url=reply.page_url))
            if reply.linkedin_url:
                lines.append(reply.words.linkedin_line.format(url=reply.linkedin_url))
            return _with_buttons("\n".join(lines), reply.buttons, width, t)
        case Announcement():
            # The console has no team channel: show what the channel would get, marked as such.
            link = f" {reply.page_url}" if reply.page_url else ""
            return Rendered(wrap(f"📣 [team channel] {plain(reply.text)}{link}", width))
    raise TypeError(f"cannot render {type(reply).__name__}")


def picture(shown: Picture, words: CardWords | None = None) -> str:
    """A terminal shows no pictures: what it shows, in words, and where its file is."""
    words = words or CardWords()
    lines = ["🖼  " + words.picture.format(alt=shown.alt)]
    if shown.caption:
        lines.append("   " + words.caption.format(caption=shown.caption))
    lines.append("   " + words.file.format(path=shown.path))
    return "\n".join(lines)


def _with_buttons(text: str, buttons: tuple[Button, ...], width: int | None, t: Translator) -> Rendered:
    text = wrap(text, width)
    if not buttons:
        return Rendered(text)
    numbered = tuple(b for b in buttons if not b.destructive)
    words = tuple((confirm_word(b), b) for b in buttons if b.destructive)
    choices, number = [], 0
    for button in buttons:
        if button.destructive:
            choices.append(f"{t.gettext(TYPE_THE_WORD).format(word=confirm_word(button))} {button.label}")
        else:
            number += 1
            choices.append(f"[{number}] {button.label}")
    enter = enter_button(buttons)
    if enter is not None:
        choices.append(t.gettext(OR_PRESS_ENTER))
    return Rendered(f"{text}\n\n{_choice_lines(choices, width)}", numbered, words, enter=enter)


def _choice_lines(choices: list[str], width: int | None) -> str:
    """Choices side by side, a new line only between two choices."""
    lines: list[str] = []
    for choice in choices:
        if lines and (width is None or columns(lines[-1] + _GAP + choice) <= width):
            lines[-1] += _GAP + choice
        else:
            lines.append(choice)
    return "\n".join(lines)
