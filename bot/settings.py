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
    learner, t = turn.learner, turn.t
    name, _, value = args.partition(" ")
    name, value = name.lower(), value.strip()
    if name in ("timezone", "tz"):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return t.gettext("'{typed}' is not a timezone I know. Use a name like Europe/Berlin or America/New_York.").format(
                typed=literal(value[:60])
            )
        return await preferences.set_timezone(turn, value)
    if name == "language":
        return await _language(turn, value.lower())
    if name == "time":
        match = _TIME.match(value)
        if not match:
            return t.gettext("'{typed}' is not a time. Use 24-hour HH:MM, for example 08:30.").format(typed=literal(value[:60]))
        learner.daily_time = f"{int(match[1]):02d}:{match[2]}"
        await turn.record(EventKind.SETTINGS_CHANGED, payload={"daily_time": learner.daily_time})
        return t.gettext("Daily lesson time set to {time} ({timezone}).").format(time=learner.daily_time, timezone=learner.timezone)
    if name == "days":
        days = parse_days(value)
        if days is None:
            return t.gettext("'{typed}' is not a list of days. Use for example mon-fri or mon,tue,thu.").format(typed=literal(value[:60]))
        learner.working_days = days
        await runs.recount(turn.tx, learner)  # past days may no longer be required, or newly be
        await turn.record(EventKind.SETTINGS_CHANGED, payload={"working_days": days})
        return t.gettext("Working days set to {days}.").format(days=texts.day_list(t, days))
    if name == "hold":
        return await _hold(turn, value)
    if name == "announce":
        if value.lower() not in ("on", "off"):
            return t.gettext("Say /settings announce on or /settings announce off.")
        return await preferences.set_announce(turn, value.lower() == "on")
    if name == "name":
        if value.lower() not in ("on", "off"):
            return t.gettext("Say /settings name on or /settings name off.")
        return await preferences.set_name_on_credentials(turn, value.lower() == "on")
    if name == "digest" and Role(learner.role).at_least(Role.MANAGER):
        return await _digest(turn, value.lower())
    today = local_date(turn.now, learner.timezone)
    holds = [
        t.gettext("{first} to {last}").format(first=t.date(h.start), last=t.date(h.end))
        for h in await turn.tx.holds.of(learner.id)
        if h.end >= today
    ]
    return texts.settings(
        t,
        learner.timezone,
        learner.daily_time,
        learner.working_days,
        holds,
        learner.announce,
        learner.name_on_credentials,
        i18n.language_of(learner),
    )


async def _language(turn: Turn, value: str) -> str:
    """The learner's choice of language: kept whatever their client's language is."""
    if value not in i18n.LANGUAGES:
        choices = ", ".join(f"/settings language {language} ({texts.language_name(language)})" for language in i18n.LANGUAGES)
        return turn.t.gettext("Say one of: {choices}").format(choices=choices)
    return await preferences.set_language(turn, value)


async def _hold(turn: Turn, value: str) -> str:
    parts, t = value.split(), turn.t
    if parts == ["off"]:
        return await end_holds(turn, welcome=t.gettext("Vacation hold ended. Welcome back!"))
    try:
        start, end = (date.fromisoformat(p) for p in parts) if len(parts) == 2 else (None, None)
    except ValueError:
        start = end = None
    if start is None or end is None:
        return t.gettext("Give the first and last day of your vacation as dates: /settings hold 2026-12-22 2027-01-02")
    if end < start:
        return t.gettext("The last day of a hold must not be before its first day.")
    today = local_date(turn.now, turn.learner.timezone)
    if end < today:
        return t.gettext(
            "A vacation hold is for days to come: {first} to {last} is already over (today is {today}). "
            "Give today or a later day as the last day, for example /settings hold {example}"
        ).format(first=start, last=end, today=today, example=f"{today} {today + timedelta(days=6)}")
    if (end - start).days > 92:
        return t.gettext("A vacation hold can last at most 3 months.")
    await turn.tx.holds.add(turn.learner.id, start, end)
    await runs.recount(turn.tx, turn.learner)  # a hold may reach back over days already missed, or move the run's end
    await turn.record(EventKind.SETTINGS_CHANGED, payload={"hold": [start.isoformat(), end.isoformat()]})
    return t.gettext("Vacation hold from {first} to {last}: your streak waits for you. Enjoy!").format(
        first=t.date(start), last=t.date(end)
    )


async def _digest(turn: Turn, value: str) -> str:
    """A manager's weekly digest (bot/programme.py), on unless they turn it off."""
    t = turn.t
    if value not in ("on", "off"):
        wanted = await programme.digest_wanted(turn.tx, turn.learner)
        state = t.gettext(programme.DIGEST_ON if wanted else programme.DIGEST_OFF)
        return state + " " + t.gettext("Say /settings digest on or /settings digest off.")
    await turn.record(EventKind.DIGEST_CHOSEN, payload={"digest": value})
    if value == "off":
        await turn.tx.nudges.cancel(turn.learner.id, (NudgeKind.DIGEST,), turn.now)
        return t.gettext("Weekly digest off. /settings digest on brings it back.")
    return t.gettext(programme.DIGEST_ON)
