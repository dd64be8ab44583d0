"""`xapi export OUT`: every learning event as an xAPI statement, one JSON object a line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from adapters.cli.shared import content_or_report, opened_store
from bot.config import Settings
from bot.ports import Store
from bot.xapi import Record


async def export_file(settings: Settings, out: Path) -> int:
    from tqdm import tqdm

    curriculum = content_or_report(settings)
    if curriculum is None:
        return 1
    record = Record(base_url=settings.public_url or settings.local_url, curriculum=curriculum)
    try:
        async with opened_store(settings) as store:
            with tqdm(unit="event", desc="Exporting", disable=None, file=sys.stderr) as bar:

                def advance(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                written = await export_xapi(store, record, out, progress=advance)
    except OSError as error:
        print(f"Cannot write {out}: {error}", file=sys.stderr)
        return 1
    print(f"Wrote {written} xAPI statements to {out}")
    return 0


async def export_xapi(
    store: Store, record: Record, out: Path, *, progress: Callable[[int, int], None] | None = None, batch: int = 2000
) -> int:
    """Every learning event as xAPI statements, one JSON object a line; returns how many."""
    async with store.transaction() as tx:
        total = await tx.trail.count()
    written, last_id, seen = 0, 0, 0
    temporary = out.with_name(out.name + ".partial")  # a failed export leaves no half file behind
    with temporary.open("w", encoding="utf-8") as file:
        while True:
            async with store.transaction() as tx:
                events = await tx.trail.after(last_id, batch)
            if not events:
                break
            for event in events:
                for statement in record.statements(event):
                    file.write(json.dumps(statement, ensure_ascii=False) + "\n")
                    written += 1
            last_id, seen = events[-1].id, seen + len(events)
            if progress is not None:
                progress(seen, total)
    temporary.replace(out)
    return written
