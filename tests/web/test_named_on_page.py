"""A learner who chose to be named (/settings) is named on the credential's public page, as the
credential names them; anyone else only by the salted hash inside it. The name is text."""

from __future__ import annotations

import copy
import re

import httpx

from bot.clock import ManualClock
from bot.store.store import SqlStore
from credentials.issuer import IssuerIdentity
from credentials.issuing import named_identity
from tests.web.conftest import Earned

HTML = {"Accept": "text/html"}


def awarded_to(html: str) -> str:
    [found] = re.findall(r"<dt>Awarded to</dt><dd>(.*?)</dd>", html, re.S)
    return found


async def test_the_page_names_the_earner_only_where_the_credential_does(
    client: httpx.AsyncClient, earned: Earned, store: SqlStore, clock: ManualClock, issuer: IssuerIdentity
):
    anonymous = (await client.get(f"/credentials/{earned.badge.public_id}", headers=HTML)).text
    assert awarded_to(anonymous).startswith("The learner is named only by a salted hash")

    named = copy.deepcopy(earned.badge.credential)
    assert named is not None
    named.pop("proof")
    named["credentialSubject"]["identifier"].append(named_identity("Ana <script>x</script>") or {})
    async with store.transaction() as tx:
        await tx.awards.store_credential(earned.badge.id, issuer.sign(named, created=clock.now()))
    page = (await client.get(f"/credentials/{earned.badge.public_id}", headers=HTML)).text
    assert awarded_to(page) == "Ana &lt;script&gt;x&lt;/script&gt; (the learner chose to be named on this credential)"
