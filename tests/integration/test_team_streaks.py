"""Streaks on the managers' pages are the learner's own streak, however long the run, kept with
each learner as their learning is recorded (in any order) and read without their history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot import runs, team
from bot.events import LearnerRef
from bot.mastery import MasteryModel
from bot.ports import UnitOfWork
from bot.progress import standing
from bot.records import Learner
from bot.store.store import SqlStore
from bot.turn import Turn
from bot.vocabulary import EventKind
from content.model import Curriculum

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # a Friday afternoon


def working_days_back(days: int) -> list[date]:
    """The last `days` weekdays up to and including today."""
    found: list[date] = []
    day = NOW.date()
    while len(found) < days:
        if day.isoweekday() <= 5:
            found.append(day)
        day -= timedelta(days=1)
    return found


async def learned(tx: UnitOfWork, learner: Learner, day: date) -> None:
    """A card viewed at 10:00 UTC on `day`, kept in the learner's run as the bot keeps it."""
    at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=10)
    turn = Turn(tx=tx, learner=learner, now=at)
    await turn.record(EventKind.CARD_VIEWED)


async def test_team_streaks_match_each_learners_own_however_long(store: SqlStore, curriculum: Curriculum):
    histories = {
        "fresh": working_days_back(3),
        "two_months": working_days_back(45),  # past the first window
        "a_year": working_days_back(260),  # past the second and third
        "broken": working_days_back(10)[:4] + working_days_back(10)[6:],  # missed two days last week
        "never": [],
    }
    async with store.transaction() as tx:
        [crew] = (await tx.teams.ids_by_name(["Crew"])).values()
        learners = {}
        for name, days in histories.items():
            learner, _ = await tx.learners.locked(LearnerRef("console", name, name), now=NOW - timedelta(days=400))
            learner.team_id = crew
            learners[name] = learner
            for day in days:
                await learned(tx, learner, day)
            await tx.learners.save(learner)
        # Back from 8 weeks away: the run from before the hold still counts.
        away, _ = await tx.learners.locked(LearnerRef("console", "away", "away"), now=NOW - timedelta(days=400))
        away.team_id = crew
        learners["away"] = away
        for day in working_days_back(80)[40:]:
            await learned(tx, away, day)
        await tx.holds.add(away.id, working_days_back(40)[-1], NOW.date() - timedelta(days=1))
        await runs.recount(tx, away)
        await tx.learners.save(away)

    async with store.transaction() as tx:
        members = await tx.teams.members(crew)
        own = {m.display_name: (await standing(tx, MasteryModel(), m, NOW)).streak for m in members}
        [team_row] = await tx.teams.all([crew])
        detail = await team.team_detail(tx, team_row, curriculum, MasteryModel(), NOW)
        [summary] = await team.summaries(tx, [team_row], NOW)

    by_name = {m.name: m.streak for m in detail.members}
    assert by_name == own, "the team page shows the streak the learner sees in /progress"
    assert by_name == {"fresh": 3, "two_months": 45, "a_year": 260, "broken": 4, "never": 0, "away": 40}
    assert (summary.on_a_streak, summary.longest_streak) == (5, 260)
    assert (summary.learners, summary.active_this_week) == (6, 4), "away (back from a hold, not yet learning) and never: not active"
    assert [m.name for m in detail.members if m.active] == ["a_year", "broken", "fresh", "two_months"]
