"""Find and read every translation in a content folder, and build each language's curriculum.

Layout (docs/authoring.md, "Translating lessons"): a translation has its source's file name, in
a folder named after its language beside the source: `lessons/de/lockout-tagout.md` translates
`lessons/lockout-tagout.md`; likewise `pathways/de/`, `credentials/de/`, `roles/de/`; the
skills' names in `skills.de.yml` beside `skills.yml`. A file not translated, or set aside for a
problem (a translation behind its source, say), is read in the source language (a lesson whole,
never mixed card by card).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from content.lint_translations import lesson_translation_problems
from content.media_rules import measure_lessons
from content.model import SOURCE_LANGUAGE, CredentialDefinition, Curriculum, Pathway, Problem, Role, Skill, Translated, Translation
from content.parsed import ParsedLesson, ParsedTree
from content.translation_file import (
    ParsedLessonTranslation,
    read_credential_translation,
    read_lesson_translation,
    read_pathway_translation,
    read_role_translation,
    read_skills_translation,
    set_aside,
)

LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")  # BCP 47, lowercase: de, pt-br
SKILLS_TRANSLATION = re.compile(r"skills\.(.+)\.yml")
ReadText = Callable[[Path, list[Problem]], str | None]  # the loader's: decoded text, or None with a Problem
S = TypeVar("S", bound="_Sourced")
T = TypeVar("T")


class _Sourced(Protocol):
    @property
    def path(self) -> Path: ...
    @property
    def id(self) -> str: ...


@dataclass
class Translations:
    """Everything translated into one language, by id."""

    language: str
    lessons: dict[str, ParsedLessonTranslation] = field(default_factory=dict)
    pathways: dict[str, Pathway] = field(default_factory=dict)
    credentials: dict[str, CredentialDefinition] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    skills: dict[str, Skill] = field(default_factory=dict)


def _language_folders(folder: Path, problems: list[Problem]) -> list[tuple[str, Path]]:
    """Each subfolder of `folder` named after a language; a Problem for any other subfolder."""
    try:
        subfolders = sorted(path for path in folder.iterdir() if path.is_dir())
    except OSError:
        return []
    found: list[tuple[str, Path]] = []
    for sub in subfolders:
        if sub.name == SOURCE_LANGUAGE:
            problems.append(
                Problem(
                    sub,
                    1,
                    f"the files in {folder} are the source, in '{SOURCE_LANGUAGE}': a translation folder is named after "
                    "another language (for example 'de'); move these files to the source or delete the folder",
                )
            )
        elif LANGUAGE_TAG.fullmatch(sub.name):
            found.append((sub.name, sub))
        else:
            problems.append(
                Problem(
                    sub,
                    1,
                    f"'{sub.name}' is not a language code: name a translation folder after its language in lowercase "
                    "(BCP 47), for example 'de', 'es' or 'pt-br'",
                )
            )
    return found


def warning(problem: Problem) -> Problem:
    return Problem(problem.path, problem.line, f"warning: {problem.message}")


@dataclass
class _Found:
    """Errors stop the curriculum from loading; warnings do not (a translation set aside is one)."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def set_aside(self, path: Path, language: str, what: str, source: Path, problems: list[Problem]) -> None:
        """A translation with problems is left out whole: its learners read the source meanwhile."""
        subject = "this translation"
        fallback = f"the {'whole ' if what == 'lesson' else ''}source {what} ({source})"  # never mixed card by card
        self.warnings.append(warning(set_aside(path, 1, language=language, subject=subject, fallback=fallback)))
        self.warnings.extend(warning(problem) for problem in problems)


def _each(
    folder: Path, sources: Iterable[S], unusable: Iterable[Path], read_text: ReadText, found: _Found, what: str
) -> Iterable[tuple[str, Path, str, S]]:
    """(language, path, text, source) of every readable translation file under `folder` whose source can be read."""
    by_name = {source.path.name: source for source in sources}
    broken = {path.name for path in unusable}
    for language, sub in _language_folders(folder, found.problems):
        for path in sorted(p for p in sub.glob("*.md") if p.is_file()):
            source = by_name.get(path.name)
            if source is None:
                if path.name not in broken:  # a broken source is reported itself
                    found.warnings.append(
                        Problem(
                            path,
                            1,
                            f"warning: a translation of {folder / path.name}, which does not exist: name a translation exactly "
                            f"like its source {what} file, or delete it if the {what} was removed",
                        )
                    )
                continue
            unreadable: list[Problem] = []
            text = read_text(path, unreadable)
            if text is None:
                found.set_aside(path, language, what, source.path, unreadable)
            else:
                yield language, path, text, source


@dataclass(frozen=True)
class ReadTranslations:
    languages: dict[str, Translations]  # what could be read and stands in for its source, by language
    problems: list[Problem]  # errors: translations laid out so that no language can be told
    warnings: list[Problem]  # translations set aside and why; a translated card's picture hard to read on a phone


def measure_translation(
    parsed: ParsedLessonTranslation, root: Path, problems: list[Problem], warnings: list[Problem]
) -> ParsedLessonTranslation:
    """The translation with its pictures' files looked at, as the source's are."""
    media = measure_lessons((ParsedLesson(lesson=parsed.lesson, fields=parsed.fields, layouts=parsed.layouts),), root)
    problems += media.errors
    warnings += media.warnings
    return dataclasses.replace(parsed, lesson=media.lessons[0].lesson)


