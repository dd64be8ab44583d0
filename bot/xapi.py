"""The learning record as xAPI 1.0.3 statements: lesson starts and completions, answers,
refresher results and awards, with the ADL verbs (and the registry's `earned`); and the
programme: assigned, unassigned (withdrawn), overdue, escalated to a manager, recertified.

No registered verb says what happened to a learner in a programme (the learner is the actor of
every statement here, and ActivityStreams' `assign` would make them the one who assigned), so
those five verbs are this deployment's, under PUBLIC_URL/xapi/verbs/ as its extensions are. The
object is what is assigned: a credential's achievement (as for `earned`) or a pathway; the
context says which assignment (its id), the due date, where it came from, and who assigned it
or was told (as accounts, like the actor: `instructor` for the person who assigned it).

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
from bot.vocabulary import EventKind, Target
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
COURSE = "http://adlnet.gov/expapi/activities/course"  # a pathway
PROGRAMME_VERBS = {  # this deployment's verbs (PUBLIC_URL/xapi/verbs/<key>), with what they display
    "assigned": "was assigned",
    "unassigned": "was unassigned",
    "overdue": "is overdue on",
    "escalated": "was escalated to a manager for",
    "recertified": "recertified",
}
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
        elif event.kind == EventKind.ASSIGNED and payload.get("target"):
            yield self._statement(event, "assigned", self._target(payload), context=self._context(payload))
        elif event.kind == EventKind.ASSIGNMENT_WITHDRAWN and payload.get("target"):
            yield self._statement(event, "unassigned", self._target(payload), context=self._context(payload))
        elif event.kind == EventKind.OVERDUE and payload.get("target"):
            yield self._statement(event, "overdue", self._target(payload), context=self._context(payload))
        elif event.kind == EventKind.ESCALATED and payload.get("target"):
            context = self._context(payload)
            context["extensions"][self._extension("manager")] = f"learner-{payload.get('manager')}"  # as an actor's account name
            context["extensions"][self._extension("reminders")] = int(payload.get("reminders", 0))
            yield self._statement(event, "escalated", self._target(payload), context=context)
        elif event.kind == EventKind.RECERTIFIED and payload.get("credential"):
            target = {"target_kind": "credential", "target": payload["credential"]}
            renewed: dict[str, Any] = {
                self._extension("credential"): f"{self.base_url}/credentials/{payload.get('award')}",
                self._extension("on-time"): bool(payload.get("on_time", True)),  # by the assignment's due date
            }
            result = {"success": True, "completion": True, "extensions": renewed}
            yield self._statement(event, "recertified", self._target(target), result, context=self._context(payload))

    def _statement(
        self, event: TrailEvent, verb: str, activity: Statement, result: Statement | None = None, *, context: Statement | None = None
    ) -> Statement:
        programme = verb in PROGRAMME_VERBS
        statement: Statement = {
            "id": str(uuid.uuid5(NAMESPACE, f"{self.base_url}/events/{event.id}/{verb}")),
            "actor": self._account(event.learner_id),
            "verb": {
                "id": f"{self.base_url}/xapi/verbs/{verb}" if programme else VERBS[verb],
                "display": {"en-US": PROGRAMME_VERBS[verb] if programme else verb},
            },
            "object": activity,
            "timestamp": event.occurred_at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "version": "1.0.3",
        }
        if result is not None:
            statement["result"] = result
        if context is not None:
            statement["context"] = context
        return statement

    def _account(self, learner_id: object) -> Statement:
        """A person as an account on this deployment, named by their internal id only."""
        return {"objectType": "Agent", "account": {"homePage": self.base_url, "name": f"learner-{learner_id}"}}

    def _extension(self, name: str) -> str:
        return f"{self.base_url}/xapi/extensions/{name}"

    def _target(self, payload: dict[str, Any]) -> Statement:
        """What an assignment is for: a credential (its achievement, as `earned` names it) or a pathway."""
        target = str(payload.get("target", ""))
        if payload.get("target_kind") == Target.PATHWAY:
            pathway = next((p for p in self.curriculum.pathways if p.id == target), None)
            return self._activity(f"pathways/{target}", pathway.title if pathway else target, COURSE)
        return self._activity(f"achievements/{target}", self._title(target), BADGE)

    def _context(self, payload: dict[str, Any]) -> Statement:
        """Which assignment, its due date and origin; who assigned or withdrew it (an account)."""
        extensions: dict[str, Any] = {self._extension("assignment"): payload.get("assignment")}
        if payload.get("due_on"):
            extensions[self._extension("due")] = str(payload["due_on"])
        if payload.get("origin"):
            extensions[self._extension("origin")] = str(payload["origin"])
        context: Statement = {"extensions": extensions}
        if payload.get("by") is not None:
            context["instructor"] = self._account(payload["by"])
        return context

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
