"""/badges, as the learner reads it, on the in-memory store: every credential they earned, once,
with where to find it again (its page, its JSON file, LinkedIn's add link, the same the award
notice gave), or when and why it was revoked, or when it expired and what renews it; what is
still to earn after that. And the settings choice of being named on new credentials.
tests/integration/test_named_credentials.py signs named credentials on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.core import Core
from bot.events import LearnerRef
from bot.replies import AwardNotice, Question, Reply
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from credentials.keys import IssuerKey
from tests.memory_store import MemoryStore
from tests.support import Chat, buttons_of, found, study_daily_until

PUBLIC_URL = "https://learn.example.com"
DAY = "2026-03-15"  # the day the fixture curriculum's Deckhand badge is earned by daily study


@pytest.fixture
def memory() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def issuer() -> IssuerIdentity:
    return IssuerIdentity.create(
        key=IssuerKey.generate(), name="Acme Plant Academy", public_url=PUBLIC_URL, local_url="http://127.0.0.1:8000"
    )


async def earn_both(chat: Chat, clock: ManualClock) -> list[AwardNotice]:
    """Two lessons, then daily re-checks until the Deckhand badge (and the Mariner Certificate it
    completes, in the same turn); the award notices of that day."""
    await chat.start()
    await chat.take_next_lesson()
    await chat.take_next_lesson()
    day, said = await study_daily_until(chat, clock, days=30, until="You earned the Deckhand badge")
    assert day is not None
    notices = [r for r in said if isinstance(r, AwardNotice)]
    assert [n.title for n in notices] == ["Deckhand", "Mariner Certificate"]
    return notices


def links_line(notice: AwardNotice) -> str:
    page = found(notice.page_url)
    return f"   [Credential page]({page}) · [JSON file]({page}/credential.json) · [Add to LinkedIn]({notice.linkedin_url})"


WALLET_LINE = f"   [Add to your wallet]({PUBLIC_URL}/wallet/claim/TOKEN) (this link works once, for 15 minutes)"


async def badges(chat: Chat) -> list[str]:
    """The /badges reply's lines, each one-time wallet token written TOKEN."""
    [reply] = await chat.command("badges")
    return [re.sub(r"/wallet/claim/[0-9a-f]{64}\)", "/wallet/claim/TOKEN)", line) for line in chat.text.split("\n")] if reply else []


async def revoke(memory: MemoryStore, definition_id: str, *, at: datetime, reason: str) -> None:
    async with memory.transaction() as tx:
        learner = found(await tx.learners.find("test", "ana"))
        [award] = [a for a in await tx.awards.of(learner.id) if a.definition_id == definition_id]
        await tx.awards.revoke(award.id, at=at, reason=reason)


async def test_badges_lists_each_credential_with_its_page_json_file_and_linkedin_link(
    memory: MemoryStore, clock: ManualClock, curriculum: Curriculum, issuer: IssuerIdentity
):
    chat = Chat(Core(curriculum=curriculum, store=memory, clock=clock, issuer=issuer))
    badge, certificate = await earn_both(chat, clock)
    assert found(badge.page_url).startswith(f"{PUBLIC_URL}/credentials/")
    assert found(badge.linkedin_url).startswith("https://www.linkedin.com/profile/add?")
    assert await badges(chat) == [
        "**Your badges**",
        f"🏅 Deckhand (earned {DAY}, valid until 2026-09-11)",
        links_line(badge),
        WALLET_LINE,
        f"🏅 Mariner Certificate (earned {DAY}, valid until 2027-03-15)",
        links_line(certificate),
        WALLET_LINE,
    ]
    assert [b.label for b in buttons_of(chat.last[-1])] == ["Continue learning"]


