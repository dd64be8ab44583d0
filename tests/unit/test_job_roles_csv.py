"""The CSV readers of `people import` (its `roles` column, and lists written with the wrong
separator) and `assignments import`: what each accepts, and each refusal with its row."""

from __future__ import annotations

from datetime import date

import pytest

from bot.assignment_import import AssignmentRow, read_assignments
from bot.people import names_job_roles, read_people
from bot.vocabulary import Target
from content.model import Curriculum
from tests.job_roles import with_job_roles

TODAY = date(2026, 3, 2)
HEADER = "platform,user_id,name,team,role,manages,roles\n"


@pytest.fixture
def roles_curriculum(curriculum: Curriculum) -> Curriculum:
    return with_job_roles(curriculum)


# --- people import: the roles column ---------------------------------------------------------------
def test_job_roles_are_separated_by_semicolons_an_empty_cell_is_none_and_no_column_leaves_them(roles_curriculum: Curriculum):
    text = HEADER + "telegram,1,Ana,,learner,,deck-crew;navigator\ntelegram,2,Bo,,learner,,\ntelegram,3,Cy,,learner,, Deck-Crew ; \n"
    people, problems = read_people(text, job_roles=roles_curriculum.roles)
    assert problems == []
    assert [p.roles for p in people] == [("deck-crew", "navigator"), (), ("deck-crew",)]
    assert names_job_roles(text) and not names_job_roles("platform,user_id,role\ntelegram,1,learner\n")

    without, problems = read_people("platform,user_id,role\ntelegram,1,learner\n", job_roles=roles_curriculum.roles)
    assert problems == [] and without[0].roles is None, "no roles column: job roles are left as they are"


def test_every_list_written_without_semicolons_and_every_unknown_job_role_is_refused_with_its_row(roles_curriculum: Curriculum):
    text = HEADER + (
        'telegram,1,A,,learner,,"deck-crew, navigator"\n'  # row 2
        'telegram,2,B,,learner,,"deck-crew,navigator"\n'
        'telegram,3,C,,learner,,"[deck-crew, navigator]"\n'
        "telegram,4,D,,learner,,deck-crew|navigator\n"
        "telegram,5,E,,learner,,deck-crew / navigator\n"
        "telegram,6,F,,learner,,[deck-crew;navigator]\n"
        "telegram,7,G,,learner,,captain\n"
        "telegram,8,H,,learner,,Deck crew\n"
        "telegram,9,I,,learner,,manager\n"
        "telegram,10,J,,deck-crew,,\n"
        "telegram,11,K,,learner,,deck-crew;captain\n"
    )
    people, problems = read_people(text, job_roles=roles_curriculum.roles)
    hint = "separate job roles with ; (e.g. deck-crew;navigator)"
    known = "known job roles: deck-crew, navigator"
    assert problems == [
        f"row 2: job roles 'deck-crew, navigator' look like a list: {hint}",
        f"row 3: job roles 'deck-crew,navigator' look like a list: {hint}",
        f"row 4: job roles '[deck-crew, navigator]' look like a list: {hint}",
        f"row 5: job roles 'deck-crew|navigator' look like a list: {hint}",
        f"row 6: job roles 'deck-crew / navigator' look like a list: {hint}",
        f"row 7: job roles '[deck-crew;navigator]' look like a list: {hint}",
        f"row 8: unknown job role 'captain' ({known})",
        "row 9: job role 'Deck crew': write its id 'deck-crew', not its title",
        f"row 10: 'manager' is an access role: it goes in the 'role' column; 'roles' takes job roles ({known})",
        "row 11: role 'deck-crew' is a job role: job roles go in the 'roles' column; 'role' is the access role,"
        " one of learner, manager, admin",
        f"row 12: unknown job role 'captain' ({known})",
    ]
    assert people == []


def test_without_job_roles_in_the_content_every_job_role_is_unknown(curriculum: Curriculum):
    _, problems = read_people(HEADER + "telegram,1,A,,learner,,deck-crew\n", job_roles=curriculum.roles)
    assert problems == ["row 2: unknown job role 'deck-crew' (there are no job roles yet (L&D writes them in content/roles/<id>.md))"]


