"""A simulated month of learners on the sample content (content/), written straight into a store,
with planted findings that `content review` must print and nothing else:

- FAIL: every learner gets it wrong at the first try (too hard; each wrong option beats the right one),
- PASS: every learner gets it right (too easy),
- MAGNET: 60% choose the same wrong option, 40% the right one (a magnet distractor),
- FLAT: right for exactly half of the learners at each ability level (does not discriminate),
- DECAYING: the skill's re-checks about 9 days after the last review are recalled far less
  often than FSRS predicts (its other re-checks, and every other skill's, as often as predicted),
- REWORDED: FORMER learners answered an earlier wording of it, all wrong; that history is kept
  apart, so the current wording has no finding.

Learner i has ability i % 5 (0..4). Every other check is right at the first try for abilities at
or above 1 (odd-numbered checks) or 2 (even-numbered): 80% or 60%, a wrong answer spread over the
wrong options (single answer) or one right option left out (choose all that apply). Re-checks come
2 and 9 days after each lesson, right with FSRS's predicted retrievability (drawn from a seeded
generator), replayed as the bot would. A few learners open the last lesson late in the month and stop after its first card."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.mastery import MasteryModel
from bot.ports import Store
from bot.records import LessonSession, TrailEvent
from bot.snapshot import step_to_json
from bot.vocabulary import EventKind, SessionKind, SessionStatus
from bot.wording import wording_of_step
from content.model import Check, CheckKind, Curriculum, Lesson

FAIL = "lockout-tagout:1"
PASS = "ppe-basics:2"
MAGNET = "fire-and-evacuation:2"
MAGNET_OPTION = 0
FLAT = "safe-lifting:1"
DECAYING = "troubleshooting"
REWORDED = "work-orders:1"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = START + timedelta(days=30)
CARD_SECONDS = 40  # reading a card
ANSWER_SECONDS = 15  # from the previous event to an answer
RECHECK_DAYS = (2, 9)
STOPPERS = 5  # learners who stop the last lesson after its first card


@dataclass
class Simulation:
    curriculum: Curriculum
    learners: int = 200
    former: int = 40  # learners who only answered REWORDED's earlier wording, all wrong
    seed: int = 16
    model: MasteryModel = field(default_factory=MasteryModel)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._cards: dict[tuple[int, str], str] = {}

    # --- who answers what ---------------------------------------------------------------------
    def first_try(self, check: Check, learner: int) -> tuple[int, ...]:
        ability = learner % 5
        if check.key == FAIL:
            right = False
        elif check.key == PASS:
            right = True
        elif check.key == MAGNET:
            if ability < 3:
                return (MAGNET_OPTION,)
            right = True
        elif check.key == FLAT:
            right = (learner // 5) % 2 == 0
        else:
            number = int(check.key.rpartition(":")[2])
            right = ability >= (1 if number % 2 else 2)
        return choices(check, right, learner)

    def recheck_right(self, key: str, skills: tuple[str, ...], predicted: float, round_: int) -> bool:
        chance = predicted - 0.45 if DECAYING in skills and round_ == 1 else predicted
        return self._random.random() < chance

    # --- writing it -----------------------------------------------------------------------------
    async def seed_store(self, store: Store) -> None:
        lessons = self.curriculum.lessons_in_order()
        for index in range(self.learners):
            async with store.transaction() as tx:
                learner, _ = await tx.learners.person("sim", f"learner-{index}", f"Learner {index}", now=START)
                writer = _Writer(tx, learner.id)
                day = START + timedelta(days=index % 7, minutes=index)
                rechecks: list[tuple[datetime, Lesson, int]] = []
                stopped: Lesson | None = None
                for number, lesson in enumerate(lessons):
                    at = day + timedelta(days=number // 2, hours=number % 2)
                    last = number == len(lessons) - 1
                    if last and index % 40 == 7 and index // 40 < STOPPERS:
                        stopped = lesson  # opened after the re-checks below, and left open
                        continue
                    answers = {check.key: self.first_try(check, index) for check in lesson.checks}
                    answered = await writer.lesson(lesson, at, answers=answers)
                    for check in lesson.checks:
                        self._remember(learner.id, check, answers[check.key], answered[check.key])
                    rechecks += [(at + timedelta(days=days), lesson, round_) for round_, days in enumerate(RECHECK_DAYS)]
                for at, lesson, round_ in sorted(rechecks, key=lambda r: (r[0], r[1].id)):
                    answers = {}
                    for number, check in enumerate(lesson.checks, start=1):
                        when = at + timedelta(seconds=ANSWER_SECONDS * number)  # as the writer records it
                        card = self._cards[(learner.id, check.key)]
                        right = self.recheck_right(check.key, lesson.skills, self.model.recall(card, when), round_)
                        answers[check.key] = choices(check, right, index)
                        self._remember(learner.id, check, answers[check.key], when)
                    await writer.review(lesson, at, answers)
                if stopped is not None:
                    await writer.lesson(stopped, START + timedelta(days=25), answers={}, stop_after=1)
        lesson = self.curriculum.lessons[REWORDED.rpartition(":")[0]]
        reworded = self.curriculum.find_check(REWORDED)
        assert reworded is not None
        old = {**step_to_json(reworded, lesson.skills), "question": "Which description helps the next shift most?"}
        for index in range(self.former):
            async with store.transaction() as tx:
                learner, _ = await tx.learners.person("sim", f"former-{index}", f"Former {index}", now=START - timedelta(days=60))
                at = START - timedelta(days=40, minutes=-index)
                wrong = next(i for i in range(len(reworded.options)) if i not in reworded.correct_indices)
                await _Writer(tx, learner.id).steps(SessionKind.REVIEW, None, [old], at, {REWORDED: (wrong,)})

    def _remember(self, learner_id: int, check: Check, chosen: tuple[int, ...], at: datetime) -> None:
        card = self._cards.get((learner_id, check.key))
        self._cards[(learner_id, check.key)] = self.model.review(card, correct=frozenset(chosen) == check.correct_indices, at=at).card_json


def choices(check: Check, right: bool, learner: int) -> tuple[int, ...]:
    correct = sorted(check.correct_indices)
    if right:
        return tuple(correct)
    if check.kind is CheckKind.MULTIPLE:
        return tuple(c for n, c in enumerate(correct) if n != learner % len(correct))
    wrong = [i for i in range(len(check.options)) if i not in check.correct_indices]
    return (wrong[learner % len(wrong)],)


class _Writer:
    """Sessions and trail events as the bot's flow writes them (bot/flow.py)."""

    def __init__(self, tx: Any, learner_id: int) -> None:
        self._tx = tx
        self._learner = learner_id

    async def lesson(
        self, lesson: Lesson, at: datetime, *, answers: dict[str, tuple[int, ...]], stop_after: int | None = None
    ) -> dict[str, datetime]:
        steps = [step_to_json(step, lesson.skills) for step in lesson.steps]
        return await self.steps(SessionKind.LESSON, lesson, steps, at, answers, stop_after=stop_after)

    async def review(self, lesson: Lesson, at: datetime, answers: dict[str, tuple[int, ...]]) -> dict[str, datetime]:
        steps = [step_to_json(check, lesson.skills) for check in lesson.checks]
        return await self.steps(SessionKind.REVIEW, None, steps, at, answers)

    async def steps(
        self,
        kind: SessionKind,
        lesson: Lesson | None,
        steps: list[dict[str, Any]],
        at: datetime,
        answers: dict[str, tuple[int, ...]],
        *,
        stop_after: int | None = None,
    ) -> dict[str, datetime]:
        """Each answer's time, by check key."""
        tx = self._tx
        session: LessonSession = await tx.sessions.open(
            self._learner,
            kind,
            lesson.title if lesson else "Quick re-check",
            steps,
            now=at,
            lesson_id=lesson.id if lesson else None,
            lesson_version=lesson.version if lesson else None,
        )
        ids = {"lesson_id": session.lesson_id, "lesson_version": session.lesson_version}
        if kind == SessionKind.LESSON:
            await self._event(EventKind.LESSON_STARTED, at, **ids)
        correct = 0
        answered: dict[str, datetime] = {}
        for position, step in enumerate(steps):
            if stop_after is not None and position >= stop_after:
                session.position, session.updated_at = position, at
                await tx.sessions.save(session)
                return answered
            if step["type"] == "card":
                await self._event(EventKind.CARD_VIEWED, at, **ids, payload={"session": session.id, "position": position})
                at += timedelta(seconds=CARD_SECONDS)
                continue
            at += timedelta(seconds=ANSWER_SECONDS)
            answered[step["key"]] = at
            chosen = answers[step["key"]]
            right = frozenset(chosen) == frozenset(i for i, o in enumerate(step["options"]) if o["correct"])
            correct += right
            payload: dict[str, Any] = {"choices": sorted(chosen), "session": session.id, "kind": kind.value}
            payload["wording"] = wording_of_step(step)  # as bot/flow.py records every answer
            await self._event(EventKind.ANSWERED, at, **ids, check_key=step["key"], correct=right, payload=payload)
        at += timedelta(seconds=1)
        session.position, session.correct_count = len(steps), correct
        session.status, session.completed_at, session.updated_at = SessionStatus.COMPLETED, at, at
        await tx.sessions.save(session)
        checks = sum(1 for s in steps if s["type"] == "check")
        done = EventKind.LESSON_COMPLETED if kind == SessionKind.LESSON else EventKind.REVIEW_COMPLETED
        await self._event(done, at, **ids, payload={"session": session.id, "correct": correct, "checks": checks})
        return answered

    async def _event(self, kind: EventKind, at: datetime, **fields: Any) -> None:
        await self._tx.trail.add(self._learner, TrailEvent(kind=kind, occurred_at=at, local_date=at.date(), **fields))


