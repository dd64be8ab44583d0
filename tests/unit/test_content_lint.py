"""The content linter: each test plants exactly one mistake in a minimal valid tree and checks
that it is reported at the right `path:line` with a message an author can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.cli.authoring import check
from content.loader import load_curriculum
from content.model import Problem

SKILLS = """\
safety:
  name: Safety
  description: Working without getting hurt.
tools:
  name: Tools
  description: Using tools well.
"""


def lesson(lesson_id: str, *, requires: str = "[]", minutes: str = "2", skills: str = "[safety]", body: str = "") -> str:
    """A valid lesson; its front matter keys are on lines 2-6 and its body starts at line 8.

    Without `body`: '## First card' is line 11, '## Check' line 14, the question line 15,
    the options lines 17-18 and the explanation line 20.
    """
    return f"""\
---
id: {lesson_id}
title: Lesson {lesson_id}
skills: {skills}
minutes: {minutes}
requires: {requires}
---
{body or DEFAULT_BODY.format(lesson_id=lesson_id)}"""


DEFAULT_BODY = """
# Lesson {lesson_id}

## First card
Lock the isolator before you start.

## Check
Who fits a lock on the isolator?

- [x] Everyone who works on the machine
- [ ] Only the supervisor

> Each person fits their own lock and keeps the key.
"""

CHECK = """
## Check
Who fits a lock?

- [x] Everyone
- [ ] The supervisor

> Each person fits their own lock.
"""


def pathway(pathway_id: str, *, order: int, lessons: list[str]) -> str:
    """A valid pathway; `order` is line 4 and the lessons are lines 6, 7, ..."""
    items = "".join(f"  - {lesson_id}\n" for lesson_id in lessons)
    return f"---\nid: {pathway_id}\ntitle: Pathway {pathway_id}\norder: {order}\nlessons:\n{items}---\n\nA pathway.\n"


def badge(badge_id: str, *, requires: str = "  lessons: [a]\n  skills:\n    safety: 0.8\n") -> str:
    """A valid badge; `requires:` is line 5, its lines follow (the skill line is 8 by default)."""
    return f"""\
---
id: {badge_id}
kind: badge
title: Badge {badge_id}
requires:
{requires}valid_for_days: 365
---

Does the thing safely.

## Criteria
Completed the lesson and showed mastery.
"""


def certificate(certificate_id: str, *, stacks: str = "[badge-a, badge-b]") -> str:
    """A valid certificate; `stacks:` is line 5."""
    return f"""\
---
id: {certificate_id}
kind: certificate
title: Certificate {certificate_id}
stacks: {stacks}
---

Does all the things safely.

