"""Rules about pathways: known lessons, each lesson once, prerequisites before the lessons that need them."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from content.model import Problem
from content.parsed import ParsedLesson, ParsedPathway


def in_map_order(pathways: Iterable[ParsedPathway]) -> list[ParsedPathway]:
    """Pathways as the learner's map shows them: by `order`, ties by id."""
    return sorted(pathways, key=lambda parsed: (parsed.pathway.order, parsed.pathway.id, str(parsed.path)))


def _order_problems(ordered: list[ParsedPathway]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[int, ParsedPathway] = {}
    for parsed in ordered:
        order = parsed.pathway.order
        if "order" in parsed.bad_fields:
            continue
        if order in seen:
            problems.append(
                Problem(
                    parsed.path,
                    parsed.fields.line("order"),
                    f"pathways '{seen[order].pathway.id}' "
                    f"and '{parsed.pathway.id}' both have order {order}: give each pathway its own "
                    "order so the map shows them in a fixed sequence",
                )
            )
        seen.setdefault(order, parsed)
    return problems


def pathway_problems(
    pathways: Iterable[ParsedPathway], lessons: dict[str, ParsedLesson], *, unchecked: Collection[str] = ()
) -> list[Problem]:
    """`unchecked`: ids of lessons whose files could not be read (reported there, not here)."""
    ordered = in_map_order(pathways)
    problems = _order_problems(ordered)
    position: dict[str, tuple[int, ParsedPathway]] = {}
    placed: list[tuple[ParsedPathway, int, str]] = []
    for parsed in ordered:
        for index, lesson_id in enumerate(parsed.pathway.lessons):
            line = parsed.fields.line("lessons", index)
            if lesson_id in unchecked:
                continue
            if lesson_id not in lessons:
                problems.append(
                    Problem(
                        parsed.path, line, f"unknown lesson '{lesson_id}' (no lesson has id '{lesson_id}'): check the spelling or remove it"
                    )
                )
            elif lesson_id in position:
                other = position[lesson_id][1]
                where = "earlier in this list" if other is parsed else f"in pathway '{other.pathway.id}' ({other.path})"
                problems.append(
                    Problem(
                        parsed.path,
                        line,
                        f"lesson '{lesson_id}' is already {where}: a lesson belongs in one place on the map; remove one of them",
                    )
                )
            else:
                position[lesson_id] = (len(position), parsed)
                placed.append((parsed, index, lesson_id))
    for parsed, index, lesson_id in placed:
        here = position[lesson_id][0]
        for required in lessons[lesson_id].lesson.requires:
            if required not in lessons:
                continue  # reported on the lesson itself
            line = parsed.fields.line("lessons", index)
            if required not in position:
                problems.append(
                    Problem(
                        parsed.path,
                        line,
                        f"lesson '{lesson_id}' requires '{required}', which is in "
                        f"no pathway: add '{required}' before '{lesson_id}' in this pathway or to an "
                        "earlier one",
                    )
                )
            elif position[required][0] > here:
                other = position[required][1]
                where = "later in this list" if other is parsed else f"in pathway '{other.pathway.id}', which comes later on the map"
                problems.append(
                    Problem(
                        parsed.path,
                        line,
                        f"lesson '{lesson_id}' comes before its prerequisite "
                        f"'{required}' ({where}): move '{required}' before '{lesson_id}'",
                    )
                )
    return problems
