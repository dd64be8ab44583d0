"""Item analytics: which checks work, how each skill is forgotten, where learners stop a lesson.

Pure functions over the columns of bot/analytics_columns.py (the store's bulk read), each figure a
whole-array operation (numpy: 350,000 answers take about half a second, where a loop in Python
over each answer took seconds); the command `content review` (adapters/cli/review.py) prints
`findings` at the check's own `path:line`, and the L&D page shows the same values.

**A check's history and its wording.** A check is named by its key, which stays when its text is
edited; its *statistics* must not (a rewritten question is another question): every answer is
tied to the wording it was given in (bot/wording.py), and an answer without one is kept under the
wording "" (unknown). The figures of a check are those of its *current* wording (the content's, as
loaded now): changing the question, an option, or which option is right starts a fresh history; the
old one is kept apart (its own rows in the CSV, `current` false) and never mixed in, nor reported as
a finding.

**Discrimination** is the point-biserial correlation between getting this check right at the
first try and the learner's *rest-score*: their share right at the first try on every other check
they answered (this one left out). Not the skill's mastery (BKT P(known)): it is updated by this
very answer (which would inflate the figure), and it decays with the days since the learner last
practised, so it measures how recently someone learned rather than how well. Not a rest-score on
the skill's checks alone either: a skill has two or three checks here, too few to rank learners.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from bot.analytics_columns import (
    MICROSECOND,
    NONE,
    AnswerColumns,
    Flags,
    Ints,
    ReviewColumns,
    SessionColumns,
    microseconds,
    of_record,
)
from bot.analytics_records import AnalyticsRecord, SessionRecord
from bot.analytics_thresholds import (
    FAR_BELOW,
    LOW_DISCRIMINATION,
    MIN_LEARNERS,
    MIN_LEARNERS_DISCRIMINATION,
    MIN_LEARNERS_TOO_EASY,
    MIN_RECHECKS,
    RECALL_WINDOWS,
    STOPPED_AFTER,
    TOO_EASY,
    TOO_HARD,
)
from bot.i18n import SOURCE, Translator
from bot.mastery import MasteryModel
from bot.wording import wording_of_check, wording_of_step
from content.model import Curriculum

if TYPE_CHECKING:
    from bot.ports import Analytics


# --- figures --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recall:
    window: str  # "1d", "7d", "30d"
    rechecks: int
    rate: float | None  # share right; None without re-checks


@dataclass(frozen=True)
class ItemStats:
    """One check in one wording."""

    check_key: str
    wording: str  # "" when older answers could not be tied to a wording
    current: bool  # the wording of the content as loaded now
    question: str
    options: tuple[str, ...]
    correct_options: frozenset[int]
    attempts: int  # every answer, re-checks and refreshers included
    learners: int
    first_try_rate: float | None  # share of learners right at their first answer
    final_rate: float | None  # ... at their latest answer
    option_shares: tuple[float, ...]  # share of first tries that chose each option
    discrimination: float | None  # point-biserial against the rest-score; None when undefined
    discrimination_learners: int  # learners it was computed from (those with another check answered)
    median_seconds: float | None  # the answer's time minus the session's previous event
    recall: tuple[Recall, ...]


@dataclass(frozen=True)
class CurvePoint:
    days: int  # days since the last review of the same check, rounded
    rechecks: int
    observed: float  # share recalled
    predicted: float  # FSRS's mean retrievability for the same re-checks


@dataclass(frozen=True)
class SkillCurve:
    skill: str
    points: tuple[CurvePoint, ...]  # by days
    rechecks: int
    calibration_error: float | None  # sum over days of rechecks/N * |observed - predicted|
    week_rechecks: int  # re-checks about 7 days after the last review (RECALL_WINDOWS "7d")
    week_observed: float | None
    week_predicted: float | None


@dataclass(frozen=True)
class LessonStats:
    lesson_id: str
    started: int  # lesson sessions opened
    completed: int
    in_progress: int  # open and touched within STOPPED_AFTER
    stopped_at: tuple[tuple[int, int], ...]  # (step number from 1, learners who stopped there), by step
    median_minutes: float | None  # from start to completion, completed sessions


@dataclass(frozen=True)
class Review:
    items: tuple[ItemStats, ...]
    skills: tuple[SkillCurve, ...]
    lessons: tuple[LessonStats, ...]

    def current(self, check_key: str) -> ItemStats | None:
        return next((i for i in self.items if i.check_key == check_key and i.current), None)


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: warning: {self.message}"


# --- statistics -----------------------------------------------------------------------------
def point_biserial(correct: Sequence[bool], scores: Sequence[float]) -> float | None:
    """The correlation of a right/wrong answer with a score; None when either does not vary."""
    n = len(correct)
    if n < 2 or n != len(scores):
        return None
    p = sum(correct) / n
    mean = sum(scores) / n
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / n)
    if p in (0.0, 1.0) or sd == 0:
        return None
    right = [s for s, c in zip(scores, correct, strict=True) if c]
    wrong = [s for s, c in zip(scores, correct, strict=True) if not c]
    return (sum(right) / len(right) - sum(wrong) / len(wrong)) / sd * math.sqrt(p * (1 - p))


def calibration_error(points: Sequence[CurvePoint]) -> float | None:
    """Expected calibration error over the curve's days: each day's gap weighted by its re-checks."""
    total = sum(p.rechecks for p in points)
    if not total:
        return None
    return sum(p.rechecks * abs(p.observed - p.predicted) for p in points) / total


def recall_window(days: float) -> str | None:
    return next((name for name, low, high in RECALL_WINDOWS if low <= days < high), None)


# --- the review -----------------------------------------------------------------------------
Steps = dict[tuple[str, str], dict[str, Any]]  # a step of each (check, wording) as shown (bot.snapshot.step_to_json)


async def read(analytics: Analytics, curriculum: Curriculum | None) -> tuple[ReviewColumns, Steps]:
    """The store's bulk read for a review (in the caller's transaction): the columns, and the
    steps shown of the wordings the content no longer has (their question and options)."""
    known = [check.key for lesson in curriculum.lessons_in_order() for check in lesson.checks] if curriculum else []
    columns = await analytics.columns(known)
    answers = columns.answers
    present = {(answers.checks[c], answers.wordings[w]) for c, w in set(zip(answers.check.tolist(), answers.wording.tolist(), strict=True))}
    found = (curriculum.find_check(key) for key in known) if curriculum is not None else ()
    current = {check.key: wording_of_check(check) for check in found if check is not None}
    wanted = [(key, wording) for key, wording in sorted(present) if wording and current.get(key) != wording]
    return columns, await analytics.steps_shown(wanted) if wanted else {}


def review(record: AnalyticsRecord, curriculum: Curriculum | None, *, now: datetime, model: MasteryModel | None = None) -> Review:
    """Every figure, from plain records (the in-memory store and tests) and the content as loaded now."""
    return review_columns(of_record(record), wordings_shown(record.sessions)[1], curriculum, now=now, model=model)


def review_columns(
    columns: ReviewColumns, steps: Steps, curriculum: Curriculum | None, *, now: datetime, model: MasteryModel | None = None
) -> Review:
    """Every figure, from the store's columns (bot/analytics_columns.py) and the content as loaded now."""
    answers = _in_time_order(columns.answers)
    return Review(
        items=_items(answers, columns, steps, curriculum),
        skills=_skills(answers, steps, curriculum, model or MasteryModel()),
        lessons=_lessons(columns.sessions, now),
    )


