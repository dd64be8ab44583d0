"""Load a content folder into a `Curriculum`, or say exactly what is wrong with it.

Problem paths are built from the `root` given, so `load_curriculum(Path("content"))` reports
`content/lessons/x.md:12: ...`. Bad content never raises: every failure is a `Problem`.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from content.credential_file import read_credential
from content.lesson_file import read_lesson
from content.lint import lint, lint_lesson
from content.lint_pathways import in_map_order
from content.model import Curriculum, Lesson, Problem
from content.parsed import ParsedLesson, ParsedTree
from content.pathway_file import read_pathway
from content.skills_file import read_skills

T = TypeVar("T")
VERSION_HASH_LENGTH = 12


@dataclass(frozen=True)
class LoadResult:
    curriculum: Curriculum | None  # None when there is any problem
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class _FileText:
    text: str
    digest: str  # sha256 of the file's bytes, hex


def _read(path: Path, problems: list[Problem]) -> _FileText | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(Problem(path, 1, f"cannot read this file ({error.strerror or error}): check that it exists "
                                "and that you are allowed to read it"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problems.append(Problem(path, line, "this file is not UTF-8 text (there is an unreadable character on this "
                                "line): save it with the UTF-8 encoding in your editor"))
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return _FileText(text=text, digest=hashlib.sha256(data).hexdigest())


def _markdown_files(folder: Path) -> list[Path]:
    try:
        return sorted(path for path in folder.glob("*.md") if path.is_file())
    except OSError:
        return []


def _read_all(folder: Path, read: Callable[[_FileText, Path], tuple[T | None, list[Problem]]],
              problems: list[Problem]) -> tuple[T, ...]:
    items: list[T] = []
    for path in _markdown_files(folder):
        file = _read(path, problems)
        if file is None:
            continue
        item, found = read(file, path)
        problems += found
        if item is not None:
            items.append(item)
    return tuple(items)


def _read_lesson(file: _FileText, path: Path) -> tuple[ParsedLesson | None, list[Problem]]:
    return read_lesson(file.text, path=path, file_hash=file.digest[:VERSION_HASH_LENGTH])


def _read_tree(root: Path, problems: list[Problem]) -> ParsedTree:
    skills_path = root / "skills.yml"
    skills = None
    if not skills_path.is_file():
        problems.append(Problem(skills_path, 1, "missing skills.yml: create it and list the skills that lessons "
                                "teach (see docs/authoring.md)"))
    elif (file := _read(skills_path, problems)) is not None:
        skills, found = read_skills(file.text, path=skills_path)
        problems += found
    lessons = _read_all(root / "lessons", _read_lesson, problems)
    if not _markdown_files(root / "lessons"):
        problems.append(Problem(root / "lessons", 1, "no lessons found: add one file per lesson as "
                                "lessons/<lesson-id>.md"))
    return ParsedTree(
        skills=skills,
        lessons=lessons,
        pathways=_read_all(root / "pathways", lambda file, path: read_pathway(file.text, path=path), problems),
        credentials=_read_all(root / "credentials", lambda file, path: read_credential(file.text, path=path), problems),
    )


def _sorted(problems: list[Problem]) -> tuple[Problem, ...]:
    unique = dict.fromkeys(problems)
    return tuple(sorted(unique, key=lambda problem: (str(problem.path), problem.line)))


def load_curriculum(root: Path) -> LoadResult:
    """Read and lint the content folder at `root`; the curriculum is given only when nothing is wrong."""
    if not root.is_dir():
        return LoadResult(None, (Problem(root, 1, f"the content folder '{root}' does not exist or is not a folder"),))
    problems: list[Problem] = []
    tree = _read_tree(root, problems)
    problems += lint(tree)
    if problems:
        return LoadResult(None, _sorted(problems))
    curriculum = Curriculum(
        skills={skill.id: skill for skill in tree.skills or ()},
        lessons={parsed.lesson.id: parsed.lesson for parsed in tree.lessons},
        pathways=tuple(parsed.pathway for parsed in in_map_order(tree.pathways)),
        credentials={parsed.credential.id: parsed.credential for parsed in tree.credentials},
    )
    return LoadResult(curriculum, ())


def load_lesson(path: Path) -> tuple[Lesson | None, list[Problem]]:
    """One lesson file on its own (for `content preview`): the lesson only when nothing is wrong with it.

    Rules that need the rest of the curriculum (unknown skills or prerequisites) are not applied.
    """
    problems: list[Problem] = []
    file = _read(path, problems)
    if file is None:
        return None, problems
    parsed, found = _read_lesson(file, path)
    problems += found
    if parsed is not None:
        problems += lint_lesson(parsed)
    problems = list(_sorted(problems))
    return (parsed.lesson if parsed is not None and not problems else None), problems
