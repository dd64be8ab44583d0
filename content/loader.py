"""Load a content folder into a `Curriculum`, or say exactly what is wrong with it.

Problem paths are built from the `root` given, so `load_curriculum(Path("content"))` reports
`content/lessons/x.md:12: ...`. Bad content never raises: every failure is a `Problem`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from content.credential_file import read_credential
from content.frontmatter import parse_front_matter
from content.lesson_file import read_lesson
from content.lint import lint, lint_lesson
from content.lint_pathways import in_map_order
from content.lint_translations import lesson_translation_problems
from content.media_rules import content_root, measure_lessons
from content.model import Curriculum, Lesson, Problem, Skill
from content.parsed import ParsedLesson, ParsedTree
from content.pathway_file import read_pathway
from content.role_file import read_role
from content.skills_file import read_skills
from content.translation_file import read_lesson_translation, set_aside
from content.translation_tree import LANGUAGE_TAG, measure_translation, read_translations, translation_of

T = TypeVar("T")
VERSION_HASH_LENGTH = 12


@dataclass(frozen=True)
class LoadResult:
    curriculum: Curriculum | None  # None when there is any problem
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()  # worth fixing, but the content loads (e.g. a picture hard to read on a phone)


@dataclass(frozen=True)
class _FileText:
    text: str
    digest: str  # sha256 of the file's bytes, hex


def _read(path: Path, problems: list[Problem]) -> _FileText | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(
            Problem(path, 1, f"cannot read this file ({error.strerror or error}): check that it exists and that you are allowed to read it")
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problems.append(
            Problem(
                path,
                line,
                "this file is not UTF-8 text (there is an unreadable character on this "
                "line): save it with the UTF-8 encoding in your editor",
            )
        )
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return _FileText(text=text, digest=hashlib.sha256(data).hexdigest())


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    file = _read(path, problems)
    return file.text if file is not None else None


def _markdown_files(folder: Path) -> list[Path]:
    try:
        return sorted(path for path in folder.glob("*.md") if path.is_file())
    except OSError:
        return []


@dataclass
class _Found:
    """Problems as they are found: `roots` make a whole file unusable (it cannot be read, its
    front matter is broken, skills.yml is empty) and are shown first, since they cause others."""

    roots: list[Problem]
    problems: list[Problem]


def _read_all(
    folder: Path, read: Callable[[_FileText, Path], tuple[T | None, list[Problem]]], found: _Found
) -> tuple[tuple[T, ...], tuple[Path, ...]]:
    """The items read from every Markdown file in `folder`, and the files that gave none."""
    items: list[T] = []
    unusable: list[Path] = []
    for path in _markdown_files(folder):
        file = _read(path, found.roots)
        item, problems = read(file, path) if file is not None else (None, [])
        if item is None:
            found.roots += problems
            unusable.append(path)
        else:
            found.problems += problems
            items.append(item)
    return tuple(items), tuple(unusable)


def _read_lesson(file: _FileText, path: Path) -> tuple[ParsedLesson | None, list[Problem]]:
    return read_lesson(file.text, path=path, file_hash=file.digest[:VERSION_HASH_LENGTH])


def _read_skills(path: Path, found: _Found) -> tuple[Skill, ...] | None:
    """The skills, or None when skills.yml is missing, unreadable, broken or empty (then no
    reference to a skill can be checked)."""
    if not path.is_file():
        found.roots.append(Problem(path, 1, "missing skills.yml: create it and list the skills that lessons teach (see docs/authoring.md)"))
        return None
    file = _read(path, found.roots)
    if file is None:
        return None
    skills, problems = read_skills(file.text, path=path)
    if not skills:
        found.roots += problems
        return None
    found.problems += problems
    return skills


def _read_tree(root: Path, found: _Found) -> ParsedTree:
    skills_path = root / "skills.yml"
    skills = _read_skills(skills_path, found)
    lessons, unreadable_lessons = _read_all(root / "lessons", _read_lesson, found)
    if not _markdown_files(root / "lessons"):
        found.roots.append(Problem(root / "lessons", 1, "no lessons found: add one file per lesson as lessons/<lesson-id>.md"))
    pathways, _ = _read_all(root / "pathways", lambda file, path: read_pathway(file.text, path=path), found)
    credentials, unreadable_credentials = _read_all(root / "credentials", lambda file, path: read_credential(file.text, path=path), found)
    roles, _ = _read_all(root / "roles", lambda file, path: read_role(file.text, path=path), found)  # none without the folder
    return ParsedTree(
        skills=skills,
        lessons=lessons,
        pathways=pathways,
        credentials=credentials,
        roles=roles,
        skills_path=skills_path,
        unreadable_lessons=unreadable_lessons,
        unreadable_credentials=unreadable_credentials,
    )


def _sorted(problems: list[Problem]) -> tuple[Problem, ...]:
    unique = dict.fromkeys(problems)
    return tuple(sorted(unique, key=lambda problem: (str(problem.path), problem.line)))


def load_curriculum(root: Path) -> LoadResult:
    """Read and lint the content folder at `root`; the curriculum is given only when nothing is wrong.

    Problems come cause first: what makes a file unusable (each followed by how many references
    to it could not be checked), then every other problem by file and line."""
    if not root.is_dir():
        return LoadResult(None, (Problem(root, 1, f"the content folder '{root}' does not exist or is not a folder"),))
    found = _Found(roots=[], problems=[])
    tree = _read_tree(root, found)
    media = measure_lessons(tree.lessons, root)  # the pictures' files: their type and size
    tree = replace(tree, lessons=media.lessons)
    found.problems += media.errors
    linted = lint(tree)
    found.problems += linted.problems
    translated = read_translations(root, tree, _read_text)
    found.problems += translated.problems  # only a folder named after no language; the rest set a translation aside (warnings)
    warnings = _sorted(media.warnings + translated.warnings)
    if found.roots or found.problems:
        roots = sorted(_sorted(found.roots) + linted.unchecked, key=lambda problem: str(problem.path))  # stable
        return LoadResult(None, tuple(roots) + _sorted(found.problems), warnings)
    curriculum = Curriculum(
        skills={skill.id: skill for skill in tree.skills or ()},
        lessons={parsed.lesson.id: parsed.lesson for parsed in tree.lessons},
        pathways=tuple(parsed.pathway for parsed in in_map_order(tree.pathways)),
        credentials={parsed.credential.id: parsed.credential for parsed in tree.credentials},
        roles={parsed.role.id: parsed.role for parsed in tree.roles},
        translations={language: translation_of(found) for language, found in translated.languages.items()},
    )
    return LoadResult(curriculum, (), warnings)


def load_lesson(path: Path) -> tuple[Lesson | None, list[Problem]]:
    """One lesson file on its own (for `content preview`): the lesson only when nothing is wrong with it.

    Rules that need the rest of the curriculum (unknown skills or prerequisites) are not applied.
    """
    problems: list[Problem] = []
    file = _read(path, problems)
    if file is None:
        return None, problems
    kind = not_a_lesson(file.text, path)
    if kind is not None:
        return None, [
            Problem(
                path, 1, f"this is {kind}, not a lesson: `content preview` shows lessons only; run `run_bot.py content check` to check it"
            )
        ]
    source_path = translated_from(path)
    if source_path is not None:
        return _load_translation(file, path, source_path)
    parsed, found, warnings = _checked_lesson(file, path)
    problems = list(_sorted(problems + found))
    # Warnings are said too, but only problems keep the lesson from showing.
    return (parsed.lesson if parsed is not None and not problems else None), problems + list(_sorted(warnings))


def _checked_lesson(file: _FileText, path: Path) -> tuple[ParsedLesson | None, list[Problem], list[Problem]]:
    """One lesson read, its pictures measured and linted on its own: the lesson, problems, warnings."""
    parsed, problems = _read_lesson(file, path)
    warnings: list[Problem] = []
    if parsed is not None:
        media = measure_lessons((parsed,), content_root(path))
        parsed, problems, warnings = media.lessons[0], problems + media.errors, media.warnings
        problems += lint_lesson(parsed)
    return parsed, problems, warnings


def translated_from(path: Path) -> Path | None:
    """The source lesson file that `path` translates (lessons/de/x.md -> lessons/x.md), if it is one."""
    source = path.parent.parent / path.name
    return source if LANGUAGE_TAG.fullmatch(path.parent.name) and source.is_file() else None


def _load_translation(file: _FileText, path: Path, source_path: Path) -> tuple[Lesson | None, list[Problem]]:
    """A translated lesson on its own (for `content preview`), checked against its source."""
    problems: list[Problem] = []
    source_file = _read(source_path, problems)
    source, found, _ = _checked_lesson(source_file, source_path) if source_file is not None else (None, [], [])
    if source is None or found or problems:
        message = f"its source {source_path} cannot be shown: run `run_bot.py content preview {source_path}` and fix it first"
        return None, [*problems, *_sorted(found), Problem(path, 1, message)]
    warnings: list[Problem] = []
    language = path.parent.name
    translation, problems = read_lesson_translation(file.text, path=path, language=language, source=source)
    if translation is not None:
        translation = measure_translation(translation, content_root(path), problems, warnings)
        problems += lesson_translation_problems(translation)
    if translation is not None and not problems:
        return translation.lesson, list(_sorted(warnings))
    # What `content check` does with it too (as a warning there): learners read the source meanwhile.
    aside = set_aside(path, 1, language=language, subject="this translation", fallback=f"the whole source lesson ({source_path})")
    return None, [aside, *_sorted(problems), *_sorted(warnings)]


def not_a_lesson(text: str, path: Path) -> str | None:
    """What a content file that is not a lesson is ("a pathway", "a badge", ...), from its front
    matter or, when that cannot be read, its folder; None for a lesson (or anything else)."""
    if path.name == "skills.yml":
        return "the skills list (skills.yml)"
    front, _ = parse_front_matter(text, path=path)
    keys = set(front.fields.keys()) if front is not None else set()
    kind = front.fields.text("kind") if front is not None else None
    if "complete_within_days" in keys or "recommends" in keys:
        return "a job role"
    if kind in ("badge", "certificate"):
        return f"a {kind}"
    if "kind" in keys or "stacks" in keys or "valid_for_days" in keys:
        return "a credential (badge or certificate)"
    if "lessons" in keys or "order" in keys:
        return "a pathway"
    if not keys & {"skills", "minutes"}:  # nothing says lesson: the folder may
        folder = path.parent.name
        if folder == "pathways":
            return "a pathway"
        if folder == "credentials":
            return "a credential (badge or certificate)"
        if folder == "roles":
            return "a job role"
    return None
