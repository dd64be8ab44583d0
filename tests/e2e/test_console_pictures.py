"""Lesson pictures in the terminal, as a person sees them: `run_bot.py console` prints each
picture's alt text, caption and file under the card's text."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_console import run_console
from tests.pictures import CHART_ALT, CHART_CAPTION, content_with_pictures


def test_the_console_prints_each_pictures_alt_text_caption_and_file(tmp_path: Path) -> None:
    content = content_with_pictures(tmp_path / "content")
    out = run_console(tmp_path, ["1", "", "/quit"], content=content)
    first = (
        "─" * 60 + "\n[1/4] Two tides a day\n\n"
        "Most coasts see two high tides and two low tides each day.\n\n"
        f"🖼  Picture: {CHART_ALT}\n"
        f"   Caption: {CHART_CAPTION}\n"
        "   File: media/tide-chart.png (in the content folder)\n\n"
        "[1] Next ▶   (or press Enter)"
    )
    second = (
        "─" * 60 + "\n[2/4] Spring and neap\n\n"
        "Spring tides are the biggest; neap tides the smallest.\n\n"
        "🖼  Picture: A full moon and the sun in line with the earth\n"
        "   Caption: Spring tide\n"
        "   File: media/spring-tide.jpg (in the content folder)\n\n"
        "🖼  Picture: The moon at a right angle to the sun\n"
        "   File: media/neap-tide.png (in the content folder)\n\n"
        "[1] Next ▶   (or press Enter)"
    )
    assert first in out and second in out, out
