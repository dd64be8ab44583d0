"""The programme's own rhythm: recertification before a credential lapses, reminders of overdue
work, a manager told of what stays overdue, a weekly digest for each manager, and the next step
offered once more to someone who drifted at the end of a unit (issue 15 points 4 and 5).

Everything runs through the nudge queue (bot/nudges.py), with its claims, leases and the unique
(learner, kind, due_at) constraint, so several processes never do or send the same thing twice:

- A daily **check** per person with a programme (an assignment not withdrawn, a credential that
  is valid now and expires, or a team they manage): one queued row (`NudgeKind.CHECK`), due once
  a day between 00:00 and 04:00 on their own clock (spread by id, so a timezone's people are not
  all looked at in the same minute). It sends nothing. Under the person's row lock it assigns
  again what is about to lapse (`bot.assignments.recertify`), notes each assignment that passed
  its due date (an `overdue` trail event, once), and plans what follows: at most one waiting row
  of each kind below, planned only by that person's own check, so two processes cannot plan two.
  The planner (`NudgeDispatcher.plan`) looks for people without a waiting check only every
  CHECK_PLANNING_EVERY: after the first round, only newcomers; each check plans the next one.
- **Overdue reminders** to the learner: the first at their daily time on the day after the due
  date, then OVERDUE_EVERY later, at most OVERDUE_REMINDERS per assignment, each at their daily
  time on an open day (working days, holds, quiet hours: bot/schedule.py `next_daily`), never
  after /stop. That day the reminder is the day's offer (its Start and Later are the offer's):
  the daily offer is not sent as well (`offered_today`). Each one sent is an `overdue_reminded`
  trail event; the count comes from the trail.
- **Escalation** to the managers of the learner's team (managed_teams): once per assignment and
  manager, ESCALATE_AFTER_LAST after the last reminder, or ESCALATE_AT_LATEST after the due date
  when the learner could not be reminded (a hold, /stop): in the manager's own DM, at a moment
  the manager can be reached on their own clock. Planned by the manager's check, one message
  for everything due to be told; each assignment told is an `escalated` event in the learner's
  trail, so it is never told twice.
- **Drift**: someone who finished the last lesson of a pathway (a unit) and started nothing for
  DRIFT_AFTER, with something left to learn, gets the next step offered once more (one message,
  by the same rules), recorded as `next_step_offered`. Their own check or any of their
  managers' checks plans it, at an instant worked out from the data (so two plans are one row).
- **Weekly digest** to each manager (on unless they say `/settings digest off`): on the first
  working day of each week at their daily time: who in their teams is overdue (and whether they
  were reminded and the manager told), who drifted and what was done about it, who earned what
  in the last seven days, and a one-time sign-in link to the dashboard (bot/team.py).

Messages are composed when they are sent (what is true then), and the trail events they make
are recorded with the nudge marked sent, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import actions
from bot.assignments import ROLE_PREFIX, Due, Origin, current, end_of_day, local_date, open_assignments, recertify, title_of
from bot.i18n import N_, Translator, Translators, language_of
from bot.markup import literal
from bot.pathway import next_lesson
from bot.ports import UnitOfWork
from bot.records import Assignment, Award, Learner, Nudge, Team, TrailEvent
from bot.replies import Reply, Text
from bot.schedule import Rhythm, next_daily, next_reachable
from bot.team import signin_link
from bot.vocabulary import EventKind, NudgeKind, Nudges, NudgeStatus, Role, Target
from content.model import Curriculum, Lesson, Pathway

OVERDUE_REMINDERS = 2  # reminders per overdue assignment, at most
OVERDUE_EVERY = timedelta(days=2)  # between two reminders of one assignment, at least
ESCALATE_AFTER_LAST = timedelta(days=1)  # the manager is told this long after the last reminder
ESCALATE_AT_LATEST = timedelta(days=7)  # ... or this long after the due date, reminded or not
DRIFT_AFTER = timedelta(days=5)  # a unit finished and nothing started since: drifting
DIGEST_WINDOW = timedelta(days=7)  # "earned this week"
DIGEST_AGAIN_AFTER = timedelta(days=6)  # never two digests closer than this
CHECK_SPREAD_MINUTES = 240  # daily checks between 00:00 and 04:00 local, by id
LIST_AT_MOST = 15  # lines per list in a chat message; the dashboard has the rest
HISTORY = 500  # the programme's latest trail events read per person
JUST_BEFORE = timedelta(microseconds=1)  # next_daily is strictly after: a start at the daily time keeps it
INSTEAD_OF_THE_OFFER = timedelta(hours=12)  # a daily offer this soon after an overdue reminder is not sent
MESSAGE_KINDS = (NudgeKind.OVERDUE, NudgeKind.ESCALATION, NudgeKind.DIGEST, NudgeKind.NEXT_STEP)
PROGRAMME_EVENTS = (EventKind.OVERDUE, EventKind.OVERDUE_REMINDED, EventKind.ESCALATED, EventKind.NEXT_STEP_OFFERED)
DIGEST_OFF = N_("Your weekly digest is off. /settings digest on brings it back.")
DIGEST_ON = N_("Your weekly digest comes on the first working day of each week, at your daily time.")


# --- what a message records once it went out ------------------------------------------------------
@dataclass(frozen=True)
class Note:
    """A trail event to record when its message is marked sent, in the trail of the person it
    is about (an escalation: the learner's, not the manager's)."""

    learner_id: int
    timezone: str
    kind: EventKind
    payload: dict[str, Any]

    def event(self, at: datetime) -> TrailEvent:
        return TrailEvent(self.kind, at, local_date(at, self.timezone), payload=self.payload, learner_id=self.learner_id)


@dataclass(frozen=True)
class Message:
    replies: list[Reply]
    notes: list[Note] = field(default_factory=list)


# --- the trail, read back ------------------------------------------------------------------------
@dataclass
class History:
    """What the trail says the programme did about one person's assignments."""

    noted_overdue: set[int] = field(default_factory=set)  # assignment ids
    reminders: dict[int, list[datetime]] = field(default_factory=dict)  # assignment id -> when, oldest first
    told: dict[int, dict[int, datetime]] = field(default_factory=dict)  # assignment id -> manager id -> when
    offered: dict[str, datetime] = field(default_factory=dict)  # pathway id -> next step offered at

    def reminded(self, assignment: Assignment) -> list[datetime]:
        return self.reminders.get(assignment.id, [])


