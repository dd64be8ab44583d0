"""The dashboard's words made in bot/team.py (the team funnel's first step, a learner's activity
lines) in the viewer's language (issue 17), from the bot's catalog; the CSV exports keep English.
Over ASGI on SQLite and PostgreSQL, from a real trail."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from bot.clock import ManualClock
from bot.people import import_people, read_people
from bot.records import TrailEvent
from bot.store.store import SqlStore
from bot.team import SESSION_VALID, new_token, token_hash
from bot.vocabulary import AccessKind, EventKind
from tests.web.dashboard_support import SESSION_COOKIE
from tests.web.test_pages_in_german import GERMAN, PEOPLE, visible


async def test_the_funnel_and_the_activity_lines_in_german_and_the_exports_in_english(
    client: httpx.AsyncClient, store: SqlStore, clock: ManualClock
):
    people, problems = read_people(PEOPLE)
    assert problems == []
    await import_people(store, people, now=clock.now())
    session = new_token()
    now = clock.now()
    async with store.transaction() as tx:
        maria = await tx.learners.find("telegram", "900")
        ana = await tx.learners.find("console", "ana")
        assert maria is not None and ana is not None
        await tx.access.add(token_hash(session), maria.id, AccessKind.SESSION, now + SESSION_VALID)
        for minutes, kind, correct in (
            (3, EventKind.LESSON_STARTED, None),
            (2, EventKind.ANSWERED, True),
            (1, EventKind.ANSWERED, False),
        ):
            at = now - timedelta(minutes=minutes)
            event = TrailEvent(kind=kind, occurred_at=at, local_date=at.date(), lesson_id="knots", check_key="k1", correct=correct)
            await tx.trail.add(ana.id, event)
    client.cookies.set(SESSION_COOKIE, session)

    learner = visible(await client.get(f"/dashboard/learners/{ana.id}", headers=GERMAN))
    said = ("„Knoten“ begonnen", "Eine Frage in „Knoten“ beantwortet: richtig", "Eine Frage in „Knoten“ beantwortet: noch nicht richtig")
    for line in said:
        assert line in learner, f"{line!r} not in {learner!r}"
    assert "Started" not in learner and "Answered a check" not in learner

    overview = await client.get("/dashboard", headers=GERMAN)
    team_link = re.search(r'href="(/dashboard/teams/\d+)"', overview.text)
    assert team_link is not None
    team = visible(await client.get(team_link.group(1), headers=GERMAN))
    assert "Begonnen 1" in team and "Started" not in team, team

    english = visible(await client.get(f"/dashboard/learners/{ana.id}", headers={"Accept-Language": "en"}))
    assert "Started “Knots”" in english and "Answered a check in “Knots”: not yet right" in english
    exported = (await client.get(f"/dashboard/learners/{ana.id}/export.csv", headers=GERMAN)).text
    assert "Started “Knots”" in exported and "begonnen" not in exported, "the export keeps the source's words"
    funnel = (await client.get(f"{team_link.group(1)}/funnel.csv", headers=GERMAN)).text
    assert "Started,1" in funnel
