"""Choosing a lesson from the map (issue 15 point 3): when nothing is assigned to the learner, or
everything assigned is done, /path offers "Choose a lesson", which lists the lessons they have
unlocked and not done as buttons; pressing one starts it.

What a press cannot do is said plainly, never done halfway:
- another lesson (or a re-check, a refresher) in progress: refused, with a Continue button. One
  thing at a time is what lets the next message resume exactly where the learner left off; a
  second session would leave the first one stranded, and dropping it would lose their answers.
- something assigned and not done, with a lesson left toward it: the assignment comes first (it is named with its due date),
  and Continue starts the lesson that moves it forward. A button from before it was assigned is
  refused the same way.
- a locked lesson (an old button, pressed after the content changed): what it needs first, with
  a button for the first of those that is open.
- a lesson done, or no longer in the content: said so, with the way back to the map."""

from __future__ import annotations

from collections.abc import Collection

from bot import actions, assigned_view, commands
from bot.flow import LessonFlow
from bot.i18n import N_, Translator
from bot.replies import Button, Reply, Text
from bot.turn import Turn
from content.model import Curriculum, Lesson

CHOOSE = N_("Choose a lesson")
LISTED = 12  # lesson buttons in one reply; more than that are chosen pathway by pathway first


def open_lessons(curriculum: Curriculum, completed: Collection[str], in_progress: str | None = None) -> list[Lesson]:
    """Lessons not done whose prerequisites are, in pathway order."""
    done = set(completed)
    return [
        lesson
        for lesson in curriculum.lessons_in_order()
        if lesson.id not in done and lesson.id != in_progress and all(r in done for r in lesson.requires)
    ]


def choose_button(t: Translator) -> Button:
    return actions.button(t.gettext(CHOOSE), actions.ChooseLesson(None))


def _back(t: Translator) -> Button:
    return actions.button(t.gettext("Show my pathway"), actions.RunCommand(commands.PATH.name))


def may_choose(curriculum: Curriculum, found: assigned_view.Assigned, completed: Collection[str], *, busy: bool) -> bool:
    """Whether /path offers "Choose a lesson": nothing open is assigned, nothing is in progress
    (`busy`: a session is), and there is a choice (two lessons open or more; with one, Continue
    starts it)."""
    return found.free_to_choose and not busy and len(open_lessons(curriculum, completed)) > 1


async def menu(turn: Turn, curriculum: Curriculum, flow: LessonFlow, pathway_id: str | None) -> list[Reply]:
    """The lessons to choose from: every open one, or when there are many, the pathways first
    (`pathway_id` None), then the open lessons of the pathway chosen."""
    completed = await turn.tx.sessions.completed_lessons(turn.learner.id)
    refused = await _refused(turn, curriculum, completed)
    if refused is not None:
        return refused
    t = turn.t
    head = f"**{t.gettext(CHOOSE)}**"
    lessons = open_lessons(curriculum, completed)
    if not lessons:
        return [await flow.next_step_offer(turn)]
    pathways = [p for p in curriculum.pathways if any(lesson.id in p.lessons for lesson in lessons)]
    if pathway_id is None and len(lessons) > LISTED and len(pathways) > 1:
        shown = [head, t.gettext("Nothing is assigned to you right now. First, which pathway?")]
        for each in pathways:
            count = sum(1 for lesson in lessons if lesson.id in each.lessons)
            shown.append(f"**{each.title}**: " + t.ngettext("{count} lesson open", "{count} lessons open", count).format(count=count))
        return [Text("\n".join(shown), tuple(actions.button(p.title, actions.ChooseLesson(p.id)) for p in pathways))]
    pathway = next((p for p in curriculum.pathways if p.id == pathway_id), None)
    if pathway is not None:
        lessons = [lesson for lesson in lessons if lesson.id in pathway.lessons]
    shown = [head, t.gettext("Nothing is assigned to you right now, so pick any lesson you have unlocked:")]
    if not lessons and pathway is not None:
        shown = [head, t.gettext("Nothing is open in **{pathway}** right now.").format(pathway=pathway.title)]
    heading = None
    for lesson in lessons[:LISTED]:
        where = curriculum.pathway_of(lesson.id)
        title = where.title if where is not None else t.gettext("Other lessons")
        if title != heading:
            shown += ["", f"**{title}**"]
            heading = title
        minutes = " (" + t.gettext("{minutes} min").format(minutes=lesson.minutes) + ")" if lesson.minutes else ""
        shown.append(f"○ {lesson.title}{minutes}")
    if len(lessons) > LISTED:
        more = t.gettext("And {count} more: they show here once you finish one of these.").format(count=len(lessons) - LISTED)
        shown += ["", more]
    buttons = tuple(actions.button(lesson.title, actions.StartLesson(lesson.id)) for lesson in lessons[:LISTED])
    return [Text("\n".join(shown), (*buttons, _back(t)))]


async def start(turn: Turn, curriculum: Curriculum, flow: LessonFlow, lesson_id: str) -> list[Reply]:
    """A lesson button pressed: start it, or say why not (see the module's docstring)."""
    lesson = curriculum.lessons.get(lesson_id)
    t = turn.t
    back = _back(t)
    session = await turn.tx.sessions.active(turn.learner.id)
    if session is not None and lesson is not None and session.lesson_id == lesson.id:
        return await flow.resume(turn, advance_card=False)  # the one they are in: pick it up
    if session is not None:
        return [
            Text(
                t.gettext(
                    "You are in the middle of **{lesson}**. Finish it first, then choose the next one: "
                    "one thing at a time, so you can always pick up exactly where you left off."
                ).format(lesson=session.title),
                (actions.button(t.gettext("Continue"), actions.CONTINUE),),
            )
        ]
    if lesson is None:
        return [Text(t.gettext("That lesson is no longer offered. /path shows the ones you can choose."), (back,))]
    completed = await turn.tx.sessions.completed_lessons(turn.learner.id)
    if lesson.id in completed:
        done = t.gettext("You have done **{lesson}** already; your re-checks keep it fresh.").format(lesson=lesson.title)
        return [Text(done, (choose_button(t), back))]
    refused = await _refused(turn, curriculum, completed)
    if refused is not None:
        return refused
    missing = [curriculum.lessons[r] for r in lesson.requires if r not in completed and r in curriculum.lessons]
    if missing:
        names = ", ".join(f"**{m.title}**" for m in missing)
        ready = [m for m in missing if all(r in completed for r in m.requires)]
        start_first = t.gettext("Start {lesson}").format(lesson=ready[0].title) if ready else ""
        buttons = (actions.button(start_first, actions.StartLesson(ready[0].id)),) if ready else ()
        locked = t.gettext("**{lesson}** is still locked: it needs {names} first.").format(lesson=lesson.title, names=names)
        return [Text(locked, (*buttons, back))]
    return await flow.start_lesson(turn, lesson)


async def _refused(turn: Turn, curriculum: Curriculum, completed: Collection[str]) -> list[Reply] | None:
    """Something assigned comes first: name the most urgent, and continue toward it."""
    found = await assigned_view.assigned(turn, curriculum, completed=completed)
    if found.free_to_choose:
        return None
    assert found.toward is not None
    t = turn.t
    return [
        Text(
            t.gettext("You have assigned work to do first, so I keep your lessons on it.")
            + "\n"
            + assigned_view.offer_line(found.toward[1], turn),
            (actions.button(t.gettext("Continue"), actions.CONTINUE), _back(t)),
        )
    ]
