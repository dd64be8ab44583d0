"""How replies read in the terminal."""

from __future__ import annotations

from adapters.console.render import plain, render
from bot.markup import literal
from bot.replies import AwardNotice, Button, Feedback, LessonCard, Question, Text


def test_what_the_bot_composes_keeps_every_line_break():
    text = "**Your progress**\n🔥 Streak: 3 learning days\n📚 Lessons done: 1 of 2\n\n**Mastery by skill**\n▓▓▓░ 30% Tides"
    assert render(Text(text)).text.split("\n") == [
        "Your progress",
        "🔥 Streak: 3 learning days",
        "📚 Lessons done: 1 of 2",
        "",
        "Mastery by skill",
        "▓▓▓░ 30% Tides",
    ]


def test_an_indented_line_keeps_its_indent():
    text = "🏅 **Deckhand** (badge): 2 of 4 requirements met\n   still needs: Complete Knots; Hold Deckhand"
    assert render(Text(text)).text.split("\n") == [
        "🏅 Deckhand (badge): 2 of 4 requirements met",
        "   still needs: Complete Knots; Hold Deckhand",
    ]


def test_what_authors_write_flows_and_lists_stay_lists():
    body = "A hazard in a walkway can hurt\nthe next person.\n\n- one\n- two\n  continued\n\n1. first\n2. second"
    card = render(LessonCard("Hazards", "Walkways", body, 1, 3, (Button("Next ▶", "next:1.0"),))).text
    assert card.split("\n")[2:] == [
        "",
        "A hazard in a walkway can hurt the next person.",
        "",
        "• one",
        "• two continued",
        "",
        "1. first",
        "2. second",
        "",
        "[1] Next ▶   (or press Enter)",
    ]
    assert (
        render(Feedback(True, "Spring tides come\nwith full moons.", ("Spring",))).text == "✅ Correct!\nSpring tides come with full moons."
    )


def test_text_from_people_prints_exactly_as_typed():
    name = "[Claim prize](https://evil.example/phish) *Sam* a_b \\o/"
    assert plain(f"Hi {literal(name)}! Team: {literal('R&D <ops>')}") == (
        "Hi [Claim prize](https://evil.example/phish) *Sam* a_b \\o/! Team: R&D <ops>"
    )


def test_markdown_formatting_is_dropped_and_links_show_their_address():
    assert plain("**Stop**, _look_, `act`") == "Stop, look, act"
    assert plain("See [the page](https://example.org/x).") == "See the page (https://example.org/x)."


def test_buttons_become_numbered_choices_and_only_a_lone_next_or_continue_takes_enter():
    offer = render(Text("Next: **Knots**", (Button("Start now", "go"), Button("Later", "later"))))
    assert offer.text.endswith("\n\n[1] Start now   [2] Later")
    assert offer.enter is None
    lone = render(Text("Map", (Button("Continue learning", "go"),)))
    assert lone.text.endswith("\n\n[1] Continue learning   (or press Enter)")
    assert lone.enter == Button("Continue learning", "go")
    assert render(Text("Done", (Button("Show my pathway", "cmd:path"),))).enter is None


def test_a_destructive_button_is_pressed_by_its_word_only():
    shown = render(
        Text("Delete your data now?", (Button("Delete my data now", "leave:now", destructive=True), Button("No, stay", "leave:no")))
    )
    assert shown.text.split("\n")[-1] == "[type DELETE] Delete my data now   [1] No, stay"
    assert shown.buttons == (Button("No, stay", "leave:no"),), "numbers press only the safe button"
    assert shown.words == (("DELETE", Button("Delete my data now", "leave:now", destructive=True)),)
    assert render(Text("Sure?", (Button("Delete my data now", "leave:now", destructive=True),))).enter is None


def test_a_terminal_gets_lines_wrapped_between_words_with_their_indent():
    text = (
        "🏅 **Maintenance Fundamentals** (badge): 0 of 12 requirements met\n"
        "   still needs: Complete Pre-use inspection; Complete Lubrication basics; Lubrication mastery 80% (now 0%)\n"
        "- a list item long enough to need a second line in a narrow terminal window\n"
        "\n"
        "https://example.org/a/very/long/address/that/must/never/be/split/in/two/parts"
    )
    buttons = (Button("Announce my badges: turn off", "a"), Button("Leave and delete my data", "b"))
    shown = render(AwardNotice("Badge", text, buttons=buttons), width=50)
    assert shown.text.split("\n") == [
        "🏅 Maintenance Fundamentals (badge): 0 of 12",
        "requirements met",
        "   still needs: Complete Pre-use inspection;",
        "   Complete Lubrication basics; Lubrication",
        "   mastery 80% (now 0%)",
        "• a list item long enough to need a second line in",
        "  a narrow terminal window",
        "",
        "https://example.org/a/very/long/address/that/must/never/be/split/in/two/parts",
        "",
        "[1] Announce my badges: turn off",
        "[2] Leave and delete my data",
    ]


def test_multiple_choice_questions_say_how_to_answer():
    shown = render(Question("0.2", "Which?", ("a", "b", "c"), True, 2, 5)).text
    assert shown.split("\n")[-5:] == ["  1) a", "  2) b", "  3) c", "", "(Type the numbers of every correct option, e.g. 1,3)"]


def test_wrong_answer_feedback_names_the_right_answer():
    shown = render(Feedback(False, "Because.", ("Two",))).text
    assert shown == "❌ Not quite. The answer: Two\nBecause."
