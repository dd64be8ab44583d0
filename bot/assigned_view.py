"""What a learner sees of what is assigned to them (issue 15 point 3): at the top of /path, what is
assigned and not met yet, the most urgent first, who assigned it and when it is due in words; the
line the daily offer and the next-step offer add when their lesson moves an assignment forward.

The rules (what counts, what is met, which lesson moves it forward) are bot/assignments.py's; this
module reads the learner's assignments once a turn (`Turn.assignments`) and words them. A learner
with nothing assigned pays one indexed query and nothing more: the awards and the names of who
assigned are read only when something is assigned."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot.assignments import ROLE_PREFIX, Due, Origin, current, local_date, next_lesson_toward, open_assignments
from bot.i18n import N_, SOURCE, Translator
from bot.markup import literal
from bot.records import Assignment, Award
from bot.turn import Turn
from bot.vocabulary import Target
from content.model import Curriculum, Lesson

HEAD = N_("**Assigned to you**")
ALL_MET = N_("✅ Everything assigned to you is done.")


@dataclass(frozen=True)
class Assigned:
    """The learner's assignments at this turn's moment: those still to meet (most urgent first)
    and whether anything counts at all (met or not)."""

    open: tuple[Due, ...]
    counting: bool
    toward: tuple[Lesson, Due] | None = None  # the lesson that moves the most urgent one forward

    @property
    def free_to_choose(self) -> bool:
        """Nothing assigned, everything assigned met, or no lesson left to take toward what is
        open (its lessons done, mastery still to show on re-checks): any unlocked lesson may be
        chosen."""
        return self.toward is None


async def assignments(turn: Turn) -> list[Assignment]:
    """The learner's assignments, withdrawn ones too, read once a turn (one indexed query)."""
    if turn.assignments is None:
        turn.assignments = await turn.tx.assignments.of(turn.learner.id)
    return turn.assignments


async def assigned(
    turn: Turn, curriculum: Curriculum, *, completed: Collection[str], awards: list[Award] | None = None, names: bool = False
) -> Assigned:
    """What is assigned to the learner now. `awards`: the learner's, when the caller read them
    already (they are read here only when something is assigned). `names`: look up who assigned
    each open one (a query for each person), for where it is shown."""
    found = await assignments(turn)
    if not found:
        return Assigned((), counting=False)
    if not current(found, turn.now):
        return Assigned((), counting=False)
    if awards is None:
        awards = await turn.tx.awards.of(turn.learner.id)
    due = open_assignments(curriculum, found, awards=awards, completed=completed, now=turn.now, timezone=turn.learner.timezone)
    if names:
        due = await _with_names(turn, due)
    return Assigned(tuple(due), counting=True, toward=next_lesson_toward(curriculum, due, completed) if due else None)


async def next_toward(
    turn: Turn, curriculum: Curriculum, *, completed: Collection[str], awards: list[Award] | None = None
) -> tuple[Lesson, Due] | None:
    """The lesson that moves the most urgent open assignment forward, and that assignment."""
    return (await assigned(turn, curriculum, completed=completed, awards=awards)).toward


async def _with_names(turn: Turn, due: Sequence[Due]) -> list[Due]:
    names: dict[int, str] = {}
    for person in {d.assignment.assigned_by for d in due if d.assignment.assigned_by is not None}:
        if person == turn.learner.id:
            names[person] = turn.learner.display_name
            continue
        learner = await turn.tx.learners.by_id(person)
        if learner is not None and not learner.left and learner.display_name.strip():
            names[person] = learner.display_name
    return [replace(d, by=names.get(d.assignment.assigned_by or 0)) for d in due]


# --- wording ---------------------------------------------------------------------------------------
def due_words(due_on: date, today: date, t: Translator = SOURCE) -> str:
    """`Fri 13 Mar (in 11 days)`, `Mon 2 Mar (today)`, `Fri 27 Feb (overdue by 3 days)`; the year
    only when it is not this one. `due_on` is a day in the learner's timezone, as is `today`."""
    day = t.day_month(due_on, with_year=due_on.year != today.year)
    days = (due_on - today).days
    if days == 0:
        return t.gettext("{day} (today)").format(day=day)
    if days == 1:
        return t.gettext("{day} (tomorrow)").format(day=day)
    if days > 1:
        return t.ngettext("{day} (in {days} day)", "{day} (in {days} days)", days).format(day=day, days=days)
    return t.ngettext("{day} (overdue by {days} day)", "{day} (overdue by {days} days)", -days).format(day=day, days=-days)


def source(due: Due, curriculum: Curriculum, t: Translator = SOURCE) -> str:
    """Who or what assigned it, as the learner reads it. A person's name is plain text."""
    origin = due.assignment.origin
    if origin == Origin.RECERTIFICATION:
        return t.gettext("recertification: renew it before it expires")
    if origin.startswith(ROLE_PREFIX):
        role_id = origin.removeprefix(ROLE_PREFIX)
        role = curriculum.roles.get(role_id)
        return t.gettext("from your role {role}").format(role=role.title if role is not None else role_id)
    if due.by:
        return t.gettext("from {name}").format(name=literal(" ".join(due.by.split())))
    if origin == Origin.MANAGER:
        return t.gettext("from your manager")
    return t.gettext("from L&D")  # L&D's spreadsheet, the dashboard, or someone who has left since


def _kind(due: Due, curriculum: Curriculum, t: Translator) -> str:
    if due.assignment.target_kind is Target.PATHWAY:
        return t.gettext("pathway")
    definition = curriculum.credentials.get(due.assignment.target_id)
    if definition is None:
        return t.gettext("credential")
    return t.gettext("certificate") if definition.kind.value == "certificate" else t.gettext("badge")


def lines(found: Assigned, curriculum: Curriculum, turn: Turn) -> list[str]:
    """The top of /path: a heading and one line per open assignment, the most urgent first; a
    short line when everything assigned is done; nothing when nothing is assigned."""
    if not found.counting:
        return []
    t = turn.t
    if not found.open:
        return [t.gettext(HEAD), t.gettext(ALL_MET)]
    today = local_date(turn.now, turn.learner.timezone)
    shown = [t.gettext(HEAD)]
    for due in found.open:
        mark = "⚠️" if due.overdue else "📌"
        when = due_words(due.assignment.due_on, today, t)
        line = t.gettext("**{title}** ({kind}): due {when} · {source}").format(
            title=due.title, kind=_kind(due, curriculum, t), when=when, source=source(due, curriculum, t)
        )
        shown.append(f"{mark} {line}")
    return shown


def offer_line(due: Due, turn: Turn) -> str:
    """What an offer adds when its lesson moves an assignment forward."""
    t = turn.t
    when = due_words(due.assignment.due_on, local_date(turn.now, turn.learner.timezone), t)
    mark = "⚠️" if due.overdue else "📌"
    return mark + " " + t.gettext("Assigned: **{title}**, due {when}.").format(title=due.title, when=when)