## Criteria
Holds the badges it stacks.
"""


# Tests swap lesson b for one teaching 'safety' (the lesson() default), so badge-b measures both.
BADGE_B_REQUIRES = "  lessons: [b]\n  skills:\n    safety: 0.8\n    tools: 0.8\n"


def valid_tree() -> dict[str, str]:
    return {
        "skills.yml": SKILLS,
        "lessons/a.md": lesson("a"),
        "lessons/b.md": lesson("b", requires="[a]", skills="[tools]"),
        "pathways/first.md": pathway("first", order=1, lessons=["a", "b"]),
        "credentials/badge-a.md": badge("badge-a"),
        "credentials/badge-b.md": badge("badge-b", requires=BADGE_B_REQUIRES),
        "credentials/cert.md": certificate("cert"),
    }


def write_tree(root: Path, changes: dict[str, str | None] | None = None) -> Path:
    """The minimal valid tree under `root`, with some files replaced, added or (None) left out."""
    for name, text in {**valid_tree(), **(changes or {})}.items():
        if text is not None:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
    return root


def problems_of(root: Path) -> tuple[Problem, ...]:
    result = load_curriculum(root)
    assert (result.curriculum is None) == bool(result.problems)
    return result.problems


def the_problem(root: Path) -> Problem:
    problems = problems_of(root)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def where(problem: Problem, root: Path) -> str:
    return f"{problem.path.relative_to(root)}:{problem.line}"


def test_minimal_tree_is_clean(tmp_path: Path) -> None:
    assert problems_of(write_tree(tmp_path)) == ()


# --- ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["Lockout_Tagout", "a" * 41])
def test_invalid_id_is_reported_at_the_id_line(tmp_path: Path, bad_id: str) -> None:
    problem = the_problem(write_tree(tmp_path, {"lessons/c.md": lesson(bad_id)}))
    assert where(problem, tmp_path) == "lessons/c.md:2"
    assert f"lesson id '{bad_id}'" in problem.message
    assert "lowercase letters, digits and hyphens" in problem.message or "at most 40 characters" in problem.message


def test_invalid_skill_id_is_reported_at_its_line(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"skills.yml": SKILLS + "Bad Skill:\n  name: Bad\n"}))
    assert where(problem, tmp_path) == "skills.yml:7"
    assert "skill id 'Bad Skill' is not valid" in problem.message


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("lessons/c.md", lesson("a"), "lesson"),
        ("pathways/second.md", pathway("first", order=2, lessons=[]).replace("lessons:\n", "lessons: [c]\n"), "pathway"),
        ("credentials/other.md", badge("badge-a"), "credential"),
    ],
)
def test_duplicate_id_is_reported_at_the_second_file(tmp_path: Path, name: str, text: str, kind: str) -> None:
    problems = problems_of(write_tree(tmp_path, {name: text}))
    duplicates = [p for p in problems if "duplicate" in p.message]
    assert len(duplicates) == 1, "\n".join(map(str, problems))
    assert where(duplicates[0], tmp_path) == f"{name}:2"
    assert f"duplicate {kind} id" in duplicates[0].message


# --- lessons and their references ------------------------------------------------------------


def test_unknown_required_lesson_is_reported(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson("b", requires="[a, nope]")}))
    assert where(problem, tmp_path) == "lessons/b.md:6"
    assert "requires unknown lesson 'nope' (no lesson has id 'nope')" in problem.message


def test_unknown_skill_of_a_lesson_is_reported(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson("b", requires="[a]", skills="[nope]")}))
    assert where(problem, tmp_path) == "lessons/b.md:4"
    assert "unknown skill 'nope'" in problem.message


def test_prerequisite_cycle_is_reported_with_the_cycle(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"lessons/a.md": lesson("a", requires="[b]")})
    cycles = [p for p in problems_of(root) if "cycle" in p.message]
    assert len(cycles) == 1
    assert where(cycles[0], tmp_path) == "lessons/a.md:6"
    assert "a -> b -> a" in cycles[0].message


def test_lesson_requiring_itself_is_a_cycle(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson("b", requires="\n  - a\n  - b")}))
    assert where(problem, tmp_path) == "lessons/b.md:8"
    assert "b -> b" in problem.message


def test_lesson_reading_longer_than_its_minutes_is_reported(tmp_path: Path) -> None:
    cards = "".join(f"## Card {n}\n{'word ' * 150}\n\n" for n in range(3))
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson("b", requires="[a]", body=cards + CHECK)}))
    assert where(problem, tmp_path) == "lessons/b.md:5"
    assert "reads in about 3 minutes (469 words" in problem.message
    assert "'minutes' says 2" in problem.message


@pytest.mark.parametrize("minutes", ["0", "6"])
def test_minutes_outside_one_to_five_is_reported(tmp_path: Path, minutes: str) -> None:
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson("b", requires="[a]", minutes=minutes)}))
    assert where(problem, tmp_path) == "lessons/b.md:5"
    assert f"'minutes' is {minutes}: a lesson takes 1 to 5 minutes" in problem.message


def test_lesson_without_a_check_is_reported(tmp_path: Path) -> None:
    body = "\n## Only a card\nSome text.\n"
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson("b", requires="[a]", body=body)}))
    assert where(problem, tmp_path) == "lessons/b.md:1"
    assert "no micro-check" in problem.message


def test_lesson_with_four_checks_is_reported_at_the_fourth(tmp_path: Path) -> None:
    body = "\n## Card\nText.\n" + CHECK * 4  # the checks start at lines 12, 20, 28, 36
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson("b", requires="[a]", body=body)}))
    assert where(problem, tmp_path) == "lessons/b.md:36"
    assert "4 micro-checks but at most 3" in problem.message


def test_lesson_without_cards_is_reported(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson("b", requires="[a]", body=CHECK)}))
    assert where(problem, tmp_path) == "lessons/b.md:1"
    assert "no cards" in problem.message


def test_card_over_a_thousand_characters_is_reported(tmp_path: Path) -> None:
    body = "\n## Card\n" + "x" * 1001 + "\n" + CHECK
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson("b", requires="[a]", minutes="5", body=body)}))
    assert where(problem, tmp_path) == "lessons/b.md:9"
    assert "1001 characters" in problem.message


def test_text_before_the_first_card_is_reported(tmp_path: Path) -> None:
    body = "\n# Title\n\nAn introduction nobody will see.\n\n## Card\nText.\n" + CHECK
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson("b", requires="[a]", body=body)}))
    assert where(problem, tmp_path) == "lessons/b.md:11"
    assert "text before the first '## ' heading" in problem.message


def test_a_second_title_line_is_text_before_the_first_card(tmp_path: Path) -> None:
    body = "# Title\n# Another title\n\n## Card\nText.\n" + CHECK
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson("b", requires="[a]", body=body)}))
    assert where(problem, tmp_path) == "lessons/b.md:9"


# --- checks ----------------------------------------------------------------------------------


def check_body(check: str) -> str:
    """A lesson body whose check heading is on line 11 (the question on line 12)."""
    return "## Card\nText.\n\n" + check


def lesson_b_with_check(check: str) -> str:
    return lesson("b", requires="[a]", body=check_body(check))


def test_check_with_no_correct_option_is_reported(tmp_path: Path) -> None:
    check = "## Check\nWho?\n\n- [ ] Me\n- [ ] You\n\n> Nobody.\n"
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson_b_with_check(check)}))
    assert where(problem, tmp_path) == "lessons/b.md:11"
    assert "no option is marked correct" in problem.message


def test_check_with_one_option_is_reported(tmp_path: Path) -> None:
    check = "## Check\nWho?\n\n- [x] Me\n\n> Me.\n"
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson_b_with_check(check)}))
    assert where(problem, tmp_path) == "lessons/b.md:11"
    assert "1 option: give it at least 2" in problem.message


def test_check_with_eleven_options_is_reported(tmp_path: Path) -> None:
    options = "- [x] Right\n" + "".join(f"- [ ] Wrong {n}\n" for n in range(10))
    check = f"## Check\nWhich?\n\n{options}\n> Explained.\n"
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson_b_with_check(check)}))
    assert where(problem, tmp_path) == "lessons/b.md:11"
    assert "11 options: keep it to 10 or fewer" in problem.message


def test_check_without_explanation_is_reported(tmp_path: Path) -> None:
    check = "## Check: no explanation\nWho?\n\n- [x] Me\n- [ ] You\n"
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson_b_with_check(check)}))
    assert where(problem, tmp_path) == "lessons/b.md:11"
    assert "no explanation" in problem.message


def test_check_without_question_is_reported(tmp_path: Path) -> None:
    check = "## Check\n- [x] Me\n- [ ] You\n\n> Me.\n"
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson_b_with_check(check)}))
    assert where(problem, tmp_path) == "lessons/b.md:11"
    assert "no question" in problem.message


def test_question_over_300_characters_is_reported_at_the_question(tmp_path: Path) -> None:
    question = "Why" + "?" * 298
    check = f"## Check\n\n{question}\n\n- [x] Me\n- [ ] You\n\n> Me.\n"
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson_b_with_check(check)}))
    assert where(problem, tmp_path) == "lessons/b.md:13"
    assert "question is 301 characters long: keep it to 300 or fewer" in problem.message


def test_option_over_100_characters_is_reported_at_the_option(tmp_path: Path) -> None:
    check = f"## Check\nWho?\n\n- [x] Me\n- [ ] {'y' * 101}\n\n> Me.\n"
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson_b_with_check(check)}))
    assert where(problem, tmp_path) == "lessons/b.md:15"
    assert "option is 101 characters long" in problem.message


def test_option_without_checkbox_is_reported_at_the_option(tmp_path: Path) -> None:
    check = "## Check\nWho?\n\n- [x] Me\n- You\n- [ ] Them\n\n> Me.\n"
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson_b_with_check(check)}))
    assert where(problem, tmp_path) == "lessons/b.md:15"
    assert "the option 'You' has no checkbox" in problem.message


def test_true_false_check_with_both_marked_correct_is_reported(tmp_path: Path) -> None:
    check = "## Check\nTrue or false?\n\n- [x] True\n- [x] False\n\n> Hmm.\n"
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson_b_with_check(check)}))
    assert where(problem, tmp_path) == "lessons/b.md:11"
    assert "exactly one of True and False" in problem.message


def test_options_after_the_explanation_are_reported(tmp_path: Path) -> None:
    check = "## Check\nWho?\n\n> Me.\n\n- [x] Me\n- [ ] You\n"
    problem = the_problem(write_tree(tmp_path, {"lessons/b.md": lesson_b_with_check(check)}))
    assert where(problem, tmp_path) == "lessons/b.md:16"
    assert "options after the explanation" in problem.message


# --- pathways --------------------------------------------------------------------------------


def test_pathway_naming_an_unknown_lesson_is_reported_at_its_line(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"pathways/first.md": pathway("first", order=1, lessons=["a", "b", "nope"])}))
    assert where(problem, tmp_path) == "pathways/first.md:8"
    assert "unknown lesson 'nope' (no lesson has id 'nope')" in problem.message


def test_lesson_before_its_prerequisite_in_a_pathway_is_reported(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"pathways/first.md": pathway("first", order=1, lessons=["b", "a"])}))
    assert where(problem, tmp_path) == "pathways/first.md:6"
    assert "lesson 'b' comes before its prerequisite 'a'" in problem.message


def test_prerequisite_in_a_later_pathway_is_reported(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pathways/first.md": pathway("first", order=1, lessons=["b"]),
            "pathways/second.md": pathway("second", order=2, lessons=["a"]),
        },
    )
    problem = the_problem(root)
    assert where(problem, tmp_path) == "pathways/first.md:6"
    assert "in pathway 'second', which comes later on the map" in problem.message


def test_prerequisite_in_no_pathway_is_reported(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"pathways/first.md": pathway("first", order=1, lessons=["b"])}))
    assert where(problem, tmp_path) == "pathways/first.md:6"
    assert "requires 'a', which is in no pathway" in problem.message


def test_lesson_in_two_pathways_is_reported(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"pathways/second.md": pathway("second", order=2, lessons=["a"])}))
    assert where(problem, tmp_path) == "pathways/second.md:6"
    assert "lesson 'a' is already in pathway 'first'" in problem.message


def test_two_pathways_with_the_same_order_are_reported(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pathways/first.md": pathway("first", order=1, lessons=["a"]),
            "pathways/second.md": pathway("second", order=1, lessons=["b"]),
        },
    )
    problem = the_problem(root)
    assert where(problem, tmp_path) == "pathways/second.md:4"
    assert "both have order 1" in problem.message


# --- credentials -----------------------------------------------------------------------------


def test_badge_requiring_an_unknown_lesson_is_reported(tmp_path: Path) -> None:
    problem = the_problem(
        write_tree(tmp_path, {"credentials/badge-b.md": badge("badge-b", requires=BADGE_B_REQUIRES.replace("[b]", "[b, nope]"))})
    )
    assert where(problem, tmp_path) == "credentials/badge-b.md:6"
    assert "requires unknown lesson 'nope'" in problem.message


def test_badge_requiring_an_unknown_skill_is_reported(tmp_path: Path) -> None:
    requires = "  skills:\n    safety: 0.5\n    nope: 0.8\n"
    problem = the_problem(write_tree(tmp_path, {"credentials/badge-b.md": badge("badge-b", requires=requires)}))
    assert where(problem, tmp_path) == "credentials/badge-b.md:8"
    assert "requires unknown skill 'nope'" in problem.message


@pytest.mark.parametrize("mastery", ["80", "-0.1", "1.5"])
def test_mastery_outside_zero_to_one_is_reported_at_the_skill(tmp_path: Path, mastery: str) -> None:
    requires = f"  lessons: [a]\n  skills:\n    safety: {mastery}\n"
    problem = the_problem(write_tree(tmp_path, {"credentials/badge-a.md": badge("badge-a", requires=requires)}))
    assert where(problem, tmp_path) == "credentials/badge-a.md:8"
    assert "write it as a number between 0 and 1" in problem.message


def test_certificate_stacking_itself_is_reported(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"credentials/cert.md": certificate("cert", stacks="[badge-a, cert]")}))
    assert where(problem, tmp_path) == "credentials/cert.md:5"
    assert "stacks itself" in problem.message


def test_certificate_stacking_a_certificate_is_reported(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"credentials/top.md": certificate("top", stacks="\n  - badge-a\n  - cert")})
    problem = the_problem(root)
    assert where(problem, tmp_path) == "credentials/top.md:7"
    assert "stacks 'cert', which is a certificate" in problem.message


def test_certificate_stacking_an_unknown_badge_is_reported(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"credentials/cert.md": certificate("cert", stacks="[badge-a, nope]")}))
    assert where(problem, tmp_path) == "credentials/cert.md:5"
    assert "stacks unknown badge 'nope'" in problem.message


def test_certificate_without_stacks_is_reported(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"credentials/cert.md": certificate("cert", stacks="[]")}))
    assert where(problem, tmp_path) == "credentials/cert.md:5"
    assert "a certificate needs 'stacks'" in problem.message


def test_badge_requiring_nothing_is_reported(tmp_path: Path) -> None:
    text = badge("badge-b").replace("requires:\n  lessons: [a]\n  skills:\n    safety: 0.8\n", "")
    problem = the_problem(write_tree(tmp_path, {"credentials/badge-b.md": text}))
    assert where(problem, tmp_path) == "credentials/badge-b.md:2"
    assert "the badge requires nothing" in problem.message


def test_credential_without_criteria_is_reported(tmp_path: Path) -> None:
    text = badge("badge-b").replace("## Criteria\nCompleted the lesson and showed mastery.\n", "")
    problem = the_problem(write_tree(tmp_path, {"credentials/badge-b.md": text}))
    assert where(problem, tmp_path) == "credentials/badge-b.md:11"
    assert "missing criteria" in problem.message


def test_empty_criteria_section_is_reported_at_its_heading(tmp_path: Path) -> None:
    text = badge("badge-b").replace("Completed the lesson and showed mastery.\n", "")
    problem = the_problem(write_tree(tmp_path, {"credentials/badge-b.md": text}))
    assert where(problem, tmp_path) == "credentials/badge-b.md:14"
    assert "'## Criteria' section is empty" in problem.message


def test_non_positive_validity_is_reported(tmp_path: Path) -> None:
    problem = the_problem(write_tree(tmp_path, {"credentials/badge-b.md": badge("badge-b").replace("365", "0")}))
    assert where(problem, tmp_path) == "credentials/badge-b.md:9"
    assert "'valid_for_days' is 0" in problem.message


# --- scarcity: a credential measures every skill its lessons teach ----------------------------


def test_a_badge_requiring_only_lessons_is_refused_at_its_requires_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Clicking through lessons must never earn a badge: `content check` refuses it, naming the
    skills to measure and the lessons that teach them, and says what to add."""
    root = write_tree(tmp_path, {"credentials/badge-c.md": badge("badge-c", requires="  lessons: [a, b]\n")})
    assert check(root) == 1
    assert capsys.readouterr().out == (
        f"{root}/credentials/badge-c.md:5: the badge sets no mastery for skills its lessons teach: 'safety' (lesson a) and "
        "'tools' (lesson b), so clicking through those lessons would earn it: add 'skills:' under 'requires:' with "
        "'safety: 0.8' and 'tools: 0.8' (or the mastery you want: a badge is earned by durable recall, not by finishing lessons)\n"
    )