def planted_findings(curriculum: Curriculum) -> list[str]:
    """What `content review` must print after the simulated month of 200 learners, and nothing else."""

    def at(key: str) -> str:
        check = curriculum.find_check(key)
        assert check is not None
        return str(check.source)

    skill = curriculum.skills[DECAYING].source
    sample = "200 learners"
    return sorted(
        [
            f'{at(MAGNET)}: warning: distractor: option 1 "Water" chosen by 60% at the first try, more than the right answer (40%)'
            f" (threshold: more than the right answer; {sample})",
            f'{at(FAIL)}: warning: distractor: option 1 "One, fitted by the senior technician" chosen by 50% at the first try,'
            f" more than the right answer (0%) (threshold: more than the right answer; {sample})",
            f"{at(FAIL)}: warning: too hard: 0% right at the first try (threshold: below 30%; {sample})",
            f"{at(PASS)}: warning: too easy: 100% right at the first try (threshold: above 95%; {sample})",
            f"{at(FLAT)}: warning: does not tell strong learners from weak: discrimination 0.00 (threshold: below 0.10; {sample})",
            f'{skill}: warning: skill "{DECAYING}" is forgotten faster than predicted: 38% recalled about 7 days after the last'
            " review, FSRS predicted 85% (threshold: 15 points below and beyond chance; 585 re-checks)",
        ],
        key=_line_order,
    )


def _line_order(line: str) -> tuple[str, int, str]:
    path, number, rest = line.split(":", 2)
    return path, int(number), rest
