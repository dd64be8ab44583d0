"""What each core reply becomes in Telegram (no sending): HTML, keyboards, polls, splits."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton

from adapters.telegram.formatting import plain_length
from adapters.telegram.render import Out, OutAlbum, OutPhoto, OutPicture, OutPoll, OutText, messages, render
from bot.replies import Announcement, AwardNotice, Button, Feedback, LessonCard, Picture, Question, Text


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
    assert not isinstance(out, OutPoll | OutAlbum) and out.keyboard is not None, out
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


# --- Lesson pictures ------------------------------------------------------------------------------

CHART = Picture("media/chart.png", "Water level over a day: two highs", "Two highs & two lows", "image/png", 900, 600, "0123456789ab")
NEXT = (Button("Next ▶", "next:7.1"),)


def test_a_card_with_one_picture_is_one_photo_whose_caption_is_the_card_and_the_picture_caption():
    [photo] = render(LessonCard("Tides", "Two tides", "Most **coasts**", 1, 4, NEXT, (CHART,)))
    assert isinstance(photo, OutPicture) and (photo.path, photo.digest) == ("media/chart.png", "0123456789ab")
    assert photo.caption_html == "<b>Two tides</b> <i>(1/4)</i>\n\nMost <b>coasts</b>\n\n🖼 <i>Two highs &amp; two lows</i>"
    assert keyboard_rows(photo)[0][0].callback_data == "next:7.1"
    assert photo.words_html.endswith("🖼 <i>Water level over a day: two highs</i>\nTwo highs &amp; two lows")


def test_a_card_too_long_for_a_caption_sends_its_picture_then_its_text_with_the_buttons():
    body = "word " * 250  # over Telegram's 1024 characters of a caption
    picture, text = render(LessonCard("Tides", "Two tides", body, 1, 4, NEXT, (CHART,)))
    assert isinstance(picture, OutPicture) and picture.keyboard is None
    assert picture.caption_html == "🖼 <i>Two highs &amp; two lows</i>"
    assert isinstance(text, OutText) and text.html.startswith("<b>Two tides</b>") and text.keyboard is not None


def test_several_pictures_are_an_album_then_the_text_and_a_picture_without_caption_shows_its_alt_text():
    plain = Picture("media/moon.png", "The moon at a right angle", "", "image/png", 800, 600, "ba9876543210")
    album, text = render(LessonCard("Tides", "Neap", "Small range.", 2, 4, NEXT, (CHART, plain)))
    assert isinstance(album, OutAlbum) and isinstance(text, OutText) and text.keyboard is not None
    assert [p.caption_html for p in album.pictures] == ["🖼 <i>Two highs &amp; two lows</i>", "🖼 <i>The moon at a right angle</i>"]


def test_an_alt_text_standing_in_for_a_caption_is_cut_to_a_caption():
    long_alt = Picture("media/chart.png", "level " * 300, "", "image/png", 900, 600, "0123456789ab")
    _, text = render(LessonCard("Tides", "Two tides", "x " * 600, 1, 4, NEXT, (long_alt,)))
    picture = render(LessonCard("Tides", "Two tides", "x " * 600, 1, 4, NEXT, (long_alt,)))[0]
    assert isinstance(picture, OutPicture) and plain_length(picture.caption_html) <= 1024 and isinstance(text, OutText)


def test_a_lesson_header_goes_into_the_caption_of_the_first_cards_picture():
    outs = messages([Text("📘 **Tides** · 2 min"), LessonCard("Tides", "Two tides", "Most coasts", 1, 4, NEXT, (CHART,))])
    [photo] = outs
    assert isinstance(photo, OutPicture) and photo.caption_html.startswith("📘 <b>Tides</b> · 2 min\n\n<b>Two tides</b>")
    assert photo.words_html.startswith("📘 <b>Tides</b> · 2 min\n\n")
    too_long = messages([Text("word " * 250), LessonCard("Tides", "Two tides", "Most coasts", 1, 4, NEXT, (CHART,))])
    assert [type(out) for out in too_long] == [OutText, OutPicture]
