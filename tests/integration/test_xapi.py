"""The learning record as xAPI statements, checked against the xAPI 1.0.3 statement rules
(written here from the specification, independent of the code that makes the statements)."""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from datetime import datetime
from urllib.parse import urlsplit

from adapters.cli.xapi import export_xapi
from bot.core import Core
from bot.xapi import Record
from tests.integration.test_issuing_on_award import earn_deckhand, issuer_for

BASE = "https://learn.example.com"
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def is_iri(value: object) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme and (parts.netloc or parts.path))


def problems_of(statement: dict) -> list[str]:
    """xAPI 1.0.3, Part Two, section 2.4: the rules a Learning Record Store enforces."""
    found = []
    try:
        uuid.UUID(statement["id"])
    except (KeyError, ValueError):
        found.append("id must be a UUID")
    actor = statement.get("actor", {})
    identifiers = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    if actor.get("objectType", "Agent") != "Agent" or len(identifiers) != 1:
        found.append("actor must be an Agent with exactly one inverse functional identifier")
    account = actor.get("account", {})
    if "account" in actor and not (is_iri(account.get("homePage")) and account.get("name")):
        found.append("account needs an IRL homePage and a name")
    if "mbox" in actor or "name" in actor:
        found.append("personal data (an e-mail or a name) in the actor")
    verb = statement.get("verb", {})
    if not is_iri(verb.get("id")):
        found.append("verb id must be an IRI")
    activity = statement.get("object", {})
    if activity.get("objectType", "Activity") != "Activity" or not is_iri(activity.get("id")):
        found.append("object must be an Activity with an IRI id")
    definition = activity.get("definition", {})
    if "type" in definition and not is_iri(definition["type"]):
        found.append("activity type must be an IRI")
    result = statement.get("result")
    if result is not None:
        score = result.get("score")
        if score is not None:
            scaled = score.get("scaled")
            if scaled is not None and not -1 <= scaled <= 1:
                found.append("score.scaled must be between -1 and 1")
            if "raw" in score and not score.get("min", score["raw"]) <= score["raw"] <= score.get("max", score["raw"]):
                found.append("score.raw must be between min and max")
        for key in ("success", "completion"):
            if key in result and not isinstance(result[key], bool):
                found.append(f"result.{key} must be a boolean")
    timestamp = statement.get("timestamp", "")
    if not ISO_8601.match(timestamp):
        found.append("timestamp must be ISO 8601 with a timezone")
    else:
        datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if statement.get("version", "1.0.3") != "1.0.3":
        found.append("version must be 1.0.3")
    return found


async def test_a_learners_record_exports_as_valid_xapi_statements(store, curriculum, clock, tmp_path):
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, BASE))
    await earn_deckhand(core, clock, store)
    out = tmp_path / "statements.jsonl"
    progress: list[tuple[int, int]] = []
    written = await export_xapi(store, Record(BASE, curriculum), out, progress=lambda n, t: progress.append((n, t)), batch=25)
    statements = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == len(statements) > 10 and progress[-1][0] == progress[-1][1]
    for statement in statements:
        assert problems_of(statement) == [], statement
    verbs = Counter(s["verb"]["display"]["en-US"] for s in statements)
    assert {"experienced", "answered", "completed", "earned"} <= set(verbs)
    assert verbs["earned"] == 2, "the Deckhand badge and the Mariner certificate"
    answer = next(s for s in statements if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered")
    assert answer["result"]["success"] in (True, False) and answer["result"]["score"]["max"] == 1
    assert answer["object"]["definition"]["interactionType"] == "choice"
    completed = next(s for s in statements if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed")
    assert completed["object"]["id"] == f"{BASE}/lessons/tides" and completed["result"]["completion"] is True
    assert "Ana" not in out.read_text() and '"ana"' not in out.read_text(), "no names or chat ids leave"
    again = tmp_path / "again.jsonl"
    await export_xapi(store, Record(BASE, curriculum), again)
    assert again.read_text() == out.read_text(), "exporting twice gives the same statement ids"


def test_the_checker_catches_broken_statements():
    broken = {
        "id": "nope",
        "actor": {"mbox": "mailto:a@b.c", "account": {"homePage": "x", "name": "y"}},
        "verb": {"id": "answered"},
        "object": {"id": "lesson 1"},
        "result": {"score": {"scaled": 2, "raw": 5, "min": 0, "max": 1}, "success": "yes"},
        "timestamp": "yesterday",
        "version": "0.9",
    }
    assert len(problems_of(broken)) == 11
