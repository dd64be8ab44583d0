#!/usr/bin/env python3
"""Render the lesson pictures drawn as SVG (content/media/*.svg) to the PNG files lessons link.

Chat platforms take PNG or JPEG, not SVG, so each drawing is committed twice: the SVG to edit,
and the PNG next to it that learners see. Chromium draws the SVG at its own width and height (so
a drawing's text sizes are what a phone shows), and Pillow stores it as a PNG of at most 256
colours, which keeps flat drawings small without visible loss:

    python docs/render_pictures.py                 # every SVG in content/media
    python docs/render_pictures.py content/media/loto-isolator-locks.svg
    CHROMIUM=/path/to/chrome python docs/render_pictures.py

Needs Chromium (or Chrome) and Pillow (`pip install 'microbadge[web]'`). Then run
`python run_bot.py content check` to see the pictures against every platform's limits."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from PIL import Image

PROJECT = Path(__file__).resolve().parents[1]
MEDIA = PROJECT / "content" / "media"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def browser() -> str:
    found = os.environ.get("CHROMIUM") or next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if not found:
        sys.exit("Chromium not found: install it or set CHROMIUM to its path")
    return found


def size_of(svg: Path) -> tuple[int, int]:
    root = ElementTree.parse(svg).getroot()
    try:
        return int(float(root.attrib["width"])), int(float(root.attrib["height"]))
    except (KeyError, ValueError):
        sys.exit(f"{svg}: give the <svg> element a width and a height in pixels")


def render(svg: Path, chromium: str) -> Path:
    width, height = size_of(svg)
    png = svg.with_suffix(".png")
    with tempfile.TemporaryDirectory() as scratch:
        shot = Path(scratch) / "shot.png"
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--window-size={width},{height}",
            f"--screenshot={shot}",
            svg.resolve().as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=120, cwd=scratch)
        with Image.open(shot) as image:
            flat = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            flat.save(png, optimize=True)
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("svgs", nargs="*", type=Path, help="SVG files (default: every content/media/*.svg)")
    args = parser.parse_args(argv)
    chromium = browser()
    for svg in args.svgs or sorted(MEDIA.glob("*.svg")):
        png = render(svg, chromium)
        shown = png.relative_to(PROJECT) if png.is_relative_to(PROJECT) else png
        with Image.open(png) as image:
            print(f"{shown}: {image.width}x{image.height}, {png.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
