"""What a person reads in Telegram, at the wire: the real python-telegram-bot Application against
the fake Bot API server, which applies the HTML parse mode the way Telegram does and stores each
message as Telegram shows it (its plain text and its entities).

- Names are text: whatever a learner calls themselves shows exactly as typed, never as a link or
  formatting, in their own welcome and in the badge announcement the whole team reads.
- Line by line: what the bot composes (/help, /settings, /progress, /path, /badges, the lesson
  summary) arrives with every line on its own line; what authors wrap in a lesson file flows.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from adapters.telegram.bot import TelegramBot, TelegramSettings
from bot.clock import ManualClock
from bot.core import Core
from bot.published import BakedImages
from bot.replies import Feedback, LessonCard, Text
from bot.store.store import SqlStore
from content.loader import load_curriculum
from content.model import Curriculum
from fakes.telegram_api import FakeTelegram
from tests.conftest import FIXTURE_CONTENT
from tests.integration.test_issuing_on_award import issuer_for
from tests.support import found
from tests.telegram.client import TelegramUser
from tests.telegram.test_telegram_bot import GROUP, PUBLIC_URL, TOKEN, fake, fast_limiter, onboard, telegram  # noqa: F401

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PHISHING = "[Claim prize](https://evil.example/phish)"
NAMES = [
    PHISHING,
    "*bold* _italic_ ~~gone~~",
    "<!channel> <b>hi</b> &amp;",
    "`code`",
]
WELCOME = "I'm your learning buddy: a five-minute lesson a day, right here in chat, with quick checks, streaks and badges you can share."


def utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def spans(message: dict[str, Any], key: str = "entities") -> list[tuple[str, str]]:
    """Each entity of a message as (type, the text it covers): what Telegram shows formatted."""
    text = utf16(message.get("text") or message.get("caption") or "")
    return [(e["type"], text[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")) for e in message.get(key, [])]


def lines(text: str) -> list[str]:
    return text.split("\n")


# --- Names are text -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
async def test_the_welcome_shows_the_learners_name_exactly_as_typed_and_never_as_a_link(
    telegram: TelegramBot, fake: FakeTelegram, core: Core, name: str
):
    ana = TelegramUser(fake, core, first_name=name)
    [welcome] = await ana.says("/start")
    message = ana.last_message()
    first_line = f"Hi {name}! {WELCOME}"
    assert lines(welcome)[0] == first_line
    assert not [e for e in message.get("entities", []) if e["offset"] < len(utf16(first_line)) // 2], (
        f"nothing in the greeting line is formatted or linked: {spans(message)}"
    )
    assert all(kind != "text_link" for kind, _ in spans(message)), spans(message)


async def earn_a_badge(
    fake: FakeTelegram, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path, name: str = "Ana"
) -> int:
    """A learner called `name` earns the Deckhand badge (and so the certificate); their user id."""
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, PUBLIC_URL))
    bot = TelegramBot(
        core=core,
        images=BakedImages(store).png,
        rate_limiter=fast_limiter(),
        settings=TelegramSettings(token=TOKEN, api_base_url=fake.base_url, announce_chat=GROUP, poll_timeout=1),
    )
    await bot.start()
    learner = TelegramUser(fake, core, first_name=name)
    try:
        await onboard(learner)
        for _ in range(30):
            said = await learner.says("/next")
            while learner.asks_a_question():
                said += await learner.answers_correctly()
            if any("You earned the Deckhand badge" in t for t in said):
                # The badge and the certificate it completes, each announced in the group.
                await fake.wait_for(lambda f: len(f.messages_to(GROUP)) == 2, timeout=15)
                return learner.id
            clock.advance(days=1)
        raise AssertionError("no badge in 30 days")
    finally:
        await bot.stop()


@pytest.mark.parametrize("name", [PHISHING, "# *bold* <!channel> `code` _x_"])
async def test_the_badge_announcement_in_the_team_group_shows_the_name_as_text(
    fake: FakeTelegram, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path, name: str
):
    await earn_a_badge(fake, store, curriculum, clock, tmp_path, name)
    group = [c.result for c in fake.messages_to(GROUP)]
    assert [m["text"] for m in group] == [
        f"🎉 {name} earned the Deckhand badge!",
        f"🎉 {name} earned the Mariner Certificate certificate!",
    ]
    # Only the credential's title is formatted; the name is neither a link nor formatting.
    assert [spans(m) for m in group] == [[("bold", "Deckhand")], [("bold", "Mariner Certificate")]]
    # The badge's own link is the credential page's button, not anything the learner typed.
    buttons = [b for m in group for row in m["reply_markup"]["inline_keyboard"] for b in row]
    assert all(b["url"].startswith(f"{PUBLIC_URL}/credentials/") for b in buttons)


# --- Line by line ---------------------------------------------------------------------------------


def with_a_wrapped_badge_description(tmp_path: Path) -> Curriculum:
    """The fixture curriculum, its badge's description wrapped over lines as an editor would."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    badge = content / "credentials" / "deckhand.md"
    badge.write_text(badge.read_text().replace("Reads tides and ties knots.", "Reads tides\nand ties knots."))
    result = load_curriculum(content)
    assert result.curriculum is not None, result.problems
    return result.curriculum


async def test_the_award_message_keeps_its_lines_and_the_badge_description_flows(
    fake: FakeTelegram, store: SqlStore, clock: ManualClock, tmp_path: Path
):
    user_id = await earn_a_badge(fake, store, with_a_wrapped_badge_description(tmp_path), clock, tmp_path)
    badge, _certificate = [c.result for c in fake.sent("sendPhoto")]
    async with store.transaction() as tx:
        learner = found(await tx.learners.find("telegram", str(user_id)))
        [until] = [a.valid_until for a in await tx.awards.of(learner.id) if a.definition_id == "deckhand"]
    assert lines(badge["caption"]) == [
        "🏅 You earned the Deckhand badge!",
        "Reads tides and ties knots.",
        f"Valid until {found(until).date().isoformat()}; I will offer you a short refresher before then.",
        "Toward the Mariner Certificate: 1 of 1 badges.",
    ]


