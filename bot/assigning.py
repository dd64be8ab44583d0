"""`/assign` in chat: a manager or admin assigns a credential or pathway, with a due date, to a
person, a team or everyone in a job role; and `/assign withdraw` takes one back. Then the notice
that tells each person assigned, once, at the next moment the bot may message them.

    /assign loto-practitioner to team Maintenance by 2026-04-30
    /assign Workplace Safety L1 to role machine-operator in 30 days
    /assign deckhand to Ana Lima 14 days after joining      (Slack: to @Ana)
    /assign withdraw loto-practitioner from team Maintenance

The access rules are the dashboard's (bot/team.py): an admin reaches everyone; a manager only the
people in the teams they manage (`team X` must be one of them, `role X` means their teams'
people in that role); anyone else is refused, as with /team. A person is named as the dashboard
shows them (case does not matter; two of that name: both listed, nothing assigned, and
`learner <id>` picks one) or, on Slack, by a mention (`<@U123>`, `<@U123|name>`). Nothing is
written unless all of it can be: an unknown or retired credential, nobody to assign to, or a
due date already past for anyone is a reply that says so. The rules of what counts, what is met
and the record in the trail are bot/assignments.py's."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import actions, commands
from bot.assigned_view import due_words, source
from bot.assignments import ROLE_PREFIX, Due, Origin, assign, current, due_date, is_met, local_date, title_of, withdraw
from bot.events import LearnerRef
from bot.i18n import SOURCE, Translator, language_of
from bot.markup import literal
from bot.records import Assignment, Learner, Team, TrailEvent
from bot.replies import Reply, Text
from bot.team import visible_teams
from bot.turn import Turn
from bot.vocabulary import EventKind, NudgeKind, Nudges, NudgeStatus, Platform, Role, Target
from content.model import CredentialKind, Curriculum

MAX_DAYS = 3650  # "in N days": ten years at most
NOT_FOR_YOU = "/assign is for managers. Ask your L&D team if you should have access."
NOTICE_LIMIT = 8  # assignments listed in one notice; the rest: "and N more"
TOLD_KEPT = 50  # notices looked back on for what was told already
USAGE_TEAMS = 30  # teams named in /assign's usage

_SPLIT_TO = re.compile(r"\s+to\s+", re.IGNORECASE)
_SPLIT_FROM = re.compile(r"\s+from\s+", re.IGNORECASE)
_WHEN = re.compile(
    r"\s+(?:by\s+(?P<on>\S+)|(?:in|within)\s+(?P<days>\d+)\s+days?|(?P<after>\d+)\s+days?\s+after\s+joining)\s*$",
    re.IGNORECASE,
)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_MENTIONS = re.compile(r"(?:<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s,]*(?:and\s+)?)+", re.IGNORECASE)
_LEARNER_ID = re.compile(r"learner\s+(\d{1,12})", re.IGNORECASE)
_KIND_WORDS = {"credential": Target.CREDENTIAL, "badge": Target.CREDENTIAL, "certificate": Target.CREDENTIAL, "pathway": Target.PATHWAY}


class Refused(Exception):
    """Why nothing was assigned, in words for the manager (Markdown; people's text is literal)."""


@dataclass(frozen=True)
class What:
    kind: Target
    id: str
    title: str

    def shown(self, curriculum: Curriculum) -> str:
        if self.kind is Target.PATHWAY:
            return f"**{self.title}** (pathway)"
        definition = curriculum.credentials.get(self.id)
        return f"**{self.title}** ({definition.kind.value if definition is not None else 'credential'})"


@dataclass(frozen=True)
class When:
    on: date | None = None
    days: int | None = None
    after_joining: bool = False

    def due_for(self, learner: Learner, now: datetime) -> date:
        return due_date(learner, now, on=self.on, days=self.days, after_joining=self.after_joining)


@dataclass(frozen=True)
class Who:
    people: tuple[Learner, ...]
    described: str  # "team Maintenance", "Ana Lima", "3 people in role Machine Operator": Markdown


# --- the command -------------------------------------------------------------------------------------
async def command(turn: Turn, curriculum: Curriculum, args: str) -> Text:
    """`/assign ...` as typed (after the command's name)."""
    viewer = turn.learner
    if not commands.ASSIGN.allows(viewer.role):
        return Text(NOT_FOR_YOU)
    text = " ".join(args.split())
    try:
        if not text:
            return Text(await usage(turn, curriculum))
        first, _, rest = text.partition(" ")
        if first.lower() == "withdraw":
            return Text(await _withdraw(turn, curriculum, rest))
        return Text(await _assign(turn, curriculum, text))
    except Refused as refused:
        return Text(str(refused))


async def _assign(turn: Turn, curriculum: Curriculum, text: str) -> str:
    what, rest = _split(curriculum, text, _SPLIT_TO, "to", turn.learner.platform)
    when_found = _WHEN.search(" " + rest)
    if when_found is None:
        raise Refused(
            f"By when? End with a due date: `by {_example_day(turn)}`, `in 30 days` or `30 days after joining`.\n\n"
            + _examples(turn.learner.platform)
        )
    who_text = (" " + rest)[: when_found.start()].strip()
    when = _when(when_found, turn)
    who = await _who(turn, curriculum, who_text)
    dues = {person.id: when.due_for(person, turn.now) for person in who.people}
    passed = [p for p in who.people if dues[p.id] < local_date(turn.now, p.timezone)]
    if passed:
        raise Refused(_past_text(when, passed, len(who.people)))
    ids = [p.id for p in who.people]
    assigned_to = await turn.tx.assignments.of_many(ids)
    same = 0
    for person in who.people:
        existing = current(assigned_to.get(person.id, []), turn.now).get((what.kind, what.id))
        if existing is not None and existing.due_on == dues[person.id]:
            same += 1  # typed again (or assigned so before): nothing new for them, as on the dashboard
            continue
        await assign(
            turn.tx,
            person,
            what.kind,
            what.id,
            due_on=dues[person.id],
            origin=Origin.MANAGER,
            by=turn.learner.id,
            now=turn.now,
            notify=person.id != turn.learner.id,  # a manager assigning themself knows
        )
    met = await _already_met(turn, curriculum, what, who.people)
    return _assigned_text(turn, curriculum, what, who, when, dues, met=met, same=same)


async def _withdraw(turn: Turn, curriculum: Curriculum, text: str) -> str:
    if not text:
        raise Refused(f"What, and from whom? For example: `{_prefix(turn.learner.platform)}assign withdraw deckhand from team Deck`.")
    what, who_text = _split(curriculum, text, _SPLIT_FROM, "from", turn.learner.platform)
    who = await _who(turn, curriculum, who_text)
    withdrawn = by_role = none = 0
    for person in who.people:
        counting = current(await turn.tx.assignments.of(person.id), turn.now).get((what.kind, what.id))
        if counting is None:
            none += 1
        elif counting.origin.startswith(ROLE_PREFIX):
            by_role += 1  # their job role requires it: changing the role is what takes it back
        elif await withdraw(turn.tx, person, counting, by=turn.learner.id, now=turn.now):
            withdrawn += 1
    lines = [f"Withdrew {what.shown(curriculum)} from {_people(withdrawn)} ({who.described})." if withdrawn else "Nothing was withdrawn."]
    if by_role:
        lines.append(f"{_people(by_role).capitalize()} {_has(by_role)} it from a job role that requires it: change their job role instead.")
    if none:
        lines.append(f"{_people(none).capitalize()} had nothing of it assigned.")
    if withdrawn:
        lines.append("It no longer shows in their /path; whoever was told of it is told it was withdrawn.")
    return "\n".join(lines)


# --- reading what was typed -----------------------------------------------------------------------
def _split(curriculum: Curriculum, text: str, word: re.Pattern[str], said: str, platform: str) -> tuple[What, str]:
    """What is assigned, and the rest, at the first `to` (or `from`) whose left side names a
    credential or pathway: a title may hold the word too."""
    splits = list(word.finditer(text))
    if not splits:
        raise Refused(f"Whom to? Write `{said}` before who it is for.\n\n" + _examples(platform))
    for split in splits:
        found = _what(curriculum, text[: split.start()], platform, refuse=False)
        if found is not None:
            return found, text[split.end() :].strip()
    _what(curriculum, text[: splits[0].start()], platform, refuse=True)
    raise AssertionError("unreachable: refuse=True raises")


def _what(curriculum: Curriculum, typed: str, platform: str, *, refuse: bool) -> What | None:
    text = " ".join(_unescaped(typed, platform).split())
    found = _named_target(curriculum, text, (Target.CREDENTIAL, Target.PATHWAY))
    word, _, rest = text.partition(" ")
    if not found and word.lower() in _KIND_WORDS and rest:  # `pathway seamanship`, `credential deckhand`
        text = rest
        found = _named_target(curriculum, text, (_KIND_WORDS[word.lower()],))
    if not found:
        if refuse:
            raise Refused(
                f"I don't know “{literal(text)}”: name a credential or pathway by its id or exact title.\n\n{_catalogue(curriculum)}"
            )
        return None
    if len(found) > 1:
        raise Refused(f"“{literal(text)}” is both a credential and a pathway: write `credential {found[0].id}` or `pathway {found[1].id}`.")
    what = found[0]
    definition = curriculum.credentials.get(what.id) if what.kind is Target.CREDENTIAL else None
    if definition is not None and definition.retired:
        reason = f" ({literal(definition.retired_reason)})" if definition.retired_reason else ""
        raise Refused(f"**{what.title}** is retired{reason}: it is no longer awarded, so it cannot be assigned. Nothing was assigned.")
    return what


def _named_target(curriculum: Curriculum, text: str, kinds: tuple[Target, ...]) -> list[What]:
    """The credentials and pathways whose id or title (any case) is `text`."""
    wanted = text.casefold()
    found = []
    if Target.CREDENTIAL in kinds:
        found += [What(Target.CREDENTIAL, c.id, c.title) for c in curriculum.credentials.values() if wanted in (c.id, c.title.casefold())]
    if Target.PATHWAY in kinds:
        found += [What(Target.PATHWAY, p.id, p.title) for p in curriculum.pathways if wanted in (p.id, p.title.casefold())]
    return found


def _when(found: re.Match[str], turn: Turn) -> When:
    if found["on"] is not None:
        typed = found["on"]
        try:
            if not _ISO_DAY.fullmatch(typed):
                raise ValueError(typed)
            day = date.fromisoformat(typed)
        except ValueError:
            raise Refused(f"“{literal(typed)}” is not a date I can read: write it as YYYY-MM-DD, e.g. `by {_example_day(turn)}`.") from None
        if day > local_date(turn.now, turn.learner.timezone) + timedelta(days=MAX_DAYS):
            raise Refused(f"{day:%d %B %Y} is more than ten years away: give a nearer due date.")
        return When(on=day)
    days = int(found["days"] if found["days"] is not None else found["after"])
    if days > MAX_DAYS:
        raise Refused(f"{days} days is more than ten years: give a nearer due date.")
    return When(days=days, after_joining=found["after"] is not None)


async def _who(turn: Turn, curriculum: Curriculum, typed: str) -> Who:
    viewer, tx = turn.learner, turn.tx
    text = typed.strip()
    if not text:
        raise Refused("Who is it for? Name `team NAME`, `role ROLE` or a person.\n\n" + _examples(viewer.platform))
    teams = await visible_teams(tx, viewer)
    word, _, rest = text.partition(" ")
    if word.lower() == "team" and rest:
        return await _team(turn, teams, _unescaped(rest, viewer.platform))
    if word.lower() == "role" and rest:
        return await _role(turn, curriculum, teams, _unescaped(rest, viewer.platform))
    if viewer.platform == Platform.SLACK and _MENTIONS.fullmatch(text):
        return await _mentioned(turn, teams, _MENTION.findall(text))
    return await _named(turn, teams, _unescaped(text, viewer.platform))


async def _team(turn: Turn, teams: list[Team], name: str) -> Who:
    wanted = _folded(name)
    found = next((t for t in teams if _folded(t.name) == wanted), None)
    if found is None:
        mine = ", ".join(literal(t.name) for t in teams) or "none yet"
        scope = "Teams" if turn.learner.role == Role.ADMIN else "The teams you manage"
        raise Refused(f"No team called “{literal(name)}” that you can assign to. {scope}: {mine}.")
    people = tuple(await turn.tx.teams.members(found.id))
    if not people:
        raise Refused(f"Team {literal(found.name)} has nobody in it yet: nothing was assigned.")
    return Who(people, f"team {literal(found.name)}")


async def _role(turn: Turn, curriculum: Curriculum, teams: list[Team], typed: str) -> Who:
    wanted = _folded(typed)
    role = next((r for r in curriculum.roles.values() if wanted in (r.id, r.title.casefold())), None)
    if role is None:
        known = ", ".join(f"`{r.id}` ({r.title})" for r in curriculum.roles.values()) or "none"
        raise Refused(f"I don't know the job role “{literal(typed)}”. Job roles: {known}.")
    holders = [p for i in await turn.tx.job_roles.holders(role.id, at=turn.now) if (p := await turn.tx.learners.by_id(i)) is not None]
    if turn.learner.role != Role.ADMIN:
        managed = {t.id for t in teams}
        holders = [p for p in holders if p.team_id in managed]
    if not holders:
        where = "" if turn.learner.role == Role.ADMIN else " in the teams you manage"
        raise Refused(f"Nobody{where} holds the job role {role.title}: nothing was assigned.")
    return Who(tuple(holders), f"job role {role.title}")


async def _mentioned(turn: Turn, teams: list[Team], user_ids: Sequence[str]) -> Who:
    people: list[Learner] = []
    for user_id in dict.fromkeys(user_ids):
        person = await turn.tx.learners.find(turn.learner.platform, user_id)
        if person is None or person.left:
            raise Refused(
                "I don't know someone you named yet: they have not written to me, and no team sync or import added them. "
                "Nothing was assigned."
            )
        if not _may_reach(turn.learner, {t.id for t in teams}, person):
            raise Refused(f"{_name(person)} is not in a team you manage: you can assign only to your teams' people. Nothing was assigned.")
        people.append(person)
    return Who(tuple(people), ", ".join(_name(p) for p in people))


async def _named(turn: Turn, teams: list[Team], typed: str) -> Who:
    team_names = {t.id: t.name for t in teams}
    candidates = [person for t in teams for person in await turn.tx.teams.members(t.id)]
    by_id = _LEARNER_ID.fullmatch(typed.strip())
    wanted = _folded(typed)
    found = [p for p in candidates if _folded(_shown_name(p)) == wanted or (by_id is not None and p.id == int(by_id[1]))]
    found = list({p.id: p for p in found}.values())
    where = "in any team" if turn.learner.role == Role.ADMIN else "in the teams you manage"
    if not found:
        hint = " Write `team NAME` for a whole team, or `role ROLE` for a job role."
        if turn.learner.platform == Platform.SLACK:
            hint += " Or pick the person with @."
        raise Refused(f"No one called “{literal(typed)}” {where}.{hint}")
    if len(found) > 1:
        listed = "; ".join(f"{_name(p)} (team {literal(team_names.get(p.team_id or 0, '?'))}, `learner {p.id}`)" for p in found)
        raise Refused(
            f"{len(found)} people {where} are called “{literal(typed)}”: {listed}. Nothing was assigned: "
            "write `learner ID` instead of the name to pick one."
        )
    return Who((found[0],), _name(found[0]))


def _may_reach(viewer: Learner, managed: set[int], person: Learner) -> bool:
    """The dashboard's rule: an admin reaches everyone; a manager their teams' people."""
    return viewer.role == Role.ADMIN or (viewer.role == Role.MANAGER and person.team_id is not None and person.team_id in managed)


# --- what the manager reads -------------------------------------------------------------------------
async def _already_met(turn: Turn, curriculum: Curriculum, what: What, people: Sequence[Learner]) -> int:
    """How many of them need do nothing more: it is held and stays valid past the due date (or
    the pathway is done)."""
    ids = [p.id for p in people]
    awards = await turn.tx.awards.held_by(ids) if what.kind is Target.CREDENTIAL else []
    completed = await turn.tx.sessions.completed_lessons_of(ids) if what.kind is Target.PATHWAY else {}
    assigned_to = await turn.tx.assignments.of_many(ids)
    met = 0
    for person in people:
        assigned = current(assigned_to.get(person.id, []), turn.now).get((what.kind, what.id))
        if assigned is not None and is_met(
            curriculum,
            assigned,
            awards=[a for a in awards if a.learner_id == person.id],
            completed=completed.get(person.id, set()),
            at=turn.now,
            timezone=person.timezone,
        ):
            met += 1
    return met


def _assigned_text(
    turn: Turn, curriculum: Curriculum, what: What, who: Who, when: When, dues: dict[int, date], *, met: int, same: int
) -> str:
    today = local_date(turn.now, turn.learner.timezone)
    count = len(who.people)
    days = sorted(set(dues.values()))
    if len(days) == 1:
        due = f"due {due_words(days[0], today)}"
    elif when.after_joining:
        due = f"due {when.days} days after each one joined ({_day(days[0])} to {_day(days[-1])})"
    else:
        due = f"due in {when.days} days by each one's own calendar ({_day(days[0])} to {_day(days[-1])})"
    one = count == 1 and not who.described.startswith(("team ", "job role "))
    whom = who.described if one else f"{_people(count)} ({who.described})"
    lines = [f"📌 Assigned {what.shown(curriculum)} to {whom}, {due}."]
    if same == count:
        lines[0] = f"{what.shown(curriculum)} was assigned to {whom} already, {due}: nothing changed."
        return "\n".join(lines)
    if same:
        lines.append(f"{_people(same).capitalize()} had it assigned already, due then: nothing new for them.")
    if met:
        lines.append(f"{_people(met).capitalize()} already {_has(met)} it, valid past the due date: nothing more to do there.")
    lines.append("They will see it at the top of /path, and I will tell them in chat at the next moment I may message them.")
    return "\n".join(lines)


def _past_text(when: When, passed: Sequence[Learner], count: int) -> str:
    if when.on is not None:
        return f"{when.on:%d %B %Y} has passed: give a due date from today on. Nothing was assigned."
    names = ", ".join(_name(p) for p in passed[:5]) + (f" and {len(passed) - 5} more" if len(passed) > 5 else "")
    return (
        f"For {len(passed)} of the {_people(count)} ({names}) {when.days} days after joining has passed already. "
        f"Nothing was assigned: give them `in N days` or `by DATE` instead."
    )


async def usage(turn: Turn, curriculum: Curriculum) -> str:
    """`/assign` alone: how to write it, and what may be named in it."""
    viewer = turn.learner
    teams = await visible_teams(turn.tx, viewer)
    lines = [
        "**Assign a credential or pathway, with a due date**",
        _examples(viewer.platform),
        "",
        _catalogue(curriculum),
        ("**Teams**: " if viewer.role == Role.ADMIN else "**Your teams**: ") + _listed([literal(t.name) for t in teams]),
    ]
    if curriculum.roles:
        lines.append("**Job roles**: " + ", ".join(f"`{r.id}` ({r.title})" for r in curriculum.roles.values()))
    person = "a person by their name as the dashboard shows it"
    lines.append(f"**People**: {person}" + (", or pick them with @." if viewer.platform == Platform.SLACK else "."))
    return "\n".join(lines)


def _examples(platform: str) -> str:
    cmd = _prefix(platform) + "assign"
    person = "@Ana" if platform == Platform.SLACK else "Ana Lima"
    return "\n".join(
        [
            f"`{cmd} CREDENTIAL-OR-PATHWAY to WHO by YYYY-MM-DD` (or `in N days`, or `N days after joining`), for example:",
            f"`{cmd} loto-practitioner to team Maintenance by 2026-04-30`",
            f"`{cmd} workplace-safety to role machine-operator in 30 days`",
            f"`{cmd} Lockout/Tagout Practitioner to {person} 14 days after joining`",
            f"To take one back: `{cmd} withdraw loto-practitioner from team Maintenance`",
        ]
    )


def _catalogue(curriculum: Curriculum) -> str:
    credentials = [c for c in curriculum.credentials.values() if not c.retired]
    lines = []
    for kind in (CredentialKind.BADGE, CredentialKind.CERTIFICATE):
        shown = [f"`{c.id}` ({c.title})" for c in credentials if c.kind is kind]
        if shown:
            lines.append(f"**{kind.value.capitalize()}s**: " + ", ".join(shown))
    if curriculum.pathways:
        lines.append("**Pathways**: " + ", ".join(f"`{p.id}` ({p.title})" for p in curriculum.pathways))
    return "\n".join(lines)


def _listed(names: Sequence[str]) -> str:
    """Names, at most USAGE_TEAMS of them (an admin may see hundreds of teams)."""
    if not names:
        return "none yet"
    more = f" and {len(names) - USAGE_TEAMS} more" if len(names) > USAGE_TEAMS else ""
    return ", ".join(names[:USAGE_TEAMS]) + more


def _prefix(platform: str) -> str:
    return "/learn " if platform == Platform.SLACK else "/"


def _example_day(turn: Turn) -> str:
    return (local_date(turn.now, turn.learner.timezone) + timedelta(days=30)).isoformat()


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _has(count: int) -> str:
    return "has" if count == 1 else "have"


def _shown_name(person: Learner) -> str:
    """As the dashboard shows a person (bot/team.py)."""
    return person.display_name or f"learner {person.id}"


def _name(person: Learner) -> str:
    return literal(" ".join(_shown_name(person).split()))


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _unescaped(text: str, platform: str) -> str:
    """Slack sends `&`, `<` and `>` typed in a slash command as HTML entities."""
    return html.unescape(text) if platform == Platform.SLACK else text


# --- the notice the learner gets --------------------------------------------------------------------
async def notice(turn: Turn, curriculum: Curriculum) -> list[Reply]:
    """What was assigned to the learner and not told yet (and still counts, and is not met):
    what, by whom, due when, with a Start button; and what they were told of and is no longer
    asked of them (withdrawn, by a manager, L&D or a role that ended). A nudge the bot starts
    (NudgeKind.ASSIGNED).

    Unlike the other nudges this one writes: it records in the trail which assignments it tells
    (EventKind.ASSIGNMENT_TOLD), under the learner's lock, so that two notices claimed at once
    (two assignments a moment apart) tell each assignment once. A notice that did not go out (a
    platform error, Slack's Do Not Disturb) is tried again by the dispatcher: then what the last
    notice told is told again."""
    tx, now = turn.tx, turn.now
    learner, _ = await tx.learners.locked(LearnerRef(turn.learner.platform, turn.learner.platform_user_id), now=now)
    if learner.nudges == Nudges.STOPPED or learner.left:
        return []
    notices = await tx.trail.recent(learner.id, (EventKind.ASSIGNMENT_TOLD,), TOLD_KEPT)
    told = {int(i) for event in notices for i in (event.payload or {}).get("assignments", [])}
    told_gone = {int(i) for event in notices for i in (event.payload or {}).get("withdrawn", [])}
    if notices and await _last_notice_not_sent(turn, learner.id):
        told -= {int(i) for i in (notices[0].payload or {}).get("assignments", [])}
        told_gone -= {int(i) for i in (notices[0].payload or {}).get("withdrawn", [])}
    found = await tx.assignments.of(learner.id)
    awards = await tx.awards.of(learner.id)
    completed = await tx.sessions.completed_lessons(learner.id)
    today = local_date(now, learner.timezone)
    counting = current(found, now)

    def met(assignment: Assignment) -> bool:
        return is_met(curriculum, assignment, awards=awards, completed=completed, at=now, timezone=learner.timezone)

    fresh: list[Due] = []
    for assignment in sorted(counting.values(), key=lambda a: (a.due_on, a.id)):
        title = title_of(curriculum, assignment.target_kind, assignment.target_id)
        if assignment.id in told or title is None or met(assignment):
            continue
        by = await tx.learners.by_id(assignment.assigned_by) if assignment.assigned_by is not None else None
        name = by.display_name if by is not None and not by.left and by.display_name.strip() else None
        fresh.append(Due(assignment, title, overdue=today > assignment.due_on, by=name))
    gone: list[Assignment] = []  # told of, withdrawn since, and not asked of them any more by another assignment
    for assignment in sorted(found, key=lambda a: a.id):
        withdrawn = assignment.withdrawn_at is not None and assignment.withdrawn_at <= now
        if not withdrawn or assignment.id not in told or assignment.id in told_gone:
            continue
        if (assignment.target_kind, assignment.target_id) in counting or met(assignment):
            continue
        if title_of(curriculum, assignment.target_kind, assignment.target_id) is not None:
            gone.append(assignment)
    if not fresh and not gone:
        return []
    payload = {"assignments": [d.assignment.id for d in fresh], "withdrawn": [a.id for a in gone]}
    await tx.trail.add(learner.id, TrailEvent(EventKind.ASSIGNMENT_TOLD, now, today, payload=payload, learner_id=learner.id))
    t = turn.t
    seen = curriculum.in_language(language_of(learner))
    parts = [notice_text(fresh, seen, today, t)] if fresh else []
    parts += [withdrawn_text(gone, seen, t)] if gone else []
    buttons = (
        actions.button(t.gettext("Start"), actions.CONTINUE),
        actions.button(t.gettext("My path"), actions.RunCommand(commands.PATH.name)),
    )
    return [Text("\n\n".join(parts), buttons if fresh else (buttons[1],))]


def withdrawn_text(gone: Sequence[Assignment], curriculum: Curriculum, t: Translator = SOURCE) -> str:
    """The learner's notice of what is no longer asked of them, in `t`'s language."""
    titles = [f"**{title_of(curriculum, a.target_kind, a.target_id)}**" for a in gone[:NOTICE_LIMIT]]
    more = len(gone) - len(titles)
    listed = ", ".join(titles) + (" " + t.gettext("…and {count} more.").format(count=more) if more else "")
    if len(gone) == 1:
        return "🗂 " + t.gettext(
            "**No longer asked of you**: {titles}. It was withdrawn, so it is off /path; what you learned for it stays yours."
        ).format(titles=listed)
    return "🗂 " + t.gettext(
        "**No longer asked of you**: {titles}. They were withdrawn, so they are off /path; what you learned for them stays yours."
    ).format(titles=listed)


def notice_text(fresh: Sequence[Due], curriculum: Curriculum, today: date, t: Translator = SOURCE) -> str:
    """The learner's notice of what was assigned to them, in `t`'s language."""

    def line(due: Due) -> str:
        definition = curriculum.credentials.get(due.assignment.target_id)
        if due.assignment.target_kind is Target.PATHWAY:
            kind = t.gettext("pathway")
        elif definition is None:
            kind = t.gettext("credential")
        else:
            kind = t.gettext("certificate") if definition.kind.value == "certificate" else t.gettext("badge")
        title = title_of(curriculum, due.assignment.target_kind, due.assignment.target_id) or due.title  # in the learner's language
        return t.gettext("**{title}** ({kind}), due {when} · {source}").format(
            title=title, kind=kind, when=due_words(due.assignment.due_on, today, t), source=source(due, curriculum, t)
        )

    if len(fresh) == 1:
        text = "📌 " + t.gettext("**New for you**: {line}.").format(line=line(fresh[0]))
    else:
        shown = [f"• {line(due)}" for due in fresh[:NOTICE_LIMIT]]
        more = [t.gettext("…and {count} more.").format(count=len(fresh) - NOTICE_LIMIT)] if len(fresh) > NOTICE_LIMIT else []
        text = "\n".join(["📌 " + t.gettext("**New for you**"), *shown, *more])
    if len(fresh) == 1:
        return text + "\n" + t.gettext("It is at the top of /path, and the next lesson I offer moves it forward.")
    return text + "\n" + t.gettext("They are at the top of /path, and the next lesson I offer moves the most urgent one forward.")


async def _last_notice_not_sent(turn: Turn, learner_id: int) -> bool:
    """Whether this is a notice being tried again after an attempt that did not go out: then the
    last notice recorded was never read."""
    return any(
        n.kind == NudgeKind.ASSIGNED and n.status == NudgeStatus.CLAIMED and n.error is not None and n.attempts > 1
        for n in await turn.tx.nudges.all(learner_id)
    )
