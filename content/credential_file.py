"""Read one badge or certificate file (already decoded) into a `ParsedCredential`."""

from __future__ import annotations

from pathlib import Path

import yaml

from content.blocks import markdown_blocks, trimmed
from content.fields import FieldReader, is_blank
from content.frontmatter import FrontMatter, parse_front_matter
from content.model import CredentialDefinition, CredentialKind, Problem, SkillRequirement, Source
from content.parsed import ParsedCredential

CREDENTIAL_FIELDS = ("id", "kind", "title", "requires", "stacks", "valid_for_days", "recertify_days_before", "retired", "retired_reason")
REQUIRES_FIELDS = ("lessons", "skills")
CRITERIA_HEADING = "criteria"


def _skill_requirements(fields: FieldReader) -> tuple[SkillRequirement, ...]:
    document = fields.document
    node = document.node("requires", "skills")
    if node is None or is_blank(node):
        return ()
    if not isinstance(node, yaml.MappingNode):
        message = "'requires.skills' must list 'skill-id: mastery' lines, for example 'energy-isolation: 0.8'"
        fields.report(document.line("requires", "skills"), message, "requires.skills")
        return ()
    requirements: list[SkillRequirement] = []
    for key, _ in node.value:
        skill_id = str(key.value)
        mastery = document.value("requires", "skills", skill_id)
        if isinstance(mastery, bool) or not isinstance(mastery, int | float):
            message = f"the mastery for skill '{skill_id}' must be a number between 0 and 1, for example '{skill_id}: 0.8' (80%)"
            fields.report(document.line("requires", "skills", skill_id), message, "requires.skills")
            continue
        requirements.append(SkillRequirement(skill=skill_id, mastery=float(mastery)))
    return tuple(requirements)


def _requires(fields: FieldReader) -> tuple[tuple[str, ...], tuple[SkillRequirement, ...]]:
    node = fields.document.node("requires")
    if node is None or is_blank(node):
        return (), ()
    if not isinstance(node, yaml.MappingNode):
        message = "'requires' must have 'lessons:' and/or 'skills:' indented under it"
        fields.report(fields.document.line("requires"), message, "requires")
        return (), ()
    for key, _ in node.value:
        if str(key.value) not in REQUIRES_FIELDS:
            message = f"unknown entry '{key.value}' under 'requires' (use 'lessons:' and/or 'skills:')"
            fields.report(fields.document.line("requires", str(key.value)), message)
    lessons = fields.id_list("requires", "lessons", example="lessons: [lockout-tagout]", required=False)
    return lessons, _skill_requirements(fields)


def _retired(fields: FieldReader) -> bool:
    """`retired: true` (L&D retired the credential); absent, blank or `false`: not retired."""
    node = fields.document.node("retired")
    if node is None or is_blank(node):
        return False
    value = fields.document.value("retired")
    if not isinstance(value, bool):
        written = fields.document.text("retired")
        said = f"is '{written}'" if written is not None else "must be true or false"
        message = f"'retired' {said}: write 'retired: true' (no quotes) to retire the credential, or remove the line"
        fields.report(fields.document.line("retired"), message, "retired")
        return False
    return value


def _body(front: FrontMatter, *, path: Path) -> tuple[str, str, list[Problem]]:
    """The description (first paragraph) and the criteria (text under `## Criteria`)."""
    lines = front.body.split("\n")
    blocks = markdown_blocks(front.body)
    problems: list[Problem] = []
    description = ""
    criteria: str | None = None
    headings = [i for i, block in enumerate(blocks) if block.is_heading("##")]
    preamble = blocks[: headings[0]] if headings else blocks
    if preamble and preamble[0].is_heading("#"):
        preamble = preamble[1:]
    if preamble and preamble[0].type == "paragraph_open":
        description = trimmed(lines[preamble[0].start : preamble[0].end])
        preamble = preamble[1:]
    for block in preamble[:1]:
        problems.append(
            Problem(
                path,
                front.body_line + block.start,
                "only the first paragraph is the description: join this text to it, move it under '## Criteria', or delete it",
            )
        )
    for n, index in enumerate(headings):
        heading = blocks[index]
        end = blocks[headings[n + 1]].start if n + 1 < len(headings) else len(lines)
        line = front.body_line + heading.start
        if heading.inline.lower() != CRITERIA_HEADING:
            problems.append(
                Problem(
                    path,
                    line,
                    f"unknown section '## {heading.inline}': a badge or certificate has only a description and a '## Criteria' section",
                )
            )
        elif criteria is not None:
            problems.append(Problem(path, line, "a second '## Criteria' section: keep one"))
        else:
            criteria = trimmed(lines[heading.end : end])
            if not criteria:
                problems.append(Problem(path, line, "the '## Criteria' section is empty: say what a learner did to earn this"))
    if not description:
        problems.append(
            Problem(
                path, front.body_line, "missing description: write one paragraph right after the front matter saying what the holder can do"
            )
        )
    if criteria is None:
        problems.append(
            Problem(
                path,
                front.body_line,
                "missing criteria: add a '## Criteria' section saying what a learner did to earn this (it is printed on the credential)",
            )
        )
    return description, criteria or "", problems


def read_credential(text: str, *, path: Path) -> tuple[ParsedCredential | None, list[Problem]]:
    """The badge or certificate in `text` (None when it has no usable id) and the problems found."""
    front, problems = parse_front_matter(text, path=path)
    if front is None:
        return None, problems
    fields = FieldReader(front.fields, path=path)
    fields.reject_unknown(CREDENTIAL_FIELDS)
    credential_id = fields.text("id", example="id: loto-practitioner")
    kind_text = fields.text("kind", example="kind: badge")
    title = fields.text("title", example="title: Lockout/Tagout Practitioner")
    lessons, skills = _requires(fields)
    stacks = fields.id_list("stacks", example="stacks: [safety-foundations, loto-practitioner]", required=False)
    valid_for_days = fields.integer("valid_for_days", example="valid_for_days: 365", required=False)
    recertify = fields.integer("recertify_days_before", example="recertify_days_before: 30", required=False)
    retired = _retired(fields)
    retired_reason = fields.text("retired_reason", example='retired_reason: "Replaced by Lockout/Tagout 2026."', required=False)
    kinds = {kind.value: kind for kind in CredentialKind}
    if kind_text and kind_text not in kinds:
        fields.report(front.fields.line("kind"), f"'kind' is '{kind_text}': it must be 'badge' or 'certificate'")
    if kind_text not in kinds:
        fields.bad.add("kind")
    description, criteria, body_problems = _body(front, path=path)
    problems += fields.problems + body_problems
    if not credential_id:
        return None, problems
    credential = CredentialDefinition(
        id=credential_id,
        kind=kinds.get(kind_text, CredentialKind.BADGE),
        title=title,
        description=description,
        criteria=criteria,
        lessons=lessons,
        skills=skills,
        stacks=stacks,
        valid_for_days=valid_for_days,
        recertify_days_before=recertify,
        retired=retired,
        retired_reason=retired_reason,
        source=Source(path, 1),
    )
    return ParsedCredential(credential=credential, fields=front.fields, bad_fields=frozenset(fields.bad)), problems
