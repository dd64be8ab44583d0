"""A certificate is worth what the badges it stacks are worth now.

The rule: a certificate is suspended while a badge it stacks is not valid for its holder (that
badge revoked, or expired and not renewed, or no longer held at all), and counts again as soon as
the badge is renewed: nothing is re-signed, the certificate's suspension bit is worked out from
the awards whenever the list is published. A revoked certificate has its bit set for good (a
certificate's one status entry is its suspension entry: the 1EdTech schema allows a credential
one status entry, and a badge's is its revocation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.awards import is_valid
from bot.ports import UnitOfWork
from bot.records import Award
from content.model import Curriculum


@dataclass(frozen=True)
class Lapse:
    """A badge a certificate stacks that is not valid now, and since when (None: never held)."""

    badge_id: str
    title: str
    how: str  # revoked | expired | not held
    since: datetime | None


def lapses(certificate: Award, held: list[Award], curriculum: Curriculum, *, now: datetime) -> list[Lapse]:
    """Why `certificate` is suspended at `now` (nothing: it is not), from its holder's awards."""
    definition = curriculum.credentials.get(certificate.definition_id)
    stacked = definition.stacks if definition is not None else ()
    found = []
    for badge_id in stacked:
        awards = [a for a in held if a.learner_id == certificate.learner_id and a.definition_id == badge_id]
        if any(is_valid(a, now) for a in awards):
            continue
        badge = curriculum.credentials.get(badge_id)
        title = badge.title if badge is not None else badge_id
        latest = max(awards, key=lambda a: (a.awarded_at, a.id), default=None)
        if latest is None:
            found.append(Lapse(badge_id, title, "not held", None))
        elif latest.revoked_at is not None:
            found.append(Lapse(badge_id, title, "revoked", latest.revoked_at))
        else:
            found.append(Lapse(badge_id, title, "expired", latest.valid_until))
    return found


async def suspended_indices(tx: UnitOfWork, curriculum: Curriculum, *, now: datetime) -> list[int]:
    """The bits of the suspension list: revoked certificates, and valid ones with a lapse."""
    certificates = await tx.awards.of_kind("certificate")
    live = [c for c in certificates if is_valid(c, now)]
    held = await tx.awards.of_many({c.learner_id for c in live})  # all their awards, revoked ones too, to say why
    return sorted(
        [c.id for c in certificates if c.revoked_at is not None]
        + [c.id for c in live if lapses(c, held[c.learner_id], curriculum, now=now)]
    )
