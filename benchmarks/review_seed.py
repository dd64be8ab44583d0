"""Realistic answer histories for `content review` in benchmarks/dashboard.py, on PostgreSQL, within
the events benchmarks/dashboard.py's seed made (the total stays the same).

On top of that seed (learner i did the first i % 11 lessons of the shipped curriculum, 8 events
each, the rest of their 100 events are nudges) this: gives each lesson session the snapshot of its
steps and real times (a card read in 40 s, an answer 15 s after the previous event), points each
card view at its session, replaces the lesson answers by ones with choices, the session and, for
even-numbered learners, the wording hash (the others' wordings come from their session's
snapshot when migration 0025's fill gives every answer and card view its analytics columns, as on
an organisation's upgrade), and adds re-check sessions 2 and 9 days after a lesson (three answers and a
review_completed event each, in place of as many of the learner's oldest nudges: the latest
lessons first, as far as the learner's nudges go). Planted as in tests/item_histories.py:

- FAIL: every learner wrong at the first try (too hard; each wrong option beats the right one),
- PASS: every learner right (too easy),
- MAGNET: abilities 0-2 (60%) choose the same wrong option (a magnet distractor),
- FLAT: right for half of the learners at each ability (does not discriminate),
- DECAYING: the second re-check (about 7 days after the first) recalled 45 points less often than
  FSRS predicts; every other re-check right with FSRS's predicted retrievability (seeded draws),
  replayed as the bot would.

Learner i has ability i % 5; every other check is right at the first try for abilities at or
above 1 (odd-numbered checks) or 2 (even-numbered).
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from bot.mastery import MasteryModel
from bot.snapshot import step_to_json
from bot.store.database import create_engine
from bot.store.event_columns import fill
from bot.wording import wording_of_step
from content.model import Card, Check, CheckKind, Curriculum

FAIL = "lockout-tagout:1"
PASS = "ppe-basics:2"
MAGNET = "fire-and-evacuation:2"
MAGNET_OPTION = 0
FLAT = "safe-lifting:1"
DECAYING = "troubleshooting"
CARD_SECONDS = 40
ANSWER_SECONDS = 15
RECHECK_DAYS = (2, 9)
EVENTS_PER_RECHECK = 4  # three answers and review_completed


def expected_findings(curriculum: Curriculum) -> set[tuple[str, str]]:
    """(path:line, the finding's kind): exactly what the review must report."""

    def at(key: str) -> str:
        check = curriculum.find_check(key)
        assert check is not None
        return str(check.source)

    return {
        (at(FAIL), "too hard"),
        (at(FAIL), "distractor"),
        (at(PASS), "too easy"),
        (at(MAGNET), "distractor"),
        (at(FLAT), "does not tell strong learners from weak"),
        (str(curriculum.skills[DECAYING].source), f'skill "{DECAYING}" is forgotten faster than predicted'),
    }


def finding_kind(line: str) -> tuple[str, str]:
    """A printed finding `path:line: warning: kind: ...` as (path:line, kind)."""
    path, number, rest = line.split(":", 2)
    message = rest.removeprefix(" warning: ")
    return f"{path}:{number}", message.split(":", 1)[0]


def first_try(check: Check, learner: int) -> tuple[int, ...]:
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
        right = ability >= (1 if int(check.key.rpartition(":")[2]) % 2 else 2)
    return choices(check, right, learner)


def choices(check: Check, right: bool, learner: int) -> tuple[int, ...]:
    correct = sorted(check.correct_indices)
    if right:
        return tuple(correct)
    if check.kind is CheckKind.MULTIPLE:
        return tuple(c for n, c in enumerate(correct) if n != learner % len(correct))
    wrong = [i for i in range(len(check.options)) if i not in check.correct_indices]
    return (wrong[learner % len(wrong)],)


class _Predictions:
    """FSRS's retrievability before a re-check, by the history of (right, whole days since the
    previous answer): FSRS counts whole days, so the same history gives the same figure."""

    def __init__(self) -> None:
        self._model = MasteryModel()
        self._found: dict[tuple[tuple[bool, int], ...], float] = {}

    def before(self, history: tuple[tuple[bool, int], ...], days: int) -> float:
        key = (*history, (False, days))
        if key not in self._found:
            at = datetime(2020, 1, 1, tzinfo=UTC)
            card: str | None = None
            for right, gap in history:
                at += timedelta(days=gap)
                card = self._model.review(card, correct=right, at=at).card_json
            assert card is not None
            self._found[key] = self._model.recall(card, at + timedelta(days=days))
        return self._found[key]


async def seed_answers(url: str, curriculum: Curriculum, now: datetime) -> dict[str, int]:
    """Rewrites the lesson answers and adds the re-checks; returns what the review must see."""
    lessons = {lesson.id: lesson for lesson in curriculum.lessons_in_order()}
    order = {lesson_id: n for n, lesson_id in enumerate(lessons)}
    steps = {lesson_id: [step_to_json(step, lesson.skills) for step in lesson.steps] for lesson_id, lesson in lessons.items()}
    review_steps = {lesson_id: [step_to_json(check, lesson.skills) for check in lesson.checks] for lesson_id, lesson in lessons.items()}
    engine = create_engine(url)
    predictions = _Predictions()
    draw = random.Random(16)
    try:
        async with engine.begin() as connection:
            started = (
                await connection.execute(
                    text(
                        """SELECT s.id, s.learner_id, s.lesson_id, min(e.occurred_at) FROM learning_sessions s
                           JOIN events e ON e.learner_id = s.learner_id AND e.lesson_id = s.lesson_id AND e.kind = 'lesson_started'
                           GROUP BY s.id, s.learner_id, s.lesson_id ORDER BY s.learner_id, min(e.occurred_at)"""
                    )
                )
            ).all()
            nudges: dict[int, int] = dict(
                (await connection.execute(text("SELECT learner_id, count(*) FROM events WHERE kind = 'nudged' GROUP BY learner_id"))).all()
            )
            next_id = int((await connection.execute(text("SELECT coalesce(max(id), 0) FROM learning_sessions"))).scalar_one()) + 1
            by_learner: dict[int, list[tuple[int, str, datetime]]] = defaultdict(list)
            for session_id, learner_id, lesson_id, at in started:
                by_learner[learner_id].append((session_id, lesson_id, at))
            sessions: list[tuple[Any, ...]] = []  # (id, started, finished, correct)
            new_sessions: list[tuple[Any, ...]] = []
            events: list[tuple[Any, ...]] = []
            drops: list[tuple[int, int]] = []
            for learner_id, opened in by_learner.items():
                history: dict[str, list[tuple[bool, datetime]]] = {}
                rounds: list[tuple[datetime, str, int]] = []
                for session_id, lesson_id, at in opened:
                    lesson = lessons[lesson_id]
                    t, right_count = at, 0
                    for step in lesson.steps:
                        if isinstance(step, Card):
                            t += timedelta(seconds=CARD_SECONDS)
                            continue
                        t += timedelta(seconds=ANSWER_SECONDS)
                        chosen = first_try(step, learner_id)
                        right = frozenset(chosen) == step.correct_indices
                        right_count += right
                        history[step.key] = [(right, t)]
                        events.append(_answer(learner_id, t, step, chosen, right, session_id, "lesson", lesson_id))
                    sessions.append((session_id, at, t + timedelta(seconds=1), right_count))
                    for round_, days in enumerate(RECHECK_DAYS):
                        when = at + timedelta(days=days)
                        if when + timedelta(minutes=5) < now:
                            rounds.append((when, lesson_id, round_))
                # As many re-checks as the learner's nudges make room for, the latest lessons first.
                budget = nudges.get(learner_id, 0) // EVENTS_PER_RECHECK
                kept = sorted(sorted(rounds, key=lambda r: (-order[r[1]], r[2]))[:budget])
                drops.append((learner_id, len(kept) * EVENTS_PER_RECHECK))
                for when, lesson_id, round_ in kept:
                    lesson = lessons[lesson_id]
                    t, right_count = when, 0
                    for check in lesson.checks:
                        t += timedelta(seconds=ANSWER_SECONDS)
                        past = history[check.key]
                        gaps = tuple((r, (b - a).days) for (r, b), (_, a) in zip(past, [past[0], *past], strict=False))
                        predicted = predictions.before(gaps, (t - past[-1][1]).days)
                        chance = predicted - 0.45 if DECAYING in lesson.skills and round_ == 1 else predicted
                        chosen = choices(check, draw.random() < chance, learner_id)
                        right = frozenset(chosen) == check.correct_indices
                        right_count += right
                        past.append((right, t))
                        events.append(_answer(learner_id, t, check, chosen, right, next_id, "review", None))
                    done = t + timedelta(seconds=1)
                    payload = json.dumps({"session": next_id, "correct": right_count, "checks": len(lesson.checks)})
                    events.append((learner_id, "review_completed", done, done.date(), None, None, None, payload))
                    snapshot = json.dumps(review_steps[lesson_id])
                    row = (next_id, learner_id, "review", None, "Quick re-check", snapshot, len(lesson.checks), right_count)
                    new_sessions.append((*row, "completed", when, done, done))
                    next_id += 1
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            await connection.execute(
                text("CREATE TEMP TABLE bench_sessions (id int, started timestamptz, finished timestamptz, correct int)")
            )
            await connection.execute(text("CREATE TEMP TABLE bench_steps (lesson_id text, steps text, n int)"))
            await connection.execute(text("CREATE TEMP TABLE bench_cards (lesson_id text, rank int, position int, seconds int)"))
            await connection.execute(text("CREATE TEMP TABLE bench_drops (learner_id int, n int)"))
            await raw.copy_records_to_table("bench_sessions", records=sessions)
            await raw.copy_records_to_table("bench_steps", records=[(lesson_id, json.dumps(s), len(s)) for lesson_id, s in steps.items()])
            await raw.copy_records_to_table("bench_cards", records=_cards(lessons))
            await raw.copy_records_to_table("bench_drops", records=drops)
            for statement in (
                """UPDATE learning_sessions s SET steps = CAST(b.steps AS json), position = b.n, correct_count = x.correct,
                          started_at = x.started, updated_at = x.finished, completed_at = x.finished
                   FROM bench_sessions x, bench_steps b WHERE s.id = x.id AND b.lesson_id = s.lesson_id""",
                """UPDATE events e SET occurred_at = s.completed_at, local_date = CAST(s.completed_at AS date),
                          payload = json_build_object('session', s.id, 'correct', s.correct_count, 'checks', 3)
                   FROM learning_sessions s
                   WHERE e.kind = 'lesson_completed' AND s.kind = 'lesson' AND s.learner_id = e.learner_id AND s.lesson_id = e.lesson_id""",
                """UPDATE events e SET occurred_at = s.started_at + make_interval(secs => c.seconds),
                          local_date = CAST(s.started_at + make_interval(secs => c.seconds) AS date),
                          payload = json_build_object('session', s.id, 'position', c.position)
                   FROM (SELECT id, learner_id, lesson_id,
                                row_number() OVER (PARTITION BY learner_id, lesson_id ORDER BY occurred_at, id) AS rank
                         FROM events WHERE kind = 'card_viewed') v, learning_sessions s, bench_cards c
                   WHERE e.id = v.id AND s.kind = 'lesson' AND s.learner_id = v.learner_id AND s.lesson_id = v.lesson_id
                         AND c.lesson_id = v.lesson_id AND c.rank = v.rank""",
                """UPDATE events e SET occurred_at = s.started_at, local_date = CAST(s.started_at AS date)
                   FROM learning_sessions s
                   WHERE e.kind = 'lesson_started' AND s.kind = 'lesson' AND s.learner_id = e.learner_id AND s.lesson_id = e.lesson_id""",
                "DELETE FROM events WHERE kind = 'answered'",
                """DELETE FROM events WHERE id IN (
                     SELECT n.id FROM (SELECT id, learner_id, row_number() OVER (PARTITION BY learner_id ORDER BY occurred_at, id) AS k
                                       FROM events WHERE kind = 'nudged') n
                     JOIN bench_drops d ON d.learner_id = n.learner_id WHERE n.k <= d.n)""",
            ):
                await connection.execute(text(statement))
            await raw.copy_records_to_table(
                "learning_sessions",
                records=new_sessions,
                columns=[
                    "id",
                    "learner_id",
                    "kind",
                    "lesson_id",
                    "title",
                    "steps",
                    "position",
                    "correct_count",
                    "status",
                    "started_at",
                    "updated_at",
                    "completed_at",
                ],
            )
            await connection.execute(
                text("SELECT setval(pg_get_serial_sequence('learning_sessions', 'id'), (SELECT max(id) FROM learning_sessions))")
            )
            await raw.copy_records_to_table(
                "events",
                records=events,
                columns=["learner_id", "kind", "occurred_at", "local_date", "lesson_id", "check_key", "correct", "payload"],
            )
        # Written as rows of the trail from before migration 0025 (the payload only): its fill gives
        # them their analytics columns as an organisation's upgrade does, the wordings of the answers
        # recorded without theirs taken from their session's snapshot.
        began = time.monotonic()
        async with engine.begin() as connection:
            filled = await connection.run_sync(fill)
        fill_seconds = time.monotonic() - began
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
            counts = {
                "answers": int((await connection.execute(text("SELECT count(*) FROM events WHERE kind = 'answered'"))).scalar_one()),
                "events": int((await connection.execute(text("SELECT count(*) FROM events"))).scalar_one()),
                "sessions": int((await connection.execute(text("SELECT count(*) FROM learning_sessions"))).scalar_one()),
                "rechecks": sum(1 for e in events if e[1] == "answered" and '"kind": "review"' in e[7]),
                "events given their analytics columns by migration 0025's fill": filled,
                "seconds that fill took": round(fill_seconds),
            }
        return counts
    finally:
        await engine.dispose()


def _answer(
    learner_id: int, at: datetime, check: Check, chosen: tuple[int, ...], right: bool, session_id: int, kind: str, lesson_id: str | None
) -> tuple[Any, ...]:
    payload: dict[str, Any] = {"choices": sorted(chosen), "session": session_id, "kind": kind}
    if learner_id % 2 == 0:
        payload["wording"] = wording_of_step(step_to_json(check, ()))
    return (learner_id, "answered", at, at.date(), lesson_id, check.key, right, json.dumps(payload))


def _cards(lessons: dict[str, Any]) -> list[tuple[str, int, int, int]]:
    """Each card's rank in its lesson, its position among the steps and its time from the start."""
    rows = []
    for lesson_id, lesson in lessons.items():
        seconds, rank = 0, 0
        for position, step in enumerate(lesson.steps):
            if isinstance(step, Card):
                rank += 1
                rows.append((lesson_id, rank, position, seconds))
                seconds += CARD_SECONDS
            else:
                seconds += ANSWER_SECONDS
    return rows