async def history(tx: UnitOfWork, learner_id: int) -> History:
    found = History()
    for event in reversed(await tx.trail.recent(learner_id, PROGRAMME_EVENTS, HISTORY)):  # oldest first
        payload = event.payload or {}
        if event.kind == EventKind.OVERDUE:
            found.noted_overdue.add(int(payload["assignment"]))
        elif event.kind == EventKind.OVERDUE_REMINDED:
            for assignment_id in payload.get("assignments", ()):
                found.reminders.setdefault(int(assignment_id), []).append(event.occurred_at)
        elif event.kind == EventKind.ESCALATED:
            found.told.setdefault(int(payload["assignment"]), {})[int(payload["manager"])] = event.occurred_at
        elif event.kind == EventKind.NEXT_STEP_OFFERED:
            found.offered[str(payload["pathway"])] = event.occurred_at
    return found


# --- the rules, pure -------------------------------------------------------------------------------
def deadline(assignment: Assignment, timezone: str) -> datetime:
    """The first instant after the due date, on the learner's clock."""
    return end_of_day(assignment.due_on, timezone)


def reminder_from(due: Due, past: History, timezone: str) -> datetime | None:
    """When the next reminder of an overdue assignment may go: at its deadline, then
    OVERDUE_EVERY after the one before; None once OVERDUE_REMINDERS went out."""
    sent = past.reminded(due.assignment)
    if len(sent) >= OVERDUE_REMINDERS:
        return None
    start = deadline(due.assignment, timezone)
    return max(start, sent[-1] + OVERDUE_EVERY) if sent else start