def test_teams_written_as_a_list_are_refused_instead_of_becoming_one_team(roles_curriculum: Curriculum):
    text = HEADER + (
        'slack,U0A,Ana,,manager,"Maintenance, Safety",\n'  # row 2: today this became one team "Maintenance, Safety"
        'slack,U0B,Bo,,manager,"Maintenance,Safety",\n'
        "slack,U0C,Cy,,manager,Maintenance|Safety,\n"
        "slack,U0D,Di,,manager,Maintenance / Safety,\n"
        'slack,U0E,Ed,,manager,"[Maintenance, Safety]",\n'
        "slack,U0F,Fa,,manager,[Maintenance;Safety],\n"
        "slack,U0G,Gu,Maintenance;Safety,learner,,\n"
        'slack,U0I,Io,"[Maintenance, Safety]",learner,,\n'
        "slack,U0H,Hu,R&D/QA,manager,Maintenance;Safety;R&D/QA,\n"  # a slash without spaces is part of a name
        'slack,U0J,Jo,"Plant Operations, Night Shift",learner,,\n'  # one team: a person has one
        'slack,U0K,Ki,,manager,"Plant Operations, Night Shift;Safety",\n'  # the team named above, and Safety
    )
    people, problems = read_people(text, job_roles=roles_curriculum.roles)
    rule = "a team whose name has , | or ' / ' in it can be managed only when some row has it in 'team'"
    hint = f"separate teams with ; (e.g. Maintenance;Safety); {rule}"
    one_team = "looks like a list: a person learns in one team (the teams a manager manages go in 'manages', separated by ;)"
    assert problems == [
        f"row 2: manages 'Maintenance, Safety' looks like a list: {hint}",
        f"row 3: manages 'Maintenance,Safety' looks like a list: {hint}",
        f"row 4: manages 'Maintenance|Safety' looks like a list: {hint}",
        f"row 5: manages 'Maintenance / Safety' looks like a list: {hint}",
        f"row 6: manages '[Maintenance, Safety]' looks like a list: {hint}",
        f"row 7: manages '[Maintenance;Safety]' looks like a list: {hint}",
        f"row 8: team 'Maintenance;Safety' {one_team}",
        f"row 9: team '[Maintenance, Safety]' {one_team}",
    ]
    assert [(p.team, p.manages) for p in people] == [
        ("R&D/QA", ("Maintenance", "Safety", "R&D/QA")),
        ("Plant Operations, Night Shift", ()),
        (None, ("Plant Operations, Night Shift", "Safety")),
    ]


# --- assignments import ----------------------------------------------------------------------------
ASSIGN = "platform,user_id,team,job_role,credential,pathway,due,due_in_days,days_after_joining\n"


def test_each_row_says_who_what_and_when_once(roles_curriculum: Curriculum):
    text = ASSIGN + (
        "telegram,4242,,,deckhand,,2026-06-30,,\n"
        ",,Deck,,,seamanship,,30,\n"
        ",,,Deck-Crew,mariner,,,,14\n"
        "\n"
        ",,,navigator,MARINER,,2026-03-02,,\n"
    )
    rows, problems = read_assignments(text, roles_curriculum, today=TODAY)
    assert problems == []
    assert rows == [
        AssignmentRow(2, Target.CREDENTIAL, "deckhand", platform="telegram", user_id="4242", due=date(2026, 6, 30)),
        AssignmentRow(3, Target.PATHWAY, "seamanship", team="Deck", due_in_days=30),
        AssignmentRow(4, Target.CREDENTIAL, "mariner", job_role="deck-crew", days_after_joining=14),
        AssignmentRow(6, Target.CREDENTIAL, "mariner", job_role="navigator", due=TODAY),
    ]


