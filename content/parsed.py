"""Parsed content files: the model values plus where their fields were written.

The linter runs over these; the loader turns them into a `Curriculum` once they are clean.
`bad_fields` names fields that were present but unusable (already reported), so that rules
depending on them are skipped rather than reporting the same mistake twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from content.frontmatter import YamlDocument
from content.lesson_parser import CheckLayout
from content.model import CredentialDefinition, Lesson, Pathway, Role, Skill


@dataclass(frozen=True)
class ParsedLesson:
    lesson: Lesson
    fields: YamlDocument
    layouts: dict[str, CheckLayout]
    bad_fields: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return self.lesson.id

    @property
    def path(self) -> Path:
        return self.lesson.source.path


@dataclass(frozen=True)
class ParsedPathway:
    pathway: Pathway
    fields: YamlDocument
    bad_fields: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return self.pathway.id

    @property
    def path(self) -> Path:
        return self.pathway.source.path


@dataclass(frozen=True)
class ParsedCredential:
    credential: CredentialDefinition
    fields: YamlDocument
    bad_fields: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return self.credential.id

    @property
    def path(self) -> Path:
        return self.credential.source.path


@dataclass(frozen=True)
class ParsedRole:
    role: Role
    fields: YamlDocument
    bad_fields: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return self.role.id

    @property
    def path(self) -> Path:
        return self.role.source.path


@dataclass(frozen=True)
class ParsedTree:
    """Everything read from one content folder; `skills` is None when skills.yml was unusable.

    `unreadable` names the lesson and credential files that gave nothing to check (unreadable,
    or broken front matter): references to their ids (each file is named after its id) are not
    reported one by one as unknown, the broken file is."""

    skills: tuple[Skill, ...] | None
    lessons: tuple[ParsedLesson, ...] = ()
    pathways: tuple[ParsedPathway, ...] = ()
    credentials: tuple[ParsedCredential, ...] = ()
    roles: tuple[ParsedRole, ...] = ()  # none when there is no roles/ folder
    skills_path: Path | None = None
    unreadable_lessons: tuple[Path, ...] = ()
    unreadable_credentials: tuple[Path, ...] = ()