async def test_each_badges_reply_gives_fresh_one_time_wallet_links_that_are_kept_nowhere_but_as_hashes(
    memory: MemoryStore, clock: ManualClock, curriculum: Curriculum, issuer: IssuerIdentity
):
    """The link is a secret for the learner alone: not kept with the replies for a redelivery
    (as /team's sign-in link), not on the App Home, stored only hashed, and none for a
    credential that no longer counts."""
    chat = Chat(Core(curriculum=curriculum, store=memory, clock=clock, issuer=issuer))
    await earn_both(chat, clock)
    await chat.command("badges")
    tokens = re.findall(r"/wallet/claim/([0-9a-f]{64})\)", chat.text)
    stored = memory._data.claims
    assert len(tokens) == 2 and len(stored) == 2
    assert all(token not in repr(stored) for token in tokens), "stored as hashes only"
    async with memory.transaction() as tx:
        learner = found(await tx.learners.find("test", "ana"))
    assert learner.kept_replies is None, "a reply holding a one-time link is not kept"
    home = await chat.core.home(chat.learner)
    assert "wallet" not in repr(home)
    await revoke(memory, "deckhand", at=clock.now(), reason="issued in error")
    assert [line for line in await badges(chat) if "wallet" in line] == [], "revoked; the certificate it stacks is suspended"


async def test_without_an_issuer_badges_lists_each_credential_and_its_state_with_no_links(
    memory: MemoryStore, clock: ManualClock, curriculum: Curriculum
):
    chat = Chat(Core(curriculum=curriculum, store=memory, clock=clock))
    await earn_both(chat, clock)
    clock.set(datetime(2026, 9, 12, 8, tzinfo=UTC))
    assert await badges(chat) == [
        "**Your badges**",
        f"⌛ Deckhand (earned {DAY}): expired on 2026-09-11. A short refresher renews it: /next",
        f"⏸ Mariner Certificate (earned {DAY}, valid until 2027-03-15): "
        "suspended while a badge it stacks is not valid: Deckhand expired on 2026-09-11.",
    ]


async def test_a_revoked_credential_says_when_and_why_as_the_operator_typed_it_and_is_not_still_to_earn(
    memory: MemoryStore, clock: ManualClock, curriculum: Curriculum, issuer: IssuerIdentity
):
    chat = Chat(Core(curriculum=curriculum, store=memory, clock=clock, issuer=issuer))
    await earn_both(chat, clock)
    reason = "Issued in error [see ticket](https://evil.example/x) *urgent*\nsecond line"
    await revoke(memory, "deckhand", at=datetime(2026, 3, 20, 12, tzinfo=UTC), reason=reason)
    assert await badges(chat) == [
        "**Your badges**",
        # The reason is the operator's text: every punctuation mark escaped, so it reads as typed
        # (never a link or emphasis), on one line.
        f"🚫 Deckhand (earned {DAY}): revoked on 2026-03-20. "
        r"Reason: Issued in error \[see ticket\]\(https\:\/\/evil\.example\/x\) \*urgent\* second line",
        # The certificate stacks it: it does not count meanwhile (bot/suspension.py), and says why.
        f"⏸ Mariner Certificate (earned {DAY}, valid until 2027-03-15): "
        "suspended while a badge it stacks is not valid: Deckhand was revoked on 2026-03-20.",
    ]


