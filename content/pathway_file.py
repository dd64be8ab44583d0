"""Read one pathway file (already decoded) into a `ParsedPathway`."""

from __future__ import annotations

from pathlib import Path

from content.blocks import trimmed
from content.fields import FieldReader
from content.frontmatter import parse_front_matter
from content.model import Pathway, Problem, Source
from content.parsed import ParsedPathway

PATHWAY_FIELDS = ("id", "title", "order", "lessons")


def read_pathway(text: str, *, path: Path) -> tuple[ParsedPathway | None, list[Problem]]:
    """The pathway in `text` (None when it has no usable id) and the problems found reading it."""
    front, problems = parse_front_matter(text, path=path)
    if front is None:
        return None, problems
    fields = FieldReader(front.fields, path=path)
    fields.reject_unknown(PATHWAY_FIELDS)
    pathway_id = fields.text("id", example="id: equipment-maintenance")
    title = fields.text("title", example="title: Equipment Maintenance L2")
    order = fields.integer("order", example="order: 2")
    lessons = fields.id_list("lessons", example="lessons: [lockout-tagout, pre-use-inspection]")
    problems += fields.problems
    if not pathway_id:
        return None, problems
    pathway = Pathway(
        id=pathway_id,
        title=title,
        description=trimmed(front.body.split("\n")),
        order=order if order is not None else 0,
        lessons=lessons,
        source=Source(path, 1),
    )
    bad = frozenset(fields.bad | ({"order"} if order is None else set()))
    return ParsedPathway(pathway=pathway, fields=front.fields, bad_fields=bad), problems
