"""What a person reads in Slack, at the wire: signed requests to the real bolt app, which posts to
the fake Slack Web API; the posted blocks and the published App Home are read the way Slack
shows mrkdwn (tests/slack/mrkdwn.py).

- Names are text: whatever a person calls themselves (or their team) shows as typed, never as a
  link, a mention or formatting, in their greeting, in the badge announcement the whole team
  reads, and in what managers and admins read.
- Line by line: what the bot composes (help, settings, progress, the pathway map, badges, the
  lesson summary, every App Home section) arrives with every line on its own line; what authors
  wrap in a lesson file flows.
- A notification never carries a link: the message's `text` (what notifications and lock
  screens show) leaves URLs out, such as a manager's one-time dashboard sign-in link.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.core import Core
from bot.people import Person, import_people
from bot.replies import Feedback, LessonCard, Text
from bot.store.store import SqlStore
from content.model import Curriculum
from fakes import slack_signing as signing
from fakes.slack_api import FakeSlack
from tests.integration.test_issuing_on_award import issuer_for
from tests.slack.client import SlackUser
from tests.slack.mrkdwn import Shown, shown_blocks
from tests.slack.test_slack_app import PUBLIC_URL, SECRET, TEAM_CHANNEL, ana, fake, http, serving, slack_bot  # noqa: F401
from tests.support import found

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PHISHING = "[Claim prize](https://evil.example/phish)"
NAMES = [
    PHISHING,
    "*bold* _italic_ ~gone~ ana_lima",
    "<!channel> <@U0ANA> &amp;",
    "`code`",
]
WELCOME = "I'm your learning buddy: a five-minute lesson a day, right here in chat, with quick checks, streaks and badges you can share."
# mrkdwn has no escapes: a marker a person typed that Slack could read as formatting is shown by
# a character that looks the same (bold, italic, strike, code markers, in that order).
LOOK_THE_SAME = str.maketrans({"\u2217": "*", "\u02cd": "_", "\u223c": "~", "\u02cb": "`"})


def posted(user: SlackUser, since: int = 0) -> list[Shown]:
    """The messages posted in the user's DM, as Slack shows their blocks."""
    return [shown_blocks(user.current(call).get("blocks") or []) for call in user.messages()[since:]]


async def reads(user: SlackUser, text: str) -> Shown:
    """Write `text` in the app's DM; the one answer, as Slack shows it."""
    before = len(user.messages())
    await user.says(text)
    [answer] = posted(user, before)
    return answer


def as_text(shown: Shown) -> str:
    return shown.text.translate(LOOK_THE_SAME)


# --- Names are text -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
async def test_the_greeting_shows_the_learners_name_as_text(fake: FakeSlack, http, core: Core, name: str):
    fake.add_user("U0NAMED", "named", display_name=name, tz="America/Chicago")
    learner = SlackUser(fake, http, SECRET, core, user_id="U0NAMED")
    greeting = await reads(learner, "hi")
    assert as_text(greeting).split("\n")[0] == f"Hi {name}! {WELCOME}"
    assert (greeting.links, greeting.mentions) == ([], [])
    assert [text for _, text in greeting.styled] == ["Your pathway:", "Daily lesson time:", "Tides"], (
        "only the bot's own words are formatted"
    )


async def earn_a_badge(fake: FakeSlack, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path, user_id: str) -> None:
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, PUBLIC_URL))
    # Thirty days of lessons: Slack's pacing (a message a second per channel) is not what this is about.
    fake.lift_rate_limits()
    bot = slack_bot(fake, core, store, clock, channel_burst=1000)
    async with await serving(bot, store, curriculum, clock, tmp_path) as client:
        learner = SlackUser(fake, client, SECRET, core, user_id=user_id)
        await learner.says("hi")
        for _ in range(30):
            said = await learner.says("next")
            while learner.asks_a_question():
                said += await learner.answers_correctly()
            if any("You earned the Deckhand badge" in t for t in said):
                # The badge and the certificate it completes, each announced in the channel.
                await fake.wait_for(lambda f: len(f.messages_in(TEAM_CHANNEL)) == 2, timeout=15)
                return
            clock.advance(days=1)
    raise AssertionError("no badge in 30 days")