def escalate_from(due: Due, past: History, timezone: str) -> datetime:
    """When the managers are told: a while after the learner's last reminder, or a week after the
    due date if the learner could not be reminded (a hold, /stop, no chat to reach them)."""
    latest = deadline(due.assignment, timezone) + ESCALATE_AT_LATEST
    sent = past.reminded(due.assignment)
    return min(sent[-1] + ESCALATE_AFTER_LAST, latest) if len(sent) >= OVERDUE_REMINDERS else latest


def check_slot(learner_id: int, timezone: str, after: datetime) -> datetime:
    """The next daily check: local midnight plus up to CHECK_SPREAD_MINUTES (by id), after `after`."""
    zone = _zone(timezone)
    offset = timedelta(minutes=learner_id % CHECK_SPREAD_MINUTES)
    day = after.astimezone(zone).date()
    for days in range(3):
        at = (datetime.combine(day + timedelta(days=days), time(0), tzinfo=zone) + offset).astimezone(UTC)
        if at > after:
            return at
    raise AssertionError("a day always comes")  # pragma: no cover


def weekly_slot(rhythm: Rhythm, after: datetime) -> datetime | None:
    """The digest's moment: the daily time on the first open day (working, not held) of a week,
    the first such after `after`."""
    at = after
    for _ in range(60):
        found = next_daily(rhythm, at)
        if found is None:
            return None
        at = found
        day = at.astimezone(rhythm.zone).date()
        monday = day - timedelta(days=day.weekday())
        if not any(rhythm.is_open(monday + timedelta(days=i)) for i in range(day.weekday())):
            return at
    return None


async def offered_today(tx: UnitOfWork, learner_id: int, now: datetime) -> bool:
    """Whether an overdue reminder is (or was just) the learner's offer today: one waiting that is
    due within the hour, or one sent in the last INSTEAD_OF_THE_OFFER. Then the daily offer is not
    sent as well (both would say: five minutes now)."""
    if any(n.due_at <= now + timedelta(hours=1) for n in await tx.nudges.waiting(learner_id, (NudgeKind.OVERDUE,))):
        return True
    sent = await tx.trail.recent(learner_id, (EventKind.OVERDUE_REMINDED,), 1)
    return bool(sent) and now - sent[0].occurred_at < INSTEAD_OF_THE_OFFER


def recertification(assignments: Iterable[Assignment], credential_id: str, now: datetime) -> Assignment | None:
    """The recertification assignment of a credential that counts now, if there is one."""
    counting = current(assignments, now).get((Target.CREDENTIAL, credential_id))
    return counting if counting is not None and counting.origin == Origin.RECERTIFICATION else None


# --- drift at the end of a unit ---------------------------------------------------------------------
@dataclass(frozen=True)
class Drift:
    """Finished the last lesson of `pathway` at `finished_at`, started nothing since."""

    pathway: Pathway
    finished_at: datetime
    offered_at: datetime | None  # the next step offered once more
    upcoming: Lesson  # the next lesson on the pathways
    upcoming_unit: str | None = None  # the title of its pathway

    def offer_at(self, rhythm: Rhythm, now: datetime) -> datetime | None:
        """When the next step is offered: the first reachable moment from DRIFT_AFTER after the
        unit's end, or from the start of today (their day): two plans on one day are one row,
        and one that could not be sent (a hold begun since) does not block tomorrow's."""
        today = datetime.combine(now.astimezone(rhythm.zone).date(), time(0), tzinfo=rhythm.zone)
        return next_reachable(rhythm, max(self.finished_at + DRIFT_AFTER, today))


async def drift_of(tx: UnitOfWork, curriculum: Curriculum, learner: Learner, now: datetime, past: History | None = None) -> Drift | None:
    completions = await tx.trail.lesson_completions(learner.id)
    ends = [
        (max(completions[lesson] for lesson in pathway.lessons), pathway)
        for pathway in curriculum.pathways
        if pathway.lessons and all(lesson in completions for lesson in pathway.lessons)
    ]
    if not ends:
        return None
    finished_at, pathway = max(ends, key=lambda end: end[0])
    upcoming = next_lesson(curriculum, set(completions))
    if now - finished_at < DRIFT_AFTER or upcoming is None:
        return None
    started = await tx.trail.recent(learner.id, (EventKind.LESSON_STARTED,), 1)
    if started and started[0].occurred_at > finished_at:
        return None
    past = past if past is not None else await history(tx, learner.id)
    unit = curriculum.pathway_of(upcoming.id)
    return Drift(pathway, finished_at, past.offered.get(pathway.id), upcoming, unit.title if unit is not None else None)


