"""Read one translation file (already decoded) against the source file it translates.

A translation holds only what a learner reads: a lesson's title, cards and checks; a pathway's,
badge's or role's title and text. Everything else (ids, skills, minutes, prerequisites, the
order of options and which are correct) is the source's, so it is never written twice.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import yaml

from content.blocks import trimmed
from content.credential_file import _body as credential_body
from content.fields import FieldReader
from content.frontmatter import FrontMatter, YamlDocument, parse_front_matter, parse_yaml_mapping, yaml_document
from content.lesson_parser import CheckLayout, parse_lesson_body
from content.model import Check, CredentialDefinition, Lesson, Pathway, Problem, Role, Skill, Source, Step
from content.parsed import ParsedCredential, ParsedLesson, ParsedPathway, ParsedRole
from content.role_file import _outcome as role_outcome

TRANSLATION_FIELDS = ("title",)
SKILL_TRANSLATION_FIELDS = ("name", "description")


@dataclass(frozen=True)
class ParsedLessonTranslation:
    """A lesson as its translation reads: the source lesson with the translated title and steps."""

    lesson: Lesson
    source: ParsedLesson
    fields: YamlDocument
    layouts: dict[str, CheckLayout]  # by check key

    @property
    def path(self) -> Path:
        return self.lesson.source.path


def set_aside(path: Path, line: int, *, language: str, subject: str, fallback: str) -> Problem:
    """What becomes of a translation with problems: it is left out and its learners read the
    source, so the source still publishes while the translation catches up (docs/authoring.md)."""
    return Problem(
        path,
        line,
        f"{subject} is set aside until it is fixed as said below: meanwhile learners reading '{language}' get {fallback}",
    )


def _front(text: str, *, path: Path, source_path: Path, example: str) -> tuple[FrontMatter | None, FieldReader | None, list[Problem]]:
    front, problems = parse_front_matter(text, path=path)
    if front is None:
        return None, None, problems
    fields = FieldReader(front.fields, path=path)
    for key in front.fields.keys():  # noqa: SIM118 - a YamlDocument is not a dict
        if key not in TRANSLATION_FIELDS:
            fields.report(
                front.fields.line(key),
                f"'{key}' is not translated: it is the source's ({source_path}); a translation gives only its 'title' "
                "in the front matter, so remove this line",
            )
    fields.text("title", example=example)
    return front, fields, problems


def _with_originals(steps: tuple[Step, ...], source: Lesson) -> tuple[Step, ...]:
    """Each translated check tied to the source's check with the same key (when there is one)."""
    originals = {check.key: check for check in source.checks}
    return tuple(dataclasses.replace(step, original=originals.get(step.key)) if isinstance(step, Check) else step for step in steps)


def read_lesson_translation(
    text: str, *, path: Path, language: str, source: ParsedLesson
) -> tuple[ParsedLessonTranslation | None, list[Problem]]:
    """The lesson of `source` as translated in `text` (None when its front matter is unusable)."""
    front, fields, problems = _front(text, path=path, source_path=source.path, example=f"title: {source.lesson.title}")
    if front is None or fields is None:
        return None, problems
    body = parse_lesson_body(front.body, lesson_id=source.id, path=path, body_line=front.body_line)
    lesson = dataclasses.replace(
        source.lesson,
        title=front.fields.text("title") or source.lesson.title,
        steps=_with_originals(body.steps, source.lesson),
        source=Source(path, 1),
        language=language,
    )
    problems += fields.problems + list(body.problems)
    return ParsedLessonTranslation(lesson=lesson, source=source, fields=front.fields, layouts=body.layouts), problems


def read_pathway_translation(text: str, *, path: Path, source: ParsedPathway) -> tuple[Pathway | None, list[Problem]]:
    front, fields, problems = _front(text, path=path, source_path=source.path, example=f"title: {source.pathway.title}")
    if front is None or fields is None:
        return None, problems
    description = trimmed(front.body.split("\n"))
    problems += fields.problems
    if not description and source.pathway.description:
        problems.append(Problem(path, front.body_line, "missing description: translate the source's description below the front matter"))
    title = front.fields.text("title") or source.pathway.title
    return dataclasses.replace(source.pathway, title=title.strip(), description=description, source=Source(path, 1)), problems


def read_credential_translation(text: str, *, path: Path, source: ParsedCredential) -> tuple[CredentialDefinition | None, list[Problem]]:
    front, fields, problems = _front(text, path=path, source_path=source.path, example=f"title: {source.credential.title}")
    if front is None or fields is None:
        return None, problems
    description, criteria, body_problems = credential_body(front, path=path)
    problems += fields.problems + body_problems
    title = front.fields.text("title") or source.credential.title
    translated = dataclasses.replace(
        source.credential, title=title.strip(), description=description, criteria=criteria, source=Source(path, 1)
    )
    return translated, problems


def read_role_translation(text: str, *, path: Path, source: ParsedRole) -> tuple[Role | None, list[Problem]]:
    front, fields, problems = _front(text, path=path, source_path=source.path, example=f"title: {source.role.title}")
    if front is None or fields is None:
        return None, problems
    outcome, body_problems = role_outcome(front, path=path)
    problems += fields.problems + body_problems
    title = front.fields.text("title") or source.role.title
    return dataclasses.replace(source.role, title=title.strip(), outcome=outcome, source=Source(path, 1)), problems


def read_skills_translation(
    text: str, *, path: Path, language: str, source: dict[str, Skill], source_path: Path
) -> tuple[dict[str, Skill] | None, list[Problem]]:
    """The skills `skills.<language>.yml` translates (name and description; alignments are the
    frameworks' own labels and stay as they are): each a copy of the source's skill (None when the
    file cannot be parsed). A skill
    whose entry has a problem is left out (its learners read the source's), with a Problem saying so."""
    document, problems = parse_yaml_mapping(text, path=path, what=path.name)
    if document is None:
        return None, problems
    translated: dict[str, Skill] = {}
    for key_node, value_node in document.root.value:
        skill_id = str(key_node.value)
        line = document.line(skill_id)
        skill = source.get(skill_id)
        if skill is None:
            problems.append(
                Problem(path, line, f"unknown skill '{skill_id}' (it is not in {source_path}): check the spelling or remove it")
            )
            continue
        if not isinstance(value_node, yaml.MappingNode):
            problems.append(_skill_set_aside(path, line, language, skill_id, source_path))
            problems.append(Problem(path, line, f"skill '{skill_id}' needs a 'name:' and a 'description:' indented under it"))
            continue
        entry = yaml_document(value_node, first_line=document.first_line)
        fields = FieldReader(entry, path=path, opening_line=line, place=f"skill '{skill_id}'")
        fields.reject_unknown(SKILL_TRANSLATION_FIELDS)
        name = fields.text("name", example=f"name: {skill.name}")
        description = fields.text("description", example=f"description: {skill.description}", required=bool(skill.description))
        if fields.problems:
            problems += [_skill_set_aside(path, line, language, skill_id, source_path), *fields.problems]
            continue
        translated[skill_id] = dataclasses.replace(skill, name=name or skill.name, description=description, source=Source(path, line))
    return translated, problems


def _skill_set_aside(path: Path, line: int, language: str, skill_id: str, source_path: Path) -> Problem:
    fallback = f"the source's name and description of '{skill_id}' ({source_path})"
    return set_aside(path, line, language=language, subject=f"the translation of skill '{skill_id}'", fallback=fallback)
