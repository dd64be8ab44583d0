"""A small programme for the compliance matrix's tests (web, browser, CLI): the fixture curriculum
(tests/fixtures/content: the Deckhand badge and the Mariner certificate that stacks it) with two
job roles, two teams, a manager of one of them, an admin, and people whose records differ on 14
March and now (1 June 2026).

    Deck    Ana Lima       deck crew; Deckhand awarded 10 Feb, revoked 20 March
                           (valid on 14 March, overdue now: due 31 January)
            Bo Chen        navigator since 1 March; nothing yet (Deckhand and Mariner overdue
                           now, not started on 14 March: due 30 April)
            =HYPERLINK(..) deck crew; Deckhand awarded 1 May, valid until 28 October (valid now;
                           overdue on 14 March)
            Dee Park       no job role: nothing required of her
    Engine  Cy Silva       deck crew; started the Tides lesson on 3 March (in progress), due 30
                           June; Deckhand assigned by a manager too
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from bot.assignments import role_origin
from bot.ports import Store
from bot.records import Assignment, Award
from bot.team import SESSION_VALID, new_token, token_hash
from bot.vocabulary import AccessKind, Role, SessionKind, SessionStatus, Target
from content.model import Curriculum
from content.model import Role as JobRole

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
MARCH_14 = date(2026, 3, 14)
FORMULA = '=HYPERLINK("https://evil.example","x")'
DECK_CREW = JobRole("deck-crew", "Deck crew", "Works the deck safely.", ("deckhand",), 30)
NAVIGATOR = JobRole("navigator", "Navigator", "Plans the passage.", ("deckhand", "mariner"), 60)


def with_roles(curriculum: Curriculum) -> Curriculum:
    return replace(curriculum, roles={DECK_CREW.id: DECK_CREW, NAVIGATOR.id: NAVIGATOR})


@dataclass(frozen=True)
class Programme:
    deck: int
    engine: int
    ana: int
    bo: int
    cy: int
    dee: int
    formula: int
    maria: int  # manager of Deck
    lee: int  # admin
    maria_session: str
    lee_session: str
    ana_session: str  # a learner signed in (refused)


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def seed(store: Store) -> Programme:
    joined = datetime(2026, 1, 1, tzinfo=UTC)
    async with store.transaction() as tx:
        teams = await tx.teams.ids_by_name(["Deck", "Engine"])
        ids: dict[str, int] = {}
        for user, name, team in (
            ("ana", "Ana Lima", "Deck"),
            ("bo", "Bo Chen", "Deck"),
            ("formula", FORMULA, "Deck"),
            ("dee", "Dee Park", "Deck"),
            ("cy", "Cy Silva", "Engine"),
            ("maria", "Maria Manager", None),
            ("lee", "Lee Admin", None),
        ):
            person, _ = await tx.learners.person("console", user, name, now=joined)
            person.team_id = teams[team] if team else None
            person.role = Role.MANAGER if user == "maria" else Role.ADMIN if user == "lee" else Role.LEARNER
            await tx.learners.save(person)
            ids[user] = person.id
        await tx.teams.set_managed(ids["maria"], [teams["Deck"]])

        async def role(user: str, job: JobRole, since: datetime, due: date) -> None:
            await tx.job_roles.give(ids[user], job.id, at=since)
            for credential in job.requires:
                await tx.assignments.add(Assignment(ids[user], Target.CREDENTIAL, credential, due, role_origin(job.id), since))

        await role("ana", DECK_CREW, joined, date(2026, 1, 31))
        await role("formula", DECK_CREW, joined, date(2026, 1, 31))
        await role("cy", DECK_CREW, datetime(2026, 3, 1, tzinfo=UTC), date(2026, 6, 30))
        await role("bo", NAVIGATOR, datetime(2026, 3, 1, tzinfo=UTC), date(2026, 4, 30))
        await tx.assignments.add(
            Assignment(ids["cy"], Target.CREDENTIAL, "deckhand", date(2026, 6, 30), "dashboard", _at(date(2026, 3, 2)))
        )
        ana = Award("p-ana", ids["ana"], "deckhand", "badge", 0, _at(date(2026, 2, 10)), _at(date(2026, 2, 10)) + timedelta(days=180), {})
        await tx.awards.add(ana)
        await tx.awards.revoke(ana.id, at=_at(date(2026, 3, 20)), reason="issued in error")
        held = _at(date(2026, 5, 1))
        await tx.awards.add(Award("p-formula", ids["formula"], "deckhand", "badge", 0, held, held + timedelta(days=180), {}))
        lesson = await tx.sessions.open(ids["cy"], SessionKind.LESSON, "Tides", [], now=_at(date(2026, 3, 3)), lesson_id="tides")
        lesson.status = SessionStatus.ACTIVE
        await tx.sessions.save(lesson)
        sessions = {}
        for user in ("maria", "lee", "ana"):
            sessions[user] = new_token()
            await tx.access.add(token_hash(sessions[user]), ids[user], AccessKind.SESSION, NOW + SESSION_VALID)
    return Programme(
        deck=teams["Deck"],
        engine=teams["Engine"],
        ana=ids["ana"],
        bo=ids["bo"],
        cy=ids["cy"],
        dee=ids["dee"],
        formula=ids["formula"],
        maria=ids["maria"],
        lee=ids["lee"],
        maria_session=sessions["maria"],
        lee_session=sessions["lee"],
        ana_session=sessions["ana"],
    )
