"""After a key is withdrawn as compromised (`credentials rotate-key --compromised`): every
credential it signed that still counts is signed again by the new key, and its learner is told.

The new copy keeps the credential's id, award, dates and status list index: the same credential,
vouched for by a key that still counts. With did:web the withdrawn key has left the DID document,
so the old copies verify nowhere; with did:key the old issuer DID names the withdrawn key by
itself, and only this bot's own pages and `credentials verify` know it was withdrawn. Revoked and
expired credentials are left as they are (the withdrawn key makes them fail too, as they should)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.awards import is_valid
from bot.ports import Store
from bot.vocabulary import NudgeKind
from credentials.issuer import IssuerIdentity


@dataclass(frozen=True)
class Reissued:
    signed_again: int  # credentials now signed by the current key
    learners: int  # learners told, each once
    left_alone: int  # signed by the withdrawn key but revoked or expired: not signed again


async def reissue_withdrawn(store: Store, issuer: IssuerIdentity, *, now: datetime, batch: int = 200) -> Reissued:
    """Idempotent: a credential already signed by the current key is not touched, so running it
    again after an interruption finishes the work."""
    signed = left_alone = 0
    told: set[int] = set()
    last = 0
    while True:
        async with store.transaction() as tx:
            awards = await tx.awards.after(last, batch)
            if not awards:
                return Reissued(signed, len(told), left_alone)
            last = awards[-1].id
            for award in awards:
                if award.credential is None or not issuer.signed_by_withdrawn_key(award.credential):
                    continue
                if not is_valid(award, now):
                    left_alone += 1
                    continue
                await tx.awards.store_credential(award.id, issuer.sign(_unsigned_as_now(award.credential, issuer), created=now))
                signed += 1
                if award.learner_id not in told:
                    await tx.nudges.schedule(award.learner_id, NudgeKind.REISSUED, now)
                    told.add(award.learner_id)


def _unsigned_as_now(credential: dict[str, Any], issuer: IssuerIdentity) -> dict[str, Any]:
    """The credential without its proof, issued by the issuer as it is now (with did:key a new
    key is a new DID; with did:web the DID stays)."""
    unsigned = {name: value for name, value in credential.items() if name != "proof"}
    unsigned["issuer"] = issuer.profile.profile()
    return unsigned
