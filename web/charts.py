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
    name_chars: int  # longer names are shortened (the full name is in the cell's tooltip and the list)


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
