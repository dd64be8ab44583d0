"""`/settings`: timezone, daily time, working days, vacation holds, announcements and the name on
new credentials, with specific errors."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import i18n, preferences, programme, runs, texts
from bot.holds import end_holds
from bot.markup import literal
from bot.streaks import local_date
from bot.turn import Turn
from bot.vocabulary import EventKind, NudgeKind, Role

_DAYS = {name.lower(): i + 1 for i, name in enumerate(texts.DAY_NAMES)}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_days(text: str) -> str | None:
    """'mon-fri', 'mon,tue,thu', 'mon-sat' -> ISO weekday digits, or None when unreadable."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first[:3] not in _DAYS or (last and last[:3] not in _DAYS):
            return None
        start, end = _DAYS[first[:3]], _DAYS[last[:3]] if last else _DAYS[first[:3]]
        if end < start:
            return None
        days.update(range(start, end + 1))
    return "".join(str(d) for d in sorted(days)) or None


async def apply_setting(turn: Turn, args: str) -> str:
    learner = turn.learner
    name, _, value = args.partition(" ")
    name, value = name.lower(), value.strip()
    if name in ("timezone", "tz"):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return f"'{literal(value[:60])}' is not a timezone I know. Use a name like Europe/Berlin or America/New_York."
        return await preferences.set_timezone(turn, value)
    if name == "language":
        return await _language(turn, value.lower())
    if name == "time":
        match = _TIME.match(value)
        if not match:
            return f"'{literal(value[:60])}' is not a time. Use 24-hour HH:MM, for example 08:30."
        learner.daily_time = f"{int(match[1]):02d}:{match[2]}"
        await turn.record(EventKind.SETTINGS_CHANGED, payload={"daily_time": learner.daily_time})
        return f"Daily lesson time set to {learner.daily_time} ({learner.timezone})."
    if name == "days":
        days = parse_days(value)
        if days is None:
            return f"'{literal(value[:60])}' is not a list of days. Use for example mon-fri or mon,tue,thu."
        learner.working_days = days
        await runs.recount(turn.tx, learner)  # past days may no longer be required, or newly be
        await turn.record(EventKind.SETTINGS_CHANGED, payload={"working_days": days})
        return f"Working days set to {', '.join(texts.DAY_NAMES[int(d) - 1] for d in days)}."
    if name == "hold":
        return await _hold(turn, value)
    if name == "announce":
        if value.lower() not in ("on", "off"):
            return "Say /settings announce on or /settings announce off."
        return await preferences.set_announce(turn, value.lower() == "on")
    if name == "name":
        if value.lower() not in ("on", "off"):
            return "Say /settings name on or /settings name off."
        return await preferences.set_name_on_credentials(turn, value.lower() == "on")
    if name == "digest" and Role(learner.role).at_least(Role.MANAGER):
        return await _digest(turn, value.lower())
    holds = [f"{h.start} to {h.end}" for h in await turn.tx.holds.of(learner.id) if h.end >= local_date(turn.now, learner.timezone)]
    return texts.settings(learner.timezone, learner.daily_time, learner.working_days, holds, learner.announce, learner.name_on_credentials)


async def _language(turn: Turn, value: str) -> str:
    """The learner's choice of language: kept whatever their client's language is."""
    if value not in i18n.LANGUAGES:
        return f"Say /settings language {' or /settings language '.join(i18n.LANGUAGES)}."
    i18n.choose(turn.learner, value)
    await turn.record(EventKind.SETTINGS_CHANGED, payload={"language": value})
    return f"Language set to {value}."


async def _hold(turn: Turn, value: str) -> str:
    parts = value.split()
    if parts == ["off"]:
        return await end_holds(turn, welcome="Vacation hold ended. Welcome back!")
    try:
        start, end = (date.fromisoformat(p) for p in parts) if len(parts) == 2 else (None, None)
    except ValueError:
        start = end = None
    if start is None or end is None:
        return "Give the first and last day of your vacation as dates: /settings hold 2026-12-22 2027-01-02"
    if end < start:
        return "The last day of a hold must not be before its first day."
    today = local_date(turn.now, turn.learner.timezone)
    if end < today:
        return (
            f"A vacation hold is for days to come: {start} to {end} is already over (today is {today}). "
            f"Give today or a later day as the last day, for example /settings hold {today} {today + timedelta(days=6)}"
        )
    if (end - start).days > 92:
        return "A vacation hold can last at most 3 months."
    await turn.tx.holds.add(turn.learner.id, start, end)
    await runs.recount(turn.tx, turn.learner)  # a hold may reach back over days already missed, or move the run's end
    await turn.record(EventKind.SETTINGS_CHANGED, payload={"hold": [start.isoformat(), end.isoformat()]})
    return f"Vacation hold from {start} to {end}: your streak waits for you. Enjoy!"


async def _digest(turn: Turn, value: str) -> str:
    """A manager's weekly digest (bot/programme.py), on unless they turn it off."""
    if value not in ("on", "off"):
        wanted = await programme.digest_wanted(turn.tx, turn.learner)
        return (programme.DIGEST_ON if wanted else programme.DIGEST_OFF) + " Say /settings digest on or /settings digest off."
    await turn.record(EventKind.DIGEST_CHOSEN, payload={"digest": value})
    if value == "off":
        await turn.tx.nudges.cancel(turn.learner.id, (NudgeKind.DIGEST,), turn.now)
        return "Weekly digest off. /settings digest on brings it back."
    return programme.DIGEST_ON
