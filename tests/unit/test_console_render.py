"""How replies read in the terminal."""
from __future__ import annotations

from adapters.console.render import plain, render
from bot.replies import Button, Feedback, Question, Text


def test_soft_wrapped_lines_flow_as_one_paragraph_and_lists_stay_lists():
    text = "A hazard in a walkway can hurt\nthe next person.\n\n- one\n- two\n  continued\n1. first"
    assert plain(text) == "A hazard in a walkway can hurt the next person.\n\n- one\n- two continued\n1. first"


def test_bold_markers_are_dropped():
    assert plain("**Stop**, look, act") == "Stop, look, act"


def test_buttons_become_numbered_choices():
    shown = render(Text("Next: **Knots**", (Button("Start now", "go"), Button("Later", "later")))).text
    assert shown.endswith("[1] Start now   [2] Later")


def test_multiple_choice_questions_say_how_to_answer():
    shown = render(Question("0.2", "Which?", ("a", "b", "c"), True, 2, 5)).text
    assert "  3) c" in shown and "e.g. 1,3" in shown


def test_wrong_answer_feedback_names_the_right_answer():
    shown = render(Feedback(False, "Because.", ("Two",))).text
    assert shown.startswith("❌ Not quite. The answer: Two")
