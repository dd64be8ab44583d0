"""`status`: learners; due, overdue and delivered nudges; errors; the holdout (who is held out of
daily offers, until when); xAPI forwarding; and what this machine's delivery journal holds that
is not recorded yet."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from adapters.cli.shared import opened_store
from bot.config import Settings
from bot.ports import Store
from bot.store.forwarding import ForwardingStore
from bot.vocabulary import Nudges


async def show(settings: Settings) -> int:
    from adapters.wiring import in_use
    from bot.store.database import create_engine

    async with opened_store(settings) as store:
        print("\n".join(in_use(settings)), file=sys.stderr)  # where, beside what: stdout stays the status
        engine = create_engine(settings.database_url)
        try:
            print(await status(store, now=datetime.now(UTC), forwarding=ForwardingStore(engine)))
        finally:
            await engine.dispose()
    print(await journal_status(settings.data_dir))
    return 0


async def journal_status(data_dir: Path) -> str:
    """What the platforms delivered to this machine and is not recorded yet (adapters/inbox.py)."""
    from adapters.inbox import FILE, Inbox, JournalUnavailable

    path = data_dir / FILE
    if not path.exists():
        return "Deliveries kept on this machine: none (no journal yet)"
    inbox = Inbox(path)
    try:
        backlog = await inbox.backlog()
    except JournalUnavailable as error:
        return f"Deliveries kept on this machine: unknown ({error})"
    finally:
        await inbox.close()
    oldest = f" (oldest received {datetime.fromtimestamp(backlog.oldest_at, UTC):%Y-%m-%d %H:%M} UTC)" if backlog.oldest_at else ""
    line = f"Deliveries kept on this machine, not recorded yet: {backlog.pending}{oldest}"
    if backlog.failed:
        line += f"; {backlog.failed} could not be handled (see the log)"
    return line


async def status(store: Store, *, now: datetime, forwarding: ForwardingStore | None = None) -> str:
    """`status`: learners, and due, overdue and delivered nudges; xAPI forwarding."""
    from bot import holdout

    async with store.transaction() as tx:
        report = await tx.nudges.delivery_status(now)
        held = await holdout.latest(tx, now)
    learners = ", ".join(f"{count} on {platform}" for platform, count in sorted(report.learners.items())) or "none yet"
    states = report.nudge_states
    lines = [
        f"Learners: {sum(report.learners.values())} ({learners})",
        f"  nudges on: {states.get(Nudges.ON, 0)}, dormant (ignored three offers): {states.get(Nudges.DORMANT, 0)}, "
        f"stopped (said /stop): {states.get(Nudges.STOPPED, 0)}",
        f"Nudges due now: {report.due} (overdue by more than 5 minutes: {report.overdue}); being sent: {report.in_flight}",
        f"Delivered in the last hour: {report.sent_last_hour}",
        f"Errors: {report.retrying} to be retried, {report.failed_last_day} given up in the last day"
        + (f"; last error: {report.last_error}" if report.last_error else ""),
        "Next nudge due: " + (f"{report.next_due:%Y-%m-%d %H:%M} UTC" if report.next_due else "none scheduled"),
    ]
    lines.append(held.summary(now) if held is not None else "Holdout: none (run_bot.py nudges holdout --share 0.1 --days 28 starts one)")
    if report.overdue:
        lines.append("Overdue nudges mean no `run_bot.py serve` is delivering for their platform, or it cannot keep up.")
    if forwarding is not None:
        lines += await forwarding_status(forwarding)
    return "\n".join(lines)


async def forwarding_status(forwarding: ForwardingStore) -> list[str]:
    states = await forwarding.states()
    if not states:
        return ["xAPI forwarding: nothing forwarded yet (set XAPI_ENDPOINT to forward the record to an LRS)"]
    lines = []
    for state in states:
        last = f"{state.forwarded_at:%Y-%m-%d %H:%M} UTC" if state.forwarded_at else "never"
        lines.append(
            f"xAPI forwarding to {state.endpoint}: {state.waiting} event(s) waiting; {state.forwarded} statement(s) "
            f"stored, {state.skipped} refused by the LRS and skipped; last forwarded: {last}"
        )
        if state.last_error:
            lines.append(f"  last error ({state.last_error_at:%Y-%m-%d %H:%M} UTC): {state.last_error}")
    return lines