async def test_what_the_bot_composes_arrives_line_by_line(telegram: TelegramBot, fake: FakeTelegram, core: Core):
    ana = TelegramUser(fake, core)
    await onboard(ana)

    [help_text] = await ana.says("/help")
    assert lines(help_text) == [
        "Here is what I understand:",
        "/start: begin, or pick up where you left off",
        "/next: continue where you are (or start the next lesson)",
        "/path: your pathway map: what is done, what is next, what each badge needs",
        "/progress: your streak and mastery per skill",
        "/badges: your badges and what the next one needs",
        "/settings: your timezone, daily time, working days, vacation hold and language",
        "/stop: no more reminders from me (until /resume)",
        "/resume: your daily lesson offers again, after /stop",
        "/help: this list",
    ]

    [settings] = await ana.says("/settings")
    assert lines(settings) == [
        "Your settings",
        "Timezone: Europe/Berlin",
        "Daily lesson time: 08:00",
        "Working days: Mon, Tue, Wed, Thu, Fri",
        "Vacation hold: none",
        "Announce my badges in the team channel: on",
        "My name on new credentials: off",
        "Language: English",
        "",
        "Change a setting like this:",
        "/settings timezone Europe/Berlin",
        "/settings time 08:30",
        "/settings days mon-fri   (or e.g. mon,tue,thu)",
        "/settings hold 2026-12-22 2027-01-02   (a vacation: your streak waits)",
        "/settings hold off",
        "/settings announce off   (or on: your badges in the team channel)",
        "/settings name on   (or off: your name on the credentials you earn from now on)",
        "/settings language de   (or en: the language I speak to you in)",
    ]

    # A whole lesson; its summary says how far the pathway is, on a line of its own. The last
    # answer's feedback, the summary and the next step share one message, a blank line apart.
    said = await ana.presses("Start now")
    while not any("Lesson complete" in t for t in said):
        said = await (ana.answers_correctly() if ana.asks_a_question() else ana.presses("Next"))
    summary = next(t for t in said if "Lesson complete" in t)
    feedback, summary_lines, next_step = [lines(part) for part in summary.split("\n\n")]
    assert feedback[0] == "✅ Correct!"
    assert summary_lines == ["✅ Lesson complete: Tides. 2 of 2 correct.", "Seamanship L1: 1 of 2 lessons done."]
    assert next_step == ["Next in Seamanship L1: Knots (2 min)."]

    [progress] = await ana.says("/progress")
    assert lines(progress) == [
        "Your progress",
        "🔥 Streak: 1 learning day",
        "📚 Lessons done: 1 of 2",
        "",
        "Mastery by skill",
        "▓▓▓▓▓▓▓▓░░ 80% Reading tides",
        "",
        "🔁 Next re-check: Wed 04 Mar, 09:00",
    ]

    still_to_earn = [
        "🏅 Deckhand (badge): 2 of 6 requirements met",
        "   still needs: Complete Knots; Reading tides: correct re-checks on 2 separate days (0 so far)"
        "; Tying knots mastery 50% (now 0%); Tying knots: correct re-checks on 2 separate days (0 so far)",
        "🏅 Mariner Certificate (certificate): 0 of 1 requirements met",
        "   still needs: Hold Deckhand",
    ]
    [path] = await ana.says("/path")
    assert lines(path) == [
        "Your pathway map",
        "",
        "Seamanship L1 (1 of 2 done)",
        "✅ done: Tides",
        "➡️ next: Knots",
        "",
        "Credentials",
        *still_to_earn,
    ]

    [badges] = await ana.says("/badges")
    assert lines(badges) == [
        "Your badges",
        "No badges yet: a badge is earned by showing durable mastery, not by clicking through.",
        "",
        "Still to earn",
        *still_to_earn,
    ]


async def test_the_bots_own_lines_stay_lines_and_what_authors_wrap_flows(telegram: TelegramBot, fake: FakeTelegram, core: Core):
    """A lesson file is wrapped in the author's editor: its single line breaks are not the
    author's layout, so a card and an explanation read as flowing paragraphs. What the bot
    composes is written line by line, indentation included."""
    ana = TelegramUser(fake, core)
    composed = Text("**Due today**\n🔁 2 re-checks\n   Tides; Knots\n📘 1 lesson")
    card = LessonCard(
        lesson_title="Tides",
        title="Slack water",
        position=1,
        total=2,
        body="The tide turns at slack water,\nwhen the current stops\nfor a while.\n\nThen it runs again.",
    )
    feedback = Feedback(
        correct=True, correct_options=("Two",), explanation="Most coasts have a semi-diurnal tide:\ntwo highs and two lows a day."
    )
    await telegram.send(ana.id, [composed, card, feedback])
    await fake.wait_for(lambda f: len(ana.messages()) == 1)
    # Without buttons between them, the three share one message, a blank line apart.
    assert [lines(t) for t in ana.texts()] == [
        [
            "Due today",
            "🔁 2 re-checks",
            "   Tides; Knots",
            "📘 1 lesson",
            "",
            "Slack water (1/2)",
            "",
            "The tide turns at slack water, when the current stops for a while.",
            "",
            "Then it runs again.",
            "",
            "✅ Correct!",
            "Most coasts have a semi-diurnal tide: two highs and two lows a day.",
        ]
    ]
