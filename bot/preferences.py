"""Settings by buttons: timezone, daily time, pause, announcements and leaving. Platforms that do
not tell us a learner's timezone (Telegram) ask for it this way on first contact; every platform
offers the same buttons under /settings. Typed `/settings ...` arguments keep working too.

Actions stay far below Telegram's 64 bytes: `tzr:<mode>:<region>`, `tz:<mode>:<zone>` (the
longest IANA name is 32 characters), `time:<mode>:HH:MM`. The mode says what comes next:
`o` onboarding (ask the daily time, then offer the first lesson) or `s` settings (confirm)."""
from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import texts
from bot.holds import end_holds
from bot.replies import Button, Reply, Text
from bot.streaks import local_date
from bot.turn import Turn

ONBOARDING, SETTINGS = "o", "s"

# A short list per region, ordered west to east, each the largest city of a distinct zone.
REGIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Europe", ("Europe/London", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
                "Europe/Rome", "Europe/Warsaw", "Europe/Athens", "Europe/Helsinki", "Europe/Kyiv",
                "Europe/Istanbul", "Europe/Moscow")),
    ("Americas", ("Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver",
                  "America/Phoenix", "America/Chicago", "America/Mexico_City", "America/New_York",
                  "America/Toronto", "America/Bogota", "America/Sao_Paulo", "America/Argentina/Buenos_Aires")),
    ("Asia", ("Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok",
              "Asia/Jakarta", "Asia/Singapore", "Asia/Shanghai", "Asia/Manila", "Asia/Seoul",
              "Asia/Tokyo", "Asia/Jerusalem")),
    ("Africa", ("Africa/Casablanca", "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg",
                "Africa/Nairobi", "Africa/Accra")),
    ("Oceania", ("Australia/Perth", "Australia/Adelaide", "Australia/Brisbane", "Australia/Sydney",
                 "Pacific/Auckland", "Pacific/Fiji")),
    ("UTC", ("UTC",)),
)
DAILY_TIMES = ("07:00", "08:00", "09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00", "17:00", "18:00")
PAUSES = (("1 week", 7), ("2 weeks", 14), ("1 month", 30))


@dataclass(frozen=True)
class Pressed:
    """A preferences button, parsed: `kind` and the rest of the action."""

    kind: str
    mode: str
    value: str

    @classmethod
    def parse(cls, action: str) -> Pressed | None:
        kind, _, rest = action.partition(":")
        if kind in ("tzr", "tz", "time"):
            mode, _, value = rest.partition(":")
            return cls(kind, mode, value) if mode in (ONBOARDING, SETTINGS) else None
        if kind in ("set", "pause", "ann", "leave"):
            return cls(kind, SETTINGS, rest)
        return None


def region_picker(prompt: str, mode: str) -> Text:
    return Text(prompt, tuple(Button(name, f"tzr:{mode}:{i}") for i, (name, _) in enumerate(REGIONS)))


def zone_picker(region: int, mode: str, now: datetime) -> Text:
    name, zones = REGIONS[region]
    buttons = [Button(f"{_city(zone)} · {now.astimezone(ZoneInfo(zone)):%H:%M}", f"tz:{mode}:{zone}") for zone in zones]
    buttons.append(Button("◀ Other regions", f"tzr:{mode}:"))
    return Text(f"**{name}**: pick the place whose clock matches yours (its time now is shown).", tuple(buttons))


def time_picker(prompt: str, mode: str) -> Text:
    return Text(prompt, tuple(Button(t, f"time:{mode}:{t}") for t in DAILY_TIMES))


def settings_menu(turn: Turn, summary: str) -> Text:
    learner = turn.learner
    announce = Button("Announce my badges: turn off", "ann:off") if learner.announce else Button("Announce my badges: turn on", "ann:on")
    return Text(summary, (
        Button("Timezone", f"tzr:{SETTINGS}:"),
        Button("Daily time", "set:time"),
        Button("Pause", "set:pause"),
        Button("Resume", "pause:off"),
        announce,
        Button("Leave and delete my data", "set:leave"),
    ))