# --- a manager's teams ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Late:
    """An overdue assignment of someone in a manager's teams."""

    member: Learner
    due: Due
    reminded: tuple[datetime, ...]
    told_at: datetime | None  # when this manager was told of it
    escalate_from: datetime


@dataclass(frozen=True)
class TeamView:
    teams: list[Team]
    members: list[Learner]
    late: list[Late]
    histories: dict[int, History]  # of members with something overdue


async def team_view(tx: UnitOfWork, curriculum: Curriculum, manager: Learner, now: datetime) -> TeamView:
    """The manager's teams (managed_teams), their people, and what of theirs is overdue: each
    query reads a whole team at once; the trail only of those with something overdue."""
    teams = await tx.teams.all(await tx.teams.managed_ids(manager.id))
    members = [m for t in teams for m in await tx.teams.members(t.id) if m.id != manager.id]
    assigned = await tx.assignments.of_many([m.id for m in members])
    with_some = [m for m in members if m.id in assigned]
    awards: dict[int, list[Award]] = {}
    completed: dict[int, set[str]] = {}
    if with_some:
        for award in await tx.awards.held_by([m.id for m in with_some]):
            awards.setdefault(award.learner_id, []).append(award)
        completed = await tx.sessions.completed_lessons_of([m.id for m in with_some])
    late, histories = [], {}
    for member in with_some:
        due = open_assignments(
            curriculum,
            assigned[member.id],
            awards=awards.get(member.id, []),
            completed=completed.get(member.id, set()),
            now=now,
            timezone=member.timezone,
        )
        overdue = [d for d in due if d.overdue]
        if not overdue:
            continue
        past = histories[member.id] = await history(tx, member.id)
        for d in overdue:
            told = past.told.get(d.assignment.id, {}).get(manager.id)
            late.append(Late(member, d, tuple(past.reminded(d.assignment)), told, escalate_from(d, past, member.timezone)))
    return TeamView(teams, members, late, histories)


async def digest_wanted(tx: UnitOfWork, manager: Learner) -> bool:
    chosen = await tx.trail.recent(manager.id, (EventKind.DIGEST_CHOSEN,), 1)
    return not chosen or chosen[0].payload.get("digest") != "off"


def manages(learner: Learner) -> bool:
    return Role(learner.role).at_least(Role.MANAGER)


# --- the daily check --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Checked:
    recertifying: int  # assignments made again before a credential lapses
    noted_overdue: int
    planned: tuple[NudgeKind, ...]
    again_at: datetime | None  # the next check (None: nothing left to look at)


