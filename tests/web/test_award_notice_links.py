"""The award DM's links lead somewhere real: the public page, the baked PNG and LinkedIn."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bot.clock import ManualClock
from bot.core import Core
from bot.replies import Announcement, AwardNotice
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.images import unbake_png
from credentials.issuer import IssuerIdentity
from tests.support import Chat, found, study_daily_until
from tests.web.conftest import PUBLIC_URL


async def test_the_award_message_links_to_the_page_the_image_and_linkedin(
    client, store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity
):
    chat = Chat(Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer))
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    day, said = await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge")
    assert day is not None
    notices = [r for r in said if isinstance(r, AwardNotice)]
    assert [n.title for n in notices] == ["Deckhand", "Mariner Certificate"]
    async with store.transaction() as tx:
        awards = {a.definition_id: a for a in await tx.awards.of(found(await tx.learners.find("test", "ana")).id)}

    badge = notices[0]
    assert badge.page_url == f"{PUBLIC_URL}/credentials/{awards['deckhand'].public_id}"
    page = await client.get(urlsplit(badge.page_url).path, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Deckhand" in page.text and "Valid" in page.text

    image = await client.get(urlsplit(badge.image_url).path)
    assert image.headers["content-type"] == "image/png"
    assert unbake_png(image.content) == awards["deckhand"].credential

    linkedin = parse_qs(urlsplit(found(badge.linkedin_url)).query)
    assert linkedin["name"] == ["Deckhand"] and linkedin["certUrl"] == [badge.page_url]
    assert linkedin["organizationName"] == ["Acme Plant Academy"]
    assert "Toward the Mariner Certificate: 1 of 1 badges." in badge.text

    # The channel hears of it with the public page, and nothing of the learner's answers.
    announcement = next(r for r in said if isinstance(r, Announcement))
    assert announcement.page_url == badge.page_url and announcement.image_url == badge.image_url
