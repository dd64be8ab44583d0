"""Two optional fields of a credential file: `recertify_days_before` (how many days before a held
credential expires its holder is asked to recertify) and `retired: true` (L&D retired it: no
longer awarded), with `retired_reason`. Each mistake is reported as the `path:line: message`
`content check` prints; a retired credential may be neither stacked by a certificate still
awarded nor required or recommended by a job role."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.cli.authoring import check
from content.loader import load_curriculum
from content.model import RECERTIFY_DAYS_BEFORE
from tests.unit.test_content_lint import badge, certificate, lines_of, write_tree
from tests.unit.test_content_roles import role

VALID = "valid_for_days: 365\n"


def with_lines(text: str, *lines: str) -> str:
    """`text` (a badge of test_content_lint, `valid_for_days:` on line 9) with `lines` after
    `valid_for_days:`, from line 10 on."""
    return text.replace(VALID, VALID + "".join(f"{line}\n" for line in lines))


def retired(text: str, reason: str = "") -> str:
    """A credential of test_content_lint marked retired (before its closing `---`)."""
    head, _, body = text.partition("\n---\n")
    extra = "\nretired: true" + (f"\nretired_reason: {reason}" if reason else "")
    return f"{head}{extra}\n---\n{body}"


def test_the_fields_load_and_recertifying_defaults_to_thirty_days(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "credentials/badge-a.md": with_lines(badge("badge-a"), "recertify_days_before: 45"),
            "credentials/badge-c.md": retired(badge("badge-c"), reason='"Replaced by Badge A."'),
        },
    )
    result = load_curriculum(root)
    assert result.problems == ()
    assert result.curriculum is not None
    credentials = result.curriculum.credentials
    a, b, c = credentials["badge-a"], credentials["badge-b"], credentials["badge-c"]
    assert (a.recertify_days_before, a.recertify_lead_days, a.retired) == (45, 45, False)
    assert (b.recertify_days_before, b.recertify_lead_days, b.retired, b.retired_reason) == (None, RECERTIFY_DAYS_BEFORE, False, "")
    assert RECERTIFY_DAYS_BEFORE == 30, "as before the field existed"
    assert (c.retired, c.retired_reason) == (True, "Replaced by Badge A.")


def test_the_shipped_content_still_passes(capsys: pytest.CaptureFixture[str]) -> None:
    content = Path(__file__).resolve().parents[2] / "content"
    assert check(content) == 0, capsys.readouterr().out


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["recertify_days_before: 0"],
            "credentials/badge-a.md:10: 'recertify_days_before' is 0: write how many days before the credential expires its holder "
            "is asked to recertify (1 or more), or remove the line for the default of 30 days",
        ),
        (
            ["recertify_days_before: 365"],
            "credentials/badge-a.md:10: 'recertify_days_before' is 365 but the credential is valid for 365 days: its holders would "
            "be asked to recertify as soon as they earn it; write fewer days than 'valid_for_days'",
        ),
        (
            ["recertify_days_before: a month"],
            "credentials/badge-a.md:10: 'recertify_days_before' must be a whole number, for example 'recertify_days_before: 30'",
        ),
        (
            ["retired: maybe"],
            "credentials/badge-a.md:10: 'retired' is 'maybe': write 'retired: true' (no quotes) to retire the credential, "
            "or remove the line",
        ),
        (
            ["retired_reason: Replaced by Badge B."],
            "credentials/badge-a.md:10: 'retired_reason' is set but the credential is not retired: add 'retired: true' to "
            "retire it, or remove this line",
        ),
    ],
)
def test_each_mistake_in_the_new_fields_is_reported_at_its_line(tmp_path: Path, lines: list[str], expected: str) -> None:
    root = write_tree(tmp_path, {"credentials/badge-a.md": with_lines(badge("badge-a"), *lines)})
    assert lines_of(root) == [expected]


def test_recertifying_is_refused_for_a_credential_that_never_expires(tmp_path: Path) -> None:
    text = badge("badge-a").replace(VALID, "recertify_days_before: 30\n")
    assert lines_of(write_tree(tmp_path, {"credentials/badge-a.md": text})) == [
        "credentials/badge-a.md:9: 'recertify_days_before' needs 'valid_for_days': without it the credential never expires, "
        "so there is nothing to recertify; add a line like 'valid_for_days: 365' or remove this one"
    ]


def test_a_certificate_still_awarded_may_not_stack_a_retired_badge(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"credentials/badge-b.md": retired(badge("badge-b"))})
    assert lines_of(root) == [
        "credentials/cert.md:5: stacks 'badge-b', which is retired: no one can earn it any more, so no one could earn this "
        "certificate; remove 'badge-b' from 'stacks' or retire this certificate too ('retired: true')"
    ]
    both = write_tree(tmp_path, {"credentials/badge-b.md": retired(badge("badge-b")), "credentials/cert.md": retired(certificate("cert"))})
    assert lines_of(both) == [], "retired together"


def test_a_role_may_neither_require_nor_recommend_a_retired_credential(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "credentials/badge-a.md": retired(badge("badge-a")),
            "credentials/cert.md": retired(certificate("cert")),
            "roles/operator.md": role(requires="[badge-b, badge-a]", recommends="[cert]"),
        },
    )
    assert lines_of(root) == [
        "roles/operator.md:4: requires 'badge-a', which is retired: it is no longer awarded, so no one new in this role could "
        "hold it; require the credential that replaces it, or remove it (those who hold it keep it until it expires)",
        "roles/operator.md:5: recommends 'cert', which is retired: it is no longer awarded, so no one could follow the "
        "recommendation; recommend the credential that replaces it, or remove it",
    ]
