"""`content review [DIR] [--csv FILE]`: how each check does with real learners, as warnings at the
check's own path:line (bot/analytics.py computes every figure and finding)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from adapters.cli.shared import opened_store
from bot.config import Settings

HELP = "how each check does with learners: warnings at its path:line; exit 0"


def description() -> str:
    import textwrap

    from bot import analytics_thresholds as a

    intro = (
        "Read every answer in the database (DATABASE_URL) and the content, and print what an author should look at as"
        " path:line: warning: ..., at the check's own line (a skill's in skills.yml), each with its figure, the threshold"
        " and the sample. Always exits 0: these are warnings."
    )
    rules = (
        f"  too hard      right at the first try by fewer than {a.TOO_HARD:.0%} (at least {a.MIN_LEARNERS} learners)\n"
        f"  too easy      right at the first try by more than {a.TOO_EASY:.0%} (at least {a.MIN_LEARNERS_TOO_EASY} learners)\n"
        f"  distractor    a wrong option chosen at the first try more often than the right answer (at least {a.MIN_LEARNERS})\n"
        f"  discrimination below {a.LOW_DISCRIMINATION:.2f}: right or wrong here says nothing of how the learner does on the\n"
        f"                other checks (at least {a.MIN_LEARNERS_DISCRIMINATION} learners)\n"
        f"  skill         recall about 7 days after the last review at least {round(a.FAR_BELOW * 100)} points below FSRS's prediction\n"
        f"                and beyond chance (at least {a.MIN_RECHECKS} re-checks)"
    )
    why = (
        "Why these minimums: a share from 30 learners is known to about +/- 16 points, enough to tell 20% from 50%;"
        " 'too easy' needs 60, or one answer more or less moves it across 95%; a correlation from n learners is known to"
        " about +/- 2/sqrt(n), 0.2 at 100. Only a check's current wording counts: answers to an earlier question or options"
        " are kept apart (rows with current=no in the CSV). docs/authoring.md 'Reading the review' explains each figure."
    )
    return f"{textwrap.fill(intro, 100)}\n\n{rules}\n\n{textwrap.fill(why, 100)}"


async def show(settings: Settings, folder: Path | None, csv_path: Path | None) -> int:
    from bot.analytics import findings, item_table, read, review_columns
    from bot.mastery import PARAMETERS_FILE, MasteryModel
    from bot.spreadsheet import write_rows
    from content.loader import load_curriculum

    where = folder or settings.content_dir
    loaded = load_curriculum(where)
    if loaded.curriculum is None:
        for problem in loaded.problems:
            print(problem, file=sys.stderr)
        print(f"The content in {where} has problems: `content check` lists them; fix them and review again.", file=sys.stderr)
        return 1
    curriculum = loaded.curriculum
    async with opened_store(settings) as store, store.reading() as tx:  # of one moment; the bot writes on meanwhile
        columns, steps = await read(tx.analytics, curriculum)
    # FSRS's predictions with the parameters the bot schedules with now (`mastery optimize --apply`
    # may have fitted them), so the forgetting curve is set beside what the bot expects.
    model = MasteryModel(parameters_file=settings.data_dir / PARAMETERS_FILE)
    result = review_columns(columns, steps, curriculum, now=datetime.now(UTC), model=model)
    found = findings(result, curriculum)
    for finding in found:
        print(finding)
    checks = sum(1 for item in result.items if item.current)
    answers = len(columns.answers)
    print(f"{len(found)} warning(s); {answers} answers, {checks} checks answered in their current wording.", file=sys.stderr)
    if csv_path is not None:
        with csv_path.open("w", newline="", encoding="utf-8") as file:
            write_rows(file, item_table(result, curriculum))  # every CSV the product writes is formula-safe
        print(f"Wrote {csv_path}", file=sys.stderr)
    return 0
