"""The team heatmap's shades (web/charts.py): darker with more mastery, and the figure written in
each cell readable on it at every level, by WCAG 2.x's contrast ratio (AA: 4.5:1 for text)."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import web
from web.charts import INK, ON_DARK_INK, heat_shade

SITE_CSS = Path(web.__file__).parent / "static" / "site.css"


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of #rrggbb."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_cells_figure_reads_at_aa_contrast():
    levels = [n / 1000 for n in range(1001)]
    worst = min(contrast(heat_shade(level).fill, heat_shade(level).ink) for level in levels)
    assert worst >= 4.5, worst


def test_more_mastery_is_never_lighter():
    shades = [luminance(heat_shade(n / 1000).fill) for n in range(1001)]
    assert all(later <= earlier for earlier, later in pairwise(shades))
    assert heat_shade(0.0).fill == "#f1f6f7" and heat_shade(1.0).fill == "#0b3f4a"
    assert heat_shade(-0.2) == heat_shade(0.0) and heat_shade(1.3) == heat_shade(1.0)


def test_the_page_writes_the_figures_in_those_inks():
    css = SITE_CSS.read_text(encoding="utf-8")
    assert re.search(r"svg text \{ fill: (#[0-9a-f]{6});", css).group(1) == INK  # type: ignore[union-attr]
    assert re.search(r"svg text\.on-dark \{ fill: (#[0-9a-f]{6}); \}", css).group(1) == ON_DARK_INK  # type: ignore[union-attr]
