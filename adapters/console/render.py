"""Neutral replies as terminal text. Buttons and options become numbered choices."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.replies import Announcement, AwardNotice, Button, Feedback, LessonCard, Question, Reply, Text

_BOLD = re.compile(r"\*\*(.+?)\*\*")
RULE = "─" * 60


_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")


def plain(markdown: str) -> str:
    """Markdown as it reads in a terminal: emphasis markers dropped, soft line breaks joined
    (authors wrap lines in their editor; a chat message should flow), lists kept."""
    lines: list[str] = []
    for line in markdown.splitlines():
        joinable = lines and lines[-1].strip() and line.strip() and not _LIST_ITEM.match(line)
        if joinable and not _LIST_ITEM.match(lines[-1]):
            lines[-1] = lines[-1].rstrip() + " " + line.strip()
        elif joinable and _LIST_ITEM.match(lines[-1]) and line.startswith("  "):
            lines[-1] = lines[-1].rstrip() + " " + line.strip()  # a list item's continuation
        else:
            lines.append(line)
    return _BOLD.sub(r"\1", "\n".join(lines))


@dataclass(frozen=True)
class Rendered:
    text: str
    buttons: tuple[Button, ...] = ()
    question: Question | None = None


def render(reply: Reply) -> Rendered:
    match reply:
        case Text():
            return Rendered(_with_buttons(plain(reply.text), reply.buttons), reply.buttons)
        case LessonCard():
            head = f"{RULE}\n[{reply.position}/{reply.total}] {plain(reply.title)}\n"
            body = head + "\n" + plain(reply.body).strip()
            return Rendered(_with_buttons(body, reply.buttons, enter=True), reply.buttons)
        case Question():
            lines = [RULE, f"[{reply.position}/{reply.total}] ❓ {plain(reply.question)}", ""]
            lines += [f"  {i}) {plain(option)}" for i, option in enumerate(reply.options, start=1)]
            hint = "Type the numbers of every correct option, e.g. 1,3" if reply.multiple else "Type the number of your answer"
            lines += ["", f"({hint})"]
            return Rendered("\n".join(lines), question=reply)
        case Feedback():
            if reply.correct:
                head = "✅ Correct!"
            else:
                answer = "; ".join(plain(o) for o in reply.correct_options)
                head = f"❌ Not quite. The answer: {answer}"
            return Rendered(f"{head}\n{plain(reply.explanation).strip()}")
        case AwardNotice():
            lines = [plain(reply.text)]
            if reply.page_url:
                lines.append(f"Your credential, with its badge image and signed file: {reply.page_url}")
            if reply.linkedin_url:
                lines.append(f"Add it to LinkedIn: {reply.linkedin_url}")
            return Rendered(_with_buttons("\n".join(lines), reply.buttons), reply.buttons)
        case Announcement():
            # The console has no team channel: show what the channel would get, marked as such.
            link = f" {reply.page_url}" if reply.page_url else ""
            return Rendered(f"📣 [team channel] {plain(reply.text)}{link}")
    raise TypeError(f"cannot render {type(reply).__name__}")


def _with_buttons(text: str, buttons: tuple[Button, ...], enter: bool = False) -> str:
    if not buttons:
        return text
    choices = "   ".join(f"[{i}] {b.label}" for i, b in enumerate(buttons, start=1))
    if enter and len(buttons) == 1:
        choices += "   (or press Enter)"
    return f"{text}\n\n{choices}"