def wordings_shown(
    sessions: Iterable[SessionRecord],
) -> tuple[dict[int, dict[str, str]], dict[tuple[str, str], dict[str, Any]]]:
    """Per session, the wording of each check it showed (by key); and a step of each (key, wording)
    pair. Sessions that share their snapshot (the store reads each distinct one once) are hashed once."""
    shown: dict[int, dict[str, str]] = {}
    found: dict[tuple[str, str], dict[str, Any]] = {}
    by_snapshot: dict[int, dict[str, str]] = {}
    for session in sessions:
        wordings = by_snapshot.get(id(session.steps))
        if wordings is None:
            wordings = {}
            for step in session.steps:
                if step.get("type") == "check":
                    key, wording = str(step["key"]), wording_of_step(step)
                    wordings[key] = wording
                    if (key, wording) not in found or "source_wording" in found[(key, wording)]:
                        found[(key, wording)] = step  # shown in the source's words when any session had them
            by_snapshot[id(session.steps)] = wordings
        shown[session.id] = wordings
    return shown, found


def _in_time_order(a: AnswerColumns) -> AnswerColumns:
    order = np.lexsort((a.id, a.at))
    return replace(
        a,
        id=a.id[order],
        learner=a.learner[order],
        at=a.at[order],
        check=a.check[order],
        wording=a.wording[order],
        correct=a.correct[order],
        choices=a.choices[order],
        session=a.session[order],
    )


