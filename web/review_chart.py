"""The L&D page's forgetting curve of a skill (bot/analytics.py SkillCurve), laid out here so the
template only places things: recall observed on re-checks by days since the last review, beside
FSRS's predicted retrievability for the same re-checks.

The chart is drawn in a fixed box (CURVE_W x CURVE_H) that the page scales to its width, as the
dashboard's other charts: at a phone's 390 px it is drawn near its own size, so its 12 px labels
stay readable, and it never makes the page scroll sideways. Every figure is also given as text
(the chart's desc and the table under it)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import i18n
from bot.analytics import SkillCurve
from bot.i18n import Translator

CURVE_W, CURVE_H = 360, 236
LEFT, RIGHT, TOP, BOTTOM = 44, 14, 12, 46  # the plot's margins: tick labels left, ticks and axis title below
SPANS = (7, 14, 30, 60, 90, 180, 365)  # the x axis runs to the first of these that holds every point
DAY_TICKS = (0, 1, 7, 14, 30, 60, 90, 180, 365)


@dataclass(frozen=True)
class Mark:
    days: int
    rechecks: int
    observed: float
    predicted: float
    x: float
    y_observed: float
    y_predicted: float


@dataclass(frozen=True)
class CurveChart:
    width: int
    height: int
    left: int
    top: int
    plot_w: int
    plot_h: int
    marks: tuple[Mark, ...]
    x_ticks: tuple[tuple[int, float], ...]  # (days, x)
    y_ticks: tuple[tuple[str, float], ...]  # (the percent as the page's language writes it, y)
    observed_line: str  # polyline points
    predicted_line: str
    desc: str  # every figure, for a screen reader


def curve_chart(curve: SkillCurve, name: str, t: Translator = i18n.SOURCE) -> CurveChart:
    """`t`: the page's language for the chart's description (what a screen reader says)."""
    plot_w, plot_h = CURVE_W - LEFT - RIGHT, CURVE_H - TOP - BOTTOM
    furthest = max((p.days for p in curve.points), default=0)
    span = next((s for s in SPANS if furthest <= s), furthest)

    def x(days: int) -> float:
        return round(LEFT + plot_w * min(days, span) / span, 1)

    def y(share: float) -> float:
        return round(TOP + plot_h * (1 - share), 1)

    marks = tuple(Mark(p.days, p.rechecks, p.observed, p.predicted, x(p.days), y(p.observed), y(p.predicted)) for p in curve.points)
    ticks = sorted({d for d in DAY_TICKS if d <= span} | {m.days for m in marks})  # the curve's own days named too
    # Keep the day ticks apart: 1 next to 0 collides when the axis is long.
    spaced: list[int] = []
    for day in ticks:
        if not spaced or x(day) - x(spaced[-1]) >= 24:
            spaced.append(day)
    if span not in spaced:
        if spaced and x(span) - x(spaced[-1]) < 24:
            spaced.pop()
        spaced.append(span)
    figures = "; ".join(
        t.ngettext(
            "{days} day: {observed} recalled, FSRS predicted {predicted} ({rechecks} re-checks)",
            "{days} days: {observed} recalled, FSRS predicted {predicted} ({rechecks} re-checks)",
            m.days,
        ).format(days=m.days, observed=pct(m.observed, t), predicted=pct(m.predicted, t), rechecks=m.rechecks)
        for m in marks
    )
    desc = t.gettext("Recall of {name} by days since the last review.").format(name=name) + " "
    desc += t.gettext("{figures}.").format(figures=figures) if figures else t.gettext("No re-checks yet.")
    if curve.calibration_error is not None:
        desc += " " + t.gettext("Calibration error {error}.").format(error=pct(curve.calibration_error, t))
    return CurveChart(
        width=CURVE_W,
        height=CURVE_H,
        left=LEFT,
        top=TOP,
        plot_w=plot_w,
        plot_h=plot_h,
        marks=marks,
        x_ticks=tuple((d, x(d)) for d in spaced),
        y_ticks=tuple((pct(p / 100, t), y(p / 100)) for p in (0, 50, 100)),
        observed_line=" ".join(f"{m.x},{m.y_observed}" for m in marks),
        predicted_line=" ".join(f"{m.x},{m.y_predicted}" for m in marks),
        desc=desc,
    )


def pct(share: float | None, t: Translator = i18n.SOURCE) -> str:
    """A share as the review prints it (whole percent), as the page's language writes it."""
    return "" if share is None else t.percent(share)
