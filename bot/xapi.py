"""The learning record as xAPI 1.0.3 statements: lesson starts and completions, answers,
refresher results and awards, with the ADL verbs (and the registry's `earned`).

A learner appears as an account on this deployment (`homePage` is PUBLIC_URL) named by their
internal id: no name, e-mail or chat id leaves in a statement. Statement ids are derived from
the event's id, so exporting twice gives the same statements and an LRS can drop repeats."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from bot.records import TrailEvent
from bot.vocabulary import EventKind
from content.model import Curriculum

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "experienced": ADL + "experienced",
    "answered": ADL + "answered",
    "completed": ADL + "completed",
    "passed": ADL + "passed",
    "failed": ADL + "failed",
    "earned": "http://id.tincanapi.com/verb/earned",  # not in ADL's list; the xAPI registry's
}
LESSON = "http://adlnet.gov/expapi/activities/lesson"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
BADGE = "http://activitystrea.ms/schema/1.0/badge"
NAMESPACE = uuid.UUID("6f5b1c9e-3c55-4c1a-9d2f-6e0d6a1c7b10")  # this product's: stable statement ids
Statement = dict[str, Any]


@dataclass(frozen=True)
class Record:
    """Where this deployment lives (the base of activity ids and of learner accounts)."""

    base_url: str
    curriculum: Curriculum

    def statements(self, event: TrailEvent) -> Iterator[Statement]:
        """The statements an event makes: none for events that are not learning."""
        payload = event.payload or {}
        if event.kind == EventKind.LESSON_STARTED and event.lesson_id:
            yield self._statement(event, "experienced", self._lesson(event.lesson_id))
        elif event.kind == EventKind.ANSWERED and event.check_key:
            yield self._statement(
                event,
                "answered",
                self._check(event.check_key),
                {"success": bool(event.correct), "score": _score(1 if event.correct else 0, 1)},
            )
        elif event.kind == EventKind.LESSON_COMPLETED and event.lesson_id:
            correct, checks = int(payload.get("correct", 0)), int(payload.get("checks", 0))
            result = {"completion": True, **({"score": _score(correct, checks)} if checks else {})}
            yield self._statement(event, "completed", self._lesson(event.lesson_id), result)
        elif event.kind == EventKind.REFRESHER_COMPLETED:
            correct, checks, passed = int(payload.get("correct", 0)), int(payload.get("checks", 0)), bool(payload.get("passed"))
            activity = self._activity(
                f"achievements/{payload.get('credential')}/refresher", f"Refresher: {self._title(payload.get('credential'))}", ASSESSMENT
            )
            result = {"success": passed, "completion": True, **({"score": _score(correct, checks)} if checks else {})}
            yield self._statement(event, "passed" if passed else "failed", activity, result)
        elif event.kind in (EventKind.AWARDED, EventKind.RENEWED):
            definition = str(payload.get("credential", ""))
            activity = self._activity(f"achievements/{definition}", self._title(definition), BADGE)
            extensions = {f"{self.base_url}/xapi/extensions/credential": f"{self.base_url}/credentials/{payload.get('award')}"}
            yield self._statement(event, "earned", activity, {"success": True, "completion": True, "extensions": extensions})

    def _statement(self, event: TrailEvent, verb: str, activity: Statement, result: Statement | None = None) -> Statement:
        statement: Statement = {
            "id": str(uuid.uuid5(NAMESPACE, f"{self.base_url}/events/{event.id}/{verb}")),
            "actor": {"objectType": "Agent", "account": {"homePage": self.base_url, "name": f"learner-{event.learner_id}"}},
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": activity,
            "timestamp": event.occurred_at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "version": "1.0.3",
        }
        if result is not None:
            statement["result"] = result
        return statement

    def _lesson(self, lesson_id: str) -> Statement:
        lesson = self.curriculum.lessons.get(lesson_id)
        return self._activity(f"lessons/{lesson_id}", lesson.title if lesson else lesson_id, LESSON)

    def _check(self, key: str) -> Statement:
        lesson_id, _, number = key.rpartition(":")
        lesson = self.curriculum.lessons.get(lesson_id)
        check = next((c for c in lesson.checks if c.key == key), None) if lesson else None
        activity = self._activity(f"lessons/{lesson_id}/checks/{number}", check.question if check else key, INTERACTION)
        activity["definition"]["interactionType"] = "choice"
        if check is not None:
            activity["definition"]["choices"] = [{"id": str(i), "description": {"en-US": o.text}} for i, o in enumerate(check.options)]
            activity["definition"]["correctResponsesPattern"] = ["[,]".join(str(i) for i, o in enumerate(check.options) if o.correct)]
        return activity

    def _activity(self, path: str, name: str, kind: str) -> Statement:
        return {"objectType": "Activity", "id": f"{self.base_url}/{path}", "definition": {"name": {"en-US": name}, "type": kind}}

    def _title(self, definition_id: object) -> str:
        definition = self.curriculum.credentials.get(str(definition_id))
        return definition.title if definition else str(definition_id)


def _score(correct: int, total: int) -> Statement:
    return {"raw": correct, "min": 0, "max": total, "scaled": round(correct / total, 4) if total else 0}
