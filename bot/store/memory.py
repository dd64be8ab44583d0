"""What each learner remembers: FSRS state per check item, BKT knowledge per skill."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import BindParameter, Float, Table, bindparam, literal_column, null, select, type_coerce, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import ItemMemory, SkillMemory
from bot.store import rows
from bot.store.models import ItemStateRow, SkillStateRow, UTCDateTime
from bot.store.writes import Writes

ITEMS, SKILLS = cast(Table, ItemStateRow.__table__), cast(Table, SkillStateRow.__table__)
ITEM, SKILL = ITEMS.c, SKILLS.c
LEARNER: BindParameter[int] = bindparam("learner_id")

# A learner's items and skills in one statement (an answer needs both, and so does mastery):
# item rows, then skill rows, in the item rows' columns (the first select's types read both).
MEMORY = union_all(
    select(
        literal_column("'item'").label("kind"),
        ITEM.check_key.label("key"),
        ITEM.card,
        ITEM.skills,
        ITEM.due,
        ITEM.reviews,
        ITEM.last_correct,
        ITEM.last_review,
        type_coerce(null(), Float).label("p_known"),
        type_coerce(null(), UTCDateTime()).label("updated_at"),
    ).where(ITEM.learner_id == LEARNER),
    select(
        literal_column("'skill'"), SKILL.skill_id, null(), null(), null(), null(), null(), null(), SKILL.p_known, SKILL.updated_at
    ).where(SKILL.learner_id == LEARNER),
)
DUE = (
    select(ITEMS)
    .where(ITEM.learner_id == LEARNER, ITEM.due <= bindparam("now"))
    .order_by(ITEM.due, ITEM.check_key)
    .limit(bindparam("limit"))
)


class SqlMemory:
    def __init__(self, session: AsyncSession, writes: Writes) -> None:
        self._session = session
        self._writes = writes
        # A learner's memory once read in this transaction (an answer reads it to update it, the
        # awarder and the next step read it again), kept up to date by put_item and put_skill.
        self._items: dict[int, dict[str, ItemMemory]] = {}
        self._skills: dict[int, dict[str, SkillMemory]] = {}

    async def _read(self, learner_id: int) -> None:
        items, skills = self._items[learner_id], self._skills[learner_id] = {}, {}
        for row in await self._session.execute(MEMORY, {"learner_id": learner_id}):
            match rows.remembered(row):
                case ItemMemory() as item:
                    items[item.check_key] = item
                case SkillMemory() as skill:
                    skills[skill.skill_id] = skill

    async def items(self, learner_id: int) -> dict[str, ItemMemory]:
        if learner_id not in self._items:
            await self._read(learner_id)
        return dict(self._items[learner_id])

    async def due(self, learner_id: int, now: datetime, limit: int) -> list[ItemMemory]:
        if learner_id in self._items:
            due = [item for item in self._items[learner_id].values() if item.due <= now]
            return sorted(due, key=lambda item: (item.due, item.check_key))[:limit]
        found = await self._session.execute(DUE, {"learner_id": learner_id, "now": now, "limit": limit})
        return [rows.item(row) for row in found]

    async def skills(self, learner_id: int) -> dict[str, SkillMemory]:
        if learner_id not in self._skills:
            await self._read(learner_id)
        return dict(self._skills[learner_id])

    async def put_item(self, learner_id: int, item: ItemMemory) -> None:
        self._writes.upsert(
            ITEMS,
            ("learner_id", "check_key"),
            {
                "learner_id": learner_id,
                "check_key": item.check_key,
                "card": item.card,
                "skills": list(item.skills),
                "due": item.due,
                "reviews": item.reviews,
                "last_correct": item.last_correct,
                "last_review": item.last_review,
            },
        )
        if learner_id in self._items:
            self._items[learner_id][item.check_key] = item

    async def put_skill(self, learner_id: int, skill: SkillMemory) -> None:
        self._writes.upsert(
            SKILLS,
            ("learner_id", "skill_id"),
            {
                "learner_id": learner_id,
                "skill_id": skill.skill_id,
                "p_known": skill.p_known,
                "updated_at": skill.updated_at,
            },
        )
        if learner_id in self._skills:
            self._skills[learner_id][skill.skill_id] = skill
