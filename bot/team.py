"""What a manager sees: their teams in short, in chat (`/team`), and a one-time link that signs
them in to the dashboard. Learners never see this; managers see only the teams they manage;
admins see every team."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.store.models import LearnerRow, TeamRow
from bot.store.repository import Progress

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
