"""Settings by buttons: timezone, daily time, pause, announcements, the name on new credentials
and leaving. Platforms that do not tell us a learner's timezone (Telegram) ask for it this way on
first contact; every platform offers the same buttons under /settings. Typed `/settings ...`
arguments keep working too.

The buttons' actions are bot/actions.py's: a picker's mode says what comes next, onboarding (ask
the daily time, then offer the first lesson) or settings (confirm)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import actions, i18n, runs, texts
from bot.actions import Mode
from bot.holds import end_holds
from bot.i18n import N_, Translator
from bot.replies import Reply, Text
from bot.streaks import local_date
from bot.turn import Turn
from bot.vocabulary import EventKind

# A short list per region, ordered west to east, each the largest city of a distinct zone.
REGIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Europe",
        (
            "Europe/London",
            "Europe/Lisbon",
            "Europe/Paris",
            "Europe/Berlin",
            "Europe/Madrid",
            "Europe/Rome",
            "Europe/Warsaw",
            "Europe/Athens",
            "Europe/Helsinki",
            "Europe/Kyiv",
            "Europe/Istanbul",
            "Europe/Moscow",
        ),
    ),
    (
        "Americas",
        (
            "Pacific/Honolulu",
            "America/Anchorage",
            "America/Los_Angeles",
            "America/Denver",
            "America/Phoenix",
            "America/Chicago",
            "America/Mexico_City",
            "America/New_York",
            "America/Toronto",
            "America/Bogota",
            "America/Sao_Paulo",
            "America/Argentina/Buenos_Aires",
        ),
    ),
    (
        "Asia",
        (
            "Asia/Dubai",
            "Asia/Karachi",
            "Asia/Kolkata",
            "Asia/Dhaka",
            "Asia/Bangkok",
            "Asia/Jakarta",
            "Asia/Singapore",
            "Asia/Shanghai",
            "Asia/Manila",
            "Asia/Seoul",
            "Asia/Tokyo",
            "Asia/Jerusalem",
        ),
    ),
    ("Africa", ("Africa/Casablanca", "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi", "Africa/Accra")),
    ("Oceania", ("Australia/Perth", "Australia/Adelaide", "Australia/Brisbane", "Australia/Sydney", "Pacific/Auckland", "Pacific/Fiji")),
    ("UTC", ("UTC",)),
)
REGION_NAMES = {"Europe": N_("Europe"), "Americas": N_("Americas"), "Asia": N_("Asia"), "Africa": N_("Africa"), "Oceania": N_("Oceania")}
DAILY_TIMES = ("07:00", "08:00", "09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00", "17:00", "18:00")
PAUSES = ((N_("1 week"), 7), (N_("2 weeks"), 14), (N_("1 month"), 30))


def region_picker(t: Translator, prompt: str, mode: Mode) -> Text:
    return Text(prompt, tuple(actions.button(_region(t, name), actions.PickRegion(mode, i)) for i, (name, _) in enumerate(REGIONS)))


def zone_picker(t: Translator, region: int, mode: Mode, now: datetime) -> Text:
    name, zones = REGIONS[region]
    buttons = [actions.button(f"{_city(zone)} · {now.astimezone(ZoneInfo(zone)):%H:%M}", actions.PickZone(mode, zone)) for zone in zones]
    buttons.append(actions.button("◀ " + t.gettext("Other regions"), actions.PickRegion(mode, None)))
    said = t.gettext("**{region}**: pick the place whose clock matches yours (its time now is shown).").format(region=_region(t, name))
    return Text(said, tuple(buttons))


def time_picker(prompt: str, mode: Mode) -> Text:
    return Text(prompt, tuple(actions.button(time, actions.PickTime(mode, time)) for time in DAILY_TIMES))


def settings_menu(turn: Turn, summary: str) -> Text:
    learner, t = turn.learner, turn.t
    announce = (
        actions.button(t.gettext("Announce my badges: turn off"), actions.Announce(False))
        if learner.announce
        else actions.button(t.gettext("Announce my badges: turn on"), actions.Announce(True))
    )
    named = (
        actions.button(t.gettext("My name on new credentials: turn off"), actions.NameOnCredentials(False))
        if learner.name_on_credentials
        else actions.button(t.gettext("My name on new credentials: turn on"), actions.NameOnCredentials(True))
    )
    # Each other language by its own name, so a learner who cannot read this one finds theirs.
    languages = tuple(
        actions.button(texts.language_name(language), actions.ChooseLanguage(language))
        for language in i18n.LANGUAGES
        if language != i18n.language_of(learner)
    )
    return Text(
        summary,
        (
            actions.button(t.gettext("Timezone"), actions.PickRegion(Mode.SETTINGS, None)),
            actions.button(t.gettext("Daily time"), actions.AskTime()),
            actions.button(t.gettext("Pause"), actions.AskPause()),
            actions.button(t.gettext("Resume"), actions.EndPause()),
            announce,
            named,
            *languages,
            actions.button(t.gettext("Leave and delete my data"), actions.AskLeave()),
        ),
    )


async def press(
    turn: Turn, pressed: actions.Preference, *, first_lesson_offer: Callable[[], Awaitable[Reply]] | None = None
) -> list[Reply]:
    """Apply one preferences button. `first_lesson_offer` ends onboarding once the time is set."""
    learner, t = turn.learner, turn.t
    match pressed:
        case actions.PickRegion(mode, region):
            if region is not None and region < len(REGIONS):
                return [zone_picker(t, region, mode, turn.now)]
            return [region_picker(t, t.gettext("Where are you? Pick a region."), mode)]
        case actions.PickZone(mode, zone):
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                return [region_picker(t, t.gettext("That timezone is not one I know. Pick a region."), mode)]
            confirmation = await set_timezone(turn, zone)
            if mode is Mode.ONBOARDING:
                asked = t.gettext("Timezone: **{zone}**. When would you like your daily five-minute lesson?").format(zone=zone)
                return [time_picker(asked, Mode.ONBOARDING)]
            return [Text(confirmation)]
        case actions.PickTime(mode, time):
            if time not in DAILY_TIMES:
                return [time_picker(t.gettext("Pick one of these times."), mode)]
            learner.daily_time = time
            await turn.record(EventKind.SETTINGS_CHANGED, payload={"daily_time": time})
            time_set = Text(
                t.gettext("Daily lesson at **{time}** ({timezone}), {days}. Change it any time with /settings.").format(
                    time=learner.daily_time, timezone=learner.timezone, days=texts.days_phrase(t, learner.working_days)
                )
            )
            if mode is Mode.ONBOARDING and first_lesson_offer is not None:
                return [time_set, await first_lesson_offer()]
            return [time_set]
        case actions.AskTime():
            return [time_picker(t.gettext("When would you like your daily five-minute lesson?"), Mode.SETTINGS)]
        case actions.AskPause():
            return [
                Text(
                    t.gettext("Pause for how long? Your streak waits, and nothing new piles up meanwhile."),
                    tuple(actions.button(t.gettext(label), actions.Pause(days)) for label, days in PAUSES),
                )
            ]
        case actions.EndPause():
            welcome = t.gettext("Welcome back! Your pause is over; /next continues where you are.")
            return [Text(await end_holds(turn, welcome=welcome))]
        case actions.Pause(days):
            return [Text(await _pause(turn, days))]
        case actions.Announce(on):
            return [Text(await set_announce(turn, on))]
        case actions.NameOnCredentials(on):
            return [Text(await set_name_on_credentials(turn, on))]
        case actions.ChooseLanguage(language) if language in i18n.LANGUAGES:
            return [Text(await set_language(turn, language))]
        case actions.AskLeave():
            return [
                Text(
                    t.gettext(texts.LEAVE_CONFIRM),
                    (
                        actions.button(t.gettext("Yes, delete my data"), actions.ConfirmLeave()),
                        actions.button(t.gettext("No, stay"), actions.Stay()),
                    ),
                )
            ]
        case actions.ConfirmLeave():
            # Deleting cannot be undone: a second, explicit answer. (`leave:yes` used to delete at
            # once, so a button still showing in an old chat only asks again.)
            return [
                Text(
                    t.gettext(texts.LEAVE_FINAL),
                    (
                        actions.button(t.gettext(texts.LEAVE_NOW), actions.LeaveNow(), destructive=True),
                        actions.button(t.gettext("No, stay"), actions.Stay()),
                    ),
                )
            ]
        case actions.LeaveNow():
            left = t.gettext(texts.LEFT)  # said in their language, which leaving forgets
            await erase(turn)
            return [Text(left)]
        case actions.Stay():
            return [Text(t.gettext(texts.LEAVE_STAYING))]
    return [Text(t.gettext("That button is no longer valid. /settings shows your settings."))]


async def set_timezone(turn: Turn, zone: str) -> str:
    """`zone` must be a valid IANA name (checked by the caller)."""
    turn.learner.timezone, turn.learner.timezone_confirmed = zone, True
    await runs.recount(turn.tx, turn.learner)  # the run now ends at midnight in the new zone
    await turn.record(EventKind.SETTINGS_CHANGED, payload={"timezone": zone})
    return turn.t.gettext("Timezone set to {zone}. Your streak keeps every day you have already learned.").format(zone=zone)


async def set_announce(turn: Turn, on: bool) -> str:
    turn.learner.announce = on
    await turn.record(EventKind.SETTINGS_CHANGED, payload={"announce": on})
    if on:
        return turn.t.gettext("Your new badges will be announced in the team channel.")
    return turn.t.gettext("Your badges will no longer be announced in the team channel. You still get them.")


async def set_name_on_credentials(turn: Turn, on: bool) -> str:
    """The learner's choice for the credentials issued from now on; those already issued stay
    as they were signed. The trail keeps the choice, never the name."""
    learner = turn.learner
    learner.name_on_credentials = on
    await turn.record(EventKind.SETTINGS_CHANGED, payload={"name_on_credentials": on})
    return texts.name_on_credentials(turn.t, on, learner.display_name)


async def set_language(turn: Turn, language: str) -> str:
    """The learner's choice (one of i18n.LANGUAGES): kept whatever their client's language is,
    and said in the language chosen. Progress is the same in every language."""
    i18n.choose(turn.learner, language)
    await turn.record(EventKind.SETTINGS_CHANGED, payload={"language": language})
    return turn.t.gettext("I will speak {language} with you from now on. Your streak, mastery and badges stay as they are.").format(
        language=texts.language_name(language)
    )


async def _pause(turn: Turn, days: int) -> str:
    today = local_date(turn.now, turn.learner.timezone)
    t = turn.t
    if days not in {offered for _, offered in PAUSES}:
        return t.gettext("That button is no longer valid. /settings shows your settings.")
    end = today + timedelta(days=days - 1)
    await turn.tx.holds.add(turn.learner.id, today, end)
    await runs.recount(turn.tx, turn.learner)  # the pause may move the run's end
    await turn.record(EventKind.SETTINGS_CHANGED, payload={"hold": [today.isoformat(), end.isoformat()]})
    return t.gettext(
        "Paused until {day}: your streak waits and I will not nudge you. Press Resume in /settings to come back sooner."
    ).format(day=t.date(end))


async def erase(turn: Turn) -> None:
    """Leaving: the learner's identity and personal settings are deleted. What remains (lessons
    done, answers' correctness, awards and their signed credentials, which name the learner
    only by a random subject id, forgotten here) is no longer linked to any person and only
    feeds anonymous counts."""
    learner = turn.learner
    await turn.record(EventKind.LEFT)
    await turn.tx.holds.delete_all(learner.id)
    await turn.tx.access.end_all(learner.id)  # a manager who leaves: every dashboard session and link ends now
    learner.platform_user_id = f"erased:{uuid.uuid4()}"
    learner.subject_id = None  # their credentials can no longer be matched to this record
    learner.display_name = ""
    learner.timezone, learner.timezone_confirmed = "UTC", False
    learner.announce = False
    learner.name_on_credentials = False
    learner.language, learner.language_chosen = None, False
    learner.streak_days, learner.streak_last_day, learner.streak_ends_at, learner.last_learned_at = 0, None, None, None


def _region(t: Translator, name: str) -> str:
    return t.gettext(REGION_NAMES[name]) if name in REGION_NAMES else name


def _city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")
