"""Rules about badges and certificates: what they require, what they stack, how long they last."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from content.model import CredentialKind, Problem
from content.parsed import ParsedCredential


def _requirement_problems(parsed: ParsedCredential, lessons: Collection[str], skills: set[str] | None) -> list[Problem]:
    credential, fields, path = parsed.credential, parsed.fields, parsed.path
    problems: list[Problem] = []
    for index, lesson_id in enumerate(credential.lessons):
        if lesson_id not in lessons:
            problems.append(
                Problem(
                    path,
                    fields.line("requires", "lessons", index),
                    f"requires unknown lesson '{lesson_id}' (no lesson has id '{lesson_id}'): check the spelling or remove it",
                )
            )
    for requirement in credential.skills:
        line = fields.line("requires", "skills", requirement.skill)
        if skills is not None and requirement.skill not in skills:
            problems.append(
                Problem(
                    path,
                    line,
                    f"requires unknown skill '{requirement.skill}' (it is not in skills.yml): check the spelling or add it to skills.yml",
                )
            )
        if not 0 <= requirement.mastery <= 1:
            hint = f" (did you mean {requirement.mastery / 100:g}?)" if 1 < requirement.mastery <= 100 else ""
            problems.append(
                Problem(
                    path,
                    line,
                    f"the mastery for '{requirement.skill}' is {requirement.mastery:g}: "
                    f"write it as a number between 0 and 1, where 0.8 means 80%{hint}",
                )
            )
    return problems


def _stack_problems(parsed: ParsedCredential, kinds: dict[str, CredentialKind | None], unchecked: Collection[str]) -> list[Problem]:
    credential, fields, path = parsed.credential, parsed.fields, parsed.path
    if credential.kind is CredentialKind.BADGE:
        if credential.stacks:
            return [Problem(path, fields.line("stacks"), "only a certificate can stack badges: remove 'stacks' or set 'kind: certificate'")]
        if not credential.lessons and not credential.skills and not {"requires", "requires.skills"} & parsed.bad_fields:
            return [
                Problem(
                    path,
                    fields.line("requires"),
                    "the badge requires nothing: add 'requires:' with the 'lessons:' to complete and/or the 'skills:' mastery to reach",
                )
            ]
        return []
    problems: list[Problem] = []
    if not credential.stacks and "stacks" not in parsed.bad_fields:
        problems.append(
            Problem(
                path,
                fields.line("stacks"),
                "a certificate needs 'stacks': the list of badge ids it "
                "is built from, for example 'stacks: [safety-foundations, loto-practitioner]'",
            )
        )
    for index, badge_id in enumerate(credential.stacks):
        line = fields.line("stacks", index)
        if badge_id == credential.id:
            problems.append(Problem(path, line, "the certificate stacks itself: list only the badges it is built from"))
        elif badge_id in unchecked:
            continue
        elif badge_id not in kinds:
            problems.append(
                Problem(path, line, f"stacks unknown badge '{badge_id}' (no badge has id '{badge_id}'): check the spelling or remove it")
            )
        elif kinds[badge_id] is CredentialKind.CERTIFICATE:
            problems.append(Problem(path, line, f"stacks '{badge_id}', which is a certificate: a certificate can only stack badges"))
    return problems


def credential_problems(
    credentials: Iterable[ParsedCredential],
    *,
    lessons: set[str],
    skills: set[str] | None,
    unchecked_lessons: Collection[str] = (),
    unchecked_badges: Collection[str] = (),
) -> list[Problem]:
    """`unchecked_*`: ids whose files could not be read (reported there, not here); `skills` is
    None when skills.yml could not be read."""
    parsed_credentials = list(credentials)
    kinds: dict[str, CredentialKind | None] = {}
    for parsed in parsed_credentials:
        kind = None if "kind" in parsed.bad_fields else parsed.credential.kind
        kinds.setdefault(parsed.credential.id, kind)
    problems: list[Problem] = []
    for parsed in parsed_credentials:
        problems += _requirement_problems(parsed, {*lessons, *unchecked_lessons}, skills)
        if "kind" not in parsed.bad_fields:
            problems += _stack_problems(parsed, kinds, unchecked_badges)
        days = parsed.credential.valid_for_days
        if days is not None and days < 1:
            problems.append(
                Problem(
                    parsed.path,
                    parsed.fields.line("valid_for_days"),
                    f"'valid_for_days' is {days}: "
                    "write the number of days the credential stays valid (1 or more), or remove the "
                    "line so it never expires",
                )
            )
    return problems
