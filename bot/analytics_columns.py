"""What the item analytics read of the store, as columns (numpy arrays of one length each): every
answer, every learning session's place, and every moment a session moved on (a card shown, an
answer, its start). bot/analytics.py computes every figure from them with whole-array operations:
at 350,000 answers a loop in Python over each answer took seconds, the arrays take milliseconds.

Times are whole microseconds since 1970-01-01 UTC (int64), so differences are exact. Texts that
repeat (check keys, wordings, lesson ids) are codes into a tuple of the distinct values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from bot.analytics_records import AnalyticsRecord, SessionRecord, choice_bits
from bot.vocabulary import SessionKind, SessionStatus

Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
NONE = -1  # a missing session, lesson or time


def microseconds(at: datetime) -> int:
    return (at - EPOCH) // MICROSECOND


def instant(value: int) -> datetime:
    return EPOCH + value * MICROSECOND


@dataclass(frozen=True, eq=False)
class AnswerColumns:
    """Every answer to a check. `wording` codes into `wordings`, where "" is an unknown wording."""

    checks: tuple[str, ...]
    wordings: tuple[str, ...]
    id: Ints  # the event's id: answers at the same instant keep the order they were given in
    learner: Ints
    at: Ints
    check: Ints
    wording: Ints
    correct: Flags
    choices: Ints  # choice_bits
    session: Ints  # NONE when the answer names no session

    def __len__(self) -> int:
        return len(self.id)


@dataclass(frozen=True, eq=False)
class SessionColumns:
    """Every learning session's place: lesson sessions count for the lessons' figures."""

    lessons: tuple[str, ...]
    id: Ints
    lesson: Ints  # code into `lessons`; NONE for sessions that are not a lesson's
    active: Flags
    completed: Flags
    position: Ints
    started: Ints
    updated: Ints
    completed_at: Ints  # NONE when not completed


@dataclass(frozen=True, eq=False)
class ReviewColumns:
    answers: AnswerColumns
    sessions: SessionColumns
    card_views: tuple[Ints, Ints]  # (session, when a card was shown)


AnswerRow = tuple[
    int, int, int, str, bool, str, int, int
]  # id, learner, at (µs), check, correct, wording ("" unknown), choice bits, session (NONE)


def answer_columns(rows: Sequence[AnswerRow]) -> AnswerColumns:
    """From plain rows (the SQLite store, the in-memory store)."""
    checks: dict[str, int] = {}
    wordings: dict[str, int] = {"": 0}
    check = [checks.setdefault(row[3], len(checks)) for row in rows]
    wording = [wordings.setdefault(row[5], len(wordings)) for row in rows]
    return AnswerColumns(
        checks=tuple(checks),
        wordings=tuple(wordings),
        id=_ints(row[0] for row in rows),
        learner=_ints(row[1] for row in rows),
        at=_ints(row[2] for row in rows),
        check=_ints(check),
        wording=_ints(wording),
        correct=np.array([bool(row[4]) for row in rows], dtype=np.bool_),
        choices=_ints(row[6] for row in rows),
        session=_ints(row[7] for row in rows),
    )


SessionRow = tuple[
    int, str, str, str | None, int, int, int, int
]  # id, kind, status, lesson id, position, started, updated, completed (NONE)


def session_columns(rows: Sequence[SessionRow]) -> SessionColumns:
    lessons: dict[str, int] = {}
    lesson = [lessons.setdefault(row[3], len(lessons)) if row[1] == SessionKind.LESSON and row[3] else NONE for row in rows]
    return SessionColumns(
        lessons=tuple(lessons),
        id=_ints(row[0] for row in rows),
        lesson=_ints(lesson),
        active=np.array([row[2] == SessionStatus.ACTIVE for row in rows], dtype=np.bool_),
        completed=np.array([row[2] == SessionStatus.COMPLETED for row in rows], dtype=np.bool_),
        position=_ints(row[4] for row in rows),
        started=_ints(row[5] for row in rows),
        updated=_ints(row[6] for row in rows),
        completed_at=_ints(row[7] for row in rows),
    )


def session_row(s: SessionRecord) -> SessionRow:
    completed = microseconds(s.completed_at) if s.completed_at is not None else NONE
    return (s.id, s.kind, s.status, s.lesson_id, s.position, microseconds(s.started_at), microseconds(s.updated_at), completed)


def of_record(record: AnalyticsRecord) -> ReviewColumns:
    """From plain records (the in-memory store and tests)."""
    rows: list[AnswerRow] = [
        (
            a.id,
            a.learner_id,
            microseconds(a.at),
            a.check_key,
            a.correct,
            a.wording or "",
            choice_bits(a.choices),
            NONE if a.session_id is None else a.session_id,
        )
        for a in record.answers
    ]
    views = (_ints(s for s, _ in record.card_views), _ints(microseconds(at) for _, at in record.card_views))
    return ReviewColumns(answer_columns(rows), session_columns([session_row(s) for s in record.sessions]), views)


def _ints(values: Iterable[int]) -> Ints:
    return np.fromiter(values, dtype=np.int64)
