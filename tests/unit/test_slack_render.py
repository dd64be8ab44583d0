"""What each core reply becomes in Slack (no sending): Block Kit JSON within Slack's limits."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.blocks import Block as SdkBlock

from adapters.slack.render import (
    BUTTON_ACTION,
    LINK_ACTION,
    SUBMIT_ACTION,
    TOGGLE_ACTION,
    SlackMessage,
    answered_question,
    home_view,
    render,
)
from bot.replies import Announcement, AwardNotice, Button, Feedback, LessonCard, Picture, Question, Text

RAW_MENTIONS = ("<!channel>", "<!here>", "<!everyone>", "<@U", "<#C")


# --- the checker ------------------------------------------------------------------------------


def interactive(block: dict[str, Any]) -> list[dict[str, Any]]:
    """A block's buttons, checkboxes and other elements that send actions."""
    inside = block["elements"] if block["type"] == "actions" else []
    return [*inside, *([block["accessory"]] if "accessory" in block else [])]


def texts(block: dict[str, Any]) -> list[str]:
    """Every mrkdwn string in a block (section text, context elements)."""
    found = [block["text"]["text"]] if isinstance(block.get("text"), dict) else []
    return found + [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]


def check_blocks(blocks: list[dict[str, Any]], max_blocks: int = 50) -> None:
    """Assert `blocks` are what Slack accepts in one message (or view)."""
    assert 0 < len(blocks) <= max_blocks
    json.dumps(blocks)  # plain JSON, nothing else
    action_ids: list[str] = []
    for block in blocks:
        parsed = SdkBlock.parse(block)
        assert parsed is not None, block
        parsed.validate_json()  # slack_sdk's own checks, on top of ours
        match block["type"]:
            case "section":
                assert 1 <= len(block["text"]["text"]) <= 3000
            case "actions":
                assert 1 <= len(block["elements"]) <= 25
            case "context":
                assert 1 <= len(block["elements"]) <= 10
            case "header":
                assert 1 <= len(block["text"]["text"]) <= 150
            case "image":
                assert block["image_url"].startswith("https://") and block["alt_text"]
        for text in texts(block):
            assert len(text) <= 3000 and not any(m in text for m in RAW_MENTIONS), text
        for element in interactive(block):
            action_ids.append(element["action_id"])
            assert len(element["action_id"]) <= 255
            if element["type"] == "button":
                assert 1 <= len(element["text"]["text"]) <= 75
                assert len(element.get("value", "")) <= 2000
            if element["type"] == "checkboxes":
                assert 1 <= len(element["options"]) <= 10
                assert all(len(o["text"]["text"]) <= 75 for o in element["options"])
    assert len(action_ids) == len(set(action_ids)), f"duplicate action ids: {action_ids}"


def check(message: SlackMessage) -> None:
    assert 1 <= len(message.text) <= 3000
    assert not any(m in message.text for m in RAW_MENTIONS)
    check_blocks(message.blocks)


def rendered(reply: Any) -> list[SlackMessage]:
    messages = render(reply)
    assert messages
    for message in messages:
        check(message)
    return messages


def of_type(message: SlackMessage, kind: str) -> list[dict[str, Any]]:
    return [block for block in message.blocks if block["type"] == kind]


def buttons(message: SlackMessage) -> list[dict[str, Any]]:
    return [e for block in of_type(message, "actions") for e in block["elements"] if e["type"] == "button"]


def section_text(message: SlackMessage) -> str:
    return "\n".join(block["text"]["text"] for block in of_type(message, "section"))


def question(*, multiple: bool = False, options: tuple[str, ...] = ("Ebb", "Flood", "Slack")) -> Question:
    return Question(
        ref="7.3",
        question="Which tide <rises>?",
        options=options,
        multiple=multiple,
        position=3,
        total=4,
        option_actions=() if multiple else tuple(f"ans:7.3:{i}" for i in range(len(options))),
        correct_option=None if multiple else 1,
    )


# --- replies ----------------------------------------------------------------------------------