def read_translations(root: Path, tree: ParsedTree, read_text: ReadText) -> ReadTranslations:
    """Every translation under `root` that stands in for its source, by language; the rest set aside.

    A problem in one translation file sets that file aside, as a warning: its learners read the
    source until it is fixed, so a source edited ahead of its translations still publishes. Only a
    folder or skills file not named after a language is an error (docs/authoring.md)."""
    found = _Found()
    languages: dict[str, Translations] = {}

    def of(language: str) -> Translations:
        return languages.setdefault(language, Translations(language))

    for language, path, text, lesson in _each(root / "lessons", tree.lessons, tree.unreadable_lessons, read_text, found, "lesson"):
        parsed, problems = read_lesson_translation(text, path=path, language=language, source=lesson)
        if parsed is not None:
            parsed = measure_translation(parsed, root, problems, found.warnings)
            problems += lesson_translation_problems(parsed)
        if parsed is None or problems:
            found.set_aside(path, language, "lesson", lesson.path, problems)
        else:
            of(language).lessons[lesson.id] = parsed

    def read_files(
        kind: str,
        sources: Iterable[S],
        unusable: Iterable[Path],
        read: Callable[..., tuple[T | None, list[Problem]]],
        shelf: Callable[[Translations], dict[str, T]],
    ) -> None:
        """Each translation of a pathway, credential or role: kept by its source's id, or set aside."""
        for language, path, text, source in _each(root / f"{kind}s", sources, unusable, read_text, found, kind):
            translated, problems = read(text, path=path, source=source)
            if translated is None or problems:
                found.set_aside(path, language, kind, source.path, problems)
            else:
                shelf(of(language))[source.id] = translated

    read_files("pathway", tree.pathways, (), read_pathway_translation, lambda t: t.pathways)
    read_files("credential", tree.credentials, tree.unreadable_credentials, read_credential_translation, lambda t: t.credentials)
    read_files("role", tree.roles, (), read_role_translation, lambda t: t.roles)
    _read_skills(root, tree, read_text, found, of)
    return ReadTranslations(languages, found.problems, found.warnings)


def _read_skills(root: Path, tree: ParsedTree, read_text: ReadText, found: _Found, of: Callable[[str], Translations]) -> None:
    if tree.skills is None or tree.skills_path is None:
        return
    source = {skill.id: skill for skill in tree.skills}
    for path in sorted(root.glob("skills.*.yml")):
        match = SKILLS_TRANSLATION.fullmatch(path.name)
        language = match.group(1) if match else ""
        if not LANGUAGE_TAG.fullmatch(language) or language == SOURCE_LANGUAGE:
            found.problems.append(
                Problem(
                    path,
                    1,
                    f"'{language}' is not the code of a language to translate into: name the skills' translation "
                    "skills.<language>.yml, for example skills.de.yml",
                )
            )
            continue
        unreadable: list[Problem] = []
        text = read_text(path, unreadable)
        if text is None:
            found.set_aside(path, language, "skills' names and descriptions", tree.skills_path, unreadable)
            continue
        skills, problems = read_skills_translation(text, path=path, language=language, source=source, source_path=tree.skills_path)
        if skills is None:  # the file cannot be parsed
            found.set_aside(path, language, "skills' names and descriptions", tree.skills_path, problems)
        else:
            found.warnings.extend(warning(problem) for problem in problems)  # each skill with a problem says it is set aside
            of(language).skills.update(skills)


# What a learner reads of each kind of item: the fields a translation puts over the source's.
_READ = {
    "lessons": ("title", "steps", "language"),
    "pathways": ("title", "description"),
    "credentials": ("title", "description", "criteria"),
    "roles": ("title", "outcome"),
    "skills": ("name", "description"),
}


def _translated(item: Any, kind: str) -> Translated:
    return Translated({name: getattr(item, name) for name in _READ[kind]}, item.source)


def translation_of(translations: Translations) -> Translation:
    """What one language translates, as the curriculum keeps it (content.model.Translation)."""
    return Translation(
        language=translations.language,
        lessons={key: _translated(parsed.lesson, "lessons") for key, parsed in translations.lessons.items()},
        pathways={key: _translated(item, "pathways") for key, item in translations.pathways.items()},
        credentials={key: _translated(item, "credentials") for key, item in translations.credentials.items()},
        roles={key: _translated(item, "roles") for key, item in translations.roles.items()},
        skills={key: _translated(item, "skills") for key, item in translations.skills.items()},
    )


@dataclass(frozen=True)
class Coverage:
    """How much of the curriculum one language has translated (for `content check`)."""

    language: str
    lessons: tuple[int, int]  # translated, of
    pathways: tuple[int, int]
    credentials: tuple[int, int]
    roles: tuple[int, int]
    skills: tuple[int, int]

    def __str__(self) -> str:
        parts = [
            f"{done} of {total} {name}"
            for name, (done, total) in (
                ("lessons", self.lessons),
                ("pathways", self.pathways),
                ("credentials", self.credentials),
                ("roles", self.roles),
                ("skills", self.skills),
            )
            if total
        ]
        return f"{self.language}: " + ", ".join(parts) + " translated"


def coverage(curriculum: Curriculum) -> list[Coverage]:
    """Each translated language's share (an item not translated is the very source object)."""
    source = curriculum.in_language(None)
    found = []
    for language in source.languages[1:]:
        view = source.in_language(language)

        def count(mine: Iterable[object], theirs: Iterable[object]) -> tuple[int, int]:
            pairs = list(zip(mine, theirs, strict=True))
            return sum(1 for a, b in pairs if a is not b), len(pairs)

        found.append(
            Coverage(
                language=language,
                lessons=count(view.lessons.values(), source.lessons.values()),
                pathways=count(view.pathways, source.pathways),
                credentials=count(view.credentials.values(), source.credentials.values()),
                roles=count(view.roles.values(), source.roles.values()),
                skills=count(view.skills.values(), source.skills.values()),
            )
        )
    return found
