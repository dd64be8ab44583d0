"""What the bot says, as Markdown. Kept apart from the flow so wording can change freely.

Every text is said through the learner's Translator (bot/i18n.py): the English here is the
catalogs' source; a constant is marked with N_ and translated where it is said."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import commands
from bot.awards import CredentialLinks
from bot.i18n import N_, Translator
from bot.markup import literal
from bot.pathway import CredentialOnMap, LessonStatus, PathwayOnMap
from bot.progress import Standing
from bot.records import Award
from bot.suspension import Lapse
from content.model import Curriculum, Lesson

ADMINS_ONLY = N_("Only an L&D admin can make a team from a channel's members. Ask your L&D team to do it, or to give you the admin role.")

SETTINGS_HELP = N_("""Change a setting like this:
/settings timezone Europe/Berlin
/settings time 08:30
/settings days mon-fri   (or e.g. mon,tue,thu)
/settings hold 2026-12-22 2027-01-02   (a vacation: your streak waits)
/settings hold off
/settings announce off   (or on: your badges in the team channel)
/settings name on   (or off: your name on the credentials you earn from now on)
/settings language de   (or en: the language I speak to you in)""")

# A lesson's status on the map: a mark to see at a glance, and words for everyone (a screen
# reader says the words; not everyone reads the marks alike).
_MARK = {
    LessonStatus.DONE: ("✅", N_("done")),
    LessonStatus.IN_PROGRESS: ("▶️", N_("in progress")),
    LessonStatus.NEXT: ("➡️", N_("next")),
    LessonStatus.AVAILABLE: ("○", N_("open")),
    LessonStatus.LOCKED: ("🔒", N_("locked")),
}
# How `/settings days` is typed: English day names, whatever the learner's language (like the commands).
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LEAVE_CONFIRM = N_(
    "Leaving deletes who you are from my records: your chat id, name, timezone and schedule. "
    "Your lessons and badges stay only as anonymous counts, and badges you already shared stay "
    "verifiable (they name you by a random id, and my record of which id is yours is deleted too). Leave now?"
)
LEAVE_FINAL = N_(
    "Last check: this cannot be undone. Your name, chat id, settings and streak are deleted for "
    "good, and your progress can no longer be linked to you. Delete your data now?"
)
LEAVE_NOW = N_("Delete my data now")
LEAVE_STAYING = N_("Glad you are staying! Nothing was deleted; /next continues where you are.")
KEPT = N_(
    "Got it. I can't reach my records for a moment, so I have kept what you sent: it will count "
    "as soon as they are back, and I will carry on from there."
)  # said once while the database is away
LEFT = N_("Done: your personal data is deleted and I will not message you again. Say /start if you ever want to begin afresh.")
PATH_ALL_DONE = N_("🎓 Every lesson on your pathway is done: there is nothing to continue right now.")
PATH_NEXT_RECHECK = N_("🔁 Your next re-check is due {when}; I will offer it then.")
PATH_BADGES = N_("🏅 /badges shows the badges you hold and what is left to earn.")
REISSUED = N_(
    "🔑 **Your credentials were signed again with a new key.** The old key was withdrawn to keep them trustworthy, "
    "so copies you downloaded or added to a wallet before no longer verify: take the new ones from their pages."
)
RETIRED = N_("retired, no longer awarded.")
NO_BADGES = N_("No badges yet: a badge is earned by showing durable mastery, not by clicking through.")


def help_for(t: Translator, platform: str, role: str) -> str:
    """/help: what this person may type here (bot/commands.py), one command a line."""
    lines = [f"{command.usage}: {t.gettext(command.about)}" for command in commands.offered(platform, role)]
    return "\n".join([t.gettext("Here is what I understand:"), *lines])


def days_phrase(t: Translator, working_days: str) -> str:
    """'12345' -> 'Monday to Friday'; '135' -> 'Mon, Wed, Fri'."""
    digits = sorted(int(d) for d in working_days)
    if len(digits) > 2 and digits == list(range(digits[0], digits[-1] + 1)):
        first, last = t.day_name(digits[0], short=False), t.day_name(digits[-1], short=False)
        return t.gettext("{first} to {last}").format(first=first, last=last)
    return day_list(t, working_days)


def day_list(t: Translator, working_days: str) -> str:
    """'135' -> 'Mon, Wed, Fri'."""
    return ", ".join(t.day_name(int(d)) for d in sorted(working_days))


def kind_name(t: Translator, kind: str) -> str:
    """A credential's kind (content.model.CredentialKind's value) in words."""
    names = {"badge": t.gettext("badge"), "certificate": t.gettext("certificate")}
    return names.get(kind, kind)


def route_line(curriculum: Curriculum) -> str:
    """The whole route in one line: `A -> B => Certificate`."""
    route = " -> ".join(p.title for p in curriculum.pathways)
    certificates = [c.title for c in curriculum.credentials.values() if c.kind.value == "certificate" and not c.retired]
    return route + (" => " + ", ".join(certificates) if certificates else "")


def greeting(
    t: Translator,
    name: str,
    curriculum: Curriculum,
    first: Lesson | None,
    timezone: str | None,
    daily_time: str,
    working_days: str = "12345",
) -> str:
    """The first message. Without a timezone (the platform does not tell) the schedule is asked next."""
    hello = t.gettext("Hi {name}! ").format(name=literal(name)) if name else t.gettext("Hi! ")
    lines = [
        hello
        + t.gettext(
            "I'm your learning buddy: a five-minute lesson a day, right here in chat, with quick checks, streaks and badges you can share."
        ),
        "",
        t.gettext("**Your pathway:** {route}").format(route=route_line(curriculum)),
    ]
    if timezone is None:
        return "\n".join([*lines, "", t.gettext("First, where are you? Then I can send your daily lesson at a time that suits you.")])
    lines.append(
        t.gettext("**Daily lesson time:** {time} ({timezone}), {days}. Change it with /settings.").format(
            time=daily_time, timezone=timezone, days=days_phrase(t, working_days)
        )
    )
    if first is not None:
        lines += ["", first_up(t, first)]
    return "\n".join(lines)


def first_up(t: Translator, first: Lesson) -> str:
    return t.gettext("First up: **{lesson}** ({minutes} min).").format(lesson=first.title, minutes=first.minutes)


def lesson_header(t: Translator, lesson_title: str, minutes: int | None, pathway: str | None, place: str) -> str:
    parts = [f"📘 **{lesson_title}**"]
    if minutes:
        parts.append(t.gettext("{minutes} min").format(minutes=minutes))
    if pathway:
        parts.append(f"{pathway} ({place})")
    return " · ".join(parts)


def pathway_map(t: Translator, pathways: tuple[PathwayOnMap, ...], credentials: list[CredentialOnMap]) -> str:
    lines = [t.gettext("**Your pathway map**")]
    for item in pathways:
        done = t.gettext("{done} of {total} done").format(done=item.done, total=len(item.lessons))
        lines += ["", f"**{item.pathway.title}** ({done})"]
        for entry in item.lessons:
            mark, status = _MARK[entry.status]
            line = f"{mark} {t.gettext(status)}: {entry.lesson.title}"
            if entry.status is LessonStatus.LOCKED:
                line += " " + t.gettext("(after {lessons})").format(lessons=", ".join(entry.missing))
            lines.append(line)
    if credentials:
        lines += ["", t.gettext("**Credentials**")]
        for credential in credentials:
            lines.append(credential_line(t, credential))
    return "\n".join(lines)


def credential_line(t: Translator, credential: CredentialOnMap) -> str:
    definition = credential.definition
    kind = kind_name(t, definition.kind.value)
    if definition.retired:  # on the map only when the learner was awarded it
        return t.gettext("🏅 **{title}** ({kind}): {retired} /badges shows yours.").format(
            title=definition.title, kind=kind, retired=t.gettext(RETIRED)
        )
    met = sum(1 for need in credential.needs if need.met)
    head = t.gettext("🏅 **{title}** ({kind}): {met} of {total} requirements met").format(
        title=definition.title, kind=kind, met=met, total=len(credential.needs)
    )
    missing = [need.said(t.gettext) for need in credential.needs if not need.met]
    return head + ("\n   " + t.gettext("still needs: {missing}").format(missing="; ".join(missing)) if missing else "")


def progress(t: Translator, standing: Standing, curriculum: Curriculum, timezone: str) -> str:
    total = len(curriculum.lessons)
    lines = [
        t.gettext("**Your progress**"),
        "🔥 " + t.ngettext("Streak: {days} learning day", "Streak: {days} learning days", standing.streak).format(days=standing.streak),
        "📚 " + t.gettext("Lessons done: {done} of {total}").format(done=len(standing.completed), total=total),
    ]
    if standing.mastery:
        lines += ["", t.gettext("**Mastery by skill**")]
        for skill_id, value in sorted(standing.mastery.items(), key=lambda kv: -kv[1]):
            skill = curriculum.skills.get(skill_id)
            name = skill.name if skill else skill_id
            lines.append(f"{bar(value)} {value:.0%} {name}")
    if standing.due_checks:
        due = t.ngettext("{count} re-check due now: /next", "{count} re-checks due now: /next", standing.due_checks)
        lines += ["", "🔁 " + due.format(count=standing.due_checks)]
    elif standing.next_due is not None:
        lines += ["", "🔁 " + t.gettext("Next re-check: {when}").format(when=when(t, standing.next_due, timezone))]
    return "\n".join(lines)


def bar(value: float, width: int = 10) -> str:
    filled = round(max(0.0, min(1.0, value)) * width)
    return "▓" * filled + "░" * (width - filled)


def when(t: Translator, instant: datetime, timezone: str) -> str:
    return t.moment(instant, timezone)


def on_off(t: Translator, on: bool) -> str:
    return t.gettext("on") if on else t.gettext("off")


def language_name(language: str) -> str:
    """A language by its own name, as a person looking for theirs reads it."""
    return {"en": "English", "de": "Deutsch"}.get(language, language)


def settings(
    t: Translator, timezone: str, daily_time: str, working_days: str, holds: list[str], announce: bool, named: bool, language: str
) -> str:
    lines = [
        t.gettext("**Your settings**"),
        t.gettext("Timezone: {timezone}").format(timezone=timezone),
        t.gettext("Daily lesson time: {time}").format(time=daily_time),
        t.gettext("Working days: {days}").format(days=day_list(t, working_days)),
        t.gettext("Vacation hold: {holds}").format(holds=", ".join(holds) if holds else t.gettext("none")),
        t.gettext("Announce my badges in the team channel: {state}").format(state=on_off(t, announce)),
        t.gettext("My name on new credentials: {state}").format(state=on_off(t, named)),
        t.gettext("Language: {language}").format(language=language_name(language)),
        "",
        t.gettext(SETTINGS_HELP),
    ]
    return "\n".join(lines)


def name_on_credentials(t: Translator, on: bool, name: str) -> str:
    """What turning the name on credentials on or off means (`name` as the platform gives it)."""
    kept = t.gettext("The ones you already hold stay as they are.")
    if not on:
        said = t.gettext("From now on, the badges and certificates you earn name you only by a random id, not by your name.")
    elif not " ".join(name.split()):
        said = t.gettext("From now on, the badges and certificates you earn carry your name, but I have no name for you here yet.")
    else:
        said = t.gettext("From now on, the badges and certificates you earn carry your name: {name}.").format(
            name=literal(" ".join(name.split()))
        )
    return f"{said} {kept}"


def earned(
    t: Translator,
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
    awarded = t.date(award.awarded_at)
    if award.revoked_at is not None:
        why = " " + t.gettext("Reason: {reason}").format(reason=literal(award.revocation_reason)) if award.revocation_reason else ""
        said = t.gettext("🚫 {title} (earned {awarded}): revoked on {day}.").format(
            title=title, awarded=awarded, day=t.date(award.revoked_at)
        )
        return [said + why]
    if award.valid_until is not None and award.valid_until <= now:
        if renewable:
            renew = " " + t.gettext("A short refresher renews it: /next")
        else:
            renew = " " + t.gettext("It is {retired}").format(retired=t.gettext(RETIRED)) if retired else ""
        said = t.gettext("⌛ {title} (earned {awarded}): expired on {day}.").format(
            title=title, awarded=awarded, day=t.date(award.valid_until)
        )
        return [said + renew]
    if award.valid_until:
        held = t.gettext("earned {awarded}, valid until {day}").format(awarded=awarded, day=t.date(award.valid_until))
    else:
        held = t.gettext("earned {awarded}").format(awarded=awarded)
    if lapses:  # as the credential's page says it
        why = "; ".join(_lapse(t, lapse) for lapse in lapses)
        return [
            t.gettext("⏸ {title} ({held}): suspended while a badge it stacks is not valid: {why}.").format(title=title, held=held, why=why)
        ]
    lines = [f"🏅 {title} ({held})"]
    if retired:
        stays = t.gettext("Yours stays valid until it expires.") if award.valid_until else t.gettext("Yours stays valid.")
        lines[0] += f": {t.gettext(RETIRED)} {stays}"
    if links is not None:
        pieces = (
            f"[{t.gettext('Credential page')}]({links.page})",
            f"[{t.gettext('JSON file')}]({links.json})",
            f"[{t.gettext('Add to LinkedIn')}]({links.linkedin})",
        )
        lines.append("   " + " · ".join(pieces))
    return lines


def _lapse(t: Translator, lapse: Lapse) -> str:
    if lapse.since is None:
        return t.gettext("{title} is not held").format(title=lapse.title)
    day = t.date(lapse.since)
    if lapse.how == "revoked":
        return t.gettext("{title} was revoked on {day}").format(title=lapse.title, day=day)
    return t.gettext("{title} expired on {day}").format(title=lapse.title, day=day)