def section_texts(message: SlackMessage) -> list[str]:
    return [b["text"]["text"] for b in message.blocks if b["type"] == "section"]


def test_what_the_core_composes_keeps_its_lines_and_what_authors_wrap_flows():
    composed = "**Your progress**\n🔥 Streak: 2 learning days\n📚 Lessons done: 1 of 2"
    expected = "*Your progress*\n🔥 Streak: 2 learning days\n📚 Lessons done: 1 of 2"
    for reply in (Text(composed), AwardNotice("Deckhand", composed), Announcement(composed)):
        [message] = render(reply)
        assert section_texts(message) == [expected], reply
    [card] = render(LessonCard("Tides", "Slack water", "The tide turns\nat slack water.", 1, 2))
    [feedback] = render(Feedback(True, "Two highs\nand two lows.", ("Two",)))
    assert section_texts(card) == ["*Slack water*\n\nThe tide turns at slack water."]
    assert section_texts(feedback) == ["✅ *Correct!*\nTwo highs and two lows."]
    home = home_view([("Streak and mastery", composed)], ())
    assert [b["text"]["text"] for b in home["blocks"] if b["type"] == "section"] == [expected]


def test_a_notification_never_carries_a_link_the_message_does():
    link = "https://learn.example.com/dashboard/signin?token=s3cr3t_T0ken"
    [message] = render(Text(f"**Your teams**\nDashboard (this link works once, for 15 minutes): {link}"))
    assert message.text == "Your teams Dashboard (this link works once, for 15 minutes): (link)"
    assert f"<{link}>" in section_texts(message)[0]
    [award] = render(AwardNotice("Deckhand", "You earned it: [see it](https://learn.example.com/credentials/1)"))
    assert award.text == "You earned it: see it"


def test_text_with_buttons():
    [message] = rendered(Text("Ready **now**?", (Button("Yes", "go:yes"), Button("Later", "go:later"))))
    assert section_text(message) == "Ready *now*?"
    assert [(b["action_id"], b["value"]) for b in buttons(message)] == [("mb:0", "go:yes"), ("mb:1", "go:later")]
    assert message.text == "Ready now?"


def test_a_card_has_its_place_a_bold_title_and_a_primary_next_button():
    card = LessonCard("Tides & <moons>", "High & <low>", "Water **rises** & falls", 1, 4, (Button("Next ▶", "next:7.1"),))
    [message] = rendered(card)
    where, body, _ = message.blocks
    assert where == {"type": "context", "elements": [{"type": "mrkdwn", "text": "Tides &amp; &lt;moons&gt; · 1/4", "verbatim": True}]}
    assert body["text"]["text"] == "*High &amp; &lt;low&gt;*\n\nWater *rises* &amp; falls"
    [next_button] = buttons(message)
    assert next_button["style"] == "primary" and next_button["value"] == "next:7.1"
    assert message.text == "High &amp; &lt;low&gt; (1/4)"


def test_a_lesson_body_cannot_ping_anyone():
    [message] = rendered(LessonCard("L", "T", "Hey <!channel> and <@U123>, see <#C42|general>", 1, 1))
    body = section_text(message)
    assert "&lt;!channel&gt;" in body and "&lt;@U123&gt;" in body
    assert "<!channel>" not in json.dumps(message.blocks) and "<@U123>" not in json.dumps(message.blocks)
    assert all(text["verbatim"] for block in message.blocks for text in [block.get("text")] if text)


def test_a_10000_character_body_becomes_several_sections_with_nothing_lost():
    body = "\n\n".join(f"Paragraph {i}: " + " ".join(f"w{i}x{j}" for j in range(135)) for i in range(12))
    assert len(body) > 10_000
    [message] = rendered(Text(body, (Button("Next", "go"),)))
    sections = of_type(message, "section")
    assert len(sections) >= 4 and all(len(s["text"]["text"]) <= 3000 for s in sections)
    assert section_text(message).split() == body.split()
    assert message.blocks[-1]["type"] == "actions"


