"""The linter: every rule over a parsed content tree, each failure a `path:line` Problem."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from content.lesson_rules import lesson_problems
from content.lint_credentials import credential_problems
from content.lint_pathways import pathway_problems
from content.lint_roles import role_problems
from content.model import Problem
from content.parsed import ParsedLesson, ParsedTree

ID_PATTERN = re.compile(r"[a-z0-9-]+")
MAX_ID_LENGTH = 40


def id_problem(value: str, *, path: Path, line: int, what: str) -> Problem | None:
    """A Problem when `value` is not a valid id (lowercase letters, digits, hyphens, <= 40 chars)."""
    if len(value) > MAX_ID_LENGTH:
        return Problem(path, line, f"the {what} id '{value}' is {len(value)} characters long: ids are at most {MAX_ID_LENGTH} characters")
    if not ID_PATTERN.fullmatch(value):
        return Problem(
            path,
            line,
            f"the {what} id '{value}' is not valid: use only lowercase letters, digits and hyphens, for example 'lockout-tagout'",
        )
    return None


def _id_problems(tree: ParsedTree) -> Iterable[Problem | None]:
    for skill in tree.skills or ():
        yield id_problem(skill.id, path=skill.source.path, line=skill.source.line, what="skill")
    for kind, items in (("lesson", tree.lessons), ("pathway", tree.pathways), ("credential", tree.credentials), ("role", tree.roles)):
        for item in items:
            yield id_problem(item.id, path=item.path, line=item.fields.line("id"), what=kind)


def _duplicate_problems(tree: ParsedTree) -> Iterable[Problem]:
    for kind, items in (("lesson", tree.lessons), ("pathway", tree.pathways), ("credential", tree.credentials), ("role", tree.roles)):
        first: dict[str, tuple[Path, int]] = {}
        for item in items:
            item_id, here = item.id, (item.path, item.fields.line("id"))
            if item_id in first:
                path, line = first[item_id]
                yield Problem(*here, f"duplicate {kind} id '{item_id}': {path}:{line} already uses it; give each {kind} its own id")
            first.setdefault(item_id, here)


def _reference_problems(
    parsed_lessons: Iterable[ParsedLesson],
    lessons: dict[str, ParsedLesson],
    skill_ids: set[str] | None,
    unchecked: Collection[str] = (),
) -> Iterable[Problem]:
    for parsed in parsed_lessons:
        for index, required in enumerate(parsed.lesson.requires):
            if required not in lessons and required not in unchecked:
                yield Problem(
                    parsed.path,
                    parsed.fields.line("requires", index),
                    f"requires unknown lesson '{required}' (no lesson has id '{required}'): check the spelling or remove it",
                )
        for index, skill in enumerate(parsed.lesson.skills):
            if skill_ids is not None and skill not in skill_ids:
                yield Problem(
                    parsed.path,
                    parsed.fields.line("skills", index),
                    f"unknown skill '{skill}' (it is not in skills.yml): check the spelling or add it to skills.yml",
                )


def _unchecked(tree: ParsedTree, pending_lessons: set[str], pending_badges: set[str]) -> tuple[Problem, ...]:
    """One line per unusable file for the references to it that could not be checked (instead of
    one 'unknown' error for each, printed before their cause)."""
    summaries: list[Problem] = []
    skill_references = sum(len(parsed.lesson.skills) for parsed in tree.lessons) + sum(
        len(parsed.credential.skills) for parsed in tree.credentials
    )
    if tree.skills is None and tree.skills_path is not None and skill_references:
        summaries.append(
            Problem(
                tree.skills_path,
                1,
                f"{_references(skill_references)} to skills (in lessons and credentials) cannot be checked until skills.yml is fixed",
            )
        )
    lesson_references = Counter(
        [
            *(r for parsed in tree.lessons for r in parsed.lesson.requires),
            *(r for parsed in tree.pathways for r in parsed.pathway.lessons),
            *(r for parsed in tree.credentials for r in parsed.credential.lessons),
        ]
    )
    badge_references = Counter(r for parsed in tree.credentials for r in parsed.credential.stacks)
    for paths, pending, references, what in (
        (tree.unreadable_lessons, pending_lessons, lesson_references, "lesson"),
        (tree.unreadable_credentials, pending_badges, badge_references, "badge"),
    ):
        for path in paths:
            if path.stem in pending and references[path.stem]:
                summaries.append(
                    Problem(
                        path, 1, f"{_references(references[path.stem])} to {what} '{path.stem}' cannot be checked until this file is fixed"
                    )
                )
    return tuple(summaries)


def _references(count: int) -> str:
    return f"{count} reference" + ("" if count == 1 else "s")


def _cycles(graph: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """Each cycle of `graph` found by a depth-first search, starting at its smallest id."""
    done: set[str] = set()
    found: dict[tuple[str, ...], list[str]] = {}
    for start in sorted(graph):
        if start in done:
            continue
        trail, on_trail = [start], {start: 0}
        stack = [iter(graph[start])]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                node = trail.pop()
                del on_trail[node]
                done.add(node)
            elif child in on_trail:
                cycle = trail[on_trail[child] :]
                smallest = cycle.index(min(cycle))
                cycle = cycle[smallest:] + cycle[:smallest]
                found.setdefault(tuple(cycle), cycle)
            elif child in graph and child not in done:
                on_trail[child] = len(trail)
                trail.append(child)
                stack.append(iter(graph[child]))
    return list(found.values())


def _cycle_problems(lessons: dict[str, ParsedLesson]) -> Iterable[Problem]:
    graph = {lesson_id: parsed.lesson.requires for lesson_id, parsed in lessons.items()}
    for cycle in _cycles(graph):
        parsed = lessons[cycle[0]]
        following = cycle[1] if len(cycle) > 1 else cycle[0]
        line = parsed.fields.line("requires", parsed.lesson.requires.index(following))
        names = " -> ".join([*cycle, cycle[0]])
        yield Problem(
            parsed.path,
            line,
            f"prerequisite cycle {names}: each of these lessons requires the next, so "
            "none of them can ever be started; remove one of these 'requires'",
        )


@dataclass(frozen=True)
class Linted:
    problems: list[Problem]
    unchecked: tuple[Problem, ...]  # per unusable file: how many references to it could not be checked


def lint(tree: ParsedTree) -> Linted:
    """Every problem in `tree` that the readers could not see in one file alone. References to
    an unusable file's id are counted against it, not reported as unknown."""
    lessons: dict[str, ParsedLesson] = {}
    for parsed in tree.lessons:
        lessons.setdefault(parsed.lesson.id, parsed)
    skill_ids = None if tree.skills is None else {skill.id for skill in tree.skills}
    pending_lessons = {path.stem for path in tree.unreadable_lessons} - set(lessons)
    credential_ids = {parsed.credential.id for parsed in tree.credentials}
    pending_badges = {path.stem for path in tree.unreadable_credentials} - credential_ids
    problems: list[Problem | None] = [*_id_problems(tree), *_duplicate_problems(tree)]
    for parsed in tree.lessons:
        problems += lesson_problems(parsed)
    problems += _reference_problems(tree.lessons, lessons, skill_ids, pending_lessons)
    problems += _cycle_problems(lessons)
    problems += pathway_problems(tree.pathways, lessons, unchecked=pending_lessons)
    problems += credential_problems(
        tree.credentials,
        lessons={lesson_id: parsed.lesson.skills for lesson_id, parsed in lessons.items()},
        skills=skill_ids,
        unchecked_lessons=pending_lessons,
        unchecked_badges=pending_badges,
    )
    retired = {parsed.credential.id for parsed in tree.credentials if parsed.credential.retired}
    problems += role_problems(tree.roles, credentials=credential_ids, unchecked=pending_badges, retired=retired)
    return Linted([problem for problem in problems if problem is not None], _unchecked(tree, pending_lessons, pending_badges))


def lint_lesson(parsed: ParsedLesson) -> list[Problem]:
    """The rules that apply to one lesson on its own (its id and its content)."""
    found = id_problem(parsed.id, path=parsed.path, line=parsed.fields.line("id"), what="lesson")
    return ([found] if found else []) + lesson_problems(parsed)