@pytest.mark.parametrize("name", [PHISHING, "# *bold* <!channel> `code` _x_"])
async def test_the_badge_announcement_in_the_team_channel_shows_the_name_as_text(
    fake: FakeSlack, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path, name: str
):
    fake.add_user("U0NAMED", "named", display_name=name)
    await earn_a_badge(fake, store, curriculum, clock, tmp_path, "U0NAMED")
    posts = [c.params for c in fake.messages_in(TEAM_CHANNEL)]
    announced = [shown_blocks(p["blocks"]) for p in posts]
    assert [as_text(a) for a in announced] == [
        f"🎉 {name} earned the Deckhand badge!",
        f"🎉 {name} earned the Mariner Certificate certificate!",
    ]
    assert [(a.links, a.mentions, a.styled) for a in announced] == [
        ([], [], [("bold", "Deckhand")]),
        ([], [], [("bold", "Mariner Certificate")]),
    ]
    # The badge's own link is the credential page's button, not anything the learner typed.
    buttons = [e for p in posts for b in p["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons and all(e["url"].startswith(f"{PUBLIC_URL}/credentials/") for e in buttons)


async def test_a_managers_team_summary_shows_team_names_as_text_and_its_notification_has_no_link(
    fake: FakeSlack, store: SqlStore, curriculum: Curriculum, clock: ManualClock, tmp_path: Path
):
    team = "<!channel> *Deck* [crew](https://evil.example/x)"
    await import_people(store, [Person("slack", "U0ANA", "Ana", team, "manager", (team,))], now=clock.now())
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, PUBLIC_URL))
    async with await serving(slack_bot(fake, core, store, clock), store, curriculum, clock, tmp_path) as client:
        manager = SlackUser(fake, client, SECRET, core)
        response = await manager.slash("team")
        assert response.status_code == 200, response.text
        await manager.settle(0)
    [call] = [c for c in manager.messages() if "Your teams" in str(c.params.get("blocks"))]
    summary = shown_blocks(call.params["blocks"])
    [link] = summary.links
    assert link.startswith(f"{PUBLIC_URL}/dashboard/signin?token=")
    token = link.split("token=")[1]
    assert as_text(summary).split("\n") == [
        "Your teams",
        f"• {team}: 1 learners, 0 active this week, 0 on a streak, 0 lessons done, 0 credentials",
        "",
        f"Dashboard (this link works once, for 15 minutes): {link}",
    ]
    assert summary.mentions == [] and [text.translate(LOOK_THE_SAME) for _, text in summary.styled] == ["Your teams", team]
    # What a notification or lock screen shows: the words, never the link or its token.
    assert token not in call.params["text"] and "https://" not in call.params["text"]
    assert call.params["text"].endswith("Dashboard (this link works once, for 15 minutes): (link)")


async def test_the_channel_sync_answer_shows_the_managers_name_as_text(
    fake: FakeSlack, http, core: Core, store: SqlStore, clock: ManualClock
):
    fake.add_user("U0ADM", "dee")
    fake.add_user("U0MGR", "boss", display_name=PHISHING)
    fake.add_channel("C0DECK", "deck_crew", ["U0ANA"])
    await import_people(store, [Person("slack", "U0ADM", "Dee", None, "admin", ())], now=clock.now())
    admin = SlackUser(fake, http, SECRET, core, user_id="U0ADM")
    response = await admin.slash("team sync <#C0DECK|deck_crew> <@U0MGR|boss>")
    assert response.status_code == 200, response.text
    await admin.settle(0)
    [answer] = posted(admin)
    assert as_text(answer) == f"#deck_crew: 1 member (1 new, 0 removed); manager: @{PHISHING}"
    assert (answer.links, answer.mentions, answer.styled) == ([], [], [])


# --- Line by line ---------------------------------------------------------------------------------


