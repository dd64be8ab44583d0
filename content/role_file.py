"""Read one job role file (already decoded) into a `ParsedRole`."""

from __future__ import annotations

from pathlib import Path

from content.blocks import markdown_blocks, trimmed
from content.fields import FieldReader
from content.frontmatter import FrontMatter, parse_front_matter
from content.model import Problem, Role, Source
from content.parsed import ParsedRole

ROLE_FIELDS = ("id", "title", "requires", "recommends", "complete_within_days")


def _outcome(front: FrontMatter, *, path: Path) -> tuple[str, list[Problem]]:
    """The first paragraph of the body (after an optional `# heading`): the job outcome."""
    lines = front.body.split("\n")
    blocks = markdown_blocks(front.body)
    if blocks and blocks[0].is_heading("#"):
        blocks = blocks[1:]
    if blocks and blocks[0].type == "paragraph_open":
        return trimmed(lines[blocks[0].start : blocks[0].end]), []
    message = (
        "missing outcome: write one paragraph right after the front matter saying, in plain words, what a person in this role gets done"
    )
    return "", [Problem(path, front.body_line, message)]


def read_role(text: str, *, path: Path) -> tuple[ParsedRole | None, list[Problem]]:
    """The role in `text` (None when it has no usable id) and the problems found reading it."""
    front, problems = parse_front_matter(text, path=path)
    if front is None:
        return None, problems
    fields = FieldReader(front.fields, path=path)
    fields.reject_unknown(ROLE_FIELDS)
    role_id = fields.text("id", example="id: machine-operator")
    title = fields.text("title", example="title: Machine Operator")
    requires = fields.id_list("requires", example="requires: [safety-foundations, loto-practitioner]", required=False)
    recommends = fields.id_list("recommends", example="recommends: [plant-operations]", required=False)
    days = fields.integer("complete_within_days", example="complete_within_days: 30")
    outcome, body_problems = _outcome(front, path=path)
    problems += fields.problems + body_problems
    if not role_id:
        return None, problems
    role = Role(
        id=role_id,
        title=title,
        outcome=outcome,
        requires=requires,
        complete_within_days=days if days is not None else 0,
        recommends=recommends,
        source=Source(path, 1),
    )
    bad = frozenset(fields.bad | ({"complete_within_days"} if days is None else set()))
    return ParsedRole(role=role, fields=front.fields, bad_fields=bad), problems