def test_more_than_50_blocks_become_several_messages_with_the_buttons_last():
    body = "\n\n".join("word " * 500 for _ in range(70))  # one section per paragraph or so
    messages = rendered(Text(body, (Button("Next", "go"),)))
    assert len(messages) >= 2
    assert [bool(buttons(m)) for m in messages] == [False] * (len(messages) - 1) + [True]
    assert sum(section_text(m).count("word") for m in messages) == 500 * 70


def test_60_buttons_respect_25_elements_per_actions_block_and_unique_ids():
    many = tuple(Button(f"Option {i}", f"pick:{i}") for i in range(60))
    messages = rendered(Text("Pick one", many))
    assert [b["value"] for m in messages for b in buttons(m)] == [f"pick:{i}" for i in range(60)]
    assert all(len(block["elements"]) <= 25 for m in messages for block in of_type(m, "actions"))
    assert len(messages) > 1 or len(of_type(messages[0], "actions")) >= 3


def test_labels_are_trimmed_to_75_characters():
    [message] = rendered(Text("x", (Button("A very long label " * 10, "go"),)))
    [only] = buttons(message)
    assert 70 <= len(only["text"]["text"]) <= 75 and only["text"]["text"].endswith("…")


def test_an_action_too_long_for_a_button_value_is_an_error_not_a_truncation():
    with pytest.raises(ValueError, match="2000"):
        render(Text("hi", (Button("x", "a" * 2001),)))


def test_single_answer_check_has_one_button_per_option_and_the_full_options_above():
    long = "A very long option " * 10
    [message] = rendered(question(options=("Ebb", "Flood", long)))
    assert section_text(message).startswith("❓ *Which tide &lt;rises&gt;?* _(3/4)_")
    assert f"3) {long.strip()}" in section_text(message)  # nothing lost when a label is trimmed
    labels = [(b["text"]["text"], b["action_id"], b["value"]) for b in buttons(message)]
    assert labels[:2] == [("1) Ebb", "mb:0", "ans:7.3:0"), ("2) Flood", "mb:1", "ans:7.3:1")]
    assert len(labels[2][0]) == 75 and labels[2][2] == "ans:7.3:2"
    assert not any(block["elements"][0]["type"] == "checkboxes" for block in of_type(message, "actions"))


def test_multiple_answer_check_is_checkboxes_and_a_submit_button():
    [message] = rendered(question(multiple=True))
    [boxes] = [e for block in of_type(message, "actions") for e in block["elements"] if e["type"] == "checkboxes"]
    assert boxes["action_id"] == "mbq:toggle"
    assert [(o["text"]["text"], o["value"]) for o in boxes["options"]] == [("1) Ebb", "0"), ("2) Flood", "1"), ("3) Slack", "2")]
    [submit] = buttons(message)
    assert submit["action_id"] == "mbq:submit:7.3" and submit["value"] == "7.3"
    assert message.blocks[-1]["elements"] == [submit]


def test_more_than_10_options_take_several_checkbox_groups():
    [message] = rendered(question(multiple=True, options=tuple(f"Option {i}" for i in range(23))))
    groups = [e for block in of_type(message, "actions") for e in block["elements"] if e["type"] == "checkboxes"]
    assert [g["action_id"] for g in groups] == ["mbq:toggle", "mbq:toggle:1", "mbq:toggle:2"]
    assert [o["value"] for g in groups for o in g["options"]] == [str(i) for i in range(23)]
    assert all(TOGGLE_ACTION.match(g["action_id"]) for g in groups)


def test_a_huge_ref_still_gives_a_valid_action_id():
    check_q = Question(ref="r" * 400, question="Q?", options=("a", "b"), multiple=True, position=1, total=1)
    [message] = rendered(check_q)
    [submit] = buttons(message)
    assert len(submit["action_id"]) == 255 and submit["value"] == "r" * 400


