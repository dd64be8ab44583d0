"""Streaks on the managers' pages are the learner's own streak, however long the run, kept with
each learner as their learning is recorded (in any order) and read without their history."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bot import team
from bot.events import LearnerRef
from bot.progress import standing
from bot.mastery import MasteryModel
from bot.store.repository import ProgressStore
from content.model import Curriculum

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)  # a Friday afternoon


def working_days_back(days: int) -> list[date]:
    """The last `days` weekdays up to and including today."""
    found, day = [], NOW.date()
    while len(found) < days:
        if day.isoweekday() <= 5:
            found.append(day)
        day -= timedelta(days=1)
    return found


async def test_team_streaks_match_each_learners_own_however_long(store: ProgressStore, curriculum: Curriculum):
    runs = {
        "fresh": working_days_back(3),
        "two_months": working_days_back(45),  # past the first window
        "a_year": working_days_back(260),  # past the second and third
        "broken": working_days_back(10)[:4] + working_days_back(10)[6:],  # missed two days last week
        "never": [],
    }
    async with store.transaction() as tx:
        [crew] = (await tx.teams_by_name(["Crew"])).values()
        learners = {}
        for name, days in runs.items():
            learner, _ = await tx.learner(LearnerRef("console", name, name), now=NOW - timedelta(days=400))
            learner.team_id = crew
            learners[name] = learner
            for day in days:
                await tx.record(learner, "card_viewed", at=datetime.combine(day, datetime.min.time(), timezone.utc) + timedelta(hours=10))
        # Back from 8 weeks away: the run from before the hold still counts.
        away, _ = await tx.learner(LearnerRef("console", "away", "away"), now=NOW - timedelta(days=400))
        away.team_id = crew
        learners["away"] = away
        for day in working_days_back(80)[40:]:
            await tx.record(away, "card_viewed", at=datetime.combine(day, datetime.min.time(), timezone.utc) + timedelta(hours=10))
        await tx.add_hold(away, working_days_back(40)[-1], NOW.date() - timedelta(days=1))

    async with store.transaction() as tx:
        members = await tx.team_members(crew)
        own = {m.display_name: (await standing(tx, MasteryModel(), m, NOW)).streak for m in members}
        [team_row] = await tx.teams([crew])
        detail = await team.team_detail(tx, team_row, curriculum, MasteryModel(), NOW)
        [summary] = await team.summaries(tx, [team_row], NOW)

    by_name = {m.name: m.streak for m in detail.members}
    assert by_name == own, "the team page shows the streak the learner sees in /progress"
    assert by_name == {"fresh": 3, "two_months": 45, "a_year": 260, "broken": 4, "never": 0, "away": 40}
    assert (summary.on_a_streak, summary.longest_streak) == (5, 260)
    assert (summary.learners, summary.active_this_week) == (6, 4), "away (back from a hold, not yet learning) and never: not active"
    assert [m.name for m in detail.members if m.active] == ["a_year", "broken", "fresh", "two_months"]
