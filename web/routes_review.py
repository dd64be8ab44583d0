"""The L&D page of the dashboard, /dashboard/review: how the checks do with real learners, as
`run_bot.py content review` tells it (bot/analytics.py computes every figure and finding; this
module only lays them out). The findings at each check's path:line with the check's question; a
table of every check in its current wording; each skill's forgetting curve beside FSRS's
prediction (SVG drawn here, web/review_chart.py); where learners stop each lesson; and whether the
nudges brought learners back (bot/uplift.py, the last 28 days, with the holdout if there is one).
/dashboard/review.csv is the full table, as `content review --csv` writes it. The figures are
computed in the background and shown as of when they were (web/review_results.py): on a large
organisation they take seconds, a request does not wait for them.

For admins only (L&D staff are admins): what it shows is about the whole organisation's
learners, not a manager's teams, so a manager is refused as a learner is (403); nobody signed in
gets the dashboard's 401 with the ways in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from bot import holdout, team, uplift
from bot.analytics import Finding, ItemStats, LessonStats, Review, findings, item_table, read, review_columns
from bot.analytics_thresholds import STOPPED_AFTER
from bot.clock import Clock
from bot.i18n import N_, SOURCE, Translator, Translators
from bot.mastery import MasteryModel
from bot.ports import Store, UnitOfWork
from bot.spreadsheet import csv_text
from bot.vocabulary import Role
from content.model import Check, Curriculum
from web.dashboard import COOKIE, NO_STORE, Viewer
from web.i18n import speak_to, translator
from web.review_chart import CurveChart, curve_chart, pct
from web.review_results import FRESH_FOR, Latest

PAGE = "/dashboard/review"
ADMINS_ONLY = N_("The review of the checks is for L&D: admins only.")
UPLIFT_DAYS = 28  # the nudges' section covers the last four weeks (moments whose 24 hours are over)


@dataclass(frozen=True)
class Option:
    number: int  # from 1
    text: str
    share: str
    right: bool


@dataclass(frozen=True)
class Flagged:
    """The findings at one line: a check's (with its question and options' shares) or a skill's."""

    where: str  # path:line
    title: str  # the check's question, or the skill's name
    messages: tuple[str, ...]
    check_key: str | None
    options: tuple[Option, ...]


@dataclass(frozen=True)
class ItemRow:
    key: str
    question: str
    attempts: int
    learners: int
    first_try: str
    final: str
    discrimination: str
    median_seconds: str
    recall: tuple[tuple[str, str], ...]  # (window, "80% (120)": the share right and the re-checks, or "")


@dataclass(frozen=True)
class LessonRow:
    title: str
    started: int
    completed: int
    in_progress: int
    stopped: str
    median_minutes: str


@dataclass(frozen=True)
class SkillRow:
    id: str
    name: str
    rechecks: int
    calibration_error: str
    week: str
    chart: CurveChart


@dataclass(frozen=True)
class Figures:
    """Everything the page shows, as of one moment (web/review_results.py keeps the latest)."""

    as_of: datetime
    review: Review
    nudges: uplift.Uplift
    holdout: holdout.HoldoutView | None


