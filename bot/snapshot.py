"""A lesson's steps as JSON, frozen into the learner's session when they start it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.wording import wording_of_check
from content.model import Card, Check, Option, Picture, Source, Step

_NOWHERE = Source(Path("<snapshot>"), 0)


def step_to_json(step: Step, skills: tuple[str, ...]) -> dict[str, Any]:
    if isinstance(step, Card):
        card: dict[str, Any] = {"type": "card", "title": step.title, "body": step.body}
        if step.pictures:  # a card without pictures is frozen as it always was
            card["pictures"] = [
                {
                    "path": p.path,
                    "alt": p.alt,
                    "caption": p.caption,
                    "media_type": p.media_type,
                    "width": p.width,
                    "height": p.height,
                    "digest": p.digest,
                }
                for p in step.pictures
            ]
        return card
    check: dict[str, Any] = {
        "type": "check",
        "key": step.key,
        "question": step.question,
        "options": [{"text": o.text, "correct": o.correct} for o in step.options],
        "explanation": step.explanation,
        "skills": list(skills),
    }
    if step.original is not None:  # a translation: its answers count for the source's wording (bot/analytics.py)
        check["source_wording"] = wording_of_check(step.original)
    return check


def step_from_json(data: dict[str, Any]) -> Step:
    if data["type"] == "card":
        pictures = tuple(Picture(**p, source=_NOWHERE) for p in data.get("pictures", ()))
        return Card(title=data["title"], body=data["body"], source=_NOWHERE, pictures=pictures)
    return Check(
        key=data["key"],
        question=data["question"],
        options=tuple(Option(o["text"], bool(o["correct"])) for o in data["options"]),
        explanation=data["explanation"],
        source=_NOWHERE,
    )


def skills_of(data: dict[str, Any]) -> tuple[str, ...]:
    return tuple(data.get("skills", ()))
