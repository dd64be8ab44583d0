"""Rules for a translated lesson: the same cards and checks as its source, in the same order,
with as many options and the same ones correct (so an answer in any language counts for the
same item), and within the same limits of length as any lesson."""

from __future__ import annotations

import math

from content.lesson_rules import MAX_CARD_CHARS, MAX_OPTION_CHARS, MAX_QUESTION_CHARS
from content.model import WORDS_PER_MINUTE, Card, Check, Lesson, Problem, Step
from content.translation_file import ParsedLessonTranslation


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _stretches(steps: tuple[Step, ...]) -> list[list[Card]]:
    """The cards before the first check, between each two checks, and after the last."""
    stretches: list[list[Card]] = [[]]
    for step in steps:
        if isinstance(step, Card):
            stretches[-1].append(step)
        else:
            stretches.append([])
    return stretches


def _where(index: int, checks: int) -> str:
    if index == 0:
        return "before the first check" if checks else "in the lesson"
    if index == checks:
        return f"after check {index}"
    return f"between check {index} and check {index + 1}"


def _card_problems(translation: ParsedLessonTranslation) -> list[Problem]:
    source, lesson = translation.source.lesson, translation.lesson
    ours, theirs = _stretches(lesson.steps), _stretches(source.steps)
    problems: list[Problem] = []
    for index, (mine, wanted) in enumerate(zip(ours, theirs, strict=False)):
        if len(mine) == len(wanted):
            problems += _picture_problems(translation, mine, wanted)
            continue
        later = [step for step in lesson.checks if step.key == f"{lesson.id}:{index + 1}"]
        line = mine[0].source.line if mine else (later[0].source.line if later else lesson.source.line)
        listed = ", ".join(f"'{card.title}' (line {card.source.line})" for card in wanted) or "none"
        problems.append(
            Problem(
                translation.path,
                line,
                f"{len(mine)} card{'' if len(mine) == 1 else 's'} {_where(index, len(source.checks))} where the source "
                f"({translation.source.path}) has {len(wanted)}: {listed}; translate every card of the source, "
                "in the same order, and add none of your own",
            )
        )
    return problems


def _picture_problems(translation: ParsedLessonTranslation, mine: list[Card], wanted: list[Card]) -> list[Problem]:
    """A translated card shows as many pictures as its source's (their alt text and caption
    translated; the file may be a picture of its own, e.g. with labels in the language)."""
    return [
        Problem(
            translation.path,
            card.source.line,
            f"the card '{card.title}' has {len(card.pictures)} picture{'' if len(card.pictures) == 1 else 's'} where its source "
            f"({translation.source.path}:{original.source.line}) has {len(original.pictures)}: keep the source's pictures, "
            "with their alt text and caption translated",
        )
        for card, original in zip(mine, wanted, strict=True)
        if len(card.pictures) != len(original.pictures)
    ]


def _check_count_problems(translation: ParsedLessonTranslation) -> list[Problem]:
    source, lesson = translation.source.lesson, translation.lesson
    mine, wanted = lesson.checks, source.checks
    if len(mine) > len(wanted):
        extra = mine[len(wanted)]
        return [
            Problem(
                translation.path,
                extra.source.line,
                f"the source ({translation.source.path}) has {len(wanted)} check{'' if len(wanted) == 1 else 's'} and this is a "
                f"{_ordinal(len(wanted) + 1)}: a translation has exactly the checks of its source, so remove it "
                "(or add the check to the source first)",
            )
        ]
    last = lesson.steps[-1].source.line if lesson.steps else lesson.source.line
    return [
        Problem(
            translation.path,
            last,
            f"the source's {_ordinal(n + 1)} check ({translation.source.path}:{check.source.line}) is not translated: add a "
            "'## Check' section for it (the heading stays '## Check' in every language), in the same place among the cards",
        )
        for n, check in enumerate(wanted[len(mine) :], start=len(mine))
    ]


