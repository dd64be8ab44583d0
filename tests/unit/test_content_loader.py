"""Loading a content folder: a valid tree becomes the right Curriculum; unreadable, malformed or
missing files become `path:line` problems, never exceptions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from content.loader import LoadResult, load_curriculum, load_lesson
from content.model import Card, Check, CheckKind, CredentialKind, Option, Problem, SkillRequirement

SKILLS = """\
energy-isolation:
  name: Energy isolation
  description: Isolating, locking and verifying every energy source before work starts.
hazard-recognition:
  name: Hazard recognition
  description: Spotting hazards before they hurt someone.
"""

LOCKOUT_TAGOUT = """\
---
id: lockout-tagout
title: Lockout/Tagout
skills: [energy-isolation]
minutes: 4
requires: [hazard-spotting]
version: 3
---

# Lockout/Tagout

## Stored energy is the hidden hazard
A machine that is switched off can still move, spray or shock. Springs store **energy**.

Lockout/tagout (LOTO) makes sure every source is isolated *and* proven dead.

## The six steps
1. **Prepare**: know every energy source.
2. **Isolate** every source and fit **your own lock**.

## Check: personal lock
Two technicians work on the same conveyor. How many locks go on the isolator?

- [ ] One, fitted by the senior technician
- [x] Two: each person fits their own lock

> Each person fits their own lock and keeps its key.
> Nobody can restart it while anyone is still inside.

## Check
Which energy can remain after the main switch is off? Choose all that apply.

- [x] Compressed air in a receiver
- [x] A raised load held by hydraulics
- [ ] None: the switch removes all energy

> Pressure and gravity both store energy.

## Check
True or false: "verify" means trying to start the machine after isolating it.

- [x] True
- [ ] False

> Verification proves the isolation worked.
"""

HAZARD_SPOTTING = """\
---
id: hazard-spotting
title: Spotting hazards
skills:
  - hazard-recognition
minutes: 2
---

## Look before you touch
Walk around the machine first.

## Check
What do you do first?

- [x] Look around the machine
- [ ] Start working

> Looking first finds the hazard before it finds you.
"""

PATHWAYS = {
    "pathways/a-maintenance.md": "---\nid: equipment-maintenance\ntitle: Equipment Maintenance L2\norder: 2\n"
    "lessons:\n  - lockout-tagout\n---\n\nKeep machines safe and running.\n",
    "pathways/z-safety.md": "---\nid: workplace-safety\ntitle: Workplace Safety L1\norder: 1\n"
    "lessons: [hazard-spotting]\n---\n\nSee the hazard first.\n",
}

LOTO_BADGE = """\
---
id: loto-practitioner
kind: badge
title: Lockout/Tagout Practitioner
requires:
  lessons: [lockout-tagout]
  skills:
    energy-isolation: 0.8
valid_for_days: 365
---

Isolates hazardous energy with a personal lock.

## Criteria
Completed the Lockout/Tagout lesson and reached a mastery of 80%.
"""

SAFETY_BADGE = """\
---
id: safety-foundations
kind: badge
title: Safety Foundations
requires:
  lessons: [hazard-spotting]
  skills:
    hazard-recognition: 0.8
---

Spots hazards before work starts.

## Criteria
Completed the hazard lesson and reached a mastery of 80% in hazard recognition.
"""

CERTIFICATE = """\
---
id: plant-operations
kind: certificate
title: Plant Operations Certificate
stacks: [safety-foundations, loto-practitioner]
valid_for_days: 730
---

# Plant Operations

Works safely on a production floor.

