"""Item analytics: which checks work, how each skill is forgotten, where learners stop a lesson.

Pure functions over the plain records of bot/analytics_records.py (the store's bulk read); the
command `content review` (adapters/cli/review.py) prints `findings` at the check's own
`path:line`, and a dashboard page may show the same values.

**A check's history and its wording.** A check is named by its key (`<lesson-id>:<n>`), which
stays when its text is edited: the learner's memory of it carries over. Its *statistics* must
not: a rewritten question is another question. So every answer is tied to the wording it was
given in, `wording_hash(question, options)`: the first 16 hex digits of the SHA-256 of the
question and each option's text and whether it is right (surrounding spaces ignored; the
explanation is not part of it, since learners answer before they read it). Answers record it in
their payload (`"wording"`, bot/flow.py) from issue 16 on; for older answers it is derived from
the snapshot of the step the learner was shown (learning_sessions.steps, found by the answer's
session and check key), and an answer with neither is kept under the wording "" (unknown). The
figures of a check are those of its *current* wording (the content's, as loaded now): changing
the question, an option, or which option is right starts a fresh history; the old one is kept
apart (its own rows in the CSV, `current` false) and never mixed in, nor reported as a finding.

**Discrimination** is the point-biserial correlation between getting this check right at the
first try and the learner's *rest-score*: their share right at the first try on every other check
they answered (this one left out). Not the skill's mastery (BKT P(known)): it is updated by this
very answer (which would inflate the figure), and it decays with the days since the learner last
practised, so it measures how recently someone learned rather than how well. Not a rest-score on
the skill's checks alone either: a skill has two or three checks here, too few to rank learners.
"""

from __future__ import annotations

import hashlib
import json
import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

from bot.analytics_records import AnalyticsRecord, AnswerRecord, SessionRecord
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
from bot.vocabulary import SessionKind, SessionStatus
from content.model import Check, Curriculum

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
def review(record: AnalyticsRecord, curriculum: Curriculum | None, *, now: datetime, model: MasteryModel | None = None) -> Review:
    """Every figure, from the store's bulk read and the content as loaded now."""
    sessions = {s.id: s for s in record.sessions}
    shown, steps = _wordings_shown(record.sessions)
    answers = sorted(record.answers, key=lambda a: (a.at, a.id))
    none: dict[str, str] = {}
    worded = [
        (a, a.wording or ("" if a.session_id is None else shown.get(a.session_id, none).get(a.check_key, "")))  # as _wording
        for a in answers
    ]
    return Review(
        items=_items(worded, sessions, record.card_views, steps, curriculum),
        skills=_skills(answers, sessions, curriculum, model or MasteryModel()),
        lessons=_lessons(record.sessions, now),
    )


def _wording(answer: AnswerRecord, shown: dict[int, dict[str, str]]) -> str:
    """The answer's own record of its wording, else its session's snapshot's, else "" (unknown)."""
    if answer.wording:
        return answer.wording
    if answer.session_id is None:
        return ""
    return shown.get(answer.session_id, {}).get(answer.check_key, "")


