"""`report compliance [--as-of D] [--team NAME | --role ID] [--status S ...] [--within N] [--csv]`:
the compliance matrix of the dashboard (bot/compliance.py) in the terminal, for the operator, who
sees everyone. A table (credentials as C1, C2, ... with their names above it), or with --csv the
dashboard's CSV on stdout, the note about team membership then on stderr."""

from __future__ import annotations

import sys
from datetime import date, timedelta

from adapters.cli.shared import content_or_report, opened_store
from bot import compliance
from bot.assignments import Standing
from bot.clock import SystemClock
from bot.config import Settings
from bot.ports import UnitOfWork
from bot.records import MatrixScope
from content.model import Curriculum

MARK = {Standing.OVERDUE: "OVERDUE", Standing.EXPIRED: "expired!"}  # what needs acting on stands out in a terminal


async def show(
    settings: Settings,
    *,
    as_of: str | None,
    team: str | None,
    role: str | None,
    statuses: list[str],
    within: int,
    as_csv: bool,
) -> int:
    from bot.spreadsheet import write_rows

    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        print(f"--as-of is a day, YYYY-MM-DD: {as_of!r} is not", file=sys.stderr)
        return 1
    if not 1 <= within <= compliance.LONGEST_WINDOW:
        print(f"--within is a number of days from 1 to {compliance.LONGEST_WINDOW}", file=sys.stderr)
        return 1
    wanted = [Standing(s) for s in statuses]
    curriculum = content_or_report(settings)
    if curriculum is None:
        return 1
    async with opened_store(settings) as store, store.transaction() as tx:
        choice = await _scope(tx, curriculum, team, role)
        if isinstance(choice, str):
            print(choice, file=sys.stderr)
            return 1
        try:
            matrix = await compliance.compliance_matrix(
                tx,
                curriculum,
                choice,
                now=SystemClock().now(),
                as_of=day,
                expiring_within=timedelta(days=within),
                statuses=wanted,
                page_size=None,
            )
        except compliance.AsOfRefused as error:
            print(str(error), file=sys.stderr)
            return 1
    rows = compliance.table(matrix)
    if as_csv:
        if matrix.note:
            print(matrix.note, file=sys.stderr)
        write_rows(sys.stdout, rows)  # formula-safe, as the dashboard's
        return 0
    print(_readable(matrix, rows))
    return 0


async def _scope(tx: UnitOfWork, curriculum: Curriculum, team: str | None, role: str | None) -> compliance.ScopeChoice | str:
    """The scope asked for, or what is wrong with it."""
    if role is not None:
        found = next((r for r in curriculum.roles.values() if role == r.id or role.casefold() == r.title.casefold()), None)
        if found is None:
            known = ", ".join(sorted(curriculum.roles)) or "none (content/roles/ is empty)"
            return f"No job role {role!r}; job roles: {known}"
        return compliance.ScopeChoice(
            f"{compliance.ROLE_PREFIX}{found.id}", f"Job role: {found.title}", MatrixScope(None, found.id), "role"
        )
    if team is not None:
        teams = await tx.teams.all()
        match = [t for t in teams if t.name == team] or [t for t in teams if t.name.casefold() == team.casefold()]
        if len(match) != 1:
            return f"No team named {team!r}" if not match else f"Several teams are named {team!r} but for case: write it exactly"
        return compliance.ScopeChoice(
            f"{compliance.TEAM_PREFIX}{match[0].id}", f"Team: {match[0].name}", MatrixScope(frozenset({match[0].id})), "team"
        )
    return compliance.ScopeChoice(compliance.ORGANISATION, "The whole organisation", MatrixScope(), "organisation")


def _readable(matrix: compliance.Matrix, rows: list[list[str]]) -> str:
    when = (
        f"now ({matrix.at:%Y-%m-%d %H:%M} UTC)"
        if matrix.today
        else f"as the record stood at the end of {matrix.as_of.isoformat() if matrix.as_of else ''} (UTC)"
    )
    lines = [f"Compliance: {matrix.scope.label}, {when}"]
    if matrix.note:
        lines.append(matrix.note)
    kept = f"{len(matrix.rows):,} of {matrix.people:,} people" if matrix.statuses else f"{matrix.people:,} people"
    if matrix.statuses:
        kept += f" (those with a credential that is {' or '.join(sorted(s.label for s in matrix.statuses))})"
    lines.append(f"{kept}; {len(matrix.columns)} credentials required; expiring means within {matrix.expiring_within.days} days")
    if not matrix.rows:
        return "\n".join(lines)
    lines.append("")
    codes = [f"C{i}" for i in range(1, len(matrix.columns) + 1)]
    lines += [f"  {code:<4} {column.title}" for code, column in zip(codes, matrix.columns, strict=True)]
    lines.append("  (- not required of that person; OVERDUE and expired! need acting on)")
    lines.append("")
    table = [["person", "team", *codes]]
    table += [
        [row.person.name, row.person.team or "", *("-" if cell is None else MARK.get(cell, cell.label) for cell in row.cells)]
        for row in matrix.rows
    ]
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    widths[0], widths[1] = min(widths[0], 30), min(widths[1], 20)
    for r in table:
        lines.append("  ".join(_cell(text, width) for text, width in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _cell(text: str, width: int) -> str:
    text = " ".join(text.split())  # names are plain text on one line
    return (text[: width - 1] + "…") if len(text) > width else text.ljust(width)
