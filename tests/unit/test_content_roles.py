"""Job roles as content (`content/roles/<id>.md`): the shipped roles load, and each mistake an
author can make in one is reported by `content check` as the `path:line: message` they read."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.cli.authoring import check
from content.loader import load_curriculum, load_lesson
from tests.unit.test_content_lint import lines_of, write_tree

CONTENT = Path(__file__).resolve().parents[2] / "content"
KNOWN = "the credentials are: badge-a, badge-b, cert"


def role(
    role_id: str = "operator",
    *,
    requires: str = "[badge-a]",
    recommends: str = "[cert]",
    days: str = "30",
    outcome: str = "Runs the line safely.",
) -> str:
    """A valid role: id line 2, title 3, requires 4, recommends 5, complete_within_days 6; body from line 8."""
    return f"""\
---
id: {role_id}
title: Operator
requires: {requires}
recommends: {recommends}
complete_within_days: {days}
---

{outcome}
"""


def test_the_shipped_roles_load_with_their_fields() -> None:
    result = load_curriculum(CONTENT)
    assert result.problems == ()
    assert result.curriculum is not None
    roles = result.curriculum.roles
    assert sorted(roles) == ["machine-operator", "maintenance-technician"]
    operator, technician = roles["machine-operator"], roles["maintenance-technician"]
    assert (operator.title, operator.requires, operator.recommends, operator.complete_within_days) == (
        "Machine Operator",
        ("safety-foundations", "loto-practitioner"),
        ("maintenance-fundamentals",),
        30,
    )
    assert (technician.title, technician.requires, technician.recommends, technician.complete_within_days) == (
        "Maintenance Technician",
        ("safety-foundations", "loto-practitioner", "maintenance-fundamentals"),
        ("plant-operations",),
        60,
    )
    assert operator.outcome.startswith("Runs production machines safely through a whole shift")
    assert str(operator.source) == f"{CONTENT / 'roles' / 'machine-operator.md'}:1"


def test_content_check_counts_the_roles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_tree(tmp_path, {"roles/operator.md": role()})
    assert check(root) == 0
    assert capsys.readouterr().out == f"{root}: OK. 2 lessons, 2 checks, 1 pathways, 3 credentials, 1 roles.\n"


def test_a_tree_without_a_roles_folder_is_still_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_tree(tmp_path)
    assert check(root) == 0
    assert capsys.readouterr().out == f"{root}: OK. 2 lessons, 2 checks, 1 pathways, 3 credentials, 0 roles.\n"
    result = load_curriculum(root)
    assert result.curriculum is not None and result.curriculum.roles == {}


def test_an_unknown_required_credential_is_named_at_its_line_with_the_known_ones(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"roles/operator.md": role(requires="[badge-a, badge-x]")})
    assert lines_of(root) == [
        f"roles/operator.md:4: unknown credential 'badge-x' (no badge or certificate has id 'badge-x'; {KNOWN}): "
        "check the spelling or remove it"
    ]


def test_an_unknown_recommended_credential_is_named_at_its_line(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"roles/operator.md": role(recommends="\n  - badge-b\n  - certificate-z")})
    assert lines_of(root) == [
        f"roles/operator.md:7: unknown credential 'certificate-z' (no badge or certificate has id 'certificate-z'; {KNOWN}): "
        "check the spelling or remove it"
    ]


def test_a_duplicate_role_id_is_reported_in_the_second_file_naming_the_first(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"roles/a-operator.md": role("operator"), "roles/b-operator.md": role("operator")})
    assert lines_of(root) == [
        f"roles/b-operator.md:2: duplicate role id 'operator': {root / 'roles/a-operator.md'}:2 already uses it; give each role its own id"
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [(role(requires="[]"), 4), (role().replace("requires: [badge-a]\n", ""), 1)],
    ids=["empty list", "no requires line"],
)
def test_a_role_that_requires_nothing_is_refused(tmp_path: Path, text: str, line: int) -> None:
    root = write_tree(tmp_path, {"roles/operator.md": text})
    assert lines_of(root) == [
        f"roles/operator.md:{line}: the role requires nothing: add the credentials a person in this role must hold, "
        "for example 'requires: [safety-foundations, loto-practitioner]'"
    ]


def test_a_credential_both_required_and_recommended_is_reported_at_the_recommends_line(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"roles/operator.md": role(requires="[badge-a, badge-b]", recommends="[cert, badge-b]")})
    assert lines_of(root) == [
        "roles/operator.md:5: 'badge-b' is both required and recommended: a role either requires a credential "
        "or recommends it; remove it from 'recommends'"
    ]


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("0", "'complete_within_days' is 0: write the number of days a new joiner has to earn the required credentials (1 or more)"),
        ("-7", "'complete_within_days' is -7: write the number of days a new joiner has to earn the required credentials (1 or more)"),
        ("2.5", "'complete_within_days' must be a whole number, for example 'complete_within_days: 30'"),
        ("a month", "'complete_within_days' must be a whole number, for example 'complete_within_days: 30'"),
    ],
)
def test_complete_within_days_must_be_a_positive_whole_number(tmp_path: Path, days: str, message: str) -> None:
    root = write_tree(tmp_path, {"roles/operator.md": role(days=days)})
    assert lines_of(root) == [f"roles/operator.md:6: {message}"]


def test_complete_within_days_is_required(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"roles/operator.md": role().replace("complete_within_days: 30\n", "")})
    assert lines_of(root) == [
        "roles/operator.md:1: missing 'complete_within_days': add a line like 'complete_within_days: 30' to the front matter"
    ]


def test_an_unknown_front_matter_key_is_reported_at_its_line(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"roles/operator.md": role().replace("complete_within_days", "due_in_days")})
    assert lines_of(root) == [
        "roles/operator.md:1: missing 'complete_within_days': add a line like 'complete_within_days: 30' to the front matter",
        "roles/operator.md:6: unknown field 'due_in_days' (the fields are: id, title, requires, recommends, complete_within_days); "
        "check its spelling or remove it",
    ]


def test_a_missing_title_is_reported(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"roles/operator.md": role().replace("title: Operator\n", "")})
    assert lines_of(root) == ["roles/operator.md:1: missing 'title': add a line like 'title: Machine Operator' to the front matter"]


@pytest.mark.parametrize("outcome", ["", "# Operator"], ids=["empty body", "a heading only"])
def test_a_missing_outcome_is_reported_where_the_body_starts(tmp_path: Path, outcome: str) -> None:
    root = write_tree(tmp_path, {"roles/operator.md": role(outcome=outcome)})
    assert lines_of(root) == [
        "roles/operator.md:8: missing outcome: write one paragraph right after the front matter saying, in plain words, "
        "what a person in this role gets done"
    ]


def test_content_preview_of_a_role_says_it_is_a_job_role(tmp_path: Path) -> None:
    path = write_tree(tmp_path, {"roles/operator.md": role()}) / "roles/operator.md"
    lesson, problems = load_lesson(path)
    assert lesson is None
    assert [str(problem) for problem in problems] == [
        f"{path}:1: this is a job role, not a lesson: `content preview` shows lessons only; run `run_bot.py content check` to check it"
    ]