def test_a_skill_left_out_is_reported_at_the_skills_line_with_every_lesson_teaching_it(tmp_path: Path) -> None:
    requires = "  lessons: [a, b]\n  skills:\n    tools: 0.8\n"
    root = write_tree(
        tmp_path,
        {
            "lessons/b.md": lesson("b", requires="[a]", skills="[tools, safety]"),
            "credentials/badge-c.md": badge("badge-c", requires=requires),
        },
    )
    assert lines_of(root) == [
        "credentials/badge-c.md:7: the badge sets no mastery for a skill its lessons teach: 'safety' (lessons a and b), "
        "so clicking through those lessons would earn it: add 'safety: 0.8' under 'requires.skills' "
        "(or the mastery you want: a badge is earned by durable recall, not by finishing lessons)"
    ]


def test_a_badge_measuring_every_skill_of_its_lessons_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    requires = "  lessons: [a, b]\n  skills:\n    tools: 0.6\n    safety: 0.9\n"
    root = write_tree(tmp_path, {"credentials/badge-c.md": badge("badge-c", requires=requires)})
    assert check(root) == 0
    assert capsys.readouterr().out == f"{root}: OK. 2 lessons, 2 checks, 1 pathways, 4 credentials, 0 roles.\n"


def test_a_certificate_needs_no_skills_but_lessons_of_its_own_need_their_mastery(tmp_path: Path) -> None:
    """A certificate stacks badges that each passed this rule: stacking alone needs no skills (the
    minimal tree's certificate). Lessons it requires itself would be a click-through part of it."""
    text = certificate("cert").replace("stacks: [badge-a, badge-b]\n", "stacks: [badge-a, badge-b]\nrequires:\n  lessons: [b]\n")
    problem = the_problem(write_tree(tmp_path, {"credentials/cert.md": text}))
    assert where(problem, tmp_path) == "credentials/cert.md:6"
    assert problem.message.startswith("the certificate sets no mastery for a skill its lessons teach: 'tools' (lesson b)")


