"""/badges in Slack, as Slack shows it: each credential's page, JSON file and add-to-LinkedIn link
are links a person can click (the same the award notice gave), and the reason an operator typed
for a revocation shows as typed: no link, no mention, no formatting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.cli.credentials import revoke
from bot.clock import ManualClock
from bot.core import Core
from bot.store.store import SqlStore
from content.model import Curriculum
from fakes.slack_api import FakeSlack
from tests.integration.test_issuing_on_award import issuer_for
from tests.slack.client import SlackUser
from tests.slack.test_slack_app import PUBLIC_URL, SECRET, TEAM_CHANNEL, fake, serving, slack_bot  # noqa: F401
from tests.slack.test_what_learners_read import as_text, earn_a_badge, reads
from tests.support import found

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

REASON = "Issued in error: <!channel> [ticket](https://evil.example/t) *now* _x_ <https://evil.example|here>"


async def test_badges_links_each_credential_and_shows_a_revocation_reason_as_typed(
    fake: FakeSlack, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
):
    fake.add_user("U0BADGES", "ana", display_name="Ana")
    await earn_a_badge(fake, store, curriculum, clock, tmp_path, "U0BADGES")
    async with store.transaction() as tx:
        badge, certificate = await tx.awards.of(found(await tx.learners.find("slack", "U0BADGES")).id)
    assert (await revoke(store, certificate.public_id, reason=REASON, now=clock.now())).exit_code == 0
    # The badge's award notice in the DM: its link buttons are the page and LinkedIn's add link.
    notices = [c.params for c in fake.calls if c.method == "chat.postMessage" and c.params.get("channel") != TEAM_CHANNEL]
    buttons = [e.get("url") for p in notices for b in p.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]
    page = f"{PUBLIC_URL}/credentials/{badge.public_id}"
    assert page in buttons
    linkedin = next(url for url in buttons if url and url.startswith("https://www.linkedin.com/") and badge.public_id in url)

    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, PUBLIC_URL))  # the same key
    async with await serving(slack_bot(fake, core, store, clock, channel_burst=1000), store, curriculum, clock, tmp_path) as client:
        badges = await reads(SlackUser(fake, client, SECRET, core, user_id="U0BADGES"), "badges")

    earned, until = badge.awarded_at.date().isoformat(), found(badge.valid_until).date().isoformat()
    assert as_text(badges).split("\n") == [
        "Your badges",
        f"🏅 Deckhand (earned {earned}, valid until {until})",
        "   Credential page · JSON file · Add to LinkedIn",
        "   Add to your wallet (this link works once, for 15 minutes)",
        f"🚫 Mariner Certificate (earned {earned}): revoked on {clock.now().date().isoformat()}. Reason: {REASON}",
    ]
    *links, wallet = badges.links
    assert links == [page, f"{page}/credential.json", linkedin], "the bot's links, nothing from the reason"
    assert re.fullmatch(rf"{PUBLIC_URL}/wallet/claim/[0-9a-f]{{64}}", wallet), "a one-time claim link for the valid badge only"
    assert (badges.mentions, badges.styled) == ([], [("bold", "Your badges")])
