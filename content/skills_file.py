"""Read `skills.yml`: skill id -> name and description."""

from __future__ import annotations

from pathlib import Path

import yaml

from content.fields import FieldReader
from content.frontmatter import parse_yaml_mapping, yaml_document
from content.model import Problem, Skill, Source

SKILL_FIELDS = ("name", "description")


def read_skills(text: str, *, path: Path) -> tuple[tuple[Skill, ...] | None, list[Problem]]:
    """The skills in `text` (None when the file is not usable at all) and the problems found."""
    document, problems = parse_yaml_mapping(text, path=path, what="skills.yml")
    if document is None:
        return None, problems
    if not document.keys():
        return (), [
            *problems,
            Problem(
                path,
                1,
                "skills.yml defines no skills: add at least one, "
                "for example 'energy-isolation:' with a 'name:' and a 'description:' under it",
            ),
        ]
    skills: list[Skill] = []
    for key_node, value_node in document.root.value:
        skill_id = str(key_node.value)
        line = document.line(skill_id)
        if not isinstance(value_node, yaml.MappingNode):
            problems.append(
                Problem(
                    path,
                    line,
                    f"skill '{skill_id}' needs a 'name:' (and a 'description:') indented under it, for example '  name: Energy isolation'",
                )
            )
            continue
        entry = yaml_document(value_node, first_line=document.first_line)
        fields = FieldReader(entry, path=path, opening_line=line, place=f"skill '{skill_id}'")
        fields.reject_unknown(SKILL_FIELDS)
        name = fields.text("name", example="name: Energy isolation")
        description = fields.text("description", example="description: Isolating every energy source", required=False)
        problems += fields.problems
        skills.append(Skill(id=skill_id, name=name, description=description, source=Source(path, line)))
    return tuple(skills), problems