def test_answered_question_keeps_the_question_without_anything_to_press():
    [message] = rendered(question(multiple=True))
    original = json.dumps(message.blocks)
    with_accessory = [
        {**message.blocks[0], "accessory": {"type": "button", "action_id": "x", "text": {"type": "plain_text", "text": "x"}}},
        *message.blocks[1:],
    ]
    answered = answered_question(with_accessory, "Flood <& Ebb>")
    check_blocks(answered)
    assert not [b for b in answered if b["type"] in ("actions", "input") or "accessory" in b]
    assert answered[0]["text"] == message.blocks[0]["text"]
    assert answered[-1]["elements"][0]["text"] == "Your answer: Flood &lt;&amp; Ebb&gt;"
    assert json.dumps(message.blocks) == original  # the input is left alone


def test_feedback():
    [right] = rendered(Feedback(True, "Because **tides**.", ("Flood",), (Button("Next", "next"),)))
    assert section_text(right) == "✅ *Correct!*\nBecause *tides*."
    assert [b["value"] for b in buttons(right)] == ["next"]
    [wrong] = rendered(Feedback(False, "Look again.", ("Flood", "Ebb <x>")))
    assert section_text(wrong) == "❌ *Not quite.* The answer: Flood; Ebb &lt;x&gt;\nLook again."
    assert not of_type(wrong, "actions")


def award(image_url: str | None, page_url: str | None = "https://badges.example/c/1") -> AwardNotice:
    return AwardNotice(
        title="Tides Basics",
        text="You earned **Tides Basics**.",
        credential_id="1",
        page_url=page_url,
        image_url=image_url,
        linkedin_url="https://www.linkedin.com/profile/add?x=1&y=2",
        buttons=(Button("Continue", "next"),),
    )


def test_award_with_an_https_image_shows_it_with_the_credential_links():
    [message] = rendered(award("https://badges.example/c/1.png"))
    [picture] = of_type(message, "image")
    assert picture["image_url"] == "https://badges.example/c/1.png" and picture["alt_text"] == "Tides Basics"
    found = [(b["text"]["text"], b["action_id"], b.get("url"), b.get("value")) for b in buttons(message)]
    assert found == [
        ("View credential", "mb:link:0", "https://badges.example/c/1", None),
        ("Add to LinkedIn", "mb:link:1", "https://www.linkedin.com/profile/add?x=1&y=2", None),
        ("Continue", "mb:0", None, "next"),
    ]


@pytest.mark.parametrize("image_url", [None, "http://localhost:8000/c/1.png", "file:///tmp/x.png"])
def test_award_without_an_https_image_has_no_image_block(image_url):
    [message] = rendered(award(image_url))
    assert not of_type(message, "image")
    assert section_text(message) == "You earned *Tides Basics*."


def test_award_link_that_cannot_be_a_button_is_written_out():
    [message] = rendered(award(None, page_url="ftp://x.example/<c>"))
    assert "View credential: ftp://x.example/&lt;c&gt;" in section_text(message)
    assert [b["action_id"] for b in buttons(message)] == ["mb:link:0", "mb:0"]


def test_announcement_is_text_image_and_the_credential_link_only():
    reply = Announcement("🎉 <@U1> Ana earned **Tides Basics**", "https://badges.example/c/1", "https://badges.example/c/1.png")
    [message] = rendered(reply)
    assert [b["type"] for b in message.blocks] == ["section", "image", "actions"]
    assert section_text(message) == "🎉 &lt;@U1&gt; Ana earned *Tides Basics*"
    assert [(b["text"]["text"], b["url"]) for b in buttons(message)] == [("See the credential", "https://badges.example/c/1")]
    [plain] = rendered(Announcement("Done", None, "http://insecure/x.png"))
    assert [b["type"] for b in plain.blocks] == ["section"]


def test_nothing_to_say_is_no_message():
    assert render(Text("")) == []


def test_action_id_patterns_route_each_kind():
    assert BUTTON_ACTION.match("mb:12") and not BUTTON_ACTION.match("mb:link:0")
    assert LINK_ACTION.match("mb:link:0") and not LINK_ACTION.match("mb:0")
    assert TOGGLE_ACTION.match("mbq:toggle") and TOGGLE_ACTION.match("mbq:toggle:2")
    assert SUBMIT_ACTION.match("mbq:submit:7.3") and not SUBMIT_ACTION.match("mbq:toggle")


