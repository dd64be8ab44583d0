"""What each learner remembers: FSRS state per check item, BKT knowledge per skill."""
from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import ItemMemory, SkillMemory
from bot.store import rows
from bot.store.models import ItemStateRow, SkillStateRow

ITEMS, SKILLS = cast(Table, ItemStateRow.__table__), cast(Table, SkillStateRow.__table__)


def _upsert(dialect: Any, table: Table, key: tuple[str, ...]) -> Any:
    """INSERT ... ON CONFLICT (key) DO UPDATE every other column: one statement, built once,
    its values passed as parameters."""
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in key],
        set_={column.name: statement.excluded[column.name] for column in table.c if column.name not in key},
    )


UPSERTS = {
    name: (_upsert(dialect, ITEMS, ("learner_id", "check_key")), _upsert(dialect, SKILLS, ("learner_id", "skill_id")))
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


class SqlMemory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._put_item, self._put_skill = UPSERTS["postgresql" if session.bind.dialect.name == "postgresql" else "sqlite"]
        # A learner's memory once read in this transaction (an answer reads it to update it, the
        # awarder and the next step read it again), kept up to date by put_item and put_skill.
        self._items: dict[int, dict[str, ItemMemory]] = {}
        self._skills: dict[int, dict[str, SkillMemory]] = {}

    async def items(self, learner_id: int) -> dict[str, ItemMemory]:
        if learner_id not in self._items:
            found = await self._session.scalars(select(ItemStateRow).where(ItemStateRow.learner_id == learner_id))
            self._items[learner_id] = {row.check_key: rows.item(row) for row in found}
        return dict(self._items[learner_id])

    async def due(self, learner_id: int, now: datetime, limit: int) -> list[ItemMemory]:
        if learner_id in self._items:
            due = [item for item in self._items[learner_id].values() if item.due <= now]
            return sorted(due, key=lambda item: (item.due, item.check_key))[:limit]
        found = await self._session.scalars(
            select(ItemStateRow).where(ItemStateRow.learner_id == learner_id, ItemStateRow.due <= now)
            .order_by(ItemStateRow.due, ItemStateRow.check_key).limit(limit)
        )
        return [rows.item(row) for row in found]

    async def skills(self, learner_id: int) -> dict[str, SkillMemory]:
        if learner_id not in self._skills:
            found = await self._session.scalars(select(SkillStateRow).where(SkillStateRow.learner_id == learner_id))
            self._skills[learner_id] = {row.skill_id: rows.skill(row) for row in found}
        return dict(self._skills[learner_id])

    async def put_item(self, learner_id: int, item: ItemMemory) -> None:
        await self._session.execute(self._put_item, {
            "learner_id": learner_id, "check_key": item.check_key, "card": item.card, "skills": list(item.skills),
            "due": item.due, "reviews": item.reviews, "last_correct": item.last_correct, "last_review": item.last_review,
        })
        if learner_id in self._items:
            self._items[learner_id][item.check_key] = item

    async def put_skill(self, learner_id: int, skill: SkillMemory) -> None:
        await self._session.execute(self._put_skill, {
            "learner_id": learner_id, "skill_id": skill.skill_id, "p_known": skill.p_known, "updated_at": skill.updated_at,
        })
        if learner_id in self._skills:
            self._skills[learner_id][skill.skill_id] = skill
