"""Rules about job roles: the credentials they require and recommend (known, and not retired),
and the time to earn them."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from content.model import Problem
from content.parsed import ParsedRole


def _unknown(credential_id: str, known: Collection[str]) -> str:
    names = ", ".join(sorted(known)) or "none yet"
    return (
        f"unknown credential '{credential_id}' (no badge or certificate has id '{credential_id}'; "
        f"the credentials are: {names}): check the spelling or remove it"
    )


def _retired(credential_id: str, key: str) -> str:
    if key == "requires":
        return (
            f"requires '{credential_id}', which is retired: it is no longer awarded, so no one new in this role could hold it; "
            "require the credential that replaces it, or remove it (those who hold it keep it until it expires)"
        )
    return (
        f"recommends '{credential_id}', which is retired: it is no longer awarded, so no one could follow the recommendation; "
        "recommend the credential that replaces it, or remove it"
    )


def _role_problems(parsed: ParsedRole, known: Collection[str], unchecked: Collection[str], retired: Collection[str]) -> list[Problem]:
    role, fields, path = parsed.role, parsed.fields, parsed.path
    problems: list[Problem] = []
    if not role.requires and "requires" not in parsed.bad_fields:
        line = fields.line("requires") if fields.node("requires") is not None else 1
        example = "requires: [safety-foundations, loto-practitioner]"
        message = f"the role requires nothing: add the credentials a person in this role must hold, for example '{example}'"
        problems.append(Problem(path, line, message))
    for key, ids in (("requires", role.requires), ("recommends", role.recommends)):
        for index, credential_id in enumerate(ids):
            if credential_id not in known and credential_id not in unchecked:
                problems.append(Problem(path, fields.line(key, index), _unknown(credential_id, known)))
            elif credential_id in retired:
                problems.append(Problem(path, fields.line(key, index), _retired(credential_id, key)))
    for index, credential_id in enumerate(role.recommends):
        if credential_id in role.requires:
            message = (
                f"'{credential_id}' is both required and recommended: a role either requires a credential "
                "or recommends it; remove it from 'recommends'"
            )
            problems.append(Problem(path, fields.line("recommends", index), message))
    days = role.complete_within_days
    if "complete_within_days" not in parsed.bad_fields and days < 1:
        message = (
            f"'complete_within_days' is {days}: write the number of days a new joiner has to earn the required credentials (1 or more)"
        )
        problems.append(Problem(path, fields.line("complete_within_days"), message))
    return problems


def role_problems(
    roles: Iterable[ParsedRole], *, credentials: Collection[str], unchecked: Collection[str] = (), retired: Collection[str] = ()
) -> list[Problem]:
    """`credentials`: the ids of every badge and certificate; `unchecked`: ids of credential files
    that could not be read (reported there, not here); `retired`: the ids of retired ones, which a
    role can neither require nor recommend (no one can earn them any more)."""
    problems: list[Problem] = []
    for parsed in roles:
        problems += _role_problems(parsed, credentials, unchecked, retired)
    return problems
