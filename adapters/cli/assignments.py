"""`assignments import FILE.csv`: who must earn which credential or finish which pathway by when,
all rows or none."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from adapters.cli.shared import content_or_report, opened_store
from bot.config import Settings


async def import_file(settings: Settings, file: Path) -> int:
    from bot import assignment_import

    try:
        text = file.read_text(encoding="utf-8")  # noqa: ASYNC240 - a CLI command: nothing else runs on its loop
    except (OSError, UnicodeDecodeError) as error:
        print(f"Cannot read {file}: {error}", file=sys.stderr)
        return 1
    curriculum = content_or_report(settings)
    if curriculum is None:
        print(f"The content in {settings.content_dir} has problems: nothing was assigned.", file=sys.stderr)
        return 1
    now = datetime.now(UTC)
    rows, problems = assignment_import.read_assignments(text, curriculum, today=now.date())
    if problems:
        return _refused(file, problems)
    async with opened_store(settings) as store:
        done, problems = await assignment_import.import_assignments(store, rows, now=now)
    if done is None:
        return _refused(file, problems)
    print(assignment_import.imported_text(done))
    return 0


def _refused(file: Path, problems: list[str]) -> int:
    print("\n".join(f"{file}: {problem}" for problem in problems), file=sys.stderr)
    print(f"{len(problems)} problem(s): nothing was assigned.", file=sys.stderr)
    return 1