def _wordings_shown(
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


def _items(
    worded: list[tuple[AnswerRecord, str]],
    sessions: dict[int, SessionRecord],
    card_views: list[tuple[int, datetime]],
    steps: dict[tuple[str, str], dict[str, Any]],
    curriculum: Curriculum | None,
) -> tuple[ItemStats, ...]:
    groups: dict[tuple[str, str], list[AnswerRecord]] = defaultdict(list)
    for answer, wording in worded:
        groups[(answer.check_key, wording)].append(answer)
    # First tries of every learner at every check (in any wording): the rest-scores.
    first_by_learner: dict[int, dict[str, bool]] = defaultdict(dict)
    for answer, _ in worded:
        first_by_learner[answer.learner_id].setdefault(answer.check_key, answer.correct)
    first_totals = {learner: (sum(firsts.values()), len(firsts)) for learner, firsts in first_by_learner.items()}
    seconds = _answer_seconds([a for a, _ in worded], sessions, card_views)
    items = []
    for (key, wording), group in sorted(groups.items()):
        check = curriculum.find_check(key) if curriculum is not None else None
        current = check is not None and wording == wording_of_check(check)
        step = steps.get((key, wording))
        if current and check is not None:
            question, options = check.question, tuple(o.text for o in check.options)
            right = check.correct_indices
        elif step is not None:
            question, options = str(step["question"]), tuple(str(o["text"]) for o in step["options"])
            right = frozenset(i for i, o in enumerate(step["options"]) if o["correct"])
        else:
            width = max((max(a.choices, default=-1) for a in group), default=-1) + 1
            question, options, right = "", tuple("" for _ in range(width)), frozenset()
        items.append(_item(key, wording, current, question, options, right, group, first_by_learner, first_totals, seconds))
    return tuple(items)


def _item(
    key: str,
    wording: str,
    current: bool,
    question: str,
    options: tuple[str, ...],
    right: frozenset[int],
    group: list[AnswerRecord],
    first_by_learner: dict[int, dict[str, bool]],
    first_totals: dict[int, tuple[int, int]],
    seconds: dict[int, float],
) -> ItemStats:
    first: dict[int, AnswerRecord] = {}
    last: dict[int, AnswerRecord] = {}  # so far: the learner's previous answer, while going through
    recalls: dict[str, list[bool]] = defaultdict(list)
    for answer in group:
        learner = answer.learner_id
        before = last.get(learner)
        if before is None:
            first[learner] = answer
        else:
            days = (answer.at - before.at).total_seconds() / 86400
            for name, low, high in RECALL_WINDOWS:  # recall_window, inline: this runs for every answer
                if low <= days < high:
                    recalls[name].append(answer.correct)
                    break
        last[learner] = answer
    firsts = list(first.values())
    counts = [0] * len(options)
    for answer in firsts:
        for choice in answer.choices:
            if 0 <= choice < len(counts):
                counts[choice] += 1
    correct: list[bool] = []
    rests: list[float] = []
    for answer in firsts:
        total, answered = first_totals[answer.learner_id]
        if answered > 1:  # the other checks' first tries: this one's (in any wording) left out
            correct.append(answer.correct)
            rests.append((total - first_by_learner[answer.learner_id][key]) / (answered - 1))
    found = [seconds.get(a.id) for a in group]
    times = [t for t in found if t is not None]
    return ItemStats(
        check_key=key,
        wording=wording,
        current=current,
        question=question,
        options=options,
        correct_options=right,
        attempts=len(group),
        learners=len(first),
        first_try_rate=_share(a.correct for a in firsts),
        final_rate=_share(a.correct for a in last.values()),
        option_shares=tuple(c / len(firsts) for c in counts) if firsts else tuple(0.0 for _ in counts),
        discrimination=point_biserial(correct, rests),
        discrimination_learners=len(correct),
        median_seconds=median(times) if times else None,
        recall=tuple(Recall(name, len(recalls[name]), _share(recalls[name])) for name, _, _ in RECALL_WINDOWS),
    )


def _answer_seconds(
    answers: list[AnswerRecord], sessions: dict[int, SessionRecord], card_views: list[tuple[int, datetime]]
) -> dict[int, float]:
    """Per answer id: its time minus the previous event of its session (its start, a card shown,
    an answer before), in seconds."""
    marks: dict[int, list[datetime]] = defaultdict(list)
    for session_id, at in card_views:
        marks[session_id].append(at)
    for answer in answers:
        if answer.session_id is not None:
            marks[answer.session_id].append(answer.at)
    for session_id, session in sessions.items():
        marks[session_id].append(session.started_at)
    for times in marks.values():
        times.sort()
    found: dict[int, float] = {}
    for answer in answers:
        if answer.session_id is None:
            continue
        times = marks[answer.session_id]
        before = bisect_left(times, answer.at)  # the marks strictly before the answer
        if before:
            found[answer.id] = (answer.at - times[before - 1]).total_seconds()
    return found


def _skills_of(key: str, sessions: dict[int, SessionRecord], curriculum: Curriculum | None, session_id: int | None) -> tuple[str, ...]:
    if curriculum is not None:
        lesson = curriculum.lessons.get(key.rpartition(":")[0])
        if lesson is not None:
            return lesson.skills
    session = sessions.get(session_id) if session_id is not None else None
    if session is not None:
        for step in session.steps:
            if step.get("type") == "check" and step.get("key") == key:
                return tuple(step.get("skills", ()))
    return ()


def _skills(
    answers: list[AnswerRecord], sessions: dict[int, SessionRecord], curriculum: Curriculum | None, model: MasteryModel
) -> tuple[SkillCurve, ...]:
    """Each re-check (an answer to a check the learner answered before) with FSRS's predicted
    retrievability just before it, replaying the learner's answers to that check as the bot did."""
    replay = _Replay(model)
    cards: dict[tuple[int, str], tuple[int, datetime]] = {}  # (learner, check) -> (its history's state, last answer)
    skills_of: dict[str, tuple[str, ...]] = {}
    by_skill: dict[str, list[tuple[float, bool, float]]] = defaultdict(list)  # (days, recalled, predicted)
    for answer in answers:
        memory = (answer.learner_id, answer.check_key)
        held = cards.get(memory)
        if held is None:
            cards[memory] = (replay.review(None, answer.correct, 0), answer.at)
            continue
        state, last = held
        elapsed = answer.at - last
        whole = elapsed.days
        recheck = (elapsed.total_seconds() / 86400, answer.correct, replay.recall(state, whole))
        skills = skills_of.get(answer.check_key)
        if skills is None:
            skills = _skills_of(answer.check_key, sessions, curriculum, answer.session_id)
            if curriculum is not None and curriculum.lessons.get(answer.check_key.rpartition(":")[0]) is not None:
                skills_of[answer.check_key] = skills  # the content's, whatever the session
        for skill in skills:
            by_skill[skill].append(recheck)
        # Replayed even after a history's last answer: one look-up in the replay's states, cheaper
        # than counting every history's answers beforehand to leave it out.
        cards[memory] = (replay.review(state, answer.correct, whole), answer.at)
    curves = []
    for skill, rechecks in sorted(by_skill.items()):
        days: dict[int, list[tuple[bool, float]]] = defaultdict(list)
        week: list[tuple[bool, float]] = []
        for days_since, recalled, predicted in rechecks:
            days[max(round(days_since), 0)].append((recalled, predicted))
            if recall_window(days_since) == "7d":
                week.append((recalled, predicted))
        points = tuple(
            CurvePoint(day, len(found), sum(r for r, _ in found) / len(found), sum(p for _, p in found) / len(found))
            for day, found in sorted(days.items())
        )
        curves.append(
            SkillCurve(
                skill=skill,
                points=points,
                rechecks=len(rechecks),
                calibration_error=calibration_error(points),
                week_rechecks=len(week),
                week_observed=_share(r for r, _ in week),
                week_predicted=sum(p for _, p in week) / len(week) if week else None,
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


def _lessons(sessions: Iterable[SessionRecord], now: datetime) -> tuple[LessonStats, ...]:
    by_lesson: dict[str, list[SessionRecord]] = defaultdict(list)
    for session in sessions:
        if session.kind == SessionKind.LESSON and session.lesson_id:
            by_lesson[session.lesson_id].append(session)
    found = []
    for lesson_id, opened in sorted(by_lesson.items()):
        done = [s for s in opened if s.status == SessionStatus.COMPLETED]
        still = [s for s in opened if s.status == SessionStatus.ACTIVE]
        stopped: dict[int, int] = defaultdict(int)
        for session in still:
            if now - session.updated_at >= STOPPED_AFTER:
                stopped[session.position + 1] += 1
        minutes = [(s.completed_at - s.started_at).total_seconds() / 60 for s in done if s.completed_at is not None]
        found.append(
            LessonStats(
                lesson_id=lesson_id,
                started=len(opened),
                completed=len(done),
                in_progress=len(still) - sum(stopped.values()),
                stopped_at=tuple(sorted(stopped.items())),
                median_minutes=median(minutes) if minutes else None,
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
        messages.append(said.format(rate=_pct(rate), threshold=_pct(TOO_HARD), n=n))
    if rate is not None and n >= MIN_LEARNERS_TOO_EASY and rate > TOO_EASY:
        said = t.gettext("too easy: {rate} right at the first try (threshold: above {threshold}; {n} learners)")
        messages.append(said.format(rate=_pct(rate), threshold=_pct(TOO_EASY), n=n))
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
                share = _pct(item.option_shares[magnet])
                messages.append(said.format(number=magnet + 1, option=item.options[magnet], share=share, right=_pct(right), n=n))
    r = item.discrimination
    if r is not None and item.discrimination_learners >= MIN_LEARNERS_DISCRIMINATION and r < LOW_DISCRIMINATION:
        said = t.gettext("does not tell strong learners from weak: discrimination {r} (threshold: below {threshold}; {n} learners)")
        messages.append(said.format(r=f"{r:.2f}", threshold=f"{LOW_DISCRIMINATION:.2f}", n=item.discrimination_learners))
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
    return said.format(skill=curve.skill, observed=_pct(observed), predicted=_pct(predicted), points=round(FAR_BELOW * 100), n=n)


def _pct(share: float) -> str:
    return f"{round(share * 100)}%"


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
