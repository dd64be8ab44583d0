"""What a manager sees: their teams in short, in chat (`/team`), and a one-time link that signs
them in to the dashboard. Learners never see this; managers see only the teams they manage;
admins see every team."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.i18n import SOURCE, Translator
from bot.markup import literal
from bot.mastery import MasteryModel
from bot.ports import UnitOfWork
from bot.progress import skill_mastery, standing
from bot.records import Learner, Team, TrailEvent
from bot.streaks import streak_now
from bot.vocabulary import LEARNING, AccessKind, EventKind, Role
from content.model import CredentialKind, Curriculum

SIGNIN_VALID = timedelta(minutes=15)
SESSION_VALID = timedelta(hours=12)
ACTIVE_WINDOW = timedelta(days=7)  # "active this week": learned in the last seven days


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    # Hex, not URL-safe base64: a link in a chat message is read as Markdown, where `_` and `-`
    # in a token could start emphasis and break the link (about 1 in 3,000 tokens did).
    return secrets.token_hex(32)


def csrf_token(session: str) -> str:
    """The token a form of the signed-in dashboard carries. Derived from the session cookie,
    which another site can neither read nor send along with a POST (SameSite), so nothing more
    needs storing; one-way, so the page never reveals the session."""
    return hashlib.sha256(b"csrf\0" + session.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class TeamSummary:
    id: int
    name: str
    learners: int
    active_this_week: int
    lessons_done: int
    credentials: int
    on_a_streak: int  # members whose streak is at least one learning day
    longest_streak: int


async def visible_teams(tx: UnitOfWork, viewer: Learner) -> list[Team]:
    """Admins see every team; managers the ones they manage; anyone else none."""
    if viewer.role == Role.ADMIN:
        return await tx.teams.all()
    if viewer.role == Role.MANAGER:
        return await tx.teams.all(await tx.teams.managed_ids(viewer.id))
    return []


async def summaries(tx: UnitOfWork, teams: list[Team], now: datetime) -> list[TeamSummary]:
    figures = await tx.teams.figures([t.id for t in teams], now, now - ACTIVE_WINDOW)
    summaries = []
    for t in teams:
        f = figures[t.id]
        summaries.append(
            TeamSummary(
                t.id,
                t.name,
                learners=f.learners,
                active_this_week=f.active,
                lessons_done=f.lessons_done,
                credentials=f.credentials,
                on_a_streak=f.on_a_streak,
                longest_streak=f.longest_streak,
            )
        )
    return summaries


async def signin_link(tx: UnitOfWork, viewer: Learner, base_url: str, now: datetime) -> str:
    token = new_token()
    await tx.access.add(token_hash(token), viewer.id, AccessKind.SIGNIN, now + SIGNIN_VALID)
    return f"{base_url}/dashboard/signin?token={token}"


def summary_text(teams: list[TeamSummary], link: str | None, t: Translator = SOURCE) -> str:
    """A manager's /team, in their language."""
    lines = [t.gettext("**Your teams**")]
    for team in teams:
        figures = t.gettext(
            "{learners} learners, {active} active this week, {streak} on a streak, {lessons} lessons done, {credentials} credentials"
        ).format(
            learners=team.learners,
            active=team.active_this_week,
            streak=team.on_a_streak,
            lessons=team.lessons_done,
            credentials=team.credentials,
        )
        lines.append(f"• **{literal(team.name)}**: {figures}")
    if not teams:
        lines.append(t.gettext("No teams yet: an admin adds them with `run_bot.py people import`."))
    if link:
        lines += ["", t.gettext("Dashboard (this link works once, for 15 minutes): {link}").format(link=link)]
    return "\n".join(lines)


DRIFT_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    lessons: int
    credentials: int
    active: bool
    streak: int  # learning days in a row, as the learner sees it
    mastery: dict[str, float]  # skill id -> 0..1
    drifting: bool  # finished a lesson, then nothing for two weeks