class Programme:
    """The checks and the messages of the programme, for one curriculum. `web_url`: where the
    dashboard is (the digest's sign-in link), None when the web app has no public address."""

    def __init__(self, curriculum: Curriculum, web_url: str | None = None, translators: Translators | None = None) -> None:
        self._curriculum = curriculum
        self._web_url = web_url
        self._translators = translators or Translators.english()  # what a learner is told, in their language

    async def check(self, tx: UnitOfWork, person: Learner, rhythm: Rhythm, now: datetime) -> Checked:
        """One person's daily check, in the transaction that holds their row lock."""
        if person.left:
            return Checked(0, 0, (), None)
        made = await recertify(tx, self._curriculum, person, now=now)
        assignments = await tx.assignments.of(person.id)
        awards = await tx.awards.of(person.id)
        completed = await tx.sessions.completed_lessons(person.id)
        due = (
            open_assignments(self._curriculum, assignments, awards=awards, completed=completed, now=now, timezone=person.timezone)
            if assignments
            else []
        )
        past = await history(tx, person.id)
        waiting_rows = await tx.nudges.waiting(person.id, MESSAGE_KINDS)
        waiting = {n.kind for n in waiting_rows}
        planned: list[NudgeKind] = []
        noted = 0
        for d in due:
            if d.overdue and d.assignment.id not in past.noted_overdue:
                await tx.trail.add(person.id, Note(person.id, person.timezone, EventKind.OVERDUE, _about(d.assignment)).event(now))
                noted += 1
        talking = person.nudges != Nudges.STOPPED  # /stop: nothing the bot starts
        if talking:
            starts = [at for d in due if d.overdue and (at := reminder_from(d, past, person.timezone)) is not None]
            at = next_daily(rhythm, max(min(starts), now) - JUST_BEFORE) if starts else None
            if at is not None and await _plan_earliest(tx, person.id, NudgeKind.OVERDUE, at, waiting_rows, now):
                planned.append(NudgeKind.OVERDUE)
        if talking and NudgeKind.NEXT_STEP not in waiting:
            drift = await drift_of(tx, self._curriculum, person, now, past)
            at = drift.offer_at(rhythm, now) if drift is not None and drift.offered_at is None else None
            if at is not None and await tx.nudges.schedule(person.id, NudgeKind.NEXT_STEP, at):
                planned.append(NudgeKind.NEXT_STEP)
        managing = bool(await tx.teams.managed_ids(person.id))
        if managing and manages(person):
            planned += await self._plan_for_manager(tx, person, rhythm, now, waiting_rows, talking)
        keeps = (
            any(a.withdrawn_at is None for a in assignments)
            or any(a.revoked_at is None and a.valid_until is not None and a.valid_until > now for a in awards)
            or managing
        )
        again = check_slot(person.id, person.timezone, now) if keeps else None
        if again is not None:
            await tx.nudges.schedule(person.id, NudgeKind.CHECK, again)
        return Checked(len(made), noted, tuple(planned), again)

    async def _plan_for_manager(
        self, tx: UnitOfWork, manager: Learner, rhythm: Rhythm, now: datetime, waiting: list[Nudge], talking: bool
    ) -> list[NudgeKind]:
        """The escalation of what is due to be told, the next digest, and the next step for the
        drifting people of their teams (whatever the manager's own settings: it goes to them)."""
        planned = []
        view = await team_view(tx, self._curriculum, manager, now)
        if talking:
            starts = [late.escalate_from for late in view.late if late.told_at is None]
            at = next_reachable(rhythm, max(min(starts), now)) if starts else None
            if at is not None and await _plan_earliest(tx, manager.id, NudgeKind.ESCALATION, at, waiting, now):
                planned.append(NudgeKind.ESCALATION)
        if talking and all(n.kind != NudgeKind.DIGEST for n in waiting) and await digest_wanted(tx, manager):
            at = weekly_slot(rhythm, now)
            if at is not None and await tx.nudges.schedule(manager.id, NudgeKind.DIGEST, at):
                planned.append(NudgeKind.DIGEST)
        holds = await tx.holds.of_many([m.id for m in view.members])
        for member in view.members:
            if member.nudges == Nudges.STOPPED:
                continue
            drift = await drift_of(tx, self._curriculum, member, now, view.histories.get(member.id))
            if drift is None or drift.offered_at is not None:
                continue
            at = drift.offer_at(Rhythm.of(member, holds.get(member.id, [])), now)
            if at is not None and await tx.nudges.schedule(member.id, NudgeKind.NEXT_STEP, at):
                planned.append(NudgeKind.NEXT_STEP)
        return planned

    # --- the messages ------------------------------------------------------------------------------
    async def compose(self, tx: UnitOfWork, kind: NudgeKind, person: Learner, now: datetime) -> Message | None:
        """The message of a programme nudge now, or None when there is nothing to say any more."""
        if kind is NudgeKind.OVERDUE:
            return await self.overdue_reminder(tx, person, now)
        if kind is NudgeKind.ESCALATION:
            return await self.escalation(tx, person, now)
        if kind is NudgeKind.DIGEST:
            return await self.digest(tx, person, now)
        raise ValueError(f"{kind} is not composed here")

    async def overdue_reminder(self, tx: UnitOfWork, learner: Learner, now: datetime) -> Message | None:
        assignments = await tx.assignments.of(learner.id)
        if not assignments:
            return None
        awards = await tx.awards.of(learner.id)
        completed = await tx.sessions.completed_lessons(learner.id)
        due = open_assignments(self._curriculum, assignments, awards=awards, completed=completed, now=now, timezone=learner.timezone)
        past = await history(tx, learner.id)
        ripe = [d for d in due if d.overdue and (at := reminder_from(d, past, learner.timezone)) is not None and at <= now]
        if not ripe:
            return None
        again = any(past.reminded(d.assignment) for d in ripe)
        t = self._translators.of_learner(learner)
        seen = self._curriculum.in_language(language_of(learner))
        lines = ["⏰ " + (t.gettext("**Still overdue**") if again else t.gettext("**Overdue**"))]
        for d in ripe:
            title = title_of(seen, d.assignment.target_kind, d.assignment.target_id) or d.title
            line = t.gettext("**{title}**, due {day}").format(title=title, day=t.day_month(d.assignment.due_on))
            lines.append(f"• {line}{await self._why(tx, d.assignment, t, seen)}")
        lines.append(t.gettext("Five minutes now moves it forward."))
        notes = [
            Note(
                learner.id,
                learner.timezone,
                EventKind.OVERDUE_REMINDED,
                {"assignments": [d.assignment.id for d in ripe], "reminder": max(len(past.reminded(d.assignment)) for d in ripe) + 1},
            )
        ]
        buttons = (actions.button(t.gettext("Start"), actions.CONTINUE), actions.button(t.gettext("Later"), actions.LATER))
        return Message([Text("\n".join(lines), buttons)], notes)

    async def escalation(self, tx: UnitOfWork, manager: Learner, now: datetime) -> Message | None:
        view = await team_view(tx, self._curriculum, manager, now)
        ripe = [late for late in view.late if late.told_at is None and late.escalate_from <= now]
        if not ripe:
            return None
        names = {team.id: team.name for team in view.teams}
        several = len(view.teams) > 1
        t = self._translators.of_learner(manager)
        lines = ["⚠️ " + (t.gettext("**Overdue in your teams**") if several else t.gettext("**Overdue in your team**"))]
        for late in ripe[:LIST_AT_MOST]:
            team = f" ({literal(names.get(late.member.team_id or 0, ''))})" if several else ""
            count = len(late.reminded)
            once, twice, many = (
                t.gettext("I reminded them once"),
                t.gettext("I reminded them twice"),
                t.gettext("I reminded them {count} times"),
            )
            told = _times(count, once, twice, many) or t.gettext("I could not remind them in chat")
            due = t.gettext("**{title}**, due {day}").format(title=late.due.title, day=t.day_month(late.due.assignment.due_on))
            lines.append(f"• {_name(late.member)}{team}: {due}; {told}")
        if len(ripe) > LIST_AT_MOST:
            lines.append(t.gettext("… and {count} more: see the dashboard.").format(count=len(ripe) - LIST_AT_MOST))
        lines += ["", t.gettext("/team gives you a sign-in link to the dashboard.")]
        notes = [
            Note(
                late.member.id,
                late.member.timezone,
                EventKind.ESCALATED,
                {**_about(late.due.assignment), "manager": manager.id, "reminders": len(late.reminded)},
            )
            for late in ripe
        ]
        return Message([Text("\n".join(lines))], notes)

    async def digest(self, tx: UnitOfWork, manager: Learner, now: datetime) -> Message | None:
        if not manages(manager) or not await digest_wanted(tx, manager):
            return None
        last = await tx.trail.recent(manager.id, (EventKind.DIGEST_SENT,), 1)
        if last and now - last[0].occurred_at < DIGEST_AGAIN_AFTER:
            return None
        view = await team_view(tx, self._curriculum, manager, now)
        if not view.teams:
            return None
        drifted: list[tuple[Learner, Drift, bool]] = []
        for member in view.members:
            drift = await drift_of(tx, self._curriculum, member, now, view.histories.get(member.id))
            if drift is not None:
                offering = bool(await tx.nudges.waiting(member.id, (NudgeKind.NEXT_STEP,)))
                drifted.append((member, drift, offering))
        earned = [a for a in await tx.awards.held_by([m.id for m in view.members]) if now - DIGEST_WINDOW < a.awarded_at <= now]
        by_id = {m.id: m for m in view.members}
        t = self._translators.of_learner(manager)
        teams = ", ".join(literal(team.name) for team in view.teams)
        lines = ["📋 " + t.gettext("**Your weekly digest**: {teams}").format(teams=teams), ""]
        lines += self._section(
            t, t.gettext("Overdue"), [self._late_line(t, late, manager) for late in view.late], t.gettext("Nobody is overdue.")
        )
        lines += self._section(
            t,
            t.gettext("Drifted after finishing a unit (nothing started for {days} days)").format(days=DRIFT_AFTER.days),
            [self._drift_line(t, m, d, offering) for m, d, offering in drifted],
            t.gettext("Nobody."),
        )
        lines += self._section(
            t,
            t.gettext("Earned this week"),
            [self._earned_line(t, by_id[a.learner_id], a) for a in earned if a.learner_id in by_id],
            t.gettext("Nothing new."),
        )
        if self._web_url:
            link = await signin_link(tx, manager, self._web_url, now)
            lines.append(t.gettext("Dashboard (this link works once, for 15 minutes; /team gives a new one): {link}").format(link=link))
        else:
            lines.append(t.gettext("/team shows your teams."))
        lines.append(t.gettext("This digest comes on the first working day of each week; /settings digest off stops it."))
        counts = {"overdue": len(view.late), "drifted": len(drifted), "earned": len(earned), "teams": len(view.teams)}
        return Message([Text("\n".join(lines))], [Note(manager.id, manager.timezone, EventKind.DIGEST_SENT, counts)])

    async def drifting(self, tx: UnitOfWork, learner: Learner, now: datetime) -> Drift | None:
        """Still drifting and not offered the next step yet: what a NEXT_STEP nudge checks first."""
        drift = await drift_of(tx, self._curriculum, learner, now)
        return drift if drift is not None and drift.offered_at is None else None

    def next_step(self, drift: Drift, learner: Learner, offer: Sequence[Reply]) -> Message | None:
        """The next-step offer (the daily offer's, as the core makes it), said once more."""
        if not offer or not isinstance(offer[0], Text):
            return None
        finished = drift.finished_at.astimezone(_zone(learner.timezone)).date()
        first = offer[0]
        t = self._translators.of_learner(learner)
        seen = self._curriculum.in_language(language_of(learner))
        pathway = next((p for p in seen.pathways if p.id == drift.pathway.id), drift.pathway)
        upcoming = seen.lessons.get(drift.upcoming.id, drift.upcoming)
        lead = "🧭 " + t.gettext("You finished **{pathway}** on {day}.").format(pathway=pathway.title, day=t.day_month(finished)) + " "
        if f"**{upcoming.title}**" in first.text:
            lead += t.gettext("Here is your next step, once more:")
        else:  # the offer starts with something else (re-checks, a refresher): say where the path goes on
            unit = f" ({drift.upcoming_unit})" if drift.upcoming_unit else ""
            lead += t.gettext("Next on your pathway: **{lesson}**{unit}. Once more:").format(lesson=upcoming.title, unit=unit)
        payload = {"pathway": drift.pathway.id, "finished_at": drift.finished_at.astimezone(UTC).isoformat()}
        return Message(
            [Text(f"{lead}\n{first.text}", first.buttons), *offer[1:]],
            [Note(learner.id, learner.timezone, EventKind.NEXT_STEP_OFFERED, payload)],
        )

    # --- wording -----------------------------------------------------------------------------------
    async def _why(self, tx: UnitOfWork, assignment: Assignment, t: Translator, seen: Curriculum) -> str:
        origin = assignment.origin
        if origin == Origin.RECERTIFICATION:
            return " " + t.gettext("(renew it to keep it valid)")
        if origin.startswith(ROLE_PREFIX):
            role = seen.roles.get(origin.removeprefix(ROLE_PREFIX))
            return " " + t.gettext("(your role {role})").format(role=role.title) if role is not None else ""
        if assignment.assigned_by is not None:
            who = await tx.learners.by_id(assignment.assigned_by)
            if who is not None and not who.left and who.display_name.strip():
                return " " + t.gettext("(assigned by {name})").format(name=literal(" ".join(who.display_name.split())))
        return ""

    @staticmethod
    def _section(t: Translator, title: str, items: list[str], empty: str) -> list[str]:
        more = (
            [t.gettext("… and {count} more on the dashboard").format(count=len(items) - LIST_AT_MOST)] if len(items) > LIST_AT_MOST else []
        )
        return [f"**{title}** ({len(items)})", *(items[:LIST_AT_MOST] + more or [empty]), ""]

    @staticmethod
    def _late_line(t: Translator, late: Late, manager: Learner) -> str:
        count = len(late.reminded)
        said = [
            _times(count, t.gettext("reminded once"), t.gettext("reminded twice"), t.gettext("reminded {count} times"))
            or t.gettext("not reminded yet")
        ]
        if late.told_at is not None:
            told_on = t.day_month(late.told_at.astimezone(_zone(manager.timezone)).date())
            said.append(t.gettext("you were told on {day}").format(day=told_on))
        due = t.gettext("**{title}**, due {day}").format(title=late.due.title, day=t.day_month(late.due.assignment.due_on))
        return f"• {_name(late.member)}: {due} ({', '.join(said)})"

    @staticmethod
    def _drift_line(t: Translator, member: Learner, drift: Drift, offering: bool) -> str:
        finished = drift.finished_at.astimezone(_zone(member.timezone)).date()
        line = "• " + t.gettext("{name} finished **{pathway}** on {day}:").format(
            name=_name(member), pathway=drift.pathway.title, day=t.day_month(finished)
        )
        if drift.offered_at is not None:
            when = drift.offered_at.astimezone(_zone(member.timezone)).date()
            return line + " " + t.gettext("I offered them the next step once more on {day}.").format(day=t.day_month(when))
        if member.nudges == Nudges.STOPPED:
            return line + " " + t.gettext("they turned my messages off (/stop), so I did not write to them.")
        if offering:
            return line + " " + t.gettext("I offer them the next step once more today or on their next working day.")
        return line + " " + t.gettext("I offer them the next step once more soon.")

    def _earned_line(self, t: Translator, member: Learner, award: Award) -> str:
        definition = self._curriculum.credentials.get(award.definition_id)
        title = definition.title if definition is not None else award.definition_id
        return f"• {_name(member)}: **{title}**" + (" " + t.gettext("(renewed)") if award.renewal else "")


