"""`people import FILE.csv`: teams, managers, admins and job roles, all rows or none."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from adapters.cli.shared import content_or_report, opened_store
from bot.config import Settings


async def import_file(settings: Settings, file: Path) -> int:
    from tqdm import tqdm

    from bot import people

    try:
        text = file.read_text(encoding="utf-8")  # noqa: ASYNC240 - a CLI command: nothing else runs on its loop
    except (OSError, UnicodeDecodeError) as error:
        print(f"Cannot read {file}: {error}", file=sys.stderr)
        return 1
    curriculum = None
    if people.names_job_roles(text):  # the job roles are checked against the content, so it must load
        curriculum = content_or_report(settings)
        if curriculum is None:
            print(f"The content in {settings.content_dir} has problems: nothing was imported.", file=sys.stderr)
            return 1
    found, problems = people.read_people(text, job_roles=curriculum.roles if curriculum is not None else None)
    if problems:
        print("\n".join(f"{file}: {problem}" for problem in problems), file=sys.stderr)
        print(f"{len(problems)} problem(s): nothing was imported.", file=sys.stderr)
        return 1
    async with opened_store(settings) as store:
        with tqdm(total=len(found), unit="person", desc="Importing", disable=None, file=sys.stderr) as bar:

            def progress(n: int, total: int) -> None:
                bar.update(n - bar.n)

            done = await people.import_people(store, found, now=datetime.now(UTC), progress=progress, curriculum=curriculum)
    print(people.imported_text(done))
    return 0