def review_routes(
    *,
    store: Store,
    clock: Clock,
    templates: Jinja2Templates,
    curriculum: Curriculum,
    mastery: MasteryModel | None = None,
    bot_texts: Translators | None = None,
) -> APIRouter:
    """`mastery`: the bot's model, so the curve sits beside the prediction the bot schedules with;
    `bot_texts`: the bot's catalogs, for the findings and the nudges' figures (worded in bot/, as
    `content review` and `report` say them), read from bot/locale when not given."""
    router = APIRouter()
    model = mastery or MasteryModel()
    said_by_bot = bot_texts or Translators.load()

    def refused(request: Request, status: int, message: str, *, ways_in: bool = False) -> Response:
        context = {"message": translator(request).gettext(message), "ways_in": ways_in}  # in the viewer's language
        return templates.TemplateResponse(request, "refused.html", context, status_code=status, headers=NO_STORE)

    async def admin(tx: UnitOfWork, request: Request, now: datetime) -> Viewer | Response:
        """As the dashboard signs in (web/dashboard.py): the session cookie's learner, an admin."""
        token = request.cookies.get(COOKIE)
        learner = await tx.access.session_learner(team.token_hash(token), now) if token else None
        if token is None or learner is None:
            return refused(request, 401, N_("You are not signed in."), ways_in=True)
        speak_to(request, learner.language)
        if learner.role != Role.ADMIN:
            return refused(request, 403, ADMINS_ONLY)
        return Viewer(learner, learner.display_name or "an admin", team.csrf_token(token))

    async def compute(now: datetime) -> Figures:
        """Every figure as of `now`, from one transaction's reads of the store, all of one moment."""
        start = now - timedelta(days=UPLIFT_DAYS)
        async with store.reading() as tx:  # one moment, and the bot's writes go on meanwhile
            columns, steps = await read(tx.analytics, curriculum)
            events, holdouts = await uplift.read(tx, start, now, now)
            latest = await holdout.latest(tx, now)
        # The statistics are pure and CPU-bound: off the event loop, so other pages stay quick.
        result = await run_in_threadpool(review_columns, columns, steps, curriculum, now=now, model=model)
        nudges = await run_in_threadpool(uplift.compare, events, holdouts, start, now, now)
        return Figures(now, result, nudges, latest)

    figures = Latest(compute=compute, clock=clock)
    router.add_event_handler("shutdown", figures.close)  # before serve closes the store

    async def reviewed(request: Request) -> Response | tuple[Viewer, Figures]:
        async with store.transaction() as tx:
            viewer = await admin(tx, request, clock.now())
        if isinstance(viewer, Response):
            return viewer
        return viewer, await figures.get()

    @router.get(PAGE)
    async def review_page(request: Request) -> Response:
        found = await reviewed(request)
        if isinstance(found, Response):
            return found
        viewer, shown = found
        result, now, nudges, latest = shown.review, shown.as_of, shown.nudges, shown.holdout
        t = translator(request)
        bot_words = said_by_bot.of(t.language)  # what bot/ words, in the page's language
        context = {
            "viewer": viewer,
            "flagged": flagged(result, curriculum, bot_words),
            "items": item_rows(result, curriculum, t),
            "earlier": sum(1 for i in result.items if not i.current),
            "skills": skill_rows(result, curriculum, t),
            "lessons": lesson_rows(result.lessons, curriculum),
            "stopped_after": int(STOPPED_AFTER.total_seconds() // 3600),
            "nudges": nudges.rows(bot_words),
            "holdout": latest.summary(now, bot_words) if latest else None,
            "uplift_days": UPLIFT_DAYS,
            "answers": sum(i.attempts for i in result.items),
            "as_of": now,
            "fresh_minutes": int(FRESH_FOR.total_seconds() // 60),
        }
        return templates.TemplateResponse(request, "review.html", context, headers=NO_STORE)

    @router.get(f"{PAGE}.csv")
    async def review_csv(request: Request) -> Response:
        found = await reviewed(request)
        if isinstance(found, Response):
            return found
        _, shown = found
        return Response(
            csv_text(item_table(shown.review, curriculum)),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="checks-{shown.as_of.date().isoformat()}.csv"', **NO_STORE},
        )

    return router


def flagged(result: Review, curriculum: Curriculum, t: Translator = SOURCE) -> list[Flagged]:
    """`content review`'s findings (bot.analytics.findings, in its order), grouped by line; `t`:
    the bot's translator in the page's language."""
    checks = {(c.source.path, c.source.line): c for lesson in curriculum.lessons_in_order() for c in lesson.checks}
    skills = {(s.source.path, s.source.line): s for s in curriculum.skills.values()}
    groups: dict[tuple[str, int], list[Finding]] = {}
    for finding in findings(result, curriculum, t):
        groups.setdefault((str(finding.path), finding.line), []).append(finding)
    out = []
    for group in groups.values():
        first = group[0]
        check = checks.get((first.path, first.line))
        skill = skills.get((first.path, first.line))
        messages = tuple(f.message for f in group)
        where = f"{first.path}:{first.line}"
        if check is not None:
            item = result.current(check.key)
            out.append(Flagged(where, check.question, messages, check.key, options(check, item, t)))
        else:
            out.append(Flagged(where, skill.name if skill else "", messages, None, ()))
    return out


def options(check: Check, item: ItemStats | None, t: Translator = SOURCE) -> tuple[Option, ...]:
    shares = item.option_shares if item else ()
    return tuple(Option(n + 1, o.text, pct(shares[n], t) if n < len(shares) else "", o.correct) for n, o in enumerate(check.options))


def item_rows(result: Review, curriculum: Curriculum, t: Translator = SOURCE) -> list[ItemRow]:
    """Every check answered in its current wording, in the order of the lessons; `t`: the page's
    language, for its figures."""
    rows = []
    for lesson in curriculum.lessons_in_order():
        for check in lesson.checks:
            item = result.current(check.key)
            if item is None:
                continue
            rows.append(
                ItemRow(
                    key=check.key,
                    question=check.question,
                    attempts=item.attempts,
                    learners=item.learners,
                    first_try=pct(item.first_try_rate, t),
                    final=pct(item.final_rate, t),
                    discrimination="" if item.discrimination is None else t.decimal(item.discrimination),
                    median_seconds="" if item.median_seconds is None else f"{item.median_seconds:.0f} s",
                    recall=tuple((r.window, f"{pct(r.rate, t)} ({r.rechecks})" if r.rate is not None else "") for r in item.recall),
                )
            )
    return rows


def skill_rows(result: Review, curriculum: Curriculum, t: Translator = SOURCE) -> list[SkillRow]:
    """`t`: the page's translator (web.po)."""
    rows = []
    for curve in result.skills:
        skill = curriculum.skills.get(curve.skill)
        name = skill.name if skill else curve.skill
        week = (
            t.gettext("{observed} recalled about 7 days after the last review, FSRS predicted {predicted} ({rechecks} re-checks)").format(
                observed=pct(curve.week_observed, t), predicted=pct(curve.week_predicted, t), rechecks=curve.week_rechecks
            )
            if curve.week_observed is not None and curve.week_predicted is not None
            else t.gettext("no re-checks about 7 days after the last review yet")
        )
        chart = curve_chart(curve, name, t)
        rows.append(SkillRow(curve.skill, name, curve.rechecks, pct(curve.calibration_error, t), week, chart))
    return rows


def lesson_rows(lessons: tuple[LessonStats, ...], curriculum: Curriculum) -> list[LessonRow]:
    order = {lesson.id: n for n, lesson in enumerate(curriculum.lessons_in_order())}
    rows = []
    for stats in sorted(lessons, key=lambda s: (order.get(s.lesson_id, len(order)), s.lesson_id)):
        lesson = curriculum.lessons.get(stats.lesson_id)
        stopped = ", ".join(f"{count} at step {step}" for step, count in stats.stopped_at)
        rows.append(
            LessonRow(
                title=lesson.title if lesson else stats.lesson_id,
                started=stats.started,
                completed=stats.completed,
                in_progress=stats.in_progress,
                stopped=stopped or "nobody",
                median_minutes="" if stats.median_minutes is None else f"{stats.median_minutes:.0f} min",
            )
        )
    return rows