async def test_an_expired_badge_says_a_refresher_renews_it_and_the_refresher_does(
    memory: MemoryStore, clock: ManualClock, curriculum: Curriculum, issuer: IssuerIdentity
):
    chat = Chat(Core(curriculum=curriculum, store=memory, clock=clock, issuer=issuer))
    _, certificate = await earn_both(chat, clock)
    clock.set(datetime(2026, 9, 12, 8, tzinfo=UTC))  # the badge ran out yesterday; the certificate holds
    assert await badges(chat) == [
        "**Your badges**",
        f"⌛ Deckhand (earned {DAY}): expired on 2026-09-11. A short refresher renews it: /next",
        f"⏸ Mariner Certificate (earned {DAY}, valid until 2027-03-15): "
        "suspended while a badge it stacks is not valid: Deckhand expired on 2026-09-11.",
    ]
    said: list[Reply] = []
    for _ in range(10):  # /next: due re-checks first, then the refresher
        said += await chat.next()
        while any(isinstance(r, Question) for r in chat.last):
            said += await chat.answer_correctly()
        if any(isinstance(r, AwardNotice) and "Renewed: Deckhand" in r.text for r in said):
            break
    [renewed] = [r for r in said if isinstance(r, AwardNotice)]
    assert await badges(chat) == [  # the renewed badge, and the certificate it stacks counts again
        "**Your badges**",
        "🏅 Deckhand (earned 2026-09-12, valid until 2027-03-11)",
        links_line(renewed),
        WALLET_LINE,
        f"🏅 Mariner Certificate (earned {DAY}, valid until 2027-03-15)",
        links_line(certificate),
        WALLET_LINE,
    ]
    clock.set(datetime(2027, 3, 16, 8, tzinfo=UTC))  # nothing renews a certificate: it only says when it expired
    assert (await badges(chat))[-1] == f"⌛ Mariner Certificate (earned {DAY}): expired on 2027-03-15."


# --- Named on new credentials: the choice in /settings ---------------------------------------------


async def test_settings_show_the_name_choice_off_and_a_button_turns_it_on_and_off(
    memory: MemoryStore, clock: ManualClock, curriculum: Curriculum
):
    chat = Chat(Core(curriculum=curriculum, store=memory, clock=clock), user="ana")
    await chat.start()
    await chat.command("settings")
    assert "My name on new credentials: off" in chat.text.split("\n")
    assert "/settings name on   (or off: your name on the credentials you earn from now on)" in chat.text.split("\n")
    await chat.press("My name on new credentials: turn on")
    assert chat.text == (
        "From now on, the badges and certificates you earn carry your name: Ana. The ones you already hold stay as they are."
    )
    await chat.command("settings")
    assert "My name on new credentials: on" in chat.text.split("\n")
    await chat.press("My name on new credentials: turn off")
    assert chat.text == (
        "From now on, the badges and certificates you earn name you only by a random id, not by your name. "
        "The ones you already hold stay as they are."
    )
    async with memory.transaction() as tx:
        assert found(await tx.learners.find("test", "ana")).name_on_credentials is False


async def test_the_name_choice_can_be_typed_and_the_name_shows_as_typed(memory: MemoryStore, clock: ManualClock, curriculum: Curriculum):
    chat = Chat(Core(curriculum=curriculum, store=memory, clock=clock))
    chat.learner = LearnerRef("test", "ana", "[Ana](https://evil.example)")
    await chat.start()
    await chat.command("settings", "name maybe")
    assert chat.text == "Say /settings name on or /settings name off."
    await chat.command("settings", "name on")
    assert chat.text == (
        r"From now on, the badges and certificates you earn carry your name: \[Ana\]\(https\:\/\/evil\.example\). "
        "The ones you already hold stay as they are."
    )
    async with memory.transaction() as tx:
        learner = found(await tx.learners.find("test", "ana"))
        assert learner.name_on_credentials is True
        [changed] = [e for e in await tx.trail.of(learner.id) if e.payload.get("name_on_credentials") is not None]
        assert changed.payload == {"name_on_credentials": True}, "the trail keeps the choice, never the name"


async def test_leaving_turns_the_name_choice_off(memory: MemoryStore, clock: ManualClock, curriculum: Curriculum):
    chat = Chat(Core(curriculum=curriculum, store=memory, clock=clock))
    await chat.start()
    await chat.command("settings", "name on")
    await chat.command("settings")
    await chat.press("Leave and delete my data")
    await chat.press("Yes, delete my data")
    await chat.press("Delete my data now")
    async with memory.transaction() as tx:
        left = found(await tx.learners.by_id(1))
        assert left.left and left.name_on_credentials is False
