"""Ending vacation holds and pauses: one answer for `/settings hold off` and the Resume button."""

from __future__ import annotations

from bot import runs
from bot.streaks import local_date
from bot.turn import Turn
from bot.vocabulary import EventKind


async def end_holds(turn: Turn, *, welcome: str) -> str:
    """`/settings hold off` and Resume: a hold under way ends today (`welcome` says so), one that
    has not started is cancelled (and says which), and without either nothing changes."""
    today = local_date(turn.now, turn.learner.timezone)
    holds = [hold for hold in await turn.tx.holds.of(turn.learner.id) if hold.end >= today]
    t = turn.t
    if not holds:
        return t.gettext("You have no vacation hold or pause to end. /settings shows your settings.")
    await turn.tx.holds.end(turn.learner.id, today)
    await runs.recount(turn.tx, turn.learner)  # the run may now end sooner
    await turn.record(EventKind.SETTINGS_CHANGED, payload={"hold": "off"})
    said = [welcome] if any(hold.start <= today for hold in holds) else []
    planned = [(hold.start, hold.end) for hold in holds if hold.start > today]
    if planned:
        spans = t.gettext(" and the one ").join(
            t.gettext("from {first} to {last}").format(first=t.date(first), last=t.date(last)) for first, last in planned
        )
        said.append(
            t.ngettext(
                "Your vacation hold {spans} is cancelled: your daily lessons carry on as usual.",
                "Your vacation hold {spans} are cancelled: your daily lessons carry on as usual.",
                len(planned),
            ).format(spans=spans)
        )
    return " ".join(said)