def _runs(*keys: Ints) -> tuple[Ints, Flags]:
    """The answers (in time order) grouped by `keys`, each group in time order: the order, and
    where each group starts in it."""
    order = np.lexsort((np.arange(len(keys[0])), *reversed(keys)))
    starts = np.ones(len(order), dtype=np.bool_)
    if len(order) > 1:
        starts[1:] = np.any([key[order][1:] != key[order][:-1] for key in keys], axis=0)
    return order, starts


def _days(at: Ints, starts: Flags) -> npt.NDArray[np.float64]:
    """Days since the previous answer of the same group (0 at a group's first), as
    timedelta.total_seconds() / 86400 gives them."""
    days = np.zeros(len(at))
    if len(at) > 1:
        days[1:] = (at[1:] - at[:-1]) / 1e6 / 86400
    days[starts] = 0.0
    return days


def _items(a: AnswerColumns, columns: ReviewColumns, steps: Steps, curriculum: Curriculum | None) -> tuple[ItemStats, ...]:
    if not len(a):
        return ()
    pairs, group = np.unique(a.check * len(a.wordings) + a.wording, return_inverse=True)
    n_groups = len(pairs)
    attempts = np.bincount(group, minlength=n_groups)
    # Each learner's answers to each check in each wording, in time order.
    order, starts = _runs(group, a.learner)
    ends = np.ones(len(order), dtype=np.bool_)
    ends[:-1] = starts[1:]
    g, right = group[order], a.correct[order]
    learners = np.bincount(g[starts], minlength=n_groups)
    first_right = np.bincount(g[starts & right], minlength=n_groups)
    final_right = np.bincount(g[ends & right], minlength=n_groups)
    days = _days(a.at[order], starts)
    recalls = []
    for _, low, high in RECALL_WINDOWS:
        inside = ~starts & (days >= low) & (days < high)
        recalls.append((np.bincount(g[inside], minlength=n_groups), np.bincount(g[inside & right], minlength=n_groups)))
    firsts = order[starts]  # each learner's first try in each group
    shares = _option_counts(group[firsts], a.choices[firsts], n_groups)
    widths = np.zeros(n_groups, dtype=np.int64)
    np.bitwise_or.at(widths, group, a.choices)
    discrimination = _discrimination(a, group, firsts, n_groups)
    seconds = _median_seconds(a, group, columns, n_groups)
    items = []
    for index, pair in enumerate(pairs.tolist()):
        key, wording = a.checks[pair // len(a.wordings)], a.wordings[pair % len(a.wordings)]
        check = curriculum.find_check(key) if curriculum is not None else None
        current = check is not None and wording == wording_of_check(check)
        step = steps.get((key, wording))
        if current and check is not None:
            question, options = check.question, tuple(o.text for o in check.options)
            right_options = check.correct_indices
        elif step is not None:
            question, options = str(step["question"]), tuple(str(o["text"]) for o in step["options"])
            right_options = frozenset(i for i, o in enumerate(step["options"]) if o["correct"])
        else:
            question, options, right_options = "", tuple("" for _ in range(int(widths[index]).bit_length())), frozenset()
        n = int(learners[index])
        counts = [int(shares[index, i]) if i < shares.shape[1] else 0 for i in range(len(options))]
        r, r_learners = discrimination[index]
        items.append(
            ItemStats(
                check_key=key,
                wording=wording,
                current=current,
                question=question,
                options=options,
                correct_options=right_options,
                attempts=int(attempts[index]),
                learners=n,
                first_try_rate=int(first_right[index]) / n if n else None,
                final_rate=int(final_right[index]) / n if n else None,
                option_shares=tuple(c / n for c in counts) if n else tuple(0.0 for _ in counts),
                discrimination=r,
                discrimination_learners=r_learners,
                median_seconds=seconds.get(index),
                recall=tuple(
                    Recall(name, int(found[index]), int(yes[index]) / int(found[index]) if found[index] else None)
                    for (name, _, _), (found, yes) in zip(RECALL_WINDOWS, recalls, strict=True)
                ),
            )
        )
    return tuple(sorted(items, key=lambda i: (i.check_key, i.wording)))


def _option_counts(group: Ints, choices: Ints, n_groups: int) -> npt.NDArray[np.int64]:
    """Per group, how many of these answers chose each option (a column per option)."""
    width = int(choices.max()).bit_length() if len(choices) else 0
    counts = np.zeros((n_groups, width), dtype=np.int64)
    for option in range(width):
        counts[:, option] = np.bincount(group, weights=(choices >> option) & 1, minlength=n_groups)
    return counts


def _discrimination(a: AnswerColumns, group: Ints, firsts: Ints, n_groups: int) -> list[tuple[float | None, int]]:
    """Per group: the point-biserial correlation of its first tries with each learner's rest-score
    (their share right at the first try on every other check, in any wording), and its learners."""
    learner_index = np.unique(a.learner, return_inverse=True)[1]
    order, starts = _runs(learner_index, a.check)  # each learner's first try at each check, in any wording
    first_of_run = order[starts][np.cumsum(starts) - 1]
    first_right = np.empty(len(a), dtype=np.bool_)
    first_right[order] = a.correct[first_of_run]
    checks_answered = np.bincount(learner_index[order[starts]])
    checks_right = np.bincount(learner_index[order[starts]], weights=a.correct[order[starts]])
    answered = checks_answered[learner_index[firsts]]
    kept = firsts[answered > 1]
    others = checks_answered[learner_index[kept]] - 1
    rest = (checks_right[learner_index[kept]] - first_right[kept]) / others
    right = a.correct[kept].astype(np.float64)
    g = group[kept]
    n = np.bincount(g, minlength=n_groups)
    k = np.bincount(g, weights=right, minlength=n_groups)
    total = np.bincount(g, weights=rest, minlength=n_groups)
    squares = np.bincount(g, weights=rest * rest, minlength=n_groups)
    of_right = np.bincount(g, weights=rest * right, minlength=n_groups)
    low = np.full(n_groups, np.inf)
    high = np.full(n_groups, -np.inf)
    np.minimum.at(low, g, rest)
    np.maximum.at(high, g, rest)
    found: list[tuple[float | None, int]] = []
    for i in range(n_groups):
        count = int(n[i])
        found.append((_point_biserial_of_sums(count, k[i], total[i], squares[i], of_right[i], high[i] > low[i]), count))
    return found


def _point_biserial_of_sums(n: int, right: float, total: float, squares: float, of_right: float, varies: bool) -> float | None:
    """point_biserial from the sums: n, the right answers, and the scores' sum, sum of squares and
    sum over the right answers; None when either does not vary, as there."""
    if n < 2 or right in (0, n) or not varies:
        return None
    mean = total / n
    sd = math.sqrt(max(squares / n - mean * mean, 0.0))
    if sd == 0:
        return None
    p = right / n
    return (of_right / right - (total - of_right) / (n - right)) / sd * math.sqrt(p * (1 - p))


def _median_seconds(a: AnswerColumns, group: Ints, columns: ReviewColumns, n_groups: int) -> dict[int, float]:
    """Per group, the median of its answers' times minus the previous event of their session (its
    start, a card shown, an answer before), in seconds."""
    asked = a.session != NONE
    if not asked.any():
        return {}
    views_session, views_at = columns.card_views
    sessions = columns.sessions
    # Every mark of every session (the answers among them), by session and time: an answer's
    # previous mark is the one before the first mark of its session at its instant.
    answer_index = np.flatnonzero(asked)
    mark_session = np.concatenate([a.session[answer_index], views_session, sessions.id])
    mark_at = np.concatenate([a.at[answer_index], views_at, sessions.started])
    order = np.lexsort((mark_at, mark_session))
    mark_session, mark_at = mark_session[order], mark_at[order]
    same = np.zeros(len(order), dtype=np.bool_)
    same[1:] = (mark_session[1:] == mark_session[:-1]) & (mark_at[1:] == mark_at[:-1])
    first_of_instant = np.flatnonzero(~same)[np.cumsum(~same) - 1]
    where = np.empty(len(order), dtype=np.int64)
    where[order] = np.arange(len(order))
    at_answer = where[: len(answer_index)]  # each answer's place among the sorted marks
    before = first_of_instant[at_answer] - 1
    found = (before >= 0) & (mark_session[np.maximum(before, 0)] == a.session[answer_index])
    seconds = (a.at[answer_index][found] - mark_at[before[found]]) / 1e6
    g = group[answer_index][found]
    order = np.lexsort((seconds, g))
    g, seconds = g[order], seconds[order]
    bounds = np.searchsorted(g, np.arange(n_groups + 1))
    medians: dict[int, float] = {}
    for index in range(n_groups):
        low, high = int(bounds[index]), int(bounds[index + 1])
        if high > low:
            middle = low + (high - low) // 2
            medians[index] = float(seconds[middle]) if (high - low) % 2 else float((seconds[middle - 1] + seconds[middle]) / 2)
    return medians


def _skills_of(key: str, steps: Steps, curriculum: Curriculum | None) -> tuple[str, ...]:
    """The content's skills of a check, else those of a step that showed it."""
    if curriculum is not None:
        lesson = curriculum.lessons.get(key.rpartition(":")[0])
        if lesson is not None:
            return lesson.skills
    for (shown_key, _), step in sorted(steps.items()):
        if shown_key == key and step.get("skills"):
            return tuple(step["skills"])
    return ()


def _skills(a: AnswerColumns, steps: Steps, curriculum: Curriculum | None, model: MasteryModel) -> tuple[SkillCurve, ...]:
    """Each re-check (an answer to a check the learner answered before, in any wording) with FSRS's
    predicted retrievability just before it, replaying the learner's answers to that check as the
    bot did."""
    if not len(a):
        return ()
    learner_index = np.unique(a.learner, return_inverse=True)[1]
    order, starts = _runs(learner_index, a.check)
    at, right, check = a.at[order], a.correct[order], a.check[order]
    days = _days(at, starts)
    whole = np.zeros(len(order), dtype=np.int64)
    whole[1:] = (at[1:] - at[:-1]) // 86_400_000_000  # timedelta.days
    whole[starts] = 0
    run_start = np.flatnonzero(starts)[np.cumsum(starts) - 1]
    level = np.arange(len(order)) - run_start  # the answer's place in its history, from 0
    days_span = int(whole.max()) + 1
    state = np.zeros(len(order), dtype=np.int64)
    predicted = np.zeros(len(order))
    replay = _Replay(model)
    by_level = np.argsort(level, kind="stable")
    bounds = np.searchsorted(level[by_level], np.arange(int(level.max()) + 2))
    for depth in range(len(bounds) - 1):
        rows = by_level[bounds[depth] : bounds[depth + 1]]
        if depth == 0:
            state[rows] = np.where(right[rows], replay.review(None, True, 0), replay.review(None, False, 0))
            continue
        # (state, whole days) and (state, right, whole days) as one integer each: one np.unique.
        recall_key = state[rows - 1] * days_span + whole[rows]
        recall_keys, recall_index = np.unique(recall_key, return_inverse=True)
        recalls = np.array([replay.recall(int(k // days_span), int(k % days_span)) for k in recall_keys.tolist()])
        predicted[rows] = recalls[recall_index.ravel()]
        review_keys, review_index = np.unique(recall_key * 2 + right[rows], return_inverse=True)
        states = np.array(
            [replay.review(int(k // 2 // days_span), bool(k % 2), int(k // 2 % days_span)) for k in review_keys.tolist()], dtype=np.int64
        )
        state[rows] = states[review_index.ravel()]
    rechecks = ~starts
    if not rechecks.any():
        return ()
    day = np.maximum(np.rint(days[rechecks]).astype(np.int64), 0)  # round(): halves to even
    week_low, week_high = next((low, high) for name, low, high in RECALL_WINDOWS if name == "7d")
    in_week = (days[rechecks] >= week_low) & (days[rechecks] < week_high)
    check, right, predicted = check[rechecks], right[rechecks], predicted[rechecks]
    # Per (check, day): re-checks, recalled, predicted in sum; then each check's into its skills.
    day_span = int(day.max()) + 1
    cells, cell = np.unique(check * day_span + day, return_inverse=True)
    cell = cell.ravel()
    counts = np.bincount(cell, minlength=len(cells))
    recalled = np.bincount(cell, weights=right, minlength=len(cells))
    expected = np.bincount(cell, weights=predicted, minlength=len(cells))
    by_skill: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0, 0.0]))
    week: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    skills_of = {code: _skills_of(key, steps, curriculum) for code, key in enumerate(a.checks)}
    for index, (code, whole_days) in enumerate(divmod(c, day_span) for c in cells.tolist()):
        for skill in skills_of[code]:
            sums = by_skill[skill][whole_days]
            sums[0] += int(counts[index])
            sums[1] += float(recalled[index])
            sums[2] += float(expected[index])
    week_codes = check[in_week]
    for code in np.unique(week_codes).tolist():
        mine = week_codes == code
        for skill in skills_of[code]:
            sums = week[skill]
            sums[0] += int(mine.sum())
            sums[1] += float(right[in_week][mine].sum())
            sums[2] += float(predicted[in_week][mine].sum())
    curves = []
    for skill, days_of in sorted(by_skill.items()):
        points = tuple(CurvePoint(d, int(n), r / n, p / n) for d, (n, r, p) in sorted(days_of.items()))
        n_week, r_week, p_week = week.get(skill, [0, 0.0, 0.0])
        curves.append(
            SkillCurve(
                skill=skill,
                points=points,
                rechecks=sum(p.rechecks for p in points),
                calibration_error=calibration_error(points),
                week_rechecks=int(n_week),
                week_observed=r_week / n_week if n_week else None,
                week_predicted=p_week / n_week if n_week else None,
            )
        )
    return tuple(curves)


class _Replay:
    """FSRS's replay of a learner's answers to a check, shared between histories that are the same
    to FSRS. The scheduler counts whole days: the card after a history of answers depends only on
    each answer's rating and the whole days since the one before, and its retrievability on the
    whole days since the last. So each distinct history (a state, numbered) is replayed once, on a
    timeline of whole days, through the model's own review and recall: the figures are the ones
    the bot's replay gives, at a fraction of the calls."""

    START = datetime(2000, 1, 1, tzinfo=UTC)

    def __init__(self, model: MasteryModel) -> None:
        self._model = model
        self._states: dict[tuple[int | None, bool, int], int] = {}
        self._cards: list[tuple[str, datetime]] = []  # state -> (card, when its last review was, on the timeline)
        self._recalls: dict[tuple[int, int], float] = {}

    def review(self, state: int | None, correct: bool, days: int) -> int:
        """The state after an answer `days` whole days after the previous one (state None: the first)."""
        key = (state, correct, days)
        found = self._states.get(key)
        if found is None:
            card, at = self._cards[state] if state is not None else (None, self.START)
            at += timedelta(days=days)
            found = self._states[key] = len(self._cards)
            self._cards.append((self._model.review(card, correct=correct, at=at).card_json, at))
        return found

    def recall(self, state: int, days: int) -> float:
        """FSRS's retrievability `days` whole days after the state's last review."""
        key = (state, days)
        found = self._recalls.get(key)
        if found is None:
            card, at = self._cards[state]
            found = self._recalls[key] = self._model.recall(card, at + timedelta(days=days))
        return found


def _lessons(sessions: SessionColumns, now: datetime) -> tuple[LessonStats, ...]:
    found = []
    stale = microseconds(now) - sessions.updated >= STOPPED_AFTER // MICROSECOND
    for code, lesson_id in sorted(enumerate(sessions.lessons), key=lambda pair: pair[1]):
        mine = sessions.lesson == code
        done = mine & sessions.completed
        still = mine & sessions.active
        stopped_here = still & stale
        steps_reached, stopped = np.unique(sessions.position[stopped_here] + 1, return_counts=True)
        timed = done & (sessions.completed_at != NONE)
        minutes = np.sort((sessions.completed_at[timed] - sessions.started[timed]) / 1e6 / 60)
        found.append(
            LessonStats(
                lesson_id=lesson_id,
                started=int(mine.sum()),
                completed=int(done.sum()),
                in_progress=int(still.sum()) - int(stopped_here.sum()),
                stopped_at=tuple(zip(steps_reached.tolist(), stopped.tolist(), strict=True)),
                median_minutes=float(median(minutes.tolist())) if len(minutes) else None,
            )
        )
    return tuple(found)


def _share(values: Iterable[bool]) -> float | None:
    seen = list(values)
    return sum(seen) / len(seen) if seen else None


# --- findings -------------------------------------------------------------------------------
def findings(result: Review, curriculum: Curriculum, t: Translator = SOURCE) -> list[Finding]:
    """What an author should look at, at the check's own line (a skill's in skills.yml), each
    with its figure, the threshold and the sample; only where the sample is large enough. `t`:
    the reader's language (`content review` keeps English; the L&D page passes the viewer's)."""
    found: list[Finding] = []
    for lesson in curriculum.lessons_in_order():
        for check in lesson.checks:
            item = result.current(check.key)
            if item is not None:
                found += [Finding(check.source.path, check.source.line, m) for m in item_findings(item, t)]
    for curve in result.skills:
        skill = curriculum.skills.get(curve.skill)
        message = skill_finding(curve, t)
        if skill is not None and message is not None:
            found.append(Finding(skill.source.path, skill.source.line, message))
    return sorted(found, key=lambda f: (str(f.path), f.line, f.message))


def item_findings(item: ItemStats, t: Translator = SOURCE) -> list[str]:
    messages: list[str] = []
    n = item.learners
    rate = item.first_try_rate
    if rate is not None and n >= MIN_LEARNERS and rate < TOO_HARD:
        said = t.gettext("too hard: {rate} right at the first try (threshold: below {threshold}; {n} learners)")
        messages.append(said.format(rate=t.percent(rate), threshold=t.percent(TOO_HARD), n=n))
    if rate is not None and n >= MIN_LEARNERS_TOO_EASY and rate > TOO_EASY:
        said = t.gettext("too easy: {rate} right at the first try (threshold: above {threshold}; {n} learners)")
        messages.append(said.format(rate=t.percent(rate), threshold=t.percent(TOO_EASY), n=n))
    if n >= MIN_LEARNERS and item.correct_options and item.option_shares:
        right = max(item.option_shares[i] for i in item.correct_options if i < len(item.option_shares))
        wrong = [i for i in range(len(item.option_shares)) if i not in item.correct_options]
        if wrong:
            magnet = max(wrong, key=lambda i: (item.option_shares[i], -i))
            if item.option_shares[magnet] > right:
                said = t.gettext(
                    'distractor: option {number} "{option}" chosen by {share} at the first try, more than the right answer '
                    "({right}) (threshold: more than the right answer; {n} learners)"
                )
                share = t.percent(item.option_shares[magnet])
                messages.append(said.format(number=magnet + 1, option=item.options[magnet], share=share, right=t.percent(right), n=n))
    r = item.discrimination
    if r is not None and item.discrimination_learners >= MIN_LEARNERS_DISCRIMINATION and r < LOW_DISCRIMINATION:
        said = t.gettext("does not tell strong learners from weak: discrimination {r} (threshold: below {threshold}; {n} learners)")
        messages.append(said.format(r=t.decimal(r), threshold=t.decimal(LOW_DISCRIMINATION), n=item.discrimination_learners))
    return messages


def skill_finding(curve: SkillCurve, t: Translator = SOURCE) -> str | None:
    observed, predicted, n = curve.week_observed, curve.week_predicted, curve.week_rechecks
    if observed is None or predicted is None or n < MIN_RECHECKS:
        return None
    gap = predicted - observed
    error = math.sqrt(max(predicted * (1 - predicted), 1e-9) / n)
    if gap < FAR_BELOW or gap <= 2 * error:
        return None
    said = t.gettext(
        'skill "{skill}" is forgotten faster than predicted: {observed} recalled about 7 days after the last review, '
        "FSRS predicted {predicted} (threshold: {points} points below and beyond chance; {n} re-checks)"
    )
    return said.format(skill=curve.skill, observed=t.percent(observed), predicted=t.percent(predicted), points=round(FAR_BELOW * 100), n=n)


# --- the full table -------------------------------------------------------------------------
RECALL_COLUMNS = tuple(f"recall_{name}" for name, _, _ in RECALL_WINDOWS)


def item_table(result: Review, curriculum: Curriculum | None) -> list[list[object]]:
    """Every check in every wording, a row each (header first): the CSV of `content review`."""
    width = max((len(i.options) for i in result.items), default=0)
    header: list[object] = [
        "check",
        "path",
        "line",
        "wording",
        "current",
        "question",
        "attempts",
        "learners",
        "first_try_correct",
        "final_correct",
        "discrimination",
        "discrimination_learners",
        "median_seconds_to_answer",
    ]
    for name in RECALL_COLUMNS:
        header += [name, f"{name}_rechecks"]
    header += [f"option_{n + 1}_share" for n in range(width)]
    header += ["right_options"]
    rows: list[list[object]] = [header]
    for item in result.items:
        check = curriculum.find_check(item.check_key) if curriculum is not None else None
        row: list[object] = [
            item.check_key,
            str(check.source.path) if check else "",
            check.source.line if check else "",
            item.wording,
            "yes" if item.current else "no",
            item.question,
            item.attempts,
            item.learners,
            _figure(item.first_try_rate),
            _figure(item.final_rate),
            _figure(item.discrimination),
            item.discrimination_learners,
            _figure(item.median_seconds, 1),
        ]
        for recall in item.recall:
            row += [_figure(recall.rate), recall.rechecks]
        shares = [_figure(s) for s in item.option_shares]
        row += shares + [""] * (width - len(shares))
        row += [" ".join(str(i + 1) for i in sorted(item.correct_options))]
        rows.append(row)
    return rows


def _figure(value: float | None, digits: int = 3) -> object:
    return "" if value is None else round(value, digits)
