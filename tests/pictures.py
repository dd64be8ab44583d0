"""A content folder with pictures for the tests: the fixture curriculum (tests/fixtures/content)
copied without its translations, with a tide chart on the Tides lesson's first card and two
pictures on its second."""

from __future__ import annotations

import shutil
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw

from content.loader import load_curriculum
from content.model import Curriculum
from tests.conftest import FIXTURE_CONTENT

CHART_ALT = "A line chart of the water level over one day: two high tides and two low tides"
CHART_CAPTION = "Two highs & two lows <in a day>"  # characters every platform must escape


def drawn(size: tuple[int, int], kind: str = "PNG", colour: tuple[int, int, int] = (30, 99, 181)) -> bytes:
    image = Image.new("RGB", size, (238, 243, 247))
    ImageDraw.Draw(image).ellipse((size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4), fill=colour)
    out = BytesIO()
    image.save(out, kind)
    return out.getvalue()


def content_with_pictures(root: Path) -> Path:
    shutil.copytree(FIXTURE_CONTENT, root)
    for translations in (folder for folder in (root / "lessons").iterdir() if folder.is_dir()):
        shutil.rmtree(translations)  # these tests are about pictures in the source language
    media = root / "media"
    media.mkdir()
    (media / "tide-chart.png").write_bytes(drawn((900, 600)))
    (media / "spring-tide.jpg").write_bytes(drawn((800, 600), "JPEG", (200, 40, 40)))
    (media / "neap-tide.png").write_bytes(drawn((800, 600), colour=(40, 160, 60)))
    lesson = root / "lessons" / "tides.md"
    text = lesson.read_text(encoding="utf-8")
    text = text.replace(
        "Most coasts see two high tides and two low tides each day.\n",
        f'Most coasts see two high tides and two low tides each day.\n\n![{CHART_ALT}](media/tide-chart.png "{CHART_CAPTION}")\n',
    ).replace(
        "Spring tides are the biggest; neap tides the smallest.\n",
        "Spring tides are the biggest; neap tides the smallest.\n\n"
        '![A full moon and the sun in line with the earth](media/spring-tide.jpg "Spring tide")\n'
        "![The moon at a right angle to the sun](media/neap-tide.png)\n",
    )
    lesson.write_text(text, encoding="utf-8")
    return root


def curriculum_with_pictures(root: Path) -> Curriculum:
    result = load_curriculum(content_with_pictures(root))
    assert result.curriculum is not None, result.problems
    return result.curriculum