def _option_problems(translation: ParsedLessonTranslation, check: Check, original: Check) -> list[Problem]:
    path, source_path = translation.path, translation.source.path
    number = check.key.rpartition(":")[2]
    if len(check.options) != len(original.options):
        return [
            Problem(
                path,
                check.source.line,
                f"check {number} has {len(check.options)} options where its source ({source_path}:{original.source.line}) has "
                f"{len(original.options)}: translate every option, in the source's order",
            )
        ]
    lines = translation.layouts[check.key].option_lines
    source_lines = translation.source.layouts[original.key].option_lines
    for n, (mine, theirs) in enumerate(zip(check.options, original.options, strict=True)):
        if mine.correct != theirs.correct:
            said = "correct ('[x]') here but wrong ('[ ]')" if mine.correct else "wrong ('[ ]') here but correct ('[x]')"
            return [
                Problem(
                    path,
                    lines[n],
                    f"option {n + 1} of check {number} is marked {said} in the source ({source_path}:{source_lines[n]}): "
                    "mark the same options correct as the source, and keep its order of options",
                )
            ]
    return []


def _length_problems(translation: ParsedLessonTranslation) -> list[Problem]:
    """The limits every lesson keeps (one phone message per card, Telegram's poll sizes)."""
    path, lesson = translation.path, translation.lesson
    problems: list[Problem] = []
    for card in lesson.cards:
        if len(card.body) > MAX_CARD_CHARS:
            problems.append(
                Problem(
                    path,
                    card.source.line,
                    f"the card '{card.title}' is {len(card.body)} characters long: keep a card to {MAX_CARD_CHARS:,} characters "
                    "or fewer (one phone message); shorten the translation",
                )
            )
    for check in lesson.checks:
        layout = translation.layouts[check.key]
        if not check.question:
            problems.append(Problem(path, check.source.line, "the check has no question: translate it as a paragraph under '## Check'"))
        elif len(check.question) > MAX_QUESTION_CHARS:
            problems.append(
                Problem(
                    path,
                    layout.question_line or check.source.line,
                    f"the question is {len(check.question)} characters long: keep it to {MAX_QUESTION_CHARS} or fewer",
                )
            )
        for option, line in zip(check.options, layout.option_lines, strict=True):
            if len(option.text) > MAX_OPTION_CHARS:
                message = f"the option is {len(option.text)} characters long: keep each option to {MAX_OPTION_CHARS} or fewer"
                problems.append(Problem(path, line, message))
        if not check.explanation:
            problems.append(
                Problem(path, check.source.line, "the check has no explanation: translate the source's '> ' block quote after the options")
            )
    return problems


def _minutes_problems(translation: ParsedLessonTranslation) -> list[Problem]:
    lesson: Lesson = translation.lesson
    if "minutes" in translation.source.bad_fields or lesson.word_count / WORDS_PER_MINUTE <= lesson.minutes:
        return []
    needed = math.ceil(lesson.word_count / WORDS_PER_MINUTE)
    return [
        Problem(
            translation.path,
            translation.fields.line("title"),
            f"the translation reads in about {needed} minutes ({lesson.word_count} words at {WORDS_PER_MINUTE} words a minute) "
            f"but its source's 'minutes' ({translation.source.path}:{translation.source.fields.line('minutes')}) says "
            f"{lesson.minutes}: shorten the translation, or raise 'minutes' in the source",
        )
    ]


def lesson_translation_problems(translation: ParsedLessonTranslation) -> list[Problem]:
    """Everything that keeps a translated lesson from standing in for its source."""
    problems = _check_count_problems(translation)
    if not problems:  # with a check missing or added, every card after it would be reported too
        problems += _card_problems(translation)
    for check in translation.lesson.checks:
        if check.original is not None:
            problems += _option_problems(translation, check, check.original)
    return problems + _length_problems(translation) + _minutes_problems(translation)