@dataclass(frozen=True)
class TeamDetail:
    name: str
    members: list[Member]
    skills: list[tuple[str, str]]  # (id, name), in the curriculum's order
    funnel: list[tuple[str, int]]  # started, each lesson, each badge, each certificate
    weeks: list[Week]  # credentials earned by week


async def team_detail(
    tx: UnitOfWork, team_row: Team, curriculum: Curriculum, model: MasteryModel, now: datetime, t: Translator = SOURCE
) -> TeamDetail:
    """`t`: the viewer's language for the words the detail makes (the funnel's first step)."""
    members = await tx.teams.members(team_row.id)
    ids = [m.id for m in members]  # each query below reads the whole team at once
    counts = await tx.teams.activity_counts(ids)
    drifting = await tx.trail.inactive_since(ids, now - DRIFT_AFTER)
    done_by = await tx.sessions.completed_lessons_of(ids)
    awards = await tx.awards.held_by(ids)
    held_by: dict[int, set[str]] = {}
    for award in awards:
        held_by.setdefault(award.learner_id, set()).add(award.definition_id)
    rows = []
    for m in members:
        done_by.setdefault(m.id, set())
        rows.append(
            Member(
                id=m.id,
                name=m.display_name or f"learner {m.id}",
                lessons=counts[m.id][0],
                credentials=counts[m.id][1],
                active=m.last_learned_at is not None and m.last_learned_at >= now - ACTIVE_WINDOW,
                streak=streak_now(m, now),
                mastery=await skill_mastery(tx, model, m.id, now),
                drifting=m.id in drifting and bool(done_by[m.id]) and not set(curriculum.lessons) <= done_by[m.id],
            )
        )
    started = await tx.trail.who_started(ids)
    funnel = [(t.gettext("Started"), len(started))]
    funnel += [(lesson.title, sum(1 for d in done_by.values() if lesson.id in d)) for lesson in curriculum.lessons_in_order()]
    funnel += [
        (c.title, sum(1 for h in held_by.values() if c.id in h))
        for kind in (CredentialKind.BADGE, CredentialKind.CERTIFICATE)
        for c in curriculum.credentials.values()
        if c.kind is kind
    ]
    skills = [(skill.id, skill.name) for skill in curriculum.skills.values()]
    weeks = credentials_by_week([a.awarded_at for a in awards], now)
    return TeamDetail(name=team_row.name, members=rows, skills=skills, funnel=funnel, weeks=weeks)


async def may_see(tx: UnitOfWork, viewer: Learner, learner: Learner) -> bool:
    """Admins see everyone; a manager the members of the teams they manage; anyone themselves."""
    if viewer.id == learner.id or viewer.role == Role.ADMIN:
        return True
    return viewer.role == Role.MANAGER and learner.team_id is not None and learner.team_id in await tx.teams.managed_ids(viewer.id)


CHART_WEEKS = 12


@dataclass(frozen=True)
class Week:
    starts: date  # a Monday (UTC)
    earned: int  # credentials earned that week
    total: int  # held by the end of that week


