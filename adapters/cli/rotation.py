"""`credentials rotate-key [--compromised]`: a new issuer key, taken up by every running process
at its next signature or page (credentials/keystore.py), with no restart.

Routine: the old key's private half is destroyed and its public half stays in the did:web
document, so what it signed keeps verifying. Compromised: the old key leaves the DID document,
and every credential it signed that still counts is signed again with the new key, its learner
told (bot/reissuing.py). `credentials reissue` finishes that if it was interrupted."""

from __future__ import annotations

from datetime import datetime

from adapters.cli.shared import Outcome
from bot.ports import Store
from bot.reissuing import reissue_withdrawn
from credentials.issuer import IssuerIdentity
from credentials.keystore import KeyStore


def rotate_routinely(keys: KeyStore, *, now: datetime) -> Outcome:
    new = keys.rotate(now)
    retired = len(keys.ring().retired)
    return Outcome(
        f"New issuer key {new.public_key_multibase}. The old key can no longer sign (its private half is destroyed); "
        f"{retired} retired public key(s) stay in the did:web document so earlier credentials still verify. "
        "Running serve processes sign with the new key from now on."
    )


async def rotate_compromised(keys: KeyStore, store: Store, issuer: IssuerIdentity, *, now: datetime) -> Outcome:
    """`issuer` must follow `keys` (IssuerIdentity.from_store): it signs again with the new key."""
    new = keys.rotate(now, compromised=True)
    done = await reissue_withdrawn(store, issuer, now=now)
    left = f"; {done.left_alone} revoked or expired one(s) left as they are" if done.left_alone else ""
    did_key = (
        ""
        if issuer.public_url
        else (
            " With did:key the old issuer DID names the withdrawn key by itself: verifiers elsewhere keep accepting copies signed "
            "before; only this bot's pages and `credentials verify` here know they are superseded."
        )
    )
    return Outcome(
        f"New issuer key {new.public_key_multibase}; the compromised key is withdrawn from the DID document and can verify "
        f"nothing. Signed again with the new key: {done.signed_again} credential(s) of {done.learners} learner(s), who are "
        f"told at their next reachable time{left}.{did_key}"
    )


async def reissue(store: Store, issuer: IssuerIdentity, *, now: datetime) -> Outcome:
    """`credentials reissue`: finish what an interrupted `rotate-key --compromised` began (it
    signs again only what a withdrawn key signed; nothing twice)."""
    if not issuer.withdrawn:
        return Outcome("No key was ever withdrawn as compromised: nothing to sign again.")
    done = await reissue_withdrawn(store, issuer, now=now)
    return Outcome(f"Signed again with the current key: {done.signed_again} credential(s) of {done.learners} learner(s).")
