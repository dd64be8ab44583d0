"""An admin whose chat is in German makes a team of a channel's members: the answer is in
German (the team's name as typed); an English admin's answer is as it always was. On SQLite and
PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

from bot.core import Core
from bot.events import LearnerRef
from bot.markup import literal
from bot.people import Person, import_people
from bot.store.store import SqlStore
from tests.integration.test_team_from_channel import answer, slack, sync

GERMAN_ADMIN = LearnerRef("slack", "U0ADM", "Dee", language="de-DE")


async def test_a_german_admins_team_sync_is_answered_in_german(core: Core, store: SqlStore, clock) -> None:
    await import_people(store, [Person("slack", GERMAN_ADMIN.user_id, "Dee", None, "admin", ())], now=clock.now())
    said = await answer(core, sync([slack("U0A", "ana"), slack("U0B", "bo")], manager=slack("U0ADM"), by=GERMAN_ADMIN))
    assert said == f"{literal('#plant-floor')}: 2 Mitglieder (2 neu, 0 entfernt); Führungskraft: @Dee"
    said = await answer(core, sync([slack("U0B", "bo")], by=GERMAN_ADMIN, source="again"))
    assert said == f"{literal('#plant-floor')}: 1 Mitglied (0 neu, 1 entfernt)"
    said = await answer(core, replace(sync([slack("U0B", "bo")], by=GERMAN_ADMIN, source="role"), job_role="welder"))
    assert said.startswith(("Die Jobrolle „welder“ kenne ich nicht.", "Es gibt noch keine Jobrollen")), said
    assert said.endswith("Es wurde nichts geändert.")


async def test_an_english_admins_answer_is_as_it_was(core: Core, store: SqlStore, clock) -> None:
    english = LearnerRef("slack", "U0ADM", "Dee", language="en-US")
    await import_people(store, [Person("slack", english.user_id, "Dee", None, "admin", ())], now=clock.now())
    said = await answer(core, sync([slack("U0A", "ana")], manager=slack("U0ADM"), by=english))
    assert said == f"{literal('#plant-floor')}: 1 member (1 new, 0 removed); manager: @Dee"
