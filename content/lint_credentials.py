"""Rules about badges and certificates: what they require, what they stack, how long they last,
when their holders recertify, and what their retirement leaves behind.

Scarcity: a credential is earned by durable recall, never by clicking through. So every skill
that a lesson a credential requires teaches (the lesson's `skills:`, which each of its checks
trains) must have a mastery threshold under the credential's `requires.skills`. A certificate
earns its scarcity from the badges it stacks, each of which follows this rule, so it needs no
skills of its own; the rule holds for lessons it requires itself all the same.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

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


def _unmeasured_skill_problems(parsed: ParsedCredential, taught: Mapping[str, tuple[str, ...]], skills: set[str] | None) -> list[Problem]:
    """The skills the credential's lessons teach that it sets no mastery for (a click-through
    loophole). Unknown lessons and skills are reported where they are written, not here."""
    credential, fields, path = parsed.credential, parsed.fields, parsed.path
    if {"requires", "requires.lessons", "requires.skills"} & parsed.bad_fields:
        return []
    measured = {requirement.skill for requirement in credential.skills}
    teachers: dict[str, list[str]] = {}
    for lesson_id in credential.lessons:
        for skill in taught.get(lesson_id, ()):
            if skill not in measured and (skills is None or skill in skills) and lesson_id not in teachers.get(skill, []):
                teachers.setdefault(skill, []).append(lesson_id)
    if not teachers:
        return []
    kind = credential.kind.value
    named = _and(f"'{skill}' (lesson{'s' if len(lessons) > 1 else ''} {_and(lessons)})" for skill, lessons in teachers.items())
    lines = _and(f"'{skill}: 0.8'" for skill in teachers)
    if fields.node("requires", "skills") is not None:
        line, add = fields.line("requires", "skills"), f"add {lines} under 'requires.skills'"
    else:
        line, add = fields.line("requires"), f"add 'skills:' under 'requires:' with {lines}"
    return [
        Problem(
            path,
            line,
            f"the {kind} sets no mastery for {'a skill' if len(teachers) == 1 else 'skills'} its lessons teach: {named}, "
            f"so clicking through {'that lesson' if sum(map(len, teachers.values())) == 1 else 'those lessons'} would earn it: "
            f"{add} (or the mastery you want: a {kind} is earned by durable recall, not by finishing lessons)",
        )
    ]


def _and(items: Iterable[str]) -> str:
    words = list(items)
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _recertify_problems(parsed: ParsedCredential) -> list[Problem]:
    """`recertify_days_before`: 1 or more, fewer than `valid_for_days`, and only with it."""
    credential, fields, path = parsed.credential, parsed.fields, parsed.path
    days, valid = credential.recertify_days_before, credential.valid_for_days
    if days is None:
        return []
    line = fields.line("recertify_days_before")
    if days < 1:
        message = (
            f"'recertify_days_before' is {days}: write how many days before the credential expires its holder is asked "
            "to recertify (1 or more), or remove the line for the default of 30 days"
        )
        return [Problem(path, line, message)]
    if valid is None and "valid_for_days" not in parsed.bad_fields:
        message = (
            "'recertify_days_before' needs 'valid_for_days': without it the credential never expires, so there is nothing "
            "to recertify; add a line like 'valid_for_days: 365' or remove this one"
        )
        return [Problem(path, line, message)]
    if valid is not None and valid >= 1 and days >= valid:
        message = (
            f"'recertify_days_before' is {days} but the credential is valid for {valid} day{'s' if valid != 1 else ''}: "
            "its holders would be asked to recertify as soon as they earn it; write fewer days than 'valid_for_days'"
        )
        return [Problem(path, line, message)]
    return []


def _retired_problems(parsed: ParsedCredential, retired: Collection[str]) -> list[Problem]:
    """A retired credential names no reason unless retired, and a certificate still awarded
    stacks no retired badge (nobody could earn the certificate any more)."""
    credential, fields, path = parsed.credential, parsed.fields, parsed.path
    problems: list[Problem] = []
    if credential.retired_reason and not credential.retired and "retired" not in parsed.bad_fields:
        message = "'retired_reason' is set but the credential is not retired: add 'retired: true' to retire it, or remove this line"
        problems.append(Problem(path, fields.line("retired_reason"), message))
    if credential.kind is CredentialKind.CERTIFICATE and not credential.retired:
        for index, badge_id in enumerate(credential.stacks):
            if badge_id in retired and badge_id != credential.id:
                message = (
                    f"stacks '{badge_id}', which is retired: no one can earn it any more, so no one could earn this certificate; "
                    f"remove '{badge_id}' from 'stacks' or retire this certificate too ('retired: true')"
                )
                problems.append(Problem(path, fields.line("stacks", index), message))
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
    lessons: Mapping[str, tuple[str, ...]],
    skills: set[str] | None,
    unchecked_lessons: Collection[str] = (),
    unchecked_badges: Collection[str] = (),
) -> list[Problem]:
    """`lessons`: each lesson's id and the skills it teaches; `unchecked_*`: ids whose files could
    not be read (reported there, not here); `skills` is None when skills.yml could not be read."""
    parsed_credentials = list(credentials)
    kinds: dict[str, CredentialKind | None] = {}
    for parsed in parsed_credentials:
        kind = None if "kind" in parsed.bad_fields else parsed.credential.kind
        kinds.setdefault(parsed.credential.id, kind)
    retired = {parsed.credential.id for parsed in parsed_credentials if parsed.credential.retired}
    problems: list[Problem] = []
    for parsed in parsed_credentials:
        problems += _requirement_problems(parsed, {*lessons, *unchecked_lessons}, skills)
        problems += _unmeasured_skill_problems(parsed, lessons, skills)
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
        problems += _recertify_problems(parsed)
        problems += _retired_problems(parsed, retired)
    return problems