def test_every_bad_assignment_row_is_refused_with_what_is_wrong(roles_curriculum: Curriculum):
    text = ASSIGN + (
        ",,,,deckhand,,2026-06-30,,\n"  # 2: nobody
        "telegram,4242,Deck,,deckhand,,2026-06-30,,\n"  # 3: two whos
        "telegram,ana,,,deckhand,,2026-06-30,,\n"  # 4
        'slack,U0ANA,"Deck, Engine",,deckhand,,2026-06-30,,\n'  # 5 (a person and a team)
        ',,"Deck, Engine",,deckhand,,2026-06-30,,\n'  # 6
        ",,Deck;Engine,,deckhand,,2026-06-30,,\n"  # 7
        ",,,captain,deckhand,,2026-06-30,,\n"  # 8
        ",,,Deck crew,deckhand,,2026-06-30,,\n"  # 9: a title
        ",,Deck,,,,2026-06-30,,\n"  # 10: nothing
        ",,Deck,,deckhand,seamanship,2026-06-30,,\n"  # 11: both
        ",,Deck,,knotting,,2026-06-30,,\n"  # 12
        ",,Deck,,semaphore,,2026-06-30,,\n"  # 13: retired
        ",,Deck,,seamanship,,2026-06-30,,\n"  # 14: a pathway as a credential
        ",,Deck,,,deckhand,2026-06-30,,\n"  # 15: a credential as a pathway
        ",,Deck,,,sailing,2026-06-30,,\n"  # 16
        ",,Deck,,deckhand,,,,\n"  # 17: no when
        ",,Deck,,deckhand,,2026-06-30,30,\n"  # 18: two whens
        ",,Deck,,deckhand,,30/06/2026,,\n"  # 19
        ",,Deck,,deckhand,,2026-03-01,,\n"  # 20: yesterday
        ",,Deck,,deckhand,,,-3,\n"  # 21
        ",,Deck,,deckhand,,,,99999\n"  # 22
    )
    rows, problems = read_assignments(text, roles_curriculum, today=TODAY)
    assert rows == []
    assert problems == [
        "row 2: say who: platform and user_id, a team, or a job_role",
        "row 3: say who once: this row has platform and user_id and team; write a row for each",
        "row 4: a Telegram user id is a number, not 'ana'",
        "row 5: say who once: this row has platform and user_id and team; write a row for each",
        "row 6: team 'Deck, Engine' looks like a list: one team a row (write a row for each team)",
        "row 7: team 'Deck;Engine' looks like a list: one team a row (write a row for each team)",
        "row 8: unknown job role 'captain' (known job roles: deck-crew, navigator; one job role a row)",
        "row 9: job role 'Deck crew': write its id 'deck-crew', not its title",
        "row 10: say what: a credential or a pathway",
        "row 11: say what once: a credential or a pathway",
        "row 12: unknown credential 'knotting' (known credentials: deckhand, mariner, semaphore; one a row)",
        "row 13: credential 'semaphore' is retired (no longer awarded): it cannot be assigned",
        "row 14: 'seamanship' is a pathway: it goes in the 'pathway' column",
        "row 15: 'deckhand' is a credential: it goes in the 'credential' column",
        "row 16: unknown pathway 'sailing' (known pathways: seamanship; one a row)",
        "row 17: say when: due (YYYY-MM-DD), due_in_days or days_after_joining",
        "row 18: say when once: this row has due and due_in_days",
        "row 19: due '30/06/2026' is not a date written YYYY-MM-DD",
        "row 20: due 2026-03-01 is in the past",
        "row 21: due_in_days '-3' is not a whole number of days from 0 to 3650",
        "row 22: days_after_joining '99999' is not a whole number of days from 0 to 3650",
    ]


def test_an_assignment_header_must_say_who_what_and_when_and_knows_its_columns(roles_curriculum: Curriculum):
    _, problems = read_assignments("user_id,name,credential\n4242,Ana,deckhand\n", roles_curriculum, today=TODAY)
    assert problems == [
        "row 1: unknown column 'name' (known: platform, user_id, team, job_role, credential, pathway, due, due_in_days,"
        " days_after_joining)",
        "row 1: the header needs a column saying when: due, due_in_days, days_after_joining",
        "row 1: a person is named by platform and user_id together: the header needs both",
    ]
