"""`report --from --to [--csv]`: the programme's numbers for L&D, and whether the nudges worked
(bot/uplift.py: came back within 24 hours, nudged against not nudged and against a holdout)."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from adapters.cli.shared import content_or_report, opened_store
from bot.config import Settings
from bot.ports import Store
from bot.report import Event, Report, build_report
from bot.uplift import Uplift, measure
from bot.vocabulary import EventKind
from content.model import Curriculum


async def show(settings: Settings, first: str, last: str, csv_path: Path | None) -> int:
    from bot.spreadsheet import write_rows

    try:
        start_day, last_day = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError as error:
        print(f"Dates are YYYY-MM-DD: {error}", file=sys.stderr)
        return 1
    if last_day < start_day:
        print("--to must not be before --from", file=sys.stderr)
        return 1
    curriculum = content_or_report(settings)
    if curriculum is None:
        return 1
    start = datetime.combine(start_day, time(), UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(), UTC)
    async with opened_store(settings) as store:
        result = await programme_report(store, curriculum, start, end)
        uplift = await nudge_uplift(store, start, end, datetime.now(UTC))
    rows = result.rows() + uplift.rows()
    width = max(len(metric) for metric, _ in rows)
    for metric, value in rows:
        print(f"{metric:<{width}}  {value}")
    if csv_path is not None:
        with csv_path.open("w", newline="", encoding="utf-8") as file:
            write_rows(file, [("metric", "value"), *rows])  # every CSV the product writes is formula-safe
        print(f"Wrote {csv_path}")
    return 0


async def programme_report(store: Store, curriculum: Curriculum, start: datetime, end: datetime) -> Report:
    async with store.transaction() as tx:
        trail = await tx.trail.for_report(end)
    events = [
        Event(e.learner_id, e.kind, e.occurred_at, e.lesson_id, str(e.payload.get("credential")) if e.kind == EventKind.AWARDED else None)
        for e in trail
    ]
    return build_report(events, curriculum, start, end)


async def nudge_uplift(store: Store, start: datetime, end: datetime, now: datetime) -> Uplift:
    """Did the nudges work: the report's section on them (bot/uplift.py)."""
    async with store.transaction() as tx:
        return await measure(tx, start, end, now)
