"""The store's wallet claim links (bot/ports.py WalletClaims), held by the SQL store on SQLite and
PostgreSQL and by the in-memory store alike."""

from __future__ import annotations

from datetime import timedelta

from bot.ports import Store
from bot.records import Award
from tests.integration.test_store_contract import (
    ANA,
    NOW,
)

LATER = NOW + timedelta(minutes=15)


async def an_award(store: Store) -> Award:
    async with store.transaction() as tx:
        learner, _ = await tx.learners.locked(ANA, now=NOW)
        award = Award(
            public_id="11111111-1111-4111-8111-111111111111",
            learner_id=learner.id,
            definition_id="deckhand",
            kind="badge",
            renewal=0,
            awarded_at=NOW,
            valid_until=None,
            evidence={},
        )
        assert await tx.awards.add(award)
        return award


async def test_a_link_is_found_by_its_hash_and_spent_once(any_store: Store):
    award = await an_award(any_store)
    async with any_store.transaction() as tx:
        await tx.wallet.add("a" * 64, award.id, LATER, now=NOW)
    async with any_store.transaction() as tx:
        claim = await tx.wallet.find("a" * 64)
        assert claim is not None and claim.award.public_id == award.public_id
        assert (claim.expires_at, claim.used_at, claim.holder) == (LATER, None, None)
        assert await tx.wallet.find("b" * 64) is None
        assert await tx.wallet.use("a" * 64, holder="did:key:z6MkOne", now=NOW)
        assert not await tx.wallet.use("a" * 64, holder="did:key:z6MkTwo", now=NOW), "once"
    async with any_store.transaction() as tx:
        claim = await tx.wallet.find("a" * 64)
        assert claim is not None and (claim.used_at, claim.holder) == (NOW, "did:key:z6MkOne")


async def test_an_expired_link_cannot_be_spent_and_is_purged(any_store: Store):
    award = await an_award(any_store)
    async with any_store.transaction() as tx:
        await tx.wallet.add("a" * 64, award.id, LATER, now=NOW)
        await tx.wallet.add("b" * 64, award.id, LATER + timedelta(minutes=1), now=NOW)
    async with any_store.transaction() as tx:
        assert not await tx.wallet.use("a" * 64, holder="did:key:z6MkOne", now=LATER)
        assert await tx.wallet.purge_expired(LATER) == 1
        assert await tx.wallet.find("a" * 64) is None and await tx.wallet.find("b" * 64) is not None


async def test_a_spent_link_is_not_spent_when_its_transaction_fails(any_store: Store):
    award = await an_award(any_store)
    async with any_store.transaction() as tx:
        await tx.wallet.add("a" * 64, award.id, LATER, now=NOW)
    try:
        async with any_store.transaction() as tx:
            assert await tx.wallet.use("a" * 64, holder="did:key:z6MkOne", now=NOW)
            raise RuntimeError("the credential could not be sent")
    except RuntimeError:
        pass
    async with any_store.transaction() as tx:
        claim = await tx.wallet.find("a" * 64)
        assert claim is not None and claim.used_at is None


async def test_a_learner_who_left_has_no_links(any_store: Store):
    award = await an_award(any_store)
    async with any_store.transaction() as tx:
        await tx.wallet.add("a" * 64, award.id, LATER, now=NOW)
        learner = await tx.learners.by_id(award.learner_id)
        assert learner is not None
        learner.platform_user_id = "erased:someone"
        await tx.learners.save(learner)
    async with any_store.transaction() as tx:
        assert await tx.wallet.find("a" * 64) is None
