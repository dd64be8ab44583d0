"""/badges in Telegram, at the wire: each credential's page, JSON file and add-to-LinkedIn link
are links a person can tap (the same the award notice gave), and the reason an operator typed
for a revocation shows exactly as typed, never as a link or formatting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.cli.credentials import revoke
from bot.clock import ManualClock
from bot.core import Core
from bot.store.store import SqlStore
from content.model import Curriculum
from fakes.telegram_api import FakeTelegram
from tests.integration.test_issuing_on_award import issuer_for
from tests.support import found
from tests.telegram.client import TelegramUser
from tests.telegram.test_telegram_bot import PUBLIC_URL, fake, started  # noqa: F401
from tests.telegram.test_what_learners_read import earn_a_badge, lines, spans

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

REASON = "Issued in error: <b>see</b> [ticket](https://evil.example/t) *now* &amp;"


async def test_badges_links_each_credential_and_shows_a_revocation_reason_as_typed(
    fake: FakeTelegram, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
):
    user_id = await earn_a_badge(fake, store, curriculum, clock, tmp_path)
    # The badge's award notice: its buttons are the credential page and LinkedIn's add link.
    badge_notice, _ = [c.result for c in fake.sent("sendPhoto")]
    page_button, linkedin_button = [row[0]["url"] for row in badge_notice["reply_markup"]["inline_keyboard"][:2]]
    async with store.transaction() as tx:
        badge, certificate = await tx.awards.of(found(await tx.learners.find("telegram", str(user_id))).id)
    assert (await revoke(store, certificate.public_id, reason=REASON, now=clock.now())).exit_code == 0

    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, PUBLIC_URL))  # the same key
    bot = await started(fake, core)
    try:
        ana = TelegramUser(fake, core, user_id=user_id)
        [badges] = await ana.says("/badges")
        message = ana.last_message()
    finally:
        await bot.stop()

    earned, until = badge.awarded_at.date().isoformat(), found(badge.valid_until).date().isoformat()
    page = f"{PUBLIC_URL}/credentials/{badge.public_id}"
    assert lines(badges) == [
        "Your badges",
        f"🏅 Deckhand (earned {earned}, valid until {until})",
        "   Credential page · JSON file · Add to LinkedIn",
        "   Add to your wallet (this link works once, for 15 minutes)",
        f"🚫 Mariner Certificate (earned {earned}): revoked on {clock.now().date().isoformat()}. Reason: {REASON}",
    ]
    assert spans(message) == [
        ("bold", "Your badges"),
        ("text_link", "Credential page"),
        ("text_link", "JSON file"),
        ("text_link", "Add to LinkedIn"),
        ("text_link", "Add to your wallet"),
    ], "only the bot's own words are formatted or linked; the reason is text"
    *links, wallet = [entity["url"] for entity in message["entities"] if entity["type"] == "text_link"]
    assert links == [page, f"{page}/credential.json", linkedin_button] and page_button == page
    assert re.fullmatch(rf"{PUBLIC_URL}/wallet/claim/[0-9a-f]{{64}}", wallet), "a one-time claim link for the valid badge only"