async def press(
    turn: Turn, pressed: Pressed, *, first_lesson_offer: Callable[[], Awaitable[Reply]] | None = None
) -> list[Reply]:
    """Apply one preferences button. `first_lesson_offer` ends onboarding once the time is set."""
    learner = turn.learner
    match pressed.kind:
        case "tzr":
            if pressed.value.isdigit() and int(pressed.value) < len(REGIONS):
                return [zone_picker(int(pressed.value), pressed.mode, turn.now)]
            return [region_picker("Where are you? Pick a region.", pressed.mode)]
        case "tz":
            try:
                ZoneInfo(pressed.value)
            except (ZoneInfoNotFoundError, ValueError):
                return [region_picker("That timezone is not one I know. Pick a region.", pressed.mode)]
            confirmation = await set_timezone(turn, pressed.value)
            if pressed.mode == ONBOARDING:
                return [time_picker(f"Timezone: **{pressed.value}**. When would you like your daily five-minute lesson?", ONBOARDING)]
            return [Text(confirmation)]
        case "time":
            if pressed.value not in DAILY_TIMES:
                return [time_picker("Pick one of these times.", pressed.mode)]
            learner.daily_time = pressed.value
            await turn.record("settings_changed", payload={"daily_time": pressed.value})
            confirmation = Text(
                f"Daily lesson at **{learner.daily_time}** ({learner.timezone}), "
                f"{texts.days_phrase(learner.working_days)}. Change it any time with /settings."
            )
            if pressed.mode == ONBOARDING and first_lesson_offer is not None:
                return [confirmation, await first_lesson_offer()]
            return [confirmation]
        case "set" if pressed.value == "time":
            return [time_picker("When would you like your daily five-minute lesson?", SETTINGS)]
        case "set" if pressed.value == "pause":
            return [Text(
                "Pause for how long? Your streak waits, and nothing new piles up meanwhile.",
                tuple(Button(label, f"pause:{days}") for label, days in PAUSES),
            )]
        case "pause":
            return [Text(await _pause(turn, pressed.value))]
        case "ann" if pressed.value in ("on", "off"):
            return [Text(await set_announce(turn, pressed.value == "on"))]
        case "set" if pressed.value == "leave":
            return [Text(texts.LEAVE_CONFIRM, (Button("Yes, delete my data", "leave:yes"), Button("No, stay", "leave:no")))]
        case "leave" if pressed.value == "yes":
            # Deleting cannot be undone: a second, explicit answer. (`leave:yes` used to delete at
            # once, so a button still showing in an old chat only asks again.)
            return [Text(texts.LEAVE_FINAL, (Button(texts.LEAVE_NOW, "leave:now", destructive=True), Button("No, stay", "leave:no")))]
        case "leave" if pressed.value == "now":
            await erase(turn)
            return [Text(texts.LEFT)]
        case "leave":
            return [Text(texts.LEAVE_STAYING)]
    return [Text("That button is no longer valid. /settings shows your settings.")]


async def set_timezone(turn: Turn, zone: str) -> str:
    """`zone` must be a valid IANA name (checked by the caller)."""
    turn.learner.timezone, turn.learner.timezone_confirmed = zone, True
    await turn.tx.recount_run(turn.learner)  # the run now ends at midnight in the new zone
    await turn.record("settings_changed", payload={"timezone": zone})
    return f"Timezone set to {zone}. Your streak keeps every day you have already learned."


async def set_announce(turn: Turn, on: bool) -> str:
    turn.learner.announce = on
    await turn.record("settings_changed", payload={"announce": on})
    if on:
        return "Your new badges will be announced in the team channel."
    return "Your badges will no longer be announced in the team channel. You still get them."


async def _pause(turn: Turn, value: str) -> str:
    today = local_date(turn.now, turn.learner.timezone)
    if value == "off":
        return await end_holds(turn, welcome="Welcome back! Your pause is over; /next continues where you are.")
    if not value.isdigit() or int(value) not in {days for _, days in PAUSES}:
        return "That button is no longer valid. /settings shows your settings."
    end = today + timedelta(days=int(value) - 1)
    await turn.tx.add_hold(turn.learner, today, end)
    await turn.record("settings_changed", payload={"hold": [today.isoformat(), end.isoformat()]})
    return f"Paused until {end}: your streak waits and I will not nudge you. Press Resume in /settings to come back sooner."


async def erase(turn: Turn) -> None:
    """Leaving: the learner's identity and personal settings are deleted. What remains (lessons
    done, answers' correctness, awards and their signed credentials, which name the learner
    only by a random subject id, forgotten here) is no longer linked to any person and only
    feeds anonymous counts."""
    learner = turn.learner
    await turn.record("left")
    await turn.tx.delete_holds(learner.id)
    await turn.tx.end_access(learner.id)  # a manager who leaves: every dashboard session and link ends now
    learner.platform_user_id = f"erased:{uuid.uuid4()}"
    learner.subject_id = None  # their credentials can no longer be matched to this record
    learner.display_name = ""
    learner.timezone, learner.timezone_confirmed = "UTC", False
    learner.announce = False
    learner.streak_days, learner.streak_last_day, learner.streak_ends_at, learner.last_learned_at = 0, None, None, None


def _city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")
