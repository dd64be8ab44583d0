"""A learner may choose to be named on the credentials they earn from now on (/settings): each new
credential then carries their name as an OBv3 IdentityObject of identityType "name", not hashed,
beside the hashed random subject, and still verifies: with our verifier, the 1EdTech JSON schema
and an independent verifier. Credentials issued before stay as they were signed. The name is
text in JSON, and never in the logs. And /badges on the SQL store: a credential the operator
revoked says when and why."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

import pytest
from alembic import command

from adapters.cli.credentials import revoke
from bot.core import Core
from bot.events import LearnerRef
from bot.records import Award
from bot.replies import AwardNotice, Question, Reply
from bot.store.migrate import alembic_config, upgrade_async
from bot.store.store import SqlStore
from credentials.issuer import IssuerIdentity
from credentials.issuing import REVOCATION, SUSPENSION
from credentials.schema import validate_achievement_credential
from credentials.status_list import signed_status_list
from tests.integration.test_issuing_on_award import issuer_for
from tests.support import Chat, found, study_daily_until

PUBLIC_URL = "https://learn.example.com"
NAME = "Zuzana *Nováková* [x](https://evil.example) <b>"  # as the platform gives it


def named(name: str) -> dict[str, Any]:
    return {"type": "IdentityObject", "hashed": False, "identityHash": name, "identityType": "name"}


async def awards_of(store: SqlStore, user: str = "ana") -> list[Award]:
    async with store.transaction() as tx:
        return await tx.awards.of(found(await tx.learners.find("test", user)).id)


async def earn_both(chat: Chat, clock) -> None:
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    day, _ = await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge")
    assert day is not None


def node_check(verify_with_node, issuer: IssuerIdentity, now: datetime):
    lists = tuple(signed_status_list(issuer=issuer, revoked_indices=[], now=now, purpose=purpose) for purpose in (REVOCATION, SUSPENSION))
    return lambda credential: verify_with_node(
        credential, did_documents=(issuer.did_document(),), status_lists=lists, now=now.strftime("%Y-%m-%dT%H:%M:%SZ")
    )


async def test_a_learner_who_chose_to_be_named_gets_credentials_with_their_name_that_verify_everywhere(
    store, curriculum, clock, tmp_path, verify_with_node, caplog
):
    caplog.set_level(logging.INFO)  # what the bot logs at its most talkative
    issuer = issuer_for(tmp_path, PUBLIC_URL)
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer)
    ana, bo = Chat(core, "ana"), Chat(core, "bo")
    ana.learner = LearnerRef("test", "ana", NAME)
    await ana.start()
    await ana.command("settings")
    await ana.press("My name on new credentials: turn on")
    await earn_both(ana, clock)
    await earn_both(bo, clock)

    badge, certificate = await awards_of(store, "ana")
    node = node_check(verify_with_node, issuer, clock.now())
    for award in (badge, certificate):
        credential = found(award.credential)
        hashed, name = credential["credentialSubject"]["identifier"]
        assert hashed["identityType"] == "systemId" and hashed["hashed"] is True, "the random subject stays"
        assert name == named(NAME), "the name exactly as given: a JSON string, no Markdown"
        assert issuer.verify(credential).ok
        assert validate_achievement_credential(credential).problems == []
        assert node(credential) == {"verified": True, "errors": []}
    for award in await awards_of(store, "bo"):  # who did not choose is not named
        [identity] = found(award.credential)["credentialSubject"]["identifier"]
        assert identity["identityType"] == "systemId"
    assert "Nováková" not in caplog.text, "a name never reaches the logs"


async def test_credentials_issued_before_the_choice_stay_as_they_were_and_a_renewal_carries_the_name(
    store, curriculum, clock, tmp_path, verify_with_node
):
    issuer = issuer_for(tmp_path, PUBLIC_URL)
    chat = Chat(Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer))
    await earn_both(chat, clock)
    before = [found(a.credential) for a in await awards_of(store)]
    await chat.command("settings", "name on")
    assert (
        chat.text == "From now on, the badges and certificates you earn carry your name: Ana. The ones you already hold stay as they are."
    )
    assert [a.credential for a in await awards_of(store)] == before, "credentials already issued are not changed"

    # The badge's refresher, once it is due: the renewal is a new credential, and it is named.
    clock.advance(days=175)
    said: list[Reply] = []
    for _ in range(10):
        said += await chat.next()
        while any(isinstance(r, Question) for r in chat.last):
            said += await chat.answer_correctly()
        if any(isinstance(r, AwardNotice) and "Renewed: Deckhand" in r.text for r in said):
            break
    old_badge, certificate, renewed = await awards_of(store)
    assert [found(old_badge.credential), found(certificate.credential)] == before
    assert renewed.renewal == 1 and found(renewed.credential)["credentialSubject"]["identifier"][1] == named("Ana")
    assert node_check(verify_with_node, issuer, clock.now())(found(renewed.credential)) == {"verified": True, "errors": []}


async def test_the_choice_is_kept_and_learners_from_before_it_existed_are_not_named(store, core, database_url):
    chat = Chat(core)
    await chat.start()
    await chat.command("settings", "name on")
    async with store.transaction() as tx:
        assert found(await tx.learners.find("test", "ana")).name_on_credentials is True
    # The database as before this change (migration 0017), upgraded: everyone is off until they choose.
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0017")
    await upgrade_async(database_url)
    async with store.transaction() as tx:
        assert found(await tx.learners.find("test", "ana")).name_on_credentials is False
    await chat.command("settings")
    assert "My name on new credentials: off" in chat.text.split("\n")


@pytest.mark.parametrize("reason", ["Issued in error: <b>see</b> [ticket](https://evil.example) _now_"])
async def test_badges_says_when_and_why_the_operator_revoked_a_credential(store, curriculum, clock, tmp_path, reason):
    issuer = issuer_for(tmp_path, PUBLIC_URL)
    chat = Chat(Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer))
    await earn_both(chat, clock)
    badge, certificate = await awards_of(store)
    outcome = await revoke(store, f"{PUBLIC_URL}/credentials/{badge.public_id}", reason=reason, now=clock.now())
    assert outcome.exit_code == 0
    await chat.command("badges")
    lines = chat.text.split("\n")
    earned = badge.awarded_at.date().isoformat()
    assert lines == [
        "**Your badges**",
        f"🚫 Deckhand (earned {earned}): revoked on {clock.now().date().isoformat()}. "
        r"Reason: Issued in error\: \<b\>see\<\/b\> \[ticket\]\(https\:\/\/evil\.example\) \_now\_",
        f"⏸ Mariner Certificate (earned {earned}, valid until {found(certificate.valid_until).date().isoformat()}): "
        f"suspended while a badge it stacks is not valid: Deckhand was revoked on {clock.now().date().isoformat()}.",
    ], "the revoked badge is listed as revoked (not under Still to earn), and the certificate it stacks as suspended"
