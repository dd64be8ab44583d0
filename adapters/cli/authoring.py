"""`content check` and `content preview`: for L&D authors, before anything is published."""

from __future__ import annotations

import sys
from pathlib import Path


def check(folder: Path) -> int:
    from content.loader import load_curriculum
    from content.translation_tree import coverage

    result = load_curriculum(folder)
    for problem in (*result.problems, *result.warnings):
        print(problem)
    if result.curriculum is None:
        print(f"{len(result.problems)} problem(s) found in {folder}", file=sys.stderr)
        return 1
    curriculum = result.curriculum
    checks = sum(len(lesson.checks) for lesson in curriculum.lessons.values())
    pictures = sum(len(card.pictures) for lesson in curriculum.lessons.values() for card in lesson.cards)
    shown = f"{pictures} pictures, " if pictures else ""
    warned = f" {len(result.warnings)} warning(s) above." if result.warnings else ""
    print(
        f"{folder}: OK. {len(curriculum.lessons)} lessons, {checks} checks, {shown}"
        f"{len(curriculum.pathways)} pathways, {len(curriculum.credentials)} credentials, {len(curriculum.roles)} roles.{warned}"
    )
    for language in coverage(curriculum):  # what a learner of each language reads in their own
        print(f"{folder}: {language}.")
    return 0


def preview(file: Path) -> int:
    from adapters.console.preview import preview as shown
    from content.loader import load_lesson

    lesson, problems = load_lesson(file)
    for problem in problems:
        print(problem, file=sys.stdout if lesson is not None else sys.stderr)
    if lesson is None:
        return 1
    print(shown(lesson))
    return 0