# --- causes before their consequences --------------------------------------------------------


def lines_of(root: Path) -> list[str]:
    """What `content check` prints, paths relative to the tree."""
    return [f"{where(problem, root)}: {problem.message}" for problem in problems_of(root)]


def test_an_empty_skills_yml_comes_first_and_its_consequences_are_one_line(tmp_path: Path) -> None:
    """Every lesson and badge names a skill: without skills.yml none of them can be checked, and
    saying so once beats an 'unknown skill' line for each, printed before their cause."""
    root = write_tree(tmp_path, {"skills.yml": "", "lessons/b.md": lesson("b", requires="[a, nope]", skills="[tools]")})
    assert lines_of(root) == [
        "skills.yml:1: skills.yml defines no skills: add at least one, for example 'energy-isolation:' with a "
        "'name:' and a 'description:' under it",
        "skills.yml:1: 5 references to skills (in lessons and credentials) cannot be checked until skills.yml is fixed",
        "lessons/b.md:6: requires unknown lesson 'nope' (no lesson has id 'nope'): check the spelling or remove it",
    ]


def test_a_lesson_with_broken_front_matter_comes_first_and_references_to_it_are_counted(tmp_path: Path) -> None:
    broken = lesson("a").replace("requires: []\n---\n", "requires: []\n", 1)  # never closed
    root = write_tree(tmp_path, {"lessons/a.md": broken, "pathways/first.md": pathway("first", order=1, lessons=["a", "b", "c"])})
    assert lines_of(root) == [
        "lessons/a.md:1: the front matter is never closed: add a line '---' after the last field",
        "lessons/a.md:1: 3 references to lesson 'a' cannot be checked until this file is fixed",
        "pathways/first.md:8: unknown lesson 'c' (no lesson has id 'c'): check the spelling or remove it",
    ]


def test_a_badge_that_cannot_be_read_is_not_an_unknown_badge_of_the_certificate(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"credentials/badge-b.md": "id: badge-b\n"})
    assert lines_of(root) == [
        "credentials/badge-b.md:1: missing front matter: the file must start with a line '---', then the fields "
        "(id, title, ...), then another '---'",
        "credentials/badge-b.md:1: 1 reference to badge 'badge-b' cannot be checked until this file is fixed",
    ]
