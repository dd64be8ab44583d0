"""What a manager sees: their teams in short, in chat (`/team`), and a one-time link that signs
them in to the dashboard. Learners never see this; managers see only the teams they manage;
admins see every team."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.mastery import MasteryModel
from bot.progress import skill_mastery
from bot.store.models import LearnerRow, TeamRow
from bot.store.repository import Progress
from content.model import CredentialKind, Curriculum

SIGNIN_VALID = timedelta(minutes=15)
SESSION_VALID = timedelta(hours=12)
ACTIVE_WINDOW = timedelta(days=7)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class TeamSummary:
    id: int
    name: str
    learners: int
    active_this_week: int
    lessons_done: int
    credentials: int


async def visible_teams(tx: Progress, viewer: LearnerRow) -> list[TeamRow]:
    """Admins see every team; managers the ones they manage; anyone else none."""
    if viewer.role == "admin":
        return await tx.teams()
    if viewer.role == "manager":
        return await tx.teams(await tx.managed_team_ids(viewer.id))
    return []


async def summaries(tx: Progress, teams: list[TeamRow], now: datetime) -> list[TeamSummary]:
    result = []
    for team in teams:
        members = await tx.team_members(team.id)
        counts = await tx.activity_counts([m.id for m in members], now - ACTIVE_WINDOW)
        result.append(TeamSummary(
            id=team.id, name=team.name, learners=len(members),
            active_this_week=sum(1 for lessons, awards, active in counts.values() if active),
            lessons_done=sum(lessons for lessons, _, _ in counts.values()),
            credentials=sum(awards for _, awards, _ in counts.values()),
        ))
    return result


def signin_link(tx: Progress, viewer: LearnerRow, base_url: str, now: datetime) -> str:
    token = new_token()
    tx.add_access_token(token_hash(token), viewer.id, "signin", now + SIGNIN_VALID)
    return f"{base_url}/dashboard/signin?token={token}"


def summary_text(teams: list[TeamSummary], link: str | None) -> str:
    lines = ["**Your teams**"]
    for team in teams:
        lines.append(
            f"• **{team.name}**: {team.learners} learners, {team.active_this_week} active this week, "
            f"{team.lessons_done} lessons done, {team.credentials} credentials"
        )
    if not teams:
        lines.append("No teams yet: an admin adds them with `run_bot.py people import`.")
    if link:
        lines += ["", f"Dashboard (this link works once, for 15 minutes): {link}"]
    return "\n".join(lines)


DRIFT_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class Member:
    name: str
    lessons: int
    credentials: int
    active: bool
    mastery: dict[str, float]  # skill id -> 0..1
    drifting: bool  # finished a lesson, then nothing for two weeks


@dataclass(frozen=True)
class TeamDetail:
    name: str
    members: list[Member]
    skills: list[tuple[str, str]]  # (id, name), in the curriculum's order
    funnel: list[tuple[str, int]]  # started, each lesson, each badge, each certificate


async def team_detail(tx: Progress, team_row: TeamRow, curriculum: Curriculum, model: MasteryModel, now: datetime) -> TeamDetail:
    members = await tx.team_members(team_row.id)
    counts = await tx.activity_counts([m.id for m in members], now - ACTIVE_WINDOW)
    drifting = await tx.inactive_since([m.id for m in members], now - DRIFT_AFTER)
    rows, done_by, held_by = [], {}, {}
    for m in members:
        done_by[m.id] = await tx.completed_lessons(m.id)
        held_by[m.id] = {a.definition_id for a in await tx.awards(m.id) if a.revoked_at is None}
        rows.append(Member(
            name=m.display_name or f"learner {m.id}", lessons=counts[m.id][0], credentials=counts[m.id][1],
            active=counts[m.id][2], mastery=await skill_mastery(tx, model, m.id, now),
            drifting=m.id in drifting and bool(done_by[m.id]) and not set(curriculum.lessons) <= done_by[m.id],
        ))
    started = await tx.learners_who_started([m.id for m in members])
    funnel = [("Started", len(started))]
    funnel += [(lesson.title, sum(1 for d in done_by.values() if lesson.id in d)) for lesson in curriculum.lessons_in_order()]
    funnel += [(c.title, sum(1 for h in held_by.values() if c.id in h))
               for kind in (CredentialKind.BADGE, CredentialKind.CERTIFICATE)
               for c in curriculum.credentials.values() if c.kind is kind]
    skills = [(skill.id, skill.name) for skill in curriculum.skills.values()]
    return TeamDetail(name=team_row.name, members=rows, skills=skills, funnel=funnel)