def credentials_by_week(awarded: list[datetime], now: datetime, weeks: int = CHART_WEEKS) -> list[Week]:
    """Credentials earned in each of the last `weeks` weeks (this one last), and the running
    total, which counts those earned before the first week shown too."""
    this_monday = now.date() - timedelta(days=now.weekday())
    mondays = [this_monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    earned = dict.fromkeys(mondays, 0)
    before = 0
    for at in awarded:
        monday = at.date() - timedelta(days=at.weekday())
        if monday < mondays[0]:
            before += 1
        elif monday in earned:
            earned[monday] += 1
    result, total = [], before
    for monday in mondays:
        total += earned[monday]
        result.append(Week(monday, earned[monday], total))
    return result


ACTIVITY_KINDS = (
    EventKind.LESSON_STARTED,
    EventKind.LESSON_COMPLETED,
    EventKind.ANSWERED,
    EventKind.REVIEW_COMPLETED,
    EventKind.REFRESHER_COMPLETED,
    EventKind.AWARDED,
    EventKind.RENEWED,
)


@dataclass(frozen=True)
class LessonLine:
    title: str
    completed: datetime | None


@dataclass(frozen=True)
class CredentialLine:
    title: str
    kind: str  # badge | certificate
    awarded: datetime
    state: str  # valid | expired | revoked
    public_id: str


@dataclass(frozen=True)
class Activity:
    at: datetime
    what: str


@dataclass(frozen=True)
class LearnerDetail:
    id: int
    name: str
    team: str | None
    streak: int
    last_active: datetime | None
    drifting: bool
    lessons: list[LessonLine]  # the curriculum's, in order
    skills: list[tuple[str, float]]  # (skill name, mastery 0..1), the curriculum's order
    credentials: list[CredentialLine]
    activity: list[Activity]  # newest first


async def learner_detail(
    tx: UnitOfWork,
    learner: Learner,
    curriculum: Curriculum,
    model: MasteryModel,
    now: datetime,
    recent: int = 30,
    t: Translator = SOURCE,
) -> LearnerDetail:
    """`t`: the viewer's language for the activity lines (the curriculum's names come from `curriculum`)."""
    done = await tx.trail.lesson_completions(learner.id)
    current = await standing(tx, model, learner, now)
    awards = await tx.awards.of(learner.id)
    events = await tx.trail.recent(learner.id, ACTIVITY_KINDS, recent)
    last = await tx.trail.recent(learner.id, LEARNING, 1)
    last_active = last[0].occurred_at if last else None
    finished_all = set(curriculum.lessons) <= set(done)
    credentials = [
        CredentialLine(
            title=_title(curriculum, a.definition_id),
            kind=a.kind,
            awarded=a.awarded_at,
            public_id=a.public_id,
            state="revoked" if a.revoked_at else "expired" if a.valid_until and a.valid_until <= now else "valid",
        )
        for a in awards
    ]
    return LearnerDetail(
        id=learner.id,
        name=learner.display_name or f"learner {learner.id}",
        team=await tx.teams.name_of(learner.id),
        streak=current.streak,
        last_active=last_active,
        drifting=bool(done) and not finished_all and (last_active is None or last_active < now - DRIFT_AFTER),
        lessons=[LessonLine(lesson.title, done.get(lesson.id)) for lesson in curriculum.lessons_in_order()],
        skills=[(skill.name, current.mastery.get(skill.id, 0.0)) for skill in curriculum.skills.values()],
        credentials=credentials,
        activity=[Activity(e.occurred_at, _describe(e, curriculum, t)) for e in events],
    )


def _title(curriculum: Curriculum, definition_id: str) -> str:
    definition = curriculum.credentials.get(definition_id)
    return definition.title if definition else definition_id


def _describe(event: TrailEvent, curriculum: Curriculum, t: Translator = SOURCE) -> str:
    lesson = curriculum.lessons.get(event.lesson_id or "")
    title = lesson.title if lesson else (event.lesson_id or t.gettext("a lesson"))
    payload = event.payload or {}
    if event.kind == EventKind.LESSON_STARTED:
        return t.gettext("Started “{title}”").format(title=title)
    if event.kind == EventKind.LESSON_COMPLETED:
        return t.gettext("Completed “{title}”").format(title=title)
    if event.kind == EventKind.ANSWERED:
        if event.correct:
            return t.gettext("Answered a check in “{title}”: right").format(title=title)
        return t.gettext("Answered a check in “{title}”: not yet right").format(title=title)
    if event.kind in (EventKind.REVIEW_COMPLETED, EventKind.REFRESHER_COMPLETED):
        said = (
            t.gettext("Review: {right} of {checks} right")
            if event.kind == EventKind.REVIEW_COMPLETED
            else t.gettext("Refresher: {right} of {checks} right")
        )
        return said.format(right=payload.get("correct", 0), checks=payload.get("checks", 0))
    credential = _title(curriculum, str(payload.get("credential", "")))
    said = t.gettext("Earned “{title}”") if event.kind == EventKind.AWARDED else t.gettext("Renewed “{title}”")
    return said.format(title=credential)
