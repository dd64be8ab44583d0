"""What ties an answer to the wording of the check it was given in.

A check is named by its key (`<lesson-id>:<n>`), which stays when its text is edited: the
learner's memory of it carries over. Its statistics must not (bot/analytics.py): a rewritten
question is another question. So every answer records `wording_hash(question, options)`: the first
16 hex digits of the SHA-256 of the question and each option's text and whether it is right
(surrounding spaces ignored; the explanation is not part of it, since learners answer before they
read it). Answers record it in their payload (`"wording"`, bot/flow.py) from issue 16 on, and in
the trail's `wording` column (bot/store/event_columns.py); migration 0025 gave the answers recorded
before that the wording of the step their session showed. The hash is stored: it must never change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from content.model import Check

WORDING_DIGITS = 16


def wording_hash(question: str, options: Iterable[tuple[str, bool]]) -> str:
    """What ties an answer to the wording it was given in (see the module's docstring)."""
    text = json.dumps([question.strip(), [[t.strip(), bool(right)] for t, right in options]], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:WORDING_DIGITS]


def wording_of_check(check: Check) -> str:
    return wording_hash(check.question, ((o.text, o.correct) for o in check.options))


def wording_of_step(step: dict[str, Any]) -> str:
    """The wording hash of a check as frozen into a session (bot.snapshot.step_to_json); a
    translated check's is its source's, so an answer in any language joins the source's history."""
    if step.get("source_wording"):
        return str(step["source_wording"])
    return wording_hash(str(step["question"]), ((str(o["text"]), bool(o["correct"])) for o in step["options"]))
