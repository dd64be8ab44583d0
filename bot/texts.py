"""What the bot says, as Markdown. Kept apart from the flow so wording can change freely."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import commands
from bot.awards import CredentialLinks
from bot.markup import literal
from bot.pathway import CredentialOnMap, LessonStatus, PathwayOnMap
from bot.progress import Standing
from bot.records import Award
from bot.suspension import Lapse
from content.model import Curriculum, Lesson

ADMINS_ONLY = "Only an L&D admin can make a team from a channel's members. Ask your L&D team to do it, or to give you the admin role."

SETTINGS_HELP = """Change a setting like this:
/settings timezone Europe/Berlin
/settings time 08:30
/settings days mon-fri   (or e.g. mon,tue,thu)
/settings hold 2026-12-22 2027-01-02   (a vacation: your streak waits)
/settings hold off
/settings announce off   (or on: your badges in the team channel)
/settings name on   (or off: your name on the credentials you earn from now on)"""

_MARK = {
    LessonStatus.DONE: "✅",
    LessonStatus.IN_PROGRESS: "▶️",
    LessonStatus.NEXT: "➡️",
    LessonStatus.AVAILABLE: "○",
    LessonStatus.LOCKED: "🔒",
}
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LEAVE_CONFIRM = (
    "Leaving deletes who you are from my records: your chat id, name, timezone and schedule. "
    "Your lessons and badges stay only as anonymous counts, and badges you already shared stay "
    "verifiable (they name you by a random id, and my record of which id is yours is deleted too). Leave now?"
)
LEAVE_FINAL = (
    "Last check: this cannot be undone. Your name, chat id, settings and streak are deleted for "
    "good, and your progress can no longer be linked to you. Delete your data now?"
)
LEAVE_NOW = "Delete my data now"
LEAVE_STAYING = "Glad you are staying! Nothing was deleted; /next continues where you are."
KEPT = (
    "Got it. I can't reach my records for a moment, so I have kept what you sent: it will count "
    "as soon as they are back, and I will carry on from there."
)  # said once while the database is away
LEFT = "Done: your personal data is deleted and I will not message you again. Say /start if you ever want to begin afresh."
PATH_ALL_DONE = "🎓 Every lesson on your pathway is done: there is nothing to continue right now."
PATH_NEXT_RECHECK = "🔁 Your next re-check is due {when}; I will offer it then."
PATH_BADGES = "🏅 /badges shows the badges you hold and what is left to earn."


def help_for(platform: str, role: str) -> str:
    """/help: what this person may type here (bot/commands.py), one command a line."""
    lines = [f"{command.usage}: {command.about}" for command in commands.offered(platform, role)]
    return "\n".join(["Here is what I understand:", *lines])


def days_phrase(working_days: str) -> str:
    """'12345' -> 'Monday to Friday'; '135' -> 'Mon, Wed, Fri'."""
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    digits = sorted(int(d) for d in working_days)
    if len(digits) > 2 and digits == list(range(digits[0], digits[-1] + 1)):
        return f"{names[digits[0] - 1]} to {names[digits[-1] - 1]}"
    return ", ".join(DAY_NAMES[d - 1] for d in digits)


def route_line(curriculum: Curriculum) -> str:
    """The whole route in one line: `A -> B => Certificate`."""
    route = " -> ".join(p.title for p in curriculum.pathways)
    certificates = [c.title for c in curriculum.credentials.values() if c.kind.value == "certificate" and not c.retired]
    return route + (" => " + ", ".join(certificates) if certificates else "")


def greeting(
    name: str, curriculum: Curriculum, first: Lesson | None, timezone: str | None, daily_time: str, working_days: str = "12345"
) -> str:
    """The first message. Without a timezone (the platform does not tell) the schedule is asked next."""
    hello = f"Hi {literal(name)}! " if name else "Hi! "
    lines = [
        hello + "I'm your learning buddy: a five-minute lesson a day, right here in chat, with quick "
        "checks, streaks and badges you can share.",
        "",
        f"**Your pathway:** {route_line(curriculum)}",
    ]
    if timezone is None:
        return "\n".join([*lines, "", "First, where are you? Then I can send your daily lesson at a time that suits you."])
    lines.append(f"**Daily lesson time:** {daily_time} ({timezone}), {days_phrase(working_days)}. Change it with /settings.")
    if first is not None:
        lines += ["", first_up(first)]
    return "\n".join(lines)


def first_up(first: Lesson) -> str:
    return f"First up: **{first.title}** ({first.minutes} min)."


def lesson_header(lesson_title: str, minutes: int | None, pathway: str | None, place: str) -> str:
    parts = [f"📘 **{lesson_title}**"]
    if minutes:
        parts.append(f"{minutes} min")
    if pathway:
        parts.append(f"{pathway} ({place})")
    return " · ".join(parts)


def pathway_map(pathways: tuple[PathwayOnMap, ...], credentials: list[CredentialOnMap]) -> str:
    lines = ["**Your pathway map**"]
    for item in pathways:
        lines += ["", f"**{item.pathway.title}** ({item.done} of {len(item.lessons)} done)"]
        for entry in item.lessons:
            line = f"{_MARK[entry.status]} {entry.lesson.title}"
            if entry.status is LessonStatus.NEXT:
                line += "  ← next"
            elif entry.status is LessonStatus.IN_PROGRESS:
                line += "  ← in progress"
            elif entry.status is LessonStatus.LOCKED:
                line += f"  (after {', '.join(entry.missing)})"
            lines.append(line)
    if credentials:
        lines += ["", "**Credentials**"]
        for credential in credentials:
            lines.append(credential_line(credential))
    return "\n".join(lines)


def credential_line(credential: CredentialOnMap) -> str:
    definition = credential.definition
    if definition.retired:  # on the map only when the learner was awarded it
        return f"🏅 **{definition.title}** ({definition.kind.value}): {RETIRED} /badges shows yours."
    met = sum(1 for need in credential.needs if need.met)
    head = f"🏅 **{definition.title}** ({definition.kind.value}): {met} of {len(credential.needs)} requirements met"
    missing = [need.label + (f" ({need.detail})" if need.detail else "") for need in credential.needs if not need.met]
    return head + ("\n   still needs: " + "; ".join(missing) if missing else "")


def progress(standing: Standing, curriculum: Curriculum, timezone: str) -> str:
    total = len(curriculum.lessons)
    lines = [
        "**Your progress**",
        f"🔥 Streak: {standing.streak} learning day{'s' if standing.streak != 1 else ''}",
        f"📚 Lessons done: {len(standing.completed)} of {total}",
    ]
    if standing.mastery:
        lines += ["", "**Mastery by skill**"]
        for skill_id, value in sorted(standing.mastery.items(), key=lambda kv: -kv[1]):
            skill = curriculum.skills.get(skill_id)
            name = skill.name if skill else skill_id
            lines.append(f"{bar(value)} {value:.0%} {name}")
    if standing.due_checks:
        lines += ["", f"🔁 {standing.due_checks} re-check{'s' if standing.due_checks != 1 else ''} due now: /next"]
    elif standing.next_due is not None:
        lines += ["", f"🔁 Next re-check: {when(standing.next_due, timezone)}"]
    return "\n".join(lines)


def bar(value: float, width: int = 10) -> str:
    filled = round(max(0.0, min(1.0, value)) * width)
    return "▓" * filled + "░" * (width - filled)


def when(instant: datetime, timezone: str) -> str:
    return instant.astimezone(ZoneInfo(timezone)).strftime("%a %d %b, %H:%M")


def settings(timezone: str, daily_time: str, working_days: str, holds: list[str], announce: bool, named: bool) -> str:
    days = ", ".join(DAY_NAMES[int(d) - 1] for d in sorted(working_days))
    lines = [
        "**Your settings**",
        f"Timezone: {timezone}",
        f"Daily lesson time: {daily_time}",
        f"Working days: {days}",
        f"Vacation hold: {', '.join(holds) if holds else 'none'}",
        f"Announce my badges in the team channel: {'on' if announce else 'off'}",
        f"My name on new credentials: {'on' if named else 'off'}",
        "",
        SETTINGS_HELP,
    ]
    return "\n".join(lines)


REISSUED = (
    "🔑 **Your credentials were signed again with a new key.** The old key was withdrawn to keep them trustworthy, "
    "so copies you downloaded or added to a wallet before no longer verify: take the new ones from their pages."
)


def name_on_credentials(on: bool, name: str) -> str:
    """What turning the name on credentials on or off means (`name` as the platform gives it)."""
    kept = "The ones you already hold stay as they are."
    if not on:
        return f"From now on, the badges and certificates you earn name you only by a random id, not by your name. {kept}"
    if not " ".join(name.split()):
        return f"From now on, the badges and certificates you earn carry your name, but I have no name for you here yet. {kept}"
    return f"From now on, the badges and certificates you earn carry your name: {literal(' '.join(name.split()))}. {kept}"


RETIRED = "retired, no longer awarded."


NO_BADGES = "No badges yet: a badge is earned by showing durable mastery, not by clicking through."


def earned(
    title: str,
    award: Award,
    now: datetime,
    links: CredentialLinks | None,
    *,
    renewable: bool,
    lapses: Sequence[Lapse] = (),
    retired: bool = False,
) -> list[str]:
    """A credential of /badges: held, with where to find it again (without an issuer: no links);
    a certificate suspended while a badge it stacks is not valid (`lapses`, bot/suspension.py);
    expired, and whether a refresher renews it; or revoked, when and why. `title` is authored;
    the reason was typed by an operator, so it is shown as typed. A `retired` one (no longer
    awarded, nor renewed) says so: the one held stays valid until it expires."""
    awarded = award.awarded_at.date().isoformat()
    if award.revoked_at is not None:
        why = f" Reason: {literal(award.revocation_reason)}" if award.revocation_reason else ""
        return [f"🚫 {title} (earned {awarded}): revoked on {award.revoked_at.date().isoformat()}.{why}"]
    if award.valid_until is not None and award.valid_until <= now:
        renew = " A short refresher renews it: /next" if renewable else f" It is {RETIRED}" if retired else ""
        return [f"⌛ {title} (earned {awarded}): expired on {award.valid_until.date().isoformat()}.{renew}"]
    until = f", valid until {award.valid_until.date().isoformat()}" if award.valid_until else ""
    if lapses:  # as the credential's page says it
        why = "; ".join(_lapse(lapse) for lapse in lapses)
        return [f"⏸ {title} (earned {awarded}{until}): suspended while a badge it stacks is not valid: {why}."]
    lines = [f"🏅 {title} (earned {awarded}{until})"]
    if retired:
        stays = "stays valid until it expires" if award.valid_until else "stays valid"
        lines[0] += f": {RETIRED} Yours {stays}."
    if links is not None:
        lines.append(f"   [Credential page]({links.page}) · [JSON file]({links.json}) · [Add to LinkedIn]({links.linkedin})")
    return lines


def _lapse(lapse: Lapse) -> str:
    if lapse.since is None:
        return f"{lapse.title} is not held"
    day = lapse.since.date().isoformat()
    return f"{lapse.title} was revoked on {day}" if lapse.how == "revoked" else f"{lapse.title} expired on {day}"
