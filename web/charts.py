"""Sizes of the charts the dashboard draws as SVG on the server, worked out here so the
templates only place things. Text in SVG does not wrap or shrink: every size is chosen for
its labels to fit and stay apart, also on a phone."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

FONT = 12  # px, the charts' label size
CHAR_WIDTH = 0.62  # of the font size: a generous average advance for sans-serif text
SLANT = math.sin(math.radians(45))  # column labels rise at 45 degrees: neighbours never touch


@dataclass(frozen=True)
class HeatmapFrame:
    """Learners down the side, skills across the top (labels slanted), one cell per pair."""

    label_w: int  # the learners' names
    cell_w: int
    cell_h: int
    head_h: int  # room for the slanted skill names
    width: int
    height: int
    name_chars: int  # longer names are shortened (the full name is in the cell's tooltip and the table)

    def shade(self, level: float) -> HeatShade:
        return heat_shade(level)


def heatmap_frame(skill_names: Sequence[str], learners: int) -> HeatmapFrame:
    label_w, cell_w, cell_h = 150, 44, 28
    rises = [len(name) * FONT * CHAR_WIDTH * SLANT for name in skill_names]
    head_h = math.ceil(max(rises, default=0)) + 16
    # A slanted label starts over the middle of its column and reaches right by as much as it rises.
    reach = max((label_w + cell_w * i + cell_w / 2 + rise for i, rise in enumerate(rises)), default=0)
    width = math.ceil(max(label_w + cell_w * len(skill_names), reach + 6))
    return HeatmapFrame(
        label_w=label_w,
        cell_w=cell_w,
        cell_h=cell_h,
        head_h=head_h,
        width=width,
        height=head_h + cell_h * learners,
        name_chars=int((label_w - 8) / (FONT * CHAR_WIDTH)),
    )


# The heatmap's shades: from nearly white at 0% to dark teal at 100%, and the figure in each cell
# at 4.5:1 contrast or more (WCAG 2.x AA) in dark ink on the light half and white on the dark half.
# A single teal faded by opacity leaves a band (roughly 75-95%) where neither ink reaches 4.5:1,
# so the scale steps from a mid teal to the brand teal at 50%, where the ink changes.
INK, ON_DARK_INK = "#1f2a37", "#ffffff"
_LIGHT_SCALE = ((0xF1, 0xF6, 0xF7), (0x69, 0xA7, 0xB3))  # 0% .. just under 50%
_DARK_SCALE = ((0x1B, 0x7A, 0x8C), (0x0B, 0x3F, 0x4A))  # 50% .. 100%


@dataclass(frozen=True)
class HeatShade:
    fill: str  # #rrggbb
    on_dark: bool  # the figure is written in white

    @property
    def ink(self) -> str:
        return ON_DARK_INK if self.on_dark else INK


def heat_shade(level: float) -> HeatShade:
    level = min(max(level, 0.0), 1.0)
    on_dark = level >= 0.5
    (start, end), share = (_DARK_SCALE, (level - 0.5) * 2) if on_dark else (_LIGHT_SCALE, level * 2)
    rgb = (round(a + (b - a) * share) for a, b in zip(start, end, strict=True))
    return HeatShade(fill="#" + "".join(f"{c:02x}" for c in rgb), on_dark=on_dark)
