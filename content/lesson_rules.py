"""Rules about one lesson on its own: length, minutes, number and shape of its checks."""

from __future__ import annotations

import math

from content.model import MAX_CHECKS_PER_LESSON, MAX_LESSON_MINUTES, WORDS_PER_MINUTE, Check, CheckKind, Problem
from content.parsed import ParsedLesson

MAX_CARD_CHARS = 1000
MAX_QUESTION_CHARS = 300
MAX_OPTION_CHARS = 100
MIN_OPTIONS = 2
MAX_OPTIONS = 10


def _minutes_problems(parsed: ParsedLesson) -> list[Problem]:
    lesson, line = parsed.lesson, parsed.fields.line("minutes")
    if "minutes" in parsed.bad_fields:
        return []
    if not 1 <= lesson.minutes <= MAX_LESSON_MINUTES:
        return [
            Problem(
                parsed.path,
                line,
                f"'minutes' is {lesson.minutes}: a lesson takes 1 to {MAX_LESSON_MINUTES} minutes; split a longer lesson into two",
            )
        ]
    words = lesson.word_count
    if words / WORDS_PER_MINUTE <= lesson.minutes:
        return []
    needed = math.ceil(words / WORDS_PER_MINUTE)
    fix = "raise 'minutes' or shorten the text" if needed <= MAX_LESSON_MINUTES else "shorten the text or split it into two lessons"
    return [
        Problem(
            parsed.path,
            line,
            f"the lesson reads in about {needed} minutes ({words} words at "
            f"{WORDS_PER_MINUTE} words a minute) but 'minutes' says {lesson.minutes}: {fix}",
        )
    ]


def _check_problems(parsed: ParsedLesson, check: Check) -> list[Problem]:
    layout = parsed.layouts[check.key]
    path, heading = parsed.path, layout.heading_line
    problems: list[Problem] = []
    if not check.question:
        problems.append(Problem(path, heading, "the check has no question: write it as a paragraph right under the '## Check' heading"))
    elif len(check.question) > MAX_QUESTION_CHARS:
        problems.append(
            Problem(
                path,
                layout.question_line or heading,
                f"the question is {len(check.question)} characters long: keep it to {MAX_QUESTION_CHARS} or fewer",
            )
        )
    count = len(check.options)
    if count == 0:
        problems.append(
            Problem(
                path,
                heading,
                f"the check has no options: add at least {MIN_OPTIONS} after the "
                "question, as a list of '- [x] ' (correct) and '- [ ] ' (wrong) lines",
            )
        )
    elif count < MIN_OPTIONS:
        problems.append(
            Problem(
                path,
                heading,
                f"the check has {count} option{'' if count == 1 else 's'}: give it at "
                f"least {MIN_OPTIONS}, as a list of '- [x] ' (correct) and '- [ ] ' (wrong) lines",
            )
        )
    elif count > MAX_OPTIONS:
        problems.append(Problem(path, heading, f"the check has {count} options: keep it to {MAX_OPTIONS} or fewer"))
    if check.options and not check.correct_indices:
        problems.append(Problem(path, heading, "no option is marked correct: mark the right answer (or answers) with '- [x] '"))
    elif check.kind is CheckKind.TRUE_FALSE and len(check.correct_indices) != 1:
        problems.append(Problem(path, heading, "a True/False check needs exactly one of True and False marked '[x]'"))
    for option, line in zip(check.options, layout.option_lines, strict=True):
        if len(option.text) > MAX_OPTION_CHARS:
            problems.append(
                Problem(path, line, f"the option is {len(option.text)} characters long: keep each option to {MAX_OPTION_CHARS} or fewer")
            )
    if not check.explanation:
        problems.append(
            Problem(
                path,
                heading,
                "the check has no explanation: add a block quote (lines starting with "
                "'> ') after the options; learners see it right after they answer",
            )
        )
    return problems


def lesson_problems(parsed: ParsedLesson) -> list[Problem]:
    """Everything wrong with one lesson that can be seen without the rest of the curriculum."""
    lesson, path = parsed.lesson, parsed.path
    problems = _minutes_problems(parsed)
    if not lesson.cards:
        problems.append(
            Problem(
                path,
                lesson.source.line,
                "the lesson has no cards: add at least one '## ' section with the text a learner reads before the checks",
            )
        )
    for card in lesson.cards:
        if len(card.body) > MAX_CARD_CHARS:
            problems.append(
                Problem(
                    path,
                    card.source.line,
                    f"the card '{card.title}' is {len(card.body)} characters "
                    f"long: keep a card to {MAX_CARD_CHARS:,} characters or fewer (one phone message) or "
                    "split it into two cards",
                )
            )
    checks = lesson.checks
    if not checks:
        problems.append(
            Problem(
                path,
                lesson.source.line,
                "the lesson has no micro-check: add a '## Check' section "
                f"(a question, options and a '> ' explanation); a lesson has 1 to {MAX_CHECKS_PER_LESSON}",
            )
        )
    elif len(checks) > MAX_CHECKS_PER_LESSON:
        extra = checks[MAX_CHECKS_PER_LESSON]
        problems.append(
            Problem(
                path,
                extra.source.line,
                f"the lesson has {len(checks)} micro-checks but at most "
                f"{MAX_CHECKS_PER_LESSON} are allowed: move this check and the ones after it to another lesson",
            )
        )
    for check in checks:
        problems += _check_problems(parsed, check)
    return problems
