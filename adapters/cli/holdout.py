"""`nudges holdout [--share S --days N | --end]`: a share of learners without daily offers for a
while, so that the nudge's uplift is measured (bot/holdout.py); without options, who is held out."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from adapters.cli.shared import opened_store
from bot.config import Settings
from bot.ports import Store

SHOWN = 50  # names listed; the count says the rest


async def command(settings: Settings, share: float | None, days: int | None, end: bool) -> int:
    async with opened_store(settings) as store:
        try:
            print(await holdout_command(store, share=share, days=days, end=end, now=datetime.now(UTC)))
        except ValueError as refused:
            print(f"nudges holdout: {refused}", file=sys.stderr)
            return 1
    return 0


async def holdout_command(store: Store, *, share: float | None, days: int | None, end: bool, now: datetime) -> str:
    """What the command prints; ValueError (bot.holdout.HoldoutRefused) for what cannot be done."""
    from bot import holdout

    if end and (share is not None or days is not None):
        raise holdout.HoldoutRefused("--end takes no --share or --days")
    if (share is None) != (days is None):
        raise holdout.HoldoutRefused("a holdout needs both --share (e.g. 0.1) and --days (e.g. 28)")
    async with store.transaction() as tx:
        lines = []
        if end:
            ended = await holdout.end(tx, now)
            lines.append(f"Ended holdout {ended.id}: daily offers go to everyone again from the next one.")
        elif share is not None and days is not None:
            made = await holdout.start(tx, share=share, days=days, now=now)
            lines.append(f"Started holdout {made.id}.")
        shown = await holdout.latest(tx, now)
    if shown is None:
        return "No holdout yet. run_bot.py nudges holdout --share 0.1 --days 28 holds 10% of learners out of daily offers for 28 days."
    lines.append(shown.summary(now))
    names = [f"  {_plain(p.display_name.strip() or '(no name)')} ({p.platform} {_plain(p.platform_user_id)})" for p in shown.held_out]
    if names:
        lines.append("Held out:" if shown.holdout.running(now) else "It held out:")
        lines += names[:SHOWN]
        if len(names) > SHOWN:
            lines.append(f"  ... and {len(names) - SHOWN} more")
    lines.append("run_bot.py report --from DAY --to DAY measures the uplift (nudged against held out, with a 95% interval).")
    return "\n".join(lines)


def _plain(text: str) -> str:
    """A name as the characters typed, on one line: no control characters reach the terminal."""
    return "".join(c if c.isprintable() else " " for c in text)