async def _plan_earliest(tx: UnitOfWork, person_id: int, kind: NudgeKind, at: datetime, waiting: list[Nudge], now: datetime) -> bool:
    """One waiting nudge of `kind` for the person, at the earliest moment asked for: one already
    waiting for later is replaced (only the person's own check plans these, under their lock);
    one being sent, or due sooner, stays (what it says is worked out when it is sent)."""
    rows = [n for n in waiting if n.kind == kind]
    if any(n.status == NudgeStatus.CLAIMED for n in rows) or (rows and min(n.due_at for n in rows) <= at):
        return False
    if rows:
        await tx.nudges.cancel(person_id, (kind,), now)
    return await tx.nudges.schedule(person_id, kind, at)


def _about(assignment: Assignment) -> dict[str, Any]:
    return {
        "assignment": assignment.id,
        "target_kind": assignment.target_kind.value,
        "target": assignment.target_id,
        "due_on": assignment.due_on.isoformat(),
    }


def _name(learner: Learner) -> str:
    return literal(" ".join(learner.display_name.split()) or f"learner {learner.id}")


def _times(count: int, once: str, twice: str, many: str) -> str:
    """`once`, `twice`, or `many` with its {count} (three and more), as translated; nothing for none."""
    if count <= 2:
        return ("", once, twice)[max(count, 0)]
    return many.format(count=count)


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
