"""The item analytics' columns of an event (models.EventRow `session_id`, `wording`, `choices`):
written with each answer and card view (bot/store/trail.py), and filled once by migration 0025
for the events before it, when older answers also took their wording from their session."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from bot.analytics_records import choice_bits, wording_number
from bot.vocabulary import EventKind
from bot.wording import wording_of_step

WORDING = re.compile(r"[0-9a-f]{16}")  # bot.analytics.wording_hash
KINDS = (EventKind.ANSWERED.value, EventKind.CARD_VIEWED.value)
BATCH = 20_000


def analytics_columns(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of an event of this kind with this payload (None where it has no such value)."""
    if kind not in KINDS:
        return {"session_id": None, "wording": None, "choices": None}
    session, wording, choices = payload.get("session"), payload.get("wording"), payload.get("choices")
    answer = kind == EventKind.ANSWERED
    return {
        "session_id": session if isinstance(session, int) and not isinstance(session, bool) else None,
        "wording": wording_number(wording) if answer and isinstance(wording, str) and WORDING.fullmatch(wording) else None,
        "choices": choice_bits(c for c in choices if isinstance(c, int)) if answer and isinstance(choices, list) else None,
    }


EVENTS = sa.table(
    "events",
    sa.column("id", sa.BigInteger),
    sa.column("kind", sa.String),
    sa.column("check_key", sa.String),
    sa.column("payload", sa.JSON),
    sa.column("session_id", sa.Integer),
    sa.column("wording", sa.BigInteger),
    sa.column("choices", sa.Integer),
)
SESSIONS = sa.table("learning_sessions", sa.column("id", sa.Integer), sa.column("steps", sa.JSON))


def fill(connection: sa.Connection) -> int:
    """Fill the columns of every answer and card view from its payload; an answer recorded before
    answers carried their wording takes the wording of the check as its session's snapshot showed
    it (as the review did until then). Returns the events filled."""
    filled: list[dict[str, Any]] = []
    unworded: list[tuple[int, str, int]] = []  # (event, check, session) of answers without their wording
    last = 0
    while True:
        rows = connection.execute(
            sa.select(EVENTS.c.id, EVENTS.c.kind, EVENTS.c.check_key, EVENTS.c.payload)
            .where(EVENTS.c.kind.in_(KINDS), EVENTS.c.id > last)
            .order_by(EVENTS.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1][0]
        for event_id, kind, check_key, payload in rows:
            columns = analytics_columns(kind, payload if isinstance(payload, dict) else {})
            filled.append({"event": event_id, **columns})
            if kind == EventKind.ANSWERED and columns["wording"] is None and columns["session_id"] is not None and check_key:
                unworded.append((len(filled) - 1, check_key, columns["session_id"]))
    shown = _wordings_shown(connection, {session for _, _, session in unworded})
    for index, check_key, session in unworded:
        wording = shown.get(session, {}).get(check_key)
        filled[index]["wording"] = wording_number(wording) if wording is not None and WORDING.fullmatch(wording) else None
    update = (
        sa.update(EVENTS)
        .where(EVENTS.c.id == sa.bindparam("event"))
        .values(session_id=sa.bindparam("session_id"), wording=sa.bindparam("wording"), choices=sa.bindparam("choices"))
    )
    for start in range(0, len(filled), BATCH):
        connection.execute(update, filled[start : start + BATCH])
    return len(filled)


def _wordings_shown(connection: sa.Connection, sessions: set[int]) -> dict[int, dict[str, str]]:
    """Per session, the wording of each check its snapshot showed; each distinct snapshot read once."""
    found: dict[int, dict[str, str]] = {}
    decoded: dict[str, dict[str, str]] = {}
    wanted = sorted(sessions)
    for start in range(0, len(wanted), BATCH):
        rows = connection.execute(
            sa.select(SESSIONS.c.id, sa.cast(SESSIONS.c.steps, sa.Text)).where(SESSIONS.c.id.in_(wanted[start : start + BATCH]))
        ).all()
        for session_id, text in rows:
            wordings = decoded.get(text)
            if wordings is None:
                steps = (json.loads(text) if text else None) or ()
                checks = [step for step in steps if isinstance(step, dict) and step.get("type") == "check"]
                wordings = decoded[text] = {str(step["key"]): wording_of_step(step) for step in checks}
            found[session_id] = wordings
    return found
