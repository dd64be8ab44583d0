"""Read `skills.yml`: skill id -> name, description and the framework nodes it aligns to.

```yaml
hazard-recognition:
  name: Hazard recognition
  description: Spotting what could hurt someone before it does, and acting on it.
  alignments:                       # optional: public or employer skills frameworks
    - framework: ESCO               # targetFramework (required)
      name: identify hazards in the workplace   # targetName: the framework's own label (required)
      url: http://data.europa.eu/esco/skill/5f97fac8-2001-4b81-ae8b-22f9062d921a  # targetUrl (required)
      code: S1.2.3                  # targetCode (optional)
      type: ceasn:Competency        # targetType (optional): an Open Badges 3.0 AlignmentTargetType
      description: ...              # targetDescription (optional)
```
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from content.fields import FieldReader, is_blank
from content.frontmatter import YamlDocument, parse_yaml_mapping, yaml_document
from content.model import Alignment, Problem, Skill, Source

SKILL_FIELDS = ("name", "description", "alignments")
ALIGNMENT_FIELDS = ("framework", "name", "url", "code", "type", "description")
# The Open Badges 3.0 AlignmentTargetType enumeration (1EdTech OBv3 JSON schema); a type of
# one's own is written `ext:<name>`.
ALIGNMENT_TARGET_TYPES = (
    "ceasn:Competency",
    "ceterms:Credential",
    "CFItem",
    "CFRubric",
    "CFRubricCriterion",
    "CFRubricCriterionLevel",
    "CTDL",
)
EXTENSION_TARGET_TYPE = re.compile(r"ext:[A-Za-z0-9._-]+")
ALIGNMENT_EXAMPLE = "'- framework: ESCO' with 'name:' and 'url:' indented under it"


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
        alignments, alignment_problems = read_alignments(entry, path=path, skill_id=skill_id)
        problems += alignment_problems
        skills.append(Skill(id=skill_id, name=name, description=description, source=Source(path, line), alignments=alignments))
    return tuple(skills), problems


def read_alignments(entry: YamlDocument, *, path: Path, skill_id: str) -> tuple[tuple[Alignment, ...], list[Problem]]:
    """The usable entries of one skill's `alignments:` list, and a Problem for each mistake."""
    node = entry.node("alignments")
    if node is None or is_blank(node):
        return (), []
    if not isinstance(node, yaml.SequenceNode):
        return (), [
            Problem(
                path,
                entry.line("alignments"),
                f"'alignments' of skill '{skill_id}' must be a list with one entry per framework node, for example {ALIGNMENT_EXAMPLE}",
            )
        ]
    alignments: list[Alignment] = []
    problems: list[Problem] = []
    first_seen: dict[tuple[str, ...], int] = {}
    for index, item in enumerate(node.value):
        line = entry.line("alignments", index)
        place = f"alignment {index + 1} of skill '{skill_id}'"
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem(path, line, f"{place} must be 'field: value' lines, for example {ALIGNMENT_EXAMPLE}"))
            continue
        alignment, item_problems = _read_alignment(yaml_document(item, first_line=entry.first_line), path=path, line=line, place=place)
        problems += item_problems
        if alignment is None:
            continue
        repeated = next(((key, what) for key, what in _identities(alignment) if key in first_seen), None)
        if repeated is not None:
            key, what = repeated
            problems.append(Problem(path, line, f"{place} repeats the alignment on line {first_seen[key]} ({what}): keep only one"))
            continue
        for key, _ in _identities(alignment):
            first_seen.setdefault(key, line)
        alignments.append(alignment)
    return tuple(alignments), problems


def _read_alignment(item: YamlDocument, *, path: Path, line: int, place: str) -> tuple[Alignment | None, list[Problem]]:
    fields = FieldReader(item, path=path, opening_line=line, place=place)
    fields.reject_unknown(ALIGNMENT_FIELDS)
    framework = fields.text("framework", example="framework: ESCO")
    name = fields.text("name", example="name: identify hazards in the workplace")
    url = fields.text("url", example="url: http://data.europa.eu/esco/skill/5f97fac8-2001-4b81-ae8b-22f9062d921a")
    code = fields.text("code", example="code: 47-2111.00", required=False)
    target_type = fields.text("type", example="type: ceasn:Competency", required=False)
    description = fields.text("description", example="description: The framework's description of it", required=False)
    if url and not is_web_url(url):
        fields.report(
            item.line("url"),
            f"'url' of {place} is '{url}': write the absolute http:// or https:// address of the framework's page for it",
            "url",
        )
    if target_type and not is_alignment_target_type(target_type):
        fields.report(
            item.line("type"),
            f"'type' of {place} is '{target_type}', which Open Badges 3.0 does not define: use one of "
            f"{', '.join(ALIGNMENT_TARGET_TYPES)}, or 'ext:<name>' for a type of your own",
            "type",
        )
    if fields.problems:
        return None, fields.problems
    alignment = Alignment(
        framework=framework,
        name=name,
        url=url,
        code=code,
        type=target_type,
        description=description,
        source=Source(path, line),
    )
    return alignment, []


def _identities(alignment: Alignment) -> list[tuple[tuple[str, ...], str]]:
    """What makes two alignments of one skill the same: the address, or the framework's code."""
    identities: list[tuple[tuple[str, ...], str]] = [(("url", alignment.url), f"the same url {alignment.url}")]
    if alignment.code:
        identities.append(
            (("code", alignment.framework.casefold(), alignment.code), f"the same {alignment.framework} code {alignment.code}")
        )
    return identities


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL with a host and no spaces."""
    if any(character.isspace() for character in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host)


def is_alignment_target_type(value: str) -> bool:
    return value in ALIGNMENT_TARGET_TYPES or EXTENSION_TARGET_TYPE.fullmatch(value) is not None
