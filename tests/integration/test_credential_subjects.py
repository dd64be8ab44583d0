"""A public credential cannot be traced back to the learner: its subject is a random id of the
learner's own (hashed and salted), never derived from their chat account, and forgotten when they
leave. Credentials signed the old way (a hash of "telegram:<id>" with the salt beside it: an id
was recovered in 1.4 s on one core) are signed again, and keep verifying."""

from __future__ import annotations

import asyncio
import copy
import hashlib
from datetime import datetime
from typing import Any

from alembic import command

from bot.awards import renew_stale_subjects
from bot.core import Core
from bot.store.migrate import alembic_config, upgrade_async
from bot.store.store import SqlStore
from credentials.issuer import IssuerIdentity
from credentials.issuing import hashed_identity
from credentials.status_list import signed_status_list
from tests.integration.test_issuing_on_award import earn_deckhand, issuer_for
from tests.support import Chat

PUBLIC_URL = "https://learn.example.com"


def hash_of(identity: str, subject: dict[str, Any]) -> str:
    return "sha256$" + hashlib.sha256((identity + subject["salt"]).encode()).hexdigest()


def identity_in(credential: dict[str, Any]) -> dict[str, Any]:
    [identity] = credential["credentialSubject"]["identifier"]
    return identity


async def subject_ids(store: SqlStore) -> list[str | None]:
    async with store.transaction() as tx:
        from sqlalchemy import select

        from bot.store.models import LearnerRow

        return list(await tx._session.scalars(select(LearnerRow.subject_id)))


async def leave(chat: Chat) -> None:
    """Leave as a learner does: /settings, Leave, and every confirmation."""
    await chat.command("settings")
    await chat.press("Leave and delete my data")
    for _ in range(3):
        if "personal data is deleted" in chat.text:
            return
        destructive = [b for r in chat.last for b in getattr(r, "buttons", ()) if b.label.startswith(("Yes", "Delete"))]
        await chat.press(destructive[0].label)
    assert "personal data is deleted" in chat.text


async def test_a_credential_names_its_learner_by_a_random_subject_that_leaving_forgets(store, curriculum, clock, tmp_path):
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, PUBLIC_URL))
    badge, certificate = await earn_deckhand(core, clock, store)
    for credential in (badge.credential, certificate.credential):
        identity = identity_in(credential)
        assert identity["identityHash"] != hash_of("test:ana", identity), "not derivable from the chat account"
        assert "ana" not in str(credential["credentialSubject"])
    [subject] = await subject_ids(store)
    assert subject is not None
    assert identity_in(badge.credential)["identityHash"] == hash_of(f"urn:uuid:{subject}", identity_in(badge.credential))
    assert identity_in(certificate.credential)["identityHash"] == hash_of(f"urn:uuid:{subject}", identity_in(certificate.credential)), (
        "one subject across the learner's credentials, so a certificate and its badges belong together"
    )

    await leave(Chat(core))
    assert await subject_ids(store) == [None], "nothing left that matches the published hash"


async def test_credentials_signed_the_old_way_are_signed_again_and_keep_verifying(
    store, curriculum, clock, tmp_path, database_url, verify_with_node
):
    issuer = issuer_for(tmp_path, PUBLIC_URL)
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
    badge, _ = await earn_deckhand(core, clock, store)
    old = old_style(badge.credential, issuer, "test:ana", clock.now())
    async with store.transaction() as tx:
        await tx.awards.store_credential((await tx.awards.of(badge.learner_id))[0].id, old)
    assert identity_in(old)["identityHash"] == hash_of("test:ana", identity_in(old)), "the leak, as it was"

    # The database as before this change, upgraded: every credential signed so far is marked.
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0013")
    await upgrade_async(database_url)
    assert await renew_stale_subjects(store, issuer, now=clock.now()) == 2  # the badge and its certificate
    assert await renew_stale_subjects(store, issuer, now=clock.now()) == 0, "once"

    async with store.transaction() as tx:
        renewed = (await tx.awards.of(badge.learner_id))[0].credential
    [subject] = await subject_ids(store)
    identity = identity_in(renewed)
    assert identity["identityHash"] != hash_of("test:ana", identity)
    assert identity["identityHash"] == hash_of(f"urn:uuid:{subject}", identity)
    without = lambda c: {k: v for k, v in c.items() if k not in ("proof", "credentialSubject")}  # noqa: E731
    assert without(renewed) == without(old) and renewed["credentialSubject"]["achievement"] == old["credentialSubject"]["achievement"]
    live = signed_status_list(issuer=issuer, revoked_indices=[], now=clock.now())
    node = lambda c: verify_with_node(  # noqa: E731
        c,
        did_documents=(issuer.did_document(),),
        status_lists=(live,),
        now=clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    assert node(renewed) == {"verified": True, "errors": []}
    assert node(old) == {"verified": True, "errors": []}, "a copy handed out before still verifies"


async def test_a_learner_who_left_before_the_change_is_not_traceable_either(store, curriculum, clock, tmp_path, database_url):
    issuer = issuer_for(tmp_path, PUBLIC_URL)
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
    badge, _ = await earn_deckhand(core, clock, store)
    async with store.transaction() as tx:
        await tx.awards.store_credential(
            (await tx.awards.of(badge.learner_id))[0].id, old_style(badge.credential, issuer, "test:ana", clock.now())
        )
    await leave(Chat(core))
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0013")
    await upgrade_async(database_url)
    await renew_stale_subjects(store, issuer, now=clock.now())
    async with store.transaction() as tx:
        renewed = (await tx.awards.of(badge.learner_id))[0].credential
    assert identity_in(renewed)["identityHash"] != hash_of("test:ana", identity_in(renewed))
    assert await subject_ids(store) == [None], "a fresh subject that nothing keeps"
    assert issuer.verify(renewed).ok


def old_style(credential: dict[str, Any], issuer: IssuerIdentity, platform_id: str, now: datetime) -> dict[str, Any]:
    """The credential as the bot signed it before: the subject a salted hash of the platform id."""
    unsigned = {k: v for k, v in copy.deepcopy(credential).items() if k != "proof"}
    unsigned["credentialSubject"]["identifier"] = [hashed_identity(platform_id, salt="0123456789abcdef")]
    return issuer.sign(unsigned, created=now)
