"""What a route looks up by the id in its path, or a 404 that says what has no such id."""

from __future__ import annotations

from datetime import datetime

from fastapi import HTTPException

from bot.ports import Store
from bot.published import PublishedAward, find_published
from content.model import CredentialDefinition, Curriculum


async def published_or_404(store: Store, public_id: str, *, curriculum: Curriculum, now: datetime) -> PublishedAward:
    award = await find_published(store, public_id, curriculum=curriculum, now=now)
    if award is None:
        raise HTTPException(404, "No credential has this id.")
    return award


def definition_or_404(curriculum: Curriculum, definition_id: str) -> CredentialDefinition:
    found = curriculum.credentials.get(definition_id)
    if found is None:
        raise HTTPException(404, "No badge or certificate has this id.")
    return found