async def test_what_the_bot_composes_arrives_line_by_line(ana: SlackUser, fake: FakeSlack):
    greeting = await reads(ana, "hi")
    assert greeting.lines == [
        f"Hi Ana! {WELCOME}",
        "",
        "Your pathway: Seamanship L1 => Mariner Certificate",
        "Daily lesson time: 09:00 (America/Chicago), Monday to Friday. Change it with /settings.",
        "",
        "First up: Tides (2 min).",
    ]
    assert (await reads(ana, "help")).lines == [
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
    assert (await reads(ana, "settings")).lines == [
        "Your settings",
        "Timezone: America/Chicago",
        "Daily lesson time: 09:00",
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

    # A whole lesson; its summary says how far the pathway is, on a line of its own, and the
    # next step shares its message.
    before = len(ana.messages())
    said = await ana.presses("Start now")
    while not any("Lesson complete" in t for t in said):
        said = await (ana.answers_correctly() if ana.asks_a_question() else ana.presses("Next"))
    summary = next(s for s in posted(ana, before) if "Lesson complete" in s.text)
    assert summary.lines == [
        "✅ Lesson complete: Tides. 2 of 2 correct.",
        "Seamanship L1: 1 of 2 lessons done.",
        "Next in Seamanship L1: Knots (2 min).",
    ]

    assert (await reads(ana, "progress")).lines == PROGRESS
    assert (await reads(ana, "path")).lines == PATH
    assert (await reads(ana, "badges")).lines == BADGES


STILL_TO_EARN = [
    "🏅 Deckhand (badge): 2 of 6 requirements met",
    "   still needs: Complete Knots; Reading tides: correct re-checks on 2 separate days (0 so far)"
    "; Tying knots mastery 50% (now 0%); Tying knots: correct re-checks on 2 separate days (0 so far)",
    "🏅 Mariner Certificate (certificate): 0 of 1 requirements met",
    "   still needs: Hold Deckhand",
]
PROGRESS = [
    "Your progress",
    "🔥 Streak: 1 learning day",
    "📚 Lessons done: 1 of 2",
    "",
    "Mastery by skill",
    "▓▓▓▓▓▓▓▓░░ 80% Reading tides",
    "",
    "🔁 Next re-check: Wed 04 Mar, 02:00",
]
PATH = ["Your pathway map", "", "Seamanship L1 (1 of 2 done)", "✅ done: Tides", "➡️ next: Knots", "", "Credentials", *STILL_TO_EARN]
BADGES = [
    "Your badges",
    "No badges yet: a badge is earned by showing durable mastery, not by clicking through.",
    "",
    "Still to earn",
    *STILL_TO_EARN,
]


def home_sections(view: dict[str, Any]) -> dict[str, list[str]]:
    """Each header of the App Home and the lines shown under it, up to the next divider."""
    sections: dict[str, list[str]] = {}
    title = None
    for block in view["blocks"]:
        if block["type"] == "header":
            title = block["text"]["text"]
            sections[title] = []
        elif block["type"] == "section" and title is not None:
            sections[title] += shown_blocks([block]).lines
    return sections


async def test_every_app_home_section_arrives_line_by_line(ana: SlackUser, fake: FakeSlack):
    await ana.says("hi")
    await ana.presses("Start now")
    await ana.presses("Next")
    response = await ana.send(signing.event_callback(signing.app_home_opened(ana.id)))
    assert response.status_code == 200
    await fake.wait_for(lambda f: f.home_of(ana.id) is not None)
    credentials = [
        "🏅 Deckhand (badge): 0 of 6 requirements met",
        "   still needs: Complete Tides; Complete Knots; Reading tides mastery 80% (now 0%); "
        "Reading tides: correct re-checks on 2 separate days (0 so far)"
        "; Tying knots mastery 50% (now 0%); Tying knots: correct re-checks on 2 separate days (0 so far)",
        "🏅 Mariner Certificate (certificate): 0 of 1 requirements met",
        "   still needs: Hold Deckhand",
    ]
    assert home_sections(found(fake.home_of(ana.id))) == {
        "Your learning": [],
        "Next step": ["You are in the middle of Tides."],
        "Pathway": [
            "Your pathway map",
            "",
            "Seamanship L1 (0 of 2 done)",
            "▶️ in progress: Tides",
            "🔒 locked: Knots (after Tides)",
            "",
            "Credentials",
            *credentials,
        ],
        "Streak and mastery": ["Your progress", "🔥 Streak: 1 learning day", "📚 Lessons done: 0 of 2"],
        "Badges": [
            "Your badges",
            "No badges yet: a badge is earned by showing durable mastery, not by clicking through.",
            "",
            "Still to earn",
            *credentials,
        ],
    }


async def test_the_bots_own_lines_stay_lines_and_what_authors_wrap_flows(fake: FakeSlack, core: Core, store: SqlStore):
    """A lesson file is wrapped in the author's editor: its single line breaks are not the
    author's layout, so a card and an explanation read as flowing paragraphs. What the bot
    composes is written line by line, indentation included."""
    bot = slack_bot(fake, core, store)
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
    await bot.send_to_user("U0ANA", [composed, card, feedback])
    messages = [shown_blocks(c.params["blocks"]) for c in fake.messages_in(fake.dm_channel("U0ANA"))]
    # Without buttons between them, the three share one message.
    assert [m.lines for m in messages] == [
        [
            "Due today",
            "🔁 2 re-checks",
            "   Tides; Knots",
            "📘 1 lesson",
            "Tides · 1/2",
            "Slack water",
            "",
            "The tide turns at slack water, when the current stops for a while.",
            "",
            "Then it runs again.",
            "✅ Correct!",
            "Most coasts have a semi-diurnal tide: two highs and two lows a day.",
        ]
    ]
