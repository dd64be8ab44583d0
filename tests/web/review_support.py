"""The L&D page's tests: the simulated month of 200 learners on the sample content
(tests/item_histories.py, with its planted findings), and three people of the organisation signed
in to the dashboard: Lee (an admin: L&D), Maria (a manager) and Ana (a learner). A holdout started
a week before the end of the month shows on the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot import holdout
from bot.ports import Store
from bot.team import SESSION_VALID, new_token, token_hash
from bot.vocabulary import AccessKind, Role
from content.loader import load_curriculum
from content.model import Curriculum
from tests.conftest import PROJECT_DIR
from tests.item_histories import NOW, Simulation

PAGE = "/dashboard/review"


@dataclass(frozen=True)
class Organisation:
    lee: int  # admin
    lee_session: str
    maria_session: str  # manager
    ana_session: str  # learner


def sample_content() -> Curriculum:
    loaded = load_curriculum(PROJECT_DIR / "content")
    assert loaded.curriculum is not None, loaded.problems
    return loaded.curriculum


async def seed(store: Store, sample: Curriculum, *, simulate: bool = True) -> Organisation:
    if simulate:
        await Simulation(sample).seed_store(store)
    sessions: dict[str, str] = {}
    ids: dict[str, int] = {}
    async with store.transaction() as tx:
        for user, name, role in (
            ("lee", "Lee Admin", Role.ADMIN),
            ("maria", "Maria Manager", Role.MANAGER),
            ("ana", "Ana Lima", Role.LEARNER),
        ):
            person, _ = await tx.learners.person("console", user, name, now=NOW - timedelta(days=40))
            person.role = role
            await tx.learners.save(person)
            ids[user] = person.id
            sessions[user] = new_token()
            await tx.access.add(token_hash(sessions[user]), person.id, AccessKind.SESSION, NOW + SESSION_VALID)
        await holdout.start(tx, share=0.1, days=28, now=NOW - timedelta(days=7), seed="ldpage")
    return Organisation(lee=ids["lee"], lee_session=sessions["lee"], maria_session=sessions["maria"], ana_session=sessions["ana"])
