"""What each core reply becomes in Telegram (no sending): HTML, keyboards, polls, splits."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton

from adapters.telegram.formatting import plain_length
from adapters.telegram.render import Out, OutPhoto, OutPoll, OutText, render
from bot.replies import Announcement, AwardNotice, Button, Feedback, LessonCard, Question, Text


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


def texts(outs: list[Out]) -> list[OutText]:
    """`outs`, which must all be text messages."""
    assert all(isinstance(out, OutText) for out in outs), outs
    return [out for out in outs if isinstance(out, OutText)]


def keyboard_rows(out: Out) -> tuple[tuple[InlineKeyboardButton, ...], ...]:
    """The rows of buttons of a message that must have a keyboard."""
    assert not isinstance(out, OutPoll) and out.keyboard is not None, out
    return out.keyboard.inline_keyboard


def test_what_the_core_composes_keeps_its_lines_and_what_authors_wrap_flows():
    composed = "**Your progress**\n🔥 Streak: 2 learning days\n📚 Lessons done: 1 of 2"
    expected = "<b>Your progress</b>\n🔥 Streak: 2 learning days\n📚 Lessons done: 1 of 2"
    for reply in (Text(composed), AwardNotice("Deckhand", composed), Announcement(composed)):
        [out] = render(reply)
        assert isinstance(out, OutText) and out.html == expected, reply
    [card] = render(LessonCard("Tides", "Slack water", "The tide turns\nat slack water.", 1, 2))
    [feedback] = render(Feedback(True, "Two highs\nand two lows.", ("Two",)))
    assert isinstance(card, OutText) and isinstance(feedback, OutText)
    assert (card.html, feedback.html) == (
        "<b>Slack water</b> <i>(1/2)</i>\n\nThe tide turns at slack water.",
        "✅ <b>Correct!</b>\nTwo highs and two lows.",
    )


def test_a_card_is_escaped_html_with_its_next_button():
    [out] = render(LessonCard("Tides", "High & <low>", "Water **rises** & falls", 1, 4, (Button("Next ▶", "next:7.1"),)))
    assert isinstance(out, OutText)
    assert out.html == "<b>High &amp; &lt;low&gt;</b> <i>(1/4)</i>\n\nWater <b>rises</b> &amp; falls"
    assert keyboard_rows(out)[0][0].callback_data == "next:7.1"


def test_single_answer_check_as_buttons_or_as_a_quiz_poll():
    [as_buttons] = render(question())
    assert isinstance(as_buttons, OutText) and "Which tide &lt;rises&gt;?" in as_buttons.html
    assert [row[0].callback_data for row in keyboard_rows(as_buttons)] == ["ans:7.3:0", "ans:7.3:1", "ans:7.3:2"]
    [poll] = render(question(), quiz_polls=True)
    assert poll == OutPoll("7.3", "Which tide <rises>?", ("Ebb", "Flood", "Slack"), quiz=True, correct_option=1, multiple=False)


def test_a_multiple_answer_check_is_a_poll_that_allows_several_answers():
    [poll] = render(question(multiple=True))
    assert isinstance(poll, OutPoll) and poll.multiple and not poll.quiz and poll.correct_option is None


def test_options_too_long_for_a_poll_are_spelled_out_and_the_poll_offers_numbers():
    long = ("x" * 150, "y" * 20, "z" * 20)
    text, poll = render(question(multiple=True, options=long))
    assert isinstance(text, OutText) and "x" * 150 in text.html
    assert isinstance(poll, OutPoll) and poll.options == ("1", "2", "3")


def test_long_text_is_split_and_the_buttons_go_with_the_last_part():
    body = "\n\n".join(f"Paragraph {i}: " + "word " * 150 for i in range(12))
    outs = texts(render(Text(body, (Button("Next", "go"),))))
    assert len(outs) >= 2 and all(plain_length(o.html) <= 4096 for o in outs)
    assert [o.keyboard is not None for o in outs] == [False] * (len(outs) - 1) + [True]


def test_an_action_over_64_bytes_is_a_bug_not_a_silent_truncation():
    with pytest.raises(ValueError, match="64 bytes"):
        render(Text("hi", (Button("x", "a" * 65),)))


def test_short_buttons_share_a_row_long_ones_get_their_own():
    [out] = render(Text("Pick", tuple(Button(t, f"time:o:{t}") for t in ("07:00", "08:00", "09:00", "10:00"))))
    assert [len(row) for row in keyboard_rows(out)] == [3, 1]
    [out] = render(Text("Pick", (Button("Leave and delete my data", "set:leave"), Button("Announce my badges: turn off", "ann:off"))))
    assert [len(row) for row in keyboard_rows(out)] == [1, 1]


def test_feedback_shows_the_right_answer_and_the_explanation():
    [out] = render(Feedback(False, "The *flood* tide rises.", ("Flood",)))
    assert isinstance(out, OutText) and out.html == "❌ <b>Not quite.</b> The answer: Flood\nThe <i>flood</i> tide rises."


def test_an_award_is_a_photo_with_https_links_as_url_buttons():
    notice = AwardNotice(
        title="Deckhand",
        text="🏅 **You earned the Deckhand badge!**",
        credential_id="abc",
        page_url="https://learn.example.com/credentials/abc",
        image_url="https://learn.example.com/credentials/abc/image.png",
        linkedin_url="https://www.linkedin.com/profile/add?name=Deckhand",
        buttons=(Button("My badges", "cmd:badges"),),
    )
    [photo] = render(notice)
    assert isinstance(photo, OutPhoto) and photo.credential_id == "abc"
    rows = keyboard_rows(photo)
    assert [rows[0][0].url, rows[1][0].url, rows[2][0].callback_data] == [notice.page_url, notice.linkedin_url, "cmd:badges"]


def test_local_links_are_written_out_because_telegram_refuses_them_as_buttons():
    notice = AwardNotice(
        title="Deckhand", text="You earned it", credential_id="abc", page_url="http://127.0.0.1:8000/credentials/abc", linkedin_url=None
    )
    [photo] = render(notice)
    assert isinstance(photo, OutPhoto)
    assert 'href="http://127.0.0.1:8000/credentials/abc"' in photo.caption_html and photo.keyboard is None
    [text] = render(Announcement("🎉 Ana earned the **Deckhand** badge!", page_url="https://x.example/credentials/abc"))
    assert isinstance(text, OutText) and text.html == "🎉 Ana earned the <b>Deckhand</b> badge!"
    link = keyboard_rows(text)[0][0].url
    assert link is not None and link.endswith("/abc")


def test_a_button_that_cannot_be_undone_carries_a_warning_sign():
    [out] = render(Text("Last check?", (Button("Delete my data now", "leave:now", destructive=True), Button("No, stay", "leave:no"))))
    assert isinstance(out, OutText) and out.keyboard is not None
    labels = [button.text for row in out.keyboard.inline_keyboard for button in row]
    assert labels == ["⚠️ Delete my data now", "No, stay"]
