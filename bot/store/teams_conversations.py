"""Microsoft Teams' conversation references, kept in the database so that any `serve` process
can start a message in a conversation the bot was in (a learner's daily nudge, a badge
announcement in a team channel): Teams lets a bot send only where it has a conversation id and
the service URL that conversation is served from, and both arrive with every activity."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock
from bot.records import ConversationReference
from bot.store.models import TeamsConversationRow
from bot.store.unavailable import unavailable_as_store_error

_SELECT = select(
    TeamsConversationRow.conversation_id,
    TeamsConversationRow.service_url,
    TeamsConversationRow.kind,
    TeamsConversationRow.user_id,
    TeamsConversationRow.tenant_id,
)


class SqlTeamsConversations:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine, self._clock = engine, clock
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    async def keep(self, reference: ConversationReference) -> None:
        """Remember (or refresh: Teams may move a conversation to another service URL) a reference."""
        values = {
            "conversation_id": reference.conversation_id,
            "user_id": reference.user_id,
            "kind": reference.kind,
            "service_url": reference.service_url,
            "tenant_id": reference.tenant_id,
            "updated_at": self._clock.now(),
        }
        statement = self._insert(TeamsConversationRow).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[TeamsConversationRow.conversation_id],
            set_={name: statement.excluded[name] for name in ("user_id", "kind", "service_url", "tenant_id", "updated_at")},
        )
        async with unavailable_as_store_error(), self._engine.begin() as connection:
            await connection.execute(statement)

    async def personal(self, user_id: str) -> ConversationReference | None:
        """The learner's personal chat with the bot, the one heard from last."""
        query = (
            _SELECT.where(TeamsConversationRow.user_id == user_id, TeamsConversationRow.kind == "personal")
            .order_by(TeamsConversationRow.updated_at.desc())
            .limit(1)
        )
        return await self._one(query)

    async def find(self, conversation_id: str) -> ConversationReference | None:
        return await self._one(_SELECT.where(TeamsConversationRow.conversation_id == conversation_id))

    async def _one(self, query: Select[str, str, str, str | None, str | None]) -> ConversationReference | None:
        async with unavailable_as_store_error(), self._engine.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        if row is None:
            return None
        conversation_id, service_url, kind, user_id, tenant_id = row
        return ConversationReference(conversation_id, service_url, kind, user_id=user_id, tenant_id=tenant_id)
