"""`content preview FILE`: a lesson exactly as a learner meets it, with the answers shown."""

from __future__ import annotations

from adapters.console.render import render
from bot.actions import StepRef
from bot.flow import question_reply
from bot.pictures import shown_pictures
from bot.replies import Feedback, LessonCard
from content.model import Card, Lesson


def preview(lesson: Lesson) -> str:
    total = len(lesson.steps)
    parts = [f"📘 {lesson.title} · {lesson.minutes} min · {lesson.word_count} words · skills: {', '.join(lesson.skills)}"]
    for position, step in enumerate(lesson.steps, start=1):
        if isinstance(step, Card):
            parts.append(render(LessonCard(lesson.title, step.title, step.body, position, total, pictures=shown_pictures(step))).text)
            continue
        parts.append(render(question_reply(step, StepRef(0, position), position, total)).text)
        answer = tuple(step.options[i].text for i in sorted(step.correct_indices))
        parts.append("After answering:\n" + render(Feedback(True, step.explanation, answer)).text)
        parts.append(f"(correct: {'; '.join(answer)})")
    return "\n\n".join(parts)
