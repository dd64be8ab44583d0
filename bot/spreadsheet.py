"""CSV files a person will open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula: a learner named `=HYPERLINK(...)` would run code on
the manager's machine. OWASP's rule (CSV injection): such a cell is prefixed with a single quote,
which spreadsheets show as text. Numbers stay numbers: only text cells are touched, so a
negative number written as a number is not quoted."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell a spreadsheet shows as written: text that could start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_rows(out: TextIO, rows: Iterable[Sequence[object]]) -> None:
    """Every row as CSV, each cell made safe."""
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    write_rows(out, rows)
    return out.getvalue()
