"""Parse a lesson body into cards and micro-checks.

markdown-it-py finds the blocks (`##` headings, paragraphs, task lists, block quotes) and
their line maps; card bodies and explanations keep the author's Markdown by slicing the
source lines. Lines in the result count from the top of the file, front matter included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from content.blocks import Block, first_inline, markdown_blocks, trimmed
from content.model import Card, Check, Option, Picture, Problem, Source, Step
from content.pictures import picture_paragraph, stray_images

CHECK_HEADING = re.compile(r"check\s*(:.*)?", re.IGNORECASE)
QUOTE_MARKER = re.compile(r"^\s*> ?")
TASK_ITEM = re.compile(r"\[([ xX])\](?:\s+(.*))?", re.DOTALL)
PICTURE_ON_ITS_OWN = "a picture inside text, a list or a quote: put each picture on a line of its own, with a blank line before and after"
_BLOCK_NAMES = {
    "heading_open": "heading",
    "fence": "code block",
    "code_block": "code block",
    "html_block": "HTML block",
    "hr": "horizontal rule",
    "table_open": "table",
}


@dataclass(frozen=True)
class CheckLayout:
    """Where the parts of one check were written, for problems that point inside it."""

    heading_line: int
    question_line: int | None
    option_lines: tuple[int, ...]


@dataclass(frozen=True)
class LessonBody:
    steps: tuple[Step, ...]
    layouts: dict[str, CheckLayout]  # by check key
    problems: tuple[Problem, ...]


class _LessonBodyParser:
    def __init__(self, body: str, *, lesson_id: str, path: Path, body_line: int) -> None:
        self.lines = body.split("\n")
        self.lesson_id = lesson_id
        self.path = path
        self.body_line = body_line
        self.problems: list[Problem] = []
        self.layouts: dict[str, CheckLayout] = {}

    def line(self, body_index: int) -> int:
        return self.body_line + body_index

    def report(self, body_index: int, message: str) -> None:
        self.problems.append(Problem(self.path, self.line(body_index), message))

    def parse(self) -> LessonBody:
        blocks = markdown_blocks("\n".join(self.lines))
        starts = [i for i, block in enumerate(blocks) if block.is_heading("##")]
        self._check_preamble(blocks[: starts[0]] if starts else blocks)
        steps: list[Step] = []
        for n, first in enumerate(starts):
            last = starts[n + 1] if n + 1 < len(starts) else len(blocks)
            end = blocks[last].start if last < len(blocks) else len(self.lines)
            heading, content = blocks[first], blocks[first + 1 : last]
            if CHECK_HEADING.fullmatch(heading.inline):
                number = sum(isinstance(step, Check) for step in steps) + 1
                steps.append(self._check(heading, content, key=f"{self.lesson_id}:{number}"))
            else:
                steps.append(self._card(heading, content, end))
        return LessonBody(steps=tuple(steps), layouts=dict(self.layouts), problems=tuple(self.problems))

    def _check_preamble(self, blocks: list[Block]) -> None:
        stray = blocks[1:] if blocks and blocks[0].is_heading("#") else blocks
        if stray:
            self.report(
                stray[0].start,
                "text before the first '## ' heading: every word a learner reads belongs to "
                "a card, so move it under a '## ' heading or delete it (only a single '# Title' line may "
                "come first)",
            )

    def _card(self, heading: Block, content: list[Block], end: int) -> Card:
        if not heading.inline:
            self.report(heading.start, "a '## ' heading without a title: write the card's title after '## '")
        pictures, picture_lines = self._pictures(content)
        lines = [line for i, line in enumerate(self.lines[heading.end : end], start=heading.end) if i not in picture_lines]
        body = trimmed(lines)
        if not body and not pictures and heading.inline:
            self.report(heading.start, f"the card '{heading.inline}' is empty: write its message under the heading, or remove the heading")
        return Card(title=heading.inline, body=body, source=Source(self.path, self.line(heading.start)), pictures=pictures)

    def _pictures(self, content: list[Block]) -> tuple[tuple[Picture, ...], set[int]]:
        """The card's pictures (paragraphs of images only), and the lines they take in the body."""
        pictures: list[Picture] = []
        lines: set[int] = set()
        for block in content:
            written = picture_paragraph(block)
            if written is None:
                for offset in stray_images(block):
                    self.report(block.start + offset, PICTURE_ON_ITS_OWN)
                continue
            lines.update(range(block.start, block.end))
            for picture in written:
                source = Source(self.path, self.line(block.start + picture.offset))
                pictures.append(Picture(path=picture.src, alt=picture.alt, caption=picture.caption, source=source))
        return tuple(pictures), lines

    def _check(self, heading: Block, content: list[Block], *, key: str) -> Check:
        question: list[str] = []
        question_line: int | None = None
        options: list[Option] = []
        option_lines: list[int] = []
        explanation: list[str] = []
        phase = "question"
        for block in content:
            for offset in stray_images(block):
                self.report(block.start + offset, "a picture inside a check: put it at the end of the card before the check")
            if block.type == "paragraph_open" and phase == "question":
                question.append(trimmed(self.lines[block.start : block.end]))
                question_line = block.start if question_line is None else question_line
            elif block.type in ("bullet_list_open", "ordered_list_open") and phase in ("question", "options"):
                self._options(block, options, option_lines)
                phase = "options"
            elif block.type == "blockquote_open":
                quoted = self.lines[block.start : block.end]
                explanation.append(trimmed([QUOTE_MARKER.sub("", line) for line in quoted]))
                phase = "explanation"
            elif block.type == "paragraph_open":
                self.report(
                    block.start,
                    "text after the options: in a check, the question comes first, then the "
                    "options, then the explanation as a block quote (lines starting with '> ')",
                )
            elif block.type in ("bullet_list_open", "ordered_list_open"):
                self.report(block.start, "options after the explanation: put the options ('- [x]' / '- [ ]') before the '> ' explanation")
                self._options(block, options, option_lines)
            else:
                name = _BLOCK_NAMES.get(block.type, "block")
                self.report(block.start, f"a {name} inside a check: a check has only a question, the options and a '> ' explanation")
        self.layouts[key] = CheckLayout(
            heading_line=self.line(heading.start),
            question_line=None if question_line is None else self.line(question_line),
            option_lines=tuple(self.line(i) for i in option_lines),
        )
        return Check(
            key=key,
            question="\n\n".join(question),
            options=tuple(options),
            explanation="\n\n".join(part for part in explanation if part),
            source=Source(self.path, self.line(heading.start)),
        )

    def _options(self, block: Block, options: list[Option], option_lines: list[int]) -> None:
        level = block.tokens[0].level + 1
        for index, item in enumerate(block.tokens):
            if item.type != "list_item_open" or item.level != level:
                continue
            start = item.map[0] if item.map else block.start
            inline = first_inline(block.tokens[index:])
            match = TASK_ITEM.match(inline)
            text = " ".join((match.group(2) or "").split()) if match else " ".join(inline.split())
            if match is None:
                self.report(
                    start, f"the option '{text}' has no checkbox: start it with '- [x] ' if it is correct or '- [ ] ' if it is wrong"
                )
                continue
            if not text:
                self.report(start, "an empty option: write its text after the checkbox, or remove it")
                continue
            options.append(Option(text=text, correct=match.group(1) in "xX"))
            option_lines.append(start)


def parse_lesson_body(body: str, *, lesson_id: str, path: Path, body_line: int) -> LessonBody:
    """Cards and checks of a lesson body whose first line is line `body_line` of the file."""
    return _LessonBodyParser(body, lesson_id=lesson_id, path=path, body_line=body_line).parse()
