"""Lessons and reviews as a sequence of steps: present a step, take an answer, move on, finish,
and always show the next step."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import actions, assigned_view, commands, texts
from bot.actions import StepRef
from bot.assignments import Due
from bot.i18n import SOURCE, Translator, language_of
from bot.mastery import MasteryModel, guess_probability
from bot.pathway import next_lesson
from bot.pictures import shown_pictures
from bot.records import Award, ItemMemory, LessonSession, SkillMemory
from bot.replies import CardWords, Feedback, FeedbackWords, LessonCard, Question, QuestionWords, Reply, Text, said_in
from bot.snapshot import skills_of, step_from_json, step_to_json
from bot.turn import Turn
from bot.vocabulary import EventKind, SessionKind, SessionStatus
from bot.wording import wording_of_step
from content.model import Card, Check, CheckKind, CredentialDefinition, CredentialKind, Curriculum, Lesson

REVIEW_BATCH = 5  # re-checks per review: a couple of minutes, batched into one touch
REFRESHER_CHECKS = 5  # questions in a refresher before a badge expires
REFRESHER_PASS = 0.8  # share of them to answer right to renew the badge


@dataclass(frozen=True)
class Plan:
    """What "continue" would do now, so an offer names exactly what the button starts."""

    lesson: Lesson | None
    due_checks: int
    refresher: CredentialDefinition | None = None
    expires: datetime | None = None  # when the badge to refresh expires
    toward: Due | None = None  # the assignment `lesson` moves forward, when it does


class LessonFlow:
    def __init__(self, *, curriculum: Curriculum, mastery: MasteryModel) -> None:
        self._curriculum = curriculum
        self._mastery = mastery

    # --- continuing -------------------------------------------------------------------------
    async def plan(self, turn: Turn) -> Plan:
        """Due re-checks first, then a refresher, then the lesson that moves the most urgent
        assignment forward, else the next in pathway order. Re-checks and refreshers keep their
        place ahead of assignments: a few minutes each, a re-check is how mastery (which a
        credential assigned needs, lessons alone do not earn it) is shown, and a refresher keeps
        a credential held valid, which is what a recertification assigned asks. So the
        assignments are read only when a lesson is what continuing starts (`lesson` is then the
        next in pathway order, and what follows the re-checks plans again)."""
        due = await turn.tx.memory.due(turn.learner.id, turn.now, REVIEW_BATCH)
        due = [item for item in due if self._curriculum.find_check(item.check_key)]
        completed = await turn.tx.sessions.completed_lessons(turn.learner.id)
        awards = await turn.tx.awards.of(turn.learner.id)
        refresher, expires = self._refresher_due(turn, awards)
        toward = None
        if not due and refresher is None:
            toward = await assigned_view.next_toward(turn, self._curriculum, completed=completed, awards=awards)
        if toward is not None:
            return Plan(toward[0], 0, None, None, toward[1])
        return Plan(next_lesson(self._curriculum, completed), len(due), refresher, expires)

    def _refresher_due(self, turn: Turn, awards: list[Award]) -> tuple[CredentialDefinition | None, datetime | None]:
        """The badge whose latest award expires soonest, once inside its refresh window (the
        credential file's `recertify_days_before`); none for a retired badge, which is not renewed."""
        latest: dict[str, Award] = {}
        for award in awards:
            if award.kind != CredentialKind.BADGE or award.revoked_at is not None:
                continue
            if award.definition_id not in latest or award.renewal > latest[award.definition_id].renewal:
                latest[award.definition_id] = award
        credentials = self._curriculum.credentials
        due = [
            award
            for award in latest.values()
            if award.valid_until is not None
            and (definition := credentials.get(award.definition_id)) is not None
            and not definition.retired
            and award.valid_until - timedelta(days=definition.recertify_lead_days) <= turn.now
        ]
        if not due:
            return None, None
        soonest = min(due, key=lambda award: award.valid_until or turn.now)
        return self._curriculum.credentials[soonest.definition_id], soonest.valid_until

    async def resume(self, turn: Turn, *, advance_card: bool) -> list[Reply]:
        """Continue: the step the learner is on (past a card already read when
        `advance_card`), else due re-checks, else the next lesson."""
        session = await turn.tx.sessions.active(turn.learner.id)
        if session is not None:
            step = session.steps[session.position]
            if advance_card and step["type"] == "card":
                return await self._advance(turn, session)
            picking_up = turn.t.gettext("Picking up where you left off in **{lesson}**.").format(lesson=session.title)
            return [Text(picking_up), self._present(turn, session)]
        plan = await self.plan(turn)
        if plan.due_checks:
            return await self._start_review(turn)
        if plan.refresher is not None:
            return await self._start_refresher(turn, plan.refresher)
        if plan.lesson is not None:
            return await self.start_lesson(turn, plan.lesson)
        return [await self._all_done(turn)]

    async def press_next(self, turn: Turn, ref: StepRef | None) -> list[Reply]:
        session = await turn.tx.sessions.active(turn.learner.id)
        if session is None or ref is None or (session.id, session.position) != (ref.session_id, ref.position):
            # An old Next button: show where the learner really is instead.
            return await self.resume(turn, advance_card=False)
        if session.steps[session.position]["type"] != "card":
            return [self._present(turn, session)]
        return await self._advance(turn, session)

    # --- starting -----------------------------------------------------------------------------
    def _read_in(self, turn: Turn) -> Curriculum:
        """The curriculum in the learner's language (content translated where it is, else the
        source's): what a session starting now is frozen in, and kept in to its end."""
        return self._curriculum.in_language(language_of(turn.learner))

    async def start_lesson(self, turn: Turn, lesson: Lesson) -> list[Reply]:
        view = self._read_in(turn)
        lesson = view.lessons.get(lesson.id, lesson)
        steps = [step_to_json(step, lesson.skills) for step in lesson.steps]
        session = await turn.tx.sessions.open(
            turn.learner.id, SessionKind.LESSON, lesson.title, steps, now=turn.now, lesson_id=lesson.id, lesson_version=lesson.version
        )
        await turn.record(EventKind.LESSON_STARTED, lesson_id=lesson.id, lesson_version=lesson.version)
        pathway = view.pathway_of(lesson.id)
        t = turn.t
        place = (
            t.gettext("lesson {number} of {total}").format(number=pathway.lessons.index(lesson.id) + 1, total=len(pathway.lessons))
            if pathway
            else ""
        )
        header = texts.lesson_header(t, lesson.title, lesson.minutes, pathway.title if pathway else None, place)
        return [Text(header), await self._show(turn, session)]

    async def _start_review(self, turn: Turn) -> list[Reply]:
        due = await turn.tx.memory.due(turn.learner.id, turn.now, REVIEW_BATCH)
        view = self._read_in(turn)
        steps = []
        for item in due:
            check = view.find_check(item.check_key)
            if check is not None:
                lesson = view.lessons[check.key.rpartition(":")[0]]
                steps.append(step_to_json(check, lesson.skills))
        session = await turn.tx.sessions.open(turn.learner.id, SessionKind.REVIEW, turn.t.gettext("Quick re-check"), steps, now=turn.now)
        intro = Text(
            "🔁 "
            + turn.t.ngettext(
                "**Quick re-check**: {count} question from earlier lessons, so what you learned sticks.",
                "**Quick re-check**: {count} questions from earlier lessons, so what you learned sticks.",
                len(steps),
            ).format(count=len(steps))
        )
        return [intro, await self._show(turn, session)]

    async def _start_refresher(self, turn: Turn, badge: CredentialDefinition) -> list[Reply]:
        view = self._read_in(turn)
        lessons = set(badge.lessons) | {
            lesson.id for lesson in self._curriculum.lessons.values() if any(r.skill in lesson.skills for r in badge.skills)
        }
        checks = [
            step_to_json(check, lesson.skills) for lesson in view.lessons_in_order() if lesson.id in lessons for check in lesson.checks
        ][:REFRESHER_CHECKS]
        session = await turn.tx.sessions.open(
            turn.learner.id,
            SessionKind.REFRESHER,
            turn.t.gettext("Refresher: {badge}").format(badge=view.credentials.get(badge.id, badge).title),
            checks,
            now=turn.now,
            credential_id=badge.id,
        )
        need = math.ceil(REFRESHER_PASS * len(checks))
        questions = turn.t.ngettext(
            "{count} question; get {need} right and your badge is renewed.",
            "{count} questions; get {need} right and your badge is renewed.",
            len(checks),
        ).format(count=len(checks), need=need)
        intro = Text(f"🔄 **{session.title}**. {questions}")
        return [intro, await self._show(turn, session)]

    # --- presenting ---------------------------------------------------------------------------
    async def _show(self, turn: Turn, session: LessonSession) -> Reply:
        step = session.steps[session.position]
        if step["type"] == "card":
            await turn.record(
                EventKind.CARD_VIEWED,
                lesson_id=session.lesson_id,
                lesson_version=session.lesson_version,
                payload={"session": session.id, "position": session.position},
            )
        return self._present(turn, session)

    def _present(self, turn: Turn, session: LessonSession) -> Reply:
        ref = StepRef(session.id, session.position)
        step = step_from_json(session.steps[session.position])
        total = len(session.steps)
        if isinstance(step, Card):
            return LessonCard(
                lesson_title=session.title,
                title=step.title,
                body=step.body,
                position=session.position + 1,
                total=total,
                buttons=(actions.button(turn.t.gettext("Next") + " ▶", actions.NextCard(ref)),),
                pictures=shown_pictures(step),
                words=said_in(CardWords(), turn.t),
            )
        return question_reply(step, ref, session.position + 1, total, turn.t)

    async def _advance(self, turn: Turn, session: LessonSession) -> list[Reply]:
        session.position += 1
        session.updated_at = turn.now
        if session.position >= len(session.steps):
            return await self._finish(turn, session)
        await turn.tx.sessions.save(session)
        return [await self._show(turn, session)]

    # --- answering ----------------------------------------------------------------------------
    async def answer(self, turn: Turn, ref: StepRef | None, choices: tuple[int, ...]) -> list[Reply]:
        session = await turn.tx.sessions.active(turn.learner.id)
        if session is None or ref is None or (session.id, session.position) != (ref.session_id, ref.position):
            await turn.record(EventKind.STALE_ANSWER, payload={"ref": str(ref) if ref else None})
            return [Text(turn.t.gettext("That question was already answered, so this answer was not counted. /next continues."))]
        data = session.steps[session.position]
        if data["type"] != "check":
            return [Text(turn.t.gettext("There is no question waiting for an answer. /next continues.")), self._present(turn, session)]
        check = step_from_json(data)
        assert isinstance(check, Check)
        problem = _invalid_choices(turn.t, check, choices)
        if problem:
            return [Text(problem), self._present(turn, session)]
        correct = frozenset(choices) == check.correct_indices
        await turn.record(
            EventKind.ANSWERED,
            lesson_id=session.lesson_id,
            lesson_version=session.lesson_version,
            check_key=check.key,
            correct=correct,
            # The wording's hash ties the answer to the question as shown (bot/analytics.py):
            # a check rewritten starts a fresh history in the item analytics.
            payload={"choices": sorted(set(choices)), "session": session.id, "kind": session.kind, "wording": wording_of_step(data)},
        )
        await self._update_memory(turn, check, skills_of(data), correct)
        session.correct_count += int(correct)
        feedback = Feedback(
            correct=correct,
            explanation=check.explanation,
            correct_options=tuple(check.options[i].text for i in sorted(check.correct_indices)),
            words=said_in(FeedbackWords(), turn.t),
        )
        return [feedback, *await self._advance(turn, session)]

    async def _update_memory(self, turn: Turn, check: Check, skills: tuple[str, ...], correct: bool) -> None:
        memory = turn.tx.memory
        items = await memory.items(turn.learner.id)
        known = await memory.skills(turn.learner.id)
        p_guess = guess_probability(len(check.options), len(check.correct_indices))
        for skill in skills:
            # Forgetting first: the prior is what is still known now, then the evidence.
            recalls = [self._mastery.recall(i.card, turn.now) for i in items.values() if skill in i.skills]
            state = known.get(skill)
            prior = self._mastery.current(state.p_known if state else self._mastery.p_init, recalls)
            p_known = self._mastery.update_skill(prior, correct=correct, p_guess=p_guess)
            await memory.put_skill(turn.learner.id, SkillMemory(skill, p_known, turn.now))
        item = items.get(check.key)
        review = self._mastery.review(item.card if item else None, correct=correct, at=turn.now)
        await memory.put_item(
            turn.learner.id,
            ItemMemory(
                check_key=check.key,
                card=review.card_json,
                skills=tuple(skills),
                due=review.due,
                reviews=(item.reviews if item else 0) + 1,
                last_correct=correct,
                last_review=turn.now,
            ),
        )

    # --- finishing ------------------------------------------------------------------------------
    async def _finish(self, turn: Turn, session: LessonSession) -> list[Reply]:
        session.status = SessionStatus.COMPLETED
        session.completed_at = turn.now
        await turn.tx.sessions.save(session)
        checks = sum(1 for step in session.steps if step["type"] == "check")
        t = turn.t
        score = t.gettext("{correct} of {checks} correct").format(correct=session.correct_count, checks=checks)
        if session.kind == SessionKind.REVIEW:
            counts = {"session": session.id, "correct": session.correct_count, "checks": checks}
            await turn.record(EventKind.REVIEW_COMPLETED, payload=counts)
            summary = "🔁 " + t.gettext("Re-check done: {score}.").format(score=score)
        elif session.kind == SessionKind.REFRESHER:
            passed = session.correct_count >= math.ceil(REFRESHER_PASS * checks)
            await turn.record(
                EventKind.REFRESHER_COMPLETED,
                payload={
                    "session": session.id,
                    "credential": session.credential_id,
                    "correct": session.correct_count,
                    "checks": checks,
                    "passed": passed,
                },
            )
            if passed:  # the awarder renews the badge: it reads this turn's events
                summary = "🔄 " + t.gettext("Refresher passed: {score}.").format(score=score)
            else:
                summary = "🔄 " + t.gettext("Refresher: {score}; {need} are needed to renew. You can try again tomorrow.").format(
                    score=score, need=math.ceil(REFRESHER_PASS * checks)
                )
        else:
            await turn.record(
                EventKind.LESSON_COMPLETED,
                lesson_id=session.lesson_id,
                lesson_version=session.lesson_version,
                payload={"session": session.id, "correct": session.correct_count, "checks": checks},
            )
            summary = "✅ " + t.gettext("**Lesson complete: {lesson}**. {score}.").format(lesson=session.title, score=score)
            pathway = self._read_in(turn).pathway_of(session.lesson_id or "")
            if pathway is not None:
                completed = await turn.tx.sessions.completed_lessons(turn.learner.id) | {session.lesson_id}
                done = sum(1 for lesson_id in pathway.lessons if lesson_id in completed)
                summary += "\n" + t.ngettext(
                    "{pathway}: {done} of {total} lesson done.", "{pathway}: {done} of {total} lessons done.", len(pathway.lessons)
                ).format(pathway=pathway.title, done=done, total=len(pathway.lessons))
                if done == len(pathway.lessons):
                    summary += "\n🎉 " + t.gettext("You finished **{pathway}**!").format(pathway=pathway.title)
        return [Text(summary), await self.next_step_offer(turn)]

    async def next_step_offer(self, turn: Turn) -> Text:
        """Never a dead end: name the next step and offer it."""
        plan = await self.plan(turn)
        t = turn.t
        start, later = actions.button(t.gettext("Start now"), actions.CONTINUE), actions.button(t.gettext("Later"), actions.LATER)
        if plan.due_checks:
            return Text(
                t.ngettext(
                    "Next: a quick re-check of {count} question from earlier lessons.",
                    "Next: a quick re-check of {count} questions from earlier lessons.",
                    plan.due_checks,
                ).format(count=plan.due_checks),
                (start, later),
            )
        if plan.refresher is not None and plan.expires is not None:
            if plan.expires <= turn.now:
                said = t.gettext("Next: a short refresher. Your **{badge}** badge expired on {day}; pass it to renew the badge.")
            else:
                said = t.gettext("Next: a short refresher. Your **{badge}** badge expires on {day}; pass it to renew the badge.")
            badge = self._read_in(turn).credentials.get(plan.refresher.id, plan.refresher)
            return Text(said.format(badge=badge.title, day=t.date(plan.expires)), (start, later))
        if plan.lesson is not None:
            view = self._read_in(turn)
            pathway = view.pathway_of(plan.lesson.id)
            assigned = f"\n{assigned_view.offer_line(plan.toward, turn)}" if plan.toward is not None else ""
            lesson = {"lesson": view.lessons.get(plan.lesson.id, plan.lesson).title, "minutes": plan.lesson.minutes}
            if pathway:
                said = t.gettext("Next in {pathway}: **{lesson}** ({minutes} min).").format(pathway=pathway.title, **lesson)
            else:
                said = t.gettext("Next: **{lesson}** ({minutes} min).").format(**lesson)
            return Text(said + assigned, (start, later))
        return await self._all_done(turn)

    async def has_next_step(self, turn: Turn) -> bool:
        """Whether continuing starts something (the step in progress, due re-checks, a
        refresher, a lesson) rather than saying that every lesson is done."""
        if await turn.tx.sessions.active(turn.learner.id) is not None:
            return True
        plan = await self.plan(turn)
        return bool(plan.due_checks) or plan.refresher is not None or plan.lesson is not None

    async def next_recheck(self, turn: Turn) -> datetime | None:
        """When the next spaced re-check falls due, if one is still to come."""
        items = await turn.tx.memory.items(turn.learner.id)
        return min((item.due for item in items.values() if item.due > turn.now), default=None)

    async def _all_done(self, turn: Turn) -> Text:
        upcoming = await self.next_recheck(turn)
        t = turn.t
        text = "🎓 " + t.gettext("You have completed every lesson on your pathway.")
        if upcoming:
            text += "\n" + t.gettext(
                "Next: your spaced re-checks keep each skill fresh; the next one is due {when}. /path shows what each badge still needs."
            ).format(when=texts.when(t, upcoming, turn.learner.timezone))
        else:
            text += "\n" + t.gettext("Next: /path shows what each badge still needs.")
        return Text(text, (actions.button(t.gettext("Show my pathway"), actions.RunCommand(commands.PATH.name)),))


def question_reply(check: Check, ref: StepRef, position: int, total: int, t: Translator = SOURCE) -> Question:
    multiple = check.kind is CheckKind.MULTIPLE
    question = check.question
    hint = t.gettext("(Choose all that apply.)")  # unless the question says so itself, in its words or these
    if multiple and "all that apply" not in question.lower() and hint.strip("(.)").lower() not in question.lower():
        question += " " + hint
    return Question(
        ref=str(ref),
        question=question,
        options=tuple(o.text for o in check.options),
        multiple=multiple,
        position=position,
        total=total,
        option_actions=() if multiple else tuple(actions.encode(actions.ChooseOption(ref, i)) for i in range(len(check.options))),
        correct_option=None if multiple else min(check.correct_indices),
        words=said_in(QuestionWords(), t),
    )


def _invalid_choices(t: Translator, check: Check, choices: tuple[int, ...]) -> str | None:
    count = len(check.options)
    if not choices:
        return t.gettext("Please pick an option.")
    if any(c < 0 or c >= count for c in choices):
        return t.gettext("Please pick a number from 1 to {count}.").format(count=count)
    if check.kind is not CheckKind.MULTIPLE and len(set(choices)) != 1:
        return t.gettext("Please pick just one option.")
    return None
