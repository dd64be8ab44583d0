"""A card's pictures as the core shows them (bot/replies.py), from the content's or a snapshot's."""

from __future__ import annotations

from bot.replies import Picture
from content.model import Card


def shown_pictures(card: Card) -> tuple[Picture, ...]:
    return tuple(
        Picture(
            path=p.path,
            alt=p.alt,
            caption=p.caption,
            media_type=p.media_type,
            width=p.width,
            height=p.height,
            digest=p.digest,
        )
        for p in card.pictures
    )
