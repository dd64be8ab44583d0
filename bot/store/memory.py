"""What each learner remembers: FSRS state per check item, BKT knowledge per skill."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.records import ItemMemory, SkillMemory
from bot.store import rows
from bot.store.models import ItemStateRow, SkillStateRow


class SqlMemory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert

    async def items(self, learner_id: int) -> dict[str, ItemMemory]:
        found = await self._session.scalars(select(ItemStateRow).where(ItemStateRow.learner_id == learner_id))
        return {row.check_key: rows.item(row) for row in found}

    async def due(self, learner_id: int, now: datetime, limit: int) -> list[ItemMemory]:
        found = await self._session.scalars(
            select(ItemStateRow).where(ItemStateRow.learner_id == learner_id, ItemStateRow.due <= now)
            .order_by(ItemStateRow.due, ItemStateRow.check_key).limit(limit)
        )
        return [rows.item(row) for row in found]

    async def skills(self, learner_id: int) -> dict[str, SkillMemory]:
        found = await self._session.scalars(select(SkillStateRow).where(SkillStateRow.learner_id == learner_id))
        return {row.skill_id: rows.skill(row) for row in found}

    async def put_item(self, learner_id: int, item: ItemMemory) -> None:
        values = {"card": item.card, "skills": list(item.skills), "due": item.due, "reviews": item.reviews,
                  "last_correct": item.last_correct, "last_review": item.last_review}
        await self._session.execute(
            self._insert(ItemStateRow).values(learner_id=learner_id, check_key=item.check_key, **values)
            .on_conflict_do_update(index_elements=[ItemStateRow.learner_id, ItemStateRow.check_key], set_=values)
        )

    async def put_skill(self, learner_id: int, skill: SkillMemory) -> None:
        values = {"p_known": skill.p_known, "updated_at": skill.updated_at}
        await self._session.execute(
            self._insert(SkillStateRow).values(learner_id=learner_id, skill_id=skill.skill_id, **values)
            .on_conflict_do_update(index_elements=[SkillStateRow.learner_id, SkillStateRow.skill_id], set_=values)
        )
