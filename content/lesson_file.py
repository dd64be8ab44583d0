"""Read one lesson file (already decoded) into a `ParsedLesson`."""

from __future__ import annotations

from pathlib import Path

from content.fields import FieldReader
from content.frontmatter import parse_front_matter
from content.lesson_parser import parse_lesson_body
from content.model import Lesson, Problem, Source
from content.parsed import ParsedLesson

LESSON_FIELDS = ("id", "title", "skills", "minutes", "requires", "version")


def read_lesson(text: str, *, path: Path, file_hash: str) -> tuple[ParsedLesson | None, list[Problem]]:
    """The lesson in `text` (None when it has no usable id) and the problems found reading it.

    `file_hash` is the version used when the front matter gives none.
    """
    front, problems = parse_front_matter(text, path=path)
    if front is None:
        return None, problems
    fields = FieldReader(front.fields, path=path)
    fields.reject_unknown(LESSON_FIELDS)
    lesson_id = fields.text("id", example="id: lockout-tagout")
    title = fields.text("title", example="title: Lockout/Tagout")
    skills = fields.id_list("skills", example="skills: [energy-isolation]")
    minutes = fields.integer("minutes", example="minutes: 4")
    requires = fields.id_list("requires", example="requires: [hazard-spotting]", required=False)
    version = fields.text("version", example="version: 2", required=False)
    body = parse_lesson_body(front.body, lesson_id=lesson_id, path=path, body_line=front.body_line)
    problems += fields.problems + list(body.problems)
    if not lesson_id:
        return None, problems
    lesson = Lesson(
        id=lesson_id,
        title=title,
        skills=skills,
        minutes=minutes if minutes is not None else 0,
        requires=requires,
        version=version or file_hash,
        steps=body.steps,
        source=Source(path, 1),
    )
    bad = frozenset(fields.bad | ({"minutes"} if minutes is None else set()))
    return ParsedLesson(lesson=lesson, fields=front.fields, layouts=body.layouts, bad_fields=bad), problems