## Criteria
Holds the two badges it stacks.
"""


def write_tree(root: Path, changes: dict[str, str | bytes | None] | None = None) -> Path:
    files: dict[str, str | bytes | None] = {
        "skills.yml": SKILLS,
        "lessons/lockout-tagout.md": LOCKOUT_TAGOUT,
        "lessons/hazard-spotting.md": HAZARD_SPOTTING,
        **PATHWAYS,
        "credentials/loto-practitioner.md": LOTO_BADGE,
        "credentials/safety-foundations.md": SAFETY_BADGE,
        "credentials/plant-operations.md": CERTIFICATE,
        **(changes or {}),
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            path.write_text(content, encoding="utf-8")
    return root


def the_problem(result: LoadResult) -> Problem:
    assert result.curriculum is None
    assert len(result.problems) == 1, "\n".join(map(str, result.problems))
    return result.problems[0]


def loaded(root: Path):
    result = load_curriculum(root)
    assert result.problems == (), "\n".join(map(str, result.problems))
    assert result.curriculum is not None
    return result.curriculum


# --- a valid tree ----------------------------------------------------------------------------


def test_valid_tree_loads_skills_and_lesson_fields(tmp_path: Path) -> None:
    curriculum = loaded(write_tree(tmp_path))
    assert set(curriculum.skills) == {"energy-isolation", "hazard-recognition"}
    assert curriculum.skills["hazard-recognition"].name == "Hazard recognition"
    assert curriculum.skills["hazard-recognition"].source.line == 4
    lesson = curriculum.lessons["lockout-tagout"]
    assert (lesson.title, lesson.skills, lesson.minutes, lesson.requires) == (
        "Lockout/Tagout",
        ("energy-isolation",),
        4,
        ("hazard-spotting",),
    )
    assert curriculum.lessons["hazard-spotting"].skills == ("hazard-recognition",)


def test_cards_keep_their_markdown_and_heading_line(tmp_path: Path) -> None:
    lesson = loaded(write_tree(tmp_path)).lessons["lockout-tagout"]
    assert [card.title for card in lesson.cards] == ["Stored energy is the hidden hazard", "The six steps"]
    first = lesson.cards[0]
    assert first == Card(
        title="Stored energy is the hidden hazard",
        body="A machine that is switched off can still move, spray or shock. Springs store **energy**.\n\n"
        "Lockout/tagout (LOTO) makes sure every source is isolated *and* proven dead.",
        source=first.source,
    )
    assert (first.source.path, first.source.line) == (tmp_path / "lessons/lockout-tagout.md", 12)
    assert lesson.cards[1].body.startswith("1. **Prepare**")


def test_checks_have_keys_kinds_options_and_explanations(tmp_path: Path) -> None:
    lesson = loaded(write_tree(tmp_path)).lessons["lockout-tagout"]
    assert [step.__class__ for step in lesson.steps] == [Card, Card, Check, Check, Check]
    single, multiple, true_false = lesson.checks
    assert [c.key for c in lesson.checks] == ["lockout-tagout:1", "lockout-tagout:2", "lockout-tagout:3"]
    assert [c.kind for c in lesson.checks] == [CheckKind.SINGLE, CheckKind.MULTIPLE, CheckKind.TRUE_FALSE]
    assert [c.source.line for c in lesson.checks] == [21, 30, 39]
    assert single.question == "Two technicians work on the same conveyor. How many locks go on the isolator?"
    assert single.options == (
        Option("One, fitted by the senior technician", False),
        Option("Two: each person fits their own lock", True),
    )
    assert single.explanation == ("Each person fits their own lock and keeps its key.\nNobody can restart it while anyone is still inside.")
    assert multiple.correct_indices == frozenset({0, 1})
    assert true_false.options == (Option("True", True), Option("False", False))


def test_version_is_the_front_matter_version_or_a_hash_of_the_file(tmp_path: Path) -> None:
    curriculum = loaded(write_tree(tmp_path))
    assert curriculum.lessons["lockout-tagout"].version == "3"
    digest = hashlib.sha256((tmp_path / "lessons/hazard-spotting.md").read_bytes()).hexdigest()
    assert curriculum.lessons["hazard-spotting"].version == digest[:12]


def test_version_is_kept_as_written(tmp_path: Path) -> None:
    text = LOCKOUT_TAGOUT.replace("version: 3", "version: 1.10")
    curriculum = loaded(write_tree(tmp_path, {"lessons/lockout-tagout.md": text}))
    assert curriculum.lessons["lockout-tagout"].version == "1.10"


def test_pathways_are_in_their_order_not_file_order(tmp_path: Path) -> None:
    pathways = loaded(write_tree(tmp_path)).pathways
    assert [p.id for p in pathways] == ["workplace-safety", "equipment-maintenance"]
    assert pathways[1].lessons == ("lockout-tagout",)
    assert pathways[1].description == "Keep machines safe and running."
    assert pathways[1].title == "Equipment Maintenance L2"


def test_credentials_carry_their_fields(tmp_path: Path) -> None:
    credentials = loaded(write_tree(tmp_path)).credentials
    badge = credentials["loto-practitioner"]
    assert badge.kind is CredentialKind.BADGE
    assert badge.title == "Lockout/Tagout Practitioner"
    assert badge.description == "Isolates hazardous energy with a personal lock."
    assert badge.criteria == "Completed the Lockout/Tagout lesson and reached a mastery of 80%."
    assert badge.lessons == ("lockout-tagout",)
    assert badge.skills == (SkillRequirement("energy-isolation", 0.8),)
    assert badge.valid_for_days == 365
    assert credentials["safety-foundations"].valid_for_days is None
    certificate = credentials["plant-operations"]
    assert certificate.kind is CredentialKind.CERTIFICATE
    assert certificate.stacks == ("safety-foundations", "loto-practitioner")
    assert certificate.description == "Works safely on a production floor."
    assert (certificate.valid_for_days, certificate.lessons, certificate.skills) == (730, (), ())


def test_windows_line_endings_and_a_byte_order_mark_load(tmp_path: Path) -> None:
    text = "\ufeff" + LOCKOUT_TAGOUT.replace("\n", "\r\n")
    lesson = loaded(write_tree(tmp_path, {"lessons/lockout-tagout.md": text.encode("utf-8")})).lessons["lockout-tagout"]
    assert [c.source.line for c in lesson.checks] == [21, 30, 39]
    assert "\r" not in lesson.cards[0].body


def test_load_lesson_reads_one_file(tmp_path: Path) -> None:
    path = write_tree(tmp_path) / "lessons/lockout-tagout.md"
    lesson, problems = load_lesson(path)
    assert problems == []
    assert lesson is not None and lesson.id == "lockout-tagout" and len(lesson.checks) == 3


def test_load_lesson_reports_problems_and_no_lesson(tmp_path: Path) -> None:
    path = write_tree(tmp_path, {"lessons/lockout-tagout.md": LOCKOUT_TAGOUT.replace("minutes: 4", "minutes: 9")})
    lesson, problems = load_lesson(path / "lessons/lockout-tagout.md")
    assert lesson is None
    assert [(p.line, "'minutes' is 9" in p.message) for p in problems] == [(5, True)]


# --- files that cannot be read or parsed -----------------------------------------------------


def test_problem_paths_are_built_from_the_root_argument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path / "content", {"lessons/hazard-spotting.md": HAZARD_SPOTTING.replace("minutes: 2", "minutes: 7")})
    monkeypatch.chdir(tmp_path)
    problem = the_problem(load_curriculum(Path("content")))
    assert str(problem).startswith("content/lessons/hazard-spotting.md:6: 'minutes' is 7")


def test_malformed_yaml_is_reported_at_the_line_yaml_gives(tmp_path: Path) -> None:
    text = LOCKOUT_TAGOUT.replace("title: Lockout/Tagout", "title: Lockout: Tagout")
    problems = load_curriculum(write_tree(tmp_path, {"lessons/lockout-tagout.md": text})).problems
    problem = next(p for p in problems if p.path.name == "lockout-tagout.md")  # others name the lesson
    assert problem.line == 3
    assert "the front matter is not valid YAML" in problem.message


def test_malformed_skills_yml_is_reported_at_its_line(tmp_path: Path) -> None:
    result = load_curriculum(write_tree(tmp_path, {"skills.yml": SKILLS + "  oops: [\n"}))
    assert [(p.path.name, p.line) for p in result.problems] == [("skills.yml", 8), ("skills.yml", 1)]
    assert "skills.yml is not valid YAML" in result.problems[0].message
    assert result.problems[1].message == ("4 references to skills (in lessons and credentials) cannot be checked until skills.yml is fixed")


def test_missing_front_matter_is_reported_at_line_one(tmp_path: Path) -> None:
    text = LOCKOUT_TAGOUT.split("---\n", 2)[2]
    problems = load_curriculum(write_tree(tmp_path, {"lessons/lockout-tagout.md": text})).problems
    first = next(p for p in problems if p.path.name == "lockout-tagout.md")
    assert (first.line, first.message.startswith("missing front matter")) == (1, True)


def test_unclosed_front_matter_is_reported(tmp_path: Path) -> None:
    text = HAZARD_SPOTTING.replace("minutes: 2\n---\n", "minutes: 2\n")
    problems = load_curriculum(write_tree(tmp_path, {"lessons/hazard-spotting.md": text})).problems
    assert [str(p).removeprefix(f"{tmp_path}/") for p in problems] == [
        "lessons/hazard-spotting.md:1: the front matter is never closed: add a line '---' after the last field",
        "lessons/hazard-spotting.md:1: 3 references to lesson 'hazard-spotting' cannot be checked until this file is fixed",
    ]


def test_missing_field_is_reported(tmp_path: Path) -> None:
    text = HAZARD_SPOTTING.replace("title: Spotting hazards\n", "")
    problem = the_problem(load_curriculum(write_tree(tmp_path, {"lessons/hazard-spotting.md": text})))
    assert (problem.line, problem.message.startswith("missing 'title'")) == (1, True)


def test_wrongly_typed_field_is_reported_at_its_line(tmp_path: Path) -> None:
    text = HAZARD_SPOTTING.replace("minutes: 2", "minutes: two")
    problem = the_problem(load_curriculum(write_tree(tmp_path, {"lessons/hazard-spotting.md": text})))
    assert (problem.line, "'minutes' must be a whole number" in problem.message) == (6, True)


def test_unknown_field_is_reported_at_its_line(tmp_path: Path) -> None:
    text = HAZARD_SPOTTING.replace("minutes: 2", "minutes: 2\nrequire: [lockout-tagout]")
    problem = the_problem(load_curriculum(write_tree(tmp_path, {"lessons/hazard-spotting.md": text})))
    assert (problem.line, "unknown field 'require'" in problem.message) == (7, True)


def test_field_given_twice_is_reported(tmp_path: Path) -> None:
    text = HAZARD_SPOTTING.replace("minutes: 2", "minutes: 2\nminutes: 3")
    problem = the_problem(load_curriculum(write_tree(tmp_path, {"lessons/hazard-spotting.md": text})))
    assert (problem.line, "'minutes' appears twice (first on line 6)" in problem.message) == (7, True)


def test_non_utf8_file_is_reported_with_its_line(tmp_path: Path) -> None:
    data = HAZARD_SPOTTING.replace("Walk around", "Walk r\u00e9ound").encode("latin-1")
    problems = load_curriculum(write_tree(tmp_path, {"lessons/hazard-spotting.md": data})).problems
    first = next(p for p in problems if p.path.name == "hazard-spotting.md")
    assert (first.line, "not UTF-8" in first.message) == (10, True)


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path)
    unreadable = root / "credentials/plant-operations.md"
    read_bytes = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path == unreadable:
            raise PermissionError(13, "Permission denied")
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    problem = the_problem(load_curriculum(root))
    assert (problem.path, problem.line) == (unreadable, 1)
    assert "cannot read this file (Permission denied)" in problem.message


def test_empty_tree_is_reported(tmp_path: Path) -> None:
    result = load_curriculum(tmp_path)
    assert result.curriculum is None
    assert [(p.path, p.line) for p in result.problems] == [(tmp_path / "lessons", 1), (tmp_path / "skills.yml", 1)]
    assert "no lessons found" in result.problems[0].message
    assert "missing skills.yml" in result.problems[1].message


def test_missing_skills_yml_is_reported(tmp_path: Path) -> None:
    root = write_tree(tmp_path)
    (root / "skills.yml").unlink()
    problems = load_curriculum(root).problems
    assert [(problem.path, problem.line) for problem in problems] == [(root / "skills.yml", 1)] * 2
    assert problems[0].message.startswith("missing skills.yml")
    assert problems[1].message.startswith("4 references to skills")


def test_missing_content_folder_is_reported(tmp_path: Path) -> None:
    problem = the_problem(load_curriculum(tmp_path / "nowhere"))
    assert "does not exist" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "---\n",
        "---\n---\n",
        "---\n- a list\n---\n",
        "---\nid: [x]\ntitle: {a: b}\nskills: 3\nminutes: [1]\nrequires: {x: y}\n---\n",
        "---\n? [a, b]\n: c\n---\n",
        "---\nid: x\nversion: !!python/object:os.system x\n---\n",
        "---\nid: x\n---\n## Check\n- [x]\n- [ ]\n> \n## \n",
        "---\nid: x\ntitle: &a t\nskills: *a\n---\n#\n## Check:\n1. [x] one\n   - nested\n```\ncode\n```\n",
        "---\nid: x\nrequires: &r [*r]\nskills: {a: [b]}\n---\n> quote\n## Card\n",
    ],
)
def test_broken_lessons_become_problems_not_exceptions(tmp_path: Path, text: str) -> None:
    result = load_curriculum(write_tree(tmp_path, {"lessons/broken.md": text}))
    assert result.curriculum is None
    assert any(p.path == tmp_path / "lessons/broken.md" for p in result.problems)


# --- the curriculum the repository ships -----------------------------------------------------


def test_shipped_curriculum_is_clean() -> None:
    result = load_curriculum(Path(__file__).parents[2] / "content")
    assert result.problems == (), "\n".join(map(str, result.problems))
    curriculum = result.curriculum
    assert curriculum is not None
    long_pathways = [p for p in curriculum.pathways if len(p.lessons) >= 4]
    assert len(long_pathways) >= 2
    assert sum(len(lesson.checks) for lesson in curriculum.lessons.values()) >= 24
    badges = {c.id for c in curriculum.credentials.values() if c.kind is CredentialKind.BADGE}
    assert len(badges) >= 3
    assert any(
        c.kind is CredentialKind.CERTIFICATE and set(c.stacks) <= badges and len(c.stacks) >= 3 for c in curriculum.credentials.values()
    )