def test_every_reply_kind_renders_valid_blocks():
    replies = [
        Text("plain"),
        Text("", (Button("Only a button", "b"),)),
        LessonCard("L", "", "", 1, 1),
        question(),
        question(multiple=True),
        Feedback(True, "", ()),
        award(None, None),
        Announcement("x"),
    ]
    for reply in replies:
        messages = rendered(reply)  # each message checked against Slack's limits
        assert all(message.blocks and message.text for message in messages), reply


# --- App Home ---------------------------------------------------------------------------------


def test_home_view_has_a_header_each_section_and_the_buttons():
    view = home_view(
        [("Streak", "**5** days in a row"), ("Mastery", "- Tides: 80%\n- Moons: 40%")], (Button("Start a lesson", "lesson:next"),)
    )
    assert view["type"] == "home"
    check_blocks(view["blocks"], max_blocks=100)
    assert [b["type"] for b in view["blocks"]] == ["header", "header", "section", "divider", "header", "section", "divider", "actions"]
    assert view["blocks"][0]["text"]["text"] == "Your learning"
    assert view["blocks"][2]["text"]["text"] == "*5* days in a row"
    assert view["blocks"][-1]["elements"][0]["value"] == "lesson:next"


def test_home_view_stays_within_100_blocks_and_keeps_its_buttons():
    sections = [(f"Skill {i}", "x " * 2000) for i in range(60)]
    view = home_view(sections, tuple(Button(f"B{i}", f"b:{i}") for i in range(30)))
    check_blocks(view["blocks"], max_blocks=100)
    assert len(view["blocks"]) >= 95
    assert [b["type"] for b in view["blocks"][-2:]] == ["actions", "actions"]
    assert view["blocks"][-3]["type"] != "header"  # no title left without its text


def test_a_button_that_cannot_be_undone_is_red_and_the_safe_one_plain():
    [message] = rendered(Text("Last check?", (Button("Delete my data now", "leave:now", destructive=True), Button("No, stay", "leave:no"))))
    assert [(b["text"]["text"], b.get("style")) for b in buttons(message)] == [("Delete my data now", "danger"), ("No, stay", None)]


# --- Lesson pictures ------------------------------------------------------------------------------

CHART = Picture("media/chart.png", "Water level over a day", "Two highs & two lows", "image/png", 900, 600, "0123456789ab")


def test_a_cards_picture_is_an_image_block_after_its_text_and_before_its_buttons():
    links = {"media/chart.png": "https://learn.example.com/media/chart.png?v=0123456789ab"}
    [message] = render(
        LessonCard("Tides", "Two tides", "Most coasts", 1, 4, (Button("Next ▶", "next:7.1"),), (CHART,)), lambda p: links.get(p.path)
    )
    check(message)
    assert [block["type"] for block in message.blocks] == ["context", "section", "image", "actions"]
    assert of_type(message, "image") == [
        {
            "type": "image",
            "image_url": "https://learn.example.com/media/chart.png?v=0123456789ab",
            "alt_text": "Water level over a day",
            "title": {"type": "plain_text", "text": "Two highs & two lows", "emoji": True},
        }
    ]


def test_a_picture_without_a_public_address_is_said_in_words_as_typed():
    [message] = render(LessonCard("Tides", "Two tides", "Most coasts", 1, 4, (), (CHART,)))
    assert of_type(message, "image") == []
    assert of_type(message, "context")[-1]["elements"][0]["text"] == "🖼 Water level over a day (Two highs &amp; two lows)"
    starred = Picture("media/chart.png", "High *and* low_tide", "", "image/png", 900, 600, "0123456789ab")
    [message] = render(LessonCard("Tides", "Two tides", "Most coasts", 1, 4, (), (starred,)))
    assert of_type(message, "context")[-1]["elements"][0]["text"] == "🖼 High ∗and∗ low_tide", "no bold: the alt text as typed"
