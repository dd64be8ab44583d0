"""`run_bot.py report`: the programme's numbers for L&D, for a date range [start, end).

Active learners, retention week over week, lessons and pathways completed, credential
completers and the median time to a credential, and where learners drift (the last lesson
of learners who have not learned for two weeks). Pure: computed from the event trail."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.vocabulary import LEARNING, EventKind
from content.model import Curriculum

DRIFT_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class Event:
    learner_id: int
    kind: str
    at: datetime
    lesson_id: str | None = None
    credential: str | None = None


@dataclass(frozen=True)
class Report:
    start: datetime
    end: datetime
    active_learners: int
    weekly: tuple[tuple[str, int, float | None], ...]  # ISO week, active, share also active the next week
    lessons_completed: int
    lesson_completers: int
    pathway_completers: dict[str, int]
    credential_completers: dict[str, int]
    median_days_to_credential: float | None
    drifted_after: dict[str, int]  # last lesson done -> learners inactive for DRIFT_AFTER

    def rows(self) -> list[tuple[str, str]]:
        """(metric, value) rows, for the terminal and for CSV."""
        rows = [
            ("period", f"{self.start:%Y-%m-%d} to {self.end - timedelta(days=1):%Y-%m-%d}"),
            ("active learners", str(self.active_learners)),
            ("lessons completed", str(self.lessons_completed)),
            ("learners who completed a lesson", str(self.lesson_completers)),
        ]
        rows += [
            (f"active in week {week}", f"{active}" + (f" ({share:.0%} also active the week after)" if share is not None else ""))
            for week, active, share in self.weekly
        ]
        rows += [(f"completed pathway: {name}", str(n)) for name, n in sorted(self.pathway_completers.items())]
        rows += [(f"earned: {name}", str(n)) for name, n in sorted(self.credential_completers.items())]
        rows.append(
            (
                "median days to a credential",
                f"{self.median_days_to_credential:.1f}" if self.median_days_to_credential is not None else "none earned",
            )
        )
        rows += [(f"stopped after lesson: {lesson}", str(n)) for lesson, n in self.drifted_after.items()]
        return rows


def build_report(events: list[Event], curriculum: Curriculum, start: datetime, end: datetime) -> Report:
    """`events`: everything before `end`, oldest first."""
    in_range = [e for e in events if start <= e.at < end]
    learning = [e for e in in_range if e.kind in LEARNING]
    weeks: dict[str, set[int]] = defaultdict(set)
    for e in learning:
        year, week, _ = e.at.isocalendar()
        weeks[f"{year}-W{week:02d}"].add(e.learner_id)
    ordered = sorted(weeks)
    weekly = tuple(
        (
            week,
            len(weeks[week]),
            len(weeks[week] & weeks[ordered[i + 1]]) / len(weeks[week]) if i + 1 < len(ordered) and weeks[week] else None,
        )
        for i, week in enumerate(ordered)
    )
    completions = [e for e in in_range if e.kind == EventKind.LESSON_COMPLETED]
    done_by: dict[int, set[str]] = defaultdict(set)
    last_done_at: dict[int, datetime] = {}
    for e in events:
        if e.kind == EventKind.LESSON_COMPLETED and e.lesson_id:
            done_by[e.learner_id].add(e.lesson_id)
            last_done_at[e.learner_id] = e.at
    pathway_completers = {
        pathway.title: sum(1 for learner, done in done_by.items() if set(pathway.lessons) <= done and start <= last_done_at[learner] < end)
        for pathway in curriculum.pathways
    }
    first_seen: dict[int, datetime] = {}
    for e in events:
        first_seen.setdefault(e.learner_id, e.at)
    awards = [e for e in in_range if e.kind == EventKind.AWARDED and e.credential]
    credential_completers: Counter[str] = Counter()
    for credential, learners in _by_credential(awards).items():
        definition = curriculum.credentials.get(credential)
        credential_completers[definition.title if definition else credential] = len(learners)
    days = [(e.at - first_seen[e.learner_id]).total_seconds() / 86400 for e in awards]
    last_learning: dict[int, datetime] = {}
    last_lesson: dict[int, str] = {}
    for e in events:
        if e.kind in LEARNING:
            last_learning[e.learner_id] = e.at
        if e.kind == EventKind.LESSON_COMPLETED and e.lesson_id:
            last_lesson[e.learner_id] = e.lesson_id
    drifted: Counter[str] = Counter()
    for learner, lesson_id in last_lesson.items():
        if end - last_learning[learner] >= DRIFT_AFTER and not _finished_everything(done_by[learner], curriculum):
            lesson = curriculum.lessons.get(lesson_id)
            drifted[lesson.title if lesson else lesson_id] += 1
    return Report(
        start=start,
        end=end,
        active_learners=len({e.learner_id for e in learning}),
        weekly=weekly,
        lessons_completed=len(completions),
        lesson_completers=len({e.learner_id for e in completions}),
        pathway_completers=pathway_completers,
        credential_completers=dict(credential_completers),
        median_days_to_credential=statistics.median(days) if days else None,
        drifted_after=dict(drifted.most_common()),
    )


def _by_credential(awards: list[Event]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = defaultdict(set)
    for e in awards:
        found[str(e.credential)].add(e.learner_id)
    return found


def _finished_everything(done: set[str], curriculum: Curriculum) -> bool:
    return set(curriculum.lessons) <= done
