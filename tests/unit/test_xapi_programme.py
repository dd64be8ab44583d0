"""The programme in the learning record (bot/xapi.py): assigned, unassigned, overdue, escalated
and recertified statements, each valid xAPI 1.0.3 by the rules tests/integration/test_xapi.py
checks, about the credential's achievement or the pathway, with ids that stay the same."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from bot.records import TrailEvent
from bot.vocabulary import EventKind
from bot.xapi import Record
from content.model import Curriculum
from tests.integration.test_xapi import problems_of

BASE = "https://learn.example.com"
AT = datetime(2026, 3, 6, 13, 0, tzinfo=UTC)
ASSIGNMENT = {"assignment": 12, "target_kind": "credential", "target": "deckhand", "due_on": "2026-03-02"}


def event(kind: EventKind, payload: dict[str, object], id: int = 100) -> TrailEvent:
    return TrailEvent(kind, AT, date(2026, 3, 6), payload=payload, learner_id=7, id=id)


def test_each_programme_event_is_one_valid_statement_about_what_was_assigned(curriculum: Curriculum):
    record = Record(BASE, curriculum)
    events = [
        event(EventKind.ASSIGNED, {**ASSIGNMENT, "origin": "manager", "by": 3}, 1),
        event(EventKind.ASSIGNMENT_WITHDRAWN, {"assignment": 13, "target_kind": "pathway", "target": "seamanship", "by": None}, 2),
        event(EventKind.OVERDUE, ASSIGNMENT, 3),
        event(EventKind.ESCALATED, {**ASSIGNMENT, "manager": 3, "reminders": 2}, 4),
        event(
            EventKind.RECERTIFIED,
            {"assignment": 14, "credential": "deckhand", "award": "pub-9", "renewal": 1, "due_on": "2026-03-22", "on_time": True},
            5,
        ),
    ]
    statements = [s for e in events for s in record.statements(e)]
    assert len(statements) == 5
    for statement in statements:
        assert problems_of(statement) == [], statement
        assert statement["actor"]["account"] == {"homePage": BASE, "name": "learner-7"}
    assigned, unassigned, overdue, escalated, recertified = statements
    assert [s["verb"]["id"] for s in statements] == [
        f"{BASE}/xapi/verbs/{v}" for v in ("assigned", "unassigned", "overdue", "escalated", "recertified")
    ]
    assert assigned["verb"]["display"] == {"en-US": "was assigned"}
    assert assigned["object"] == {
        "objectType": "Activity",
        "id": f"{BASE}/achievements/deckhand",  # the activity `earned` names for the badge
        "definition": {"name": {"en-US": "Deckhand"}, "type": "http://activitystrea.ms/schema/1.0/badge"},
    }
    extensions = assigned["context"]["extensions"]
    assert extensions[f"{BASE}/xapi/extensions/assignment"] == 12 and extensions[f"{BASE}/xapi/extensions/due"] == "2026-03-02"
    assert extensions[f"{BASE}/xapi/extensions/origin"] == "manager"
    assert assigned["context"]["instructor"] == {"objectType": "Agent", "account": {"homePage": BASE, "name": "learner-3"}}
    assert unassigned["object"]["id"] == f"{BASE}/pathways/seamanship"
    assert unassigned["object"]["definition"]["name"] == {"en-US": "Seamanship L1"} and "instructor" not in unassigned["context"]
    assert overdue["object"]["id"] == f"{BASE}/achievements/deckhand" and overdue["timestamp"] == "2026-03-06T13:00:00.000Z"
    assert escalated["context"]["extensions"][f"{BASE}/xapi/extensions/manager"] == "learner-3"
    assert escalated["context"]["extensions"][f"{BASE}/xapi/extensions/reminders"] == 2
    assert recertified["result"]["success"] is True
    assert recertified["result"]["extensions"][f"{BASE}/xapi/extensions/credential"] == f"{BASE}/credentials/pub-9"
    # Stable ids: from the event, so the same event always makes the same statement.
    assert [s["id"] for s in statements] == [s["id"] for e in events for s in Record(BASE, curriculum).statements(e)]
    assert len({s["id"] for s in statements}) == 5 and all(uuid.UUID(s["id"]).version == 5 for s in statements)


def test_what_the_bot_did_on_its_own_is_not_in_the_learning_record(curriculum: Curriculum):
    record = Record(BASE, curriculum)
    for kind in (EventKind.OVERDUE_REMINDED, EventKind.NEXT_STEP_OFFERED, EventKind.DIGEST_SENT, EventKind.DIGEST_CHOSEN):
        assert list(record.statements(event(kind, {"assignments": [12], "pathway": "seamanship"}))) == []
