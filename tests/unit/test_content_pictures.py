"""Pictures in lesson cards, as the linter sees them: each test writes a minimal valid tree with one
picture (drawn here with Pillow) and checks what `content check` says, at which `path:line`."""

from __future__ import annotations

import struct
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from adapters.cli.authoring import check
from content.loader import load_curriculum, load_lesson
from content.media_rules import read_media
from tests.unit.test_content_lint import lesson, write_tree

# '## First card' is line 11 of a lesson() file; its picture is line 14.
CARD = """
# Lesson {lesson_id}

## First card
Lock the isolator before you start.

{picture}

## Check
Who fits a lock on the isolator?

- [x] Everyone who works on the machine
- [ ] Only the supervisor

> Each person fits their own lock and keeps the key.
"""
PICTURE_LINE = 14


def picture_bytes(size: tuple[int, int], kind: str = "PNG") -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (200, 120, 0)).save(out, kind)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """Only a PNG's first bytes, which are all the linter reads (a real one this size is 100 MB in memory)."""
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", width, height) + bytes(5)


def tree_with(root: Path, picture: str, files: dict[str, bytes] | None = None) -> Path:
    write_tree(root, {"lessons/a.md": lesson("a", body=CARD.format(lesson_id="a", picture=picture))})
    for name, data in (files or {"media/isolator.png": picture_bytes((800, 600))}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def said(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = check(root)
    captured = capsys.readouterr()
    return code, [line.replace(f"{root}/", "") for line in (captured.out + captured.err).splitlines()]


def test_a_picture_is_taken_out_of_the_card_text_with_its_alt_text_caption_and_size(tmp_path: Path) -> None:
    root = tree_with(tmp_path, '![A red isolator handle, locked off](media/isolator.png "Lock and tag on the isolator")')
    result = load_curriculum(root)
    assert result.problems == () and result.warnings == ()
    assert result.curriculum is not None
    card = result.curriculum.lessons["a"].cards[0]
    assert card.body == "Lock the isolator before you start."
    [picture] = card.pictures
    assert (picture.path, picture.alt, picture.caption) == (
        "media/isolator.png",
        "A red isolator handle, locked off",
        "Lock and tag on the isolator",
    )
    assert (picture.media_type, picture.width, picture.height) == ("image/png", 800, 600)
    assert picture.digest == read_media(root / "media/isolator.png").digest
    assert str(picture.source) == f"{root}/lessons/a.md:{PICTURE_LINE}"


def test_content_check_counts_the_pictures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree_with(
        tmp_path,
        "![An isolator](media/isolator.png)\n![A lock](media/lock.jpg)",
        {
            "media/isolator.png": picture_bytes((800, 600)),
            "media/lock.jpg": picture_bytes((640, 480), "JPEG"),
        },
    )
    assert said(root, capsys) == (0, [f"{root}: OK. 2 lessons, 2 checks, 2 pictures, 1 pathways, 3 credentials, 0 roles."])


@pytest.mark.parametrize(
    ("picture", "files", "message"),
    [
        (
            "![](media/isolator.png)",
            None,
            "the picture has no alt text: describe what it shows between the brackets, ![like this](media/file.png)",
        ),
        (
            "![An isolator](media/missing.png)",
            None,
            "the picture 'media/missing.png' does not exist (looked for media/missing.png): check the name",
        ),
        (
            "![An isolator](../secrets.png)",
            None,
            "the picture '../secrets.png' is not a file in the content folder's media/: "
            "put it there and write its path as media/<name>.png",
        ),
        (
            "![An isolator](https://example.com/isolator.png)",
            None,
            "the picture 'https://example.com/isolator.png' is not a file in the content folder's media/: "
            "put it there and write its path as media/<name>.png",
        ),
        (
            "![An isolator](media/isolator.svg)",
            {"media/isolator.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"/>'},
            "'media/isolator.svg' is not a PNG or JPEG picture (neither PNG nor JPEG): save it as PNG or JPEG "
            "(an SVG drawing must be rendered to PNG: see docs/authoring.md)",
        ),
        (
            "![An isolator](media/isolator.png)",
            {"media/isolator.png": picture_bytes((800, 600), "JPEG")},
            "'media/isolator.png' is a JPEG picture but its name does not say so: name it isolator.jpg",
        ),
        (
            "![A belt](media/belt.png)",
            {"media/belt.png": picture_bytes((4200, 200))},
            "'media/belt.png' is 4200x200 pixels, 21 to 1: Telegram takes photos of at most 20 to 1; crop it",
        ),
        (
            "![A wall](media/wall.png)",
            {"media/wall.png": png_header(6000, 4200)},
            "'media/wall.png' is 6000x4200 pixels: Telegram takes photos whose width and height add up to at most 10000; scale it down",
        ),
        (
            f'![An isolator](media/isolator.png "{"long " * 210}")',
            None,
            "the caption is 1049 characters long: keep it to 1024 or fewer",
        ),
    ],
)
def test_a_picture_no_platform_can_show_is_an_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], picture: str, files: dict[str, bytes] | None, message: str
) -> None:
    root = tree_with(tmp_path, picture, files)
    code, lines = said(root, capsys)
    assert code == 1
    assert lines[0] == f"lessons/a.md:{PICTURE_LINE}: " + message
    assert lines[-1] == f"1 problem(s) found in {root}"


def test_a_photo_over_ten_megabytes_is_an_error(tmp_path: Path) -> None:
    big = picture_bytes((800, 600)) + b"\0" * (10 * 1024 * 1024)  # bytes after the PNG's end: still a PNG header
    root = tree_with(tmp_path, "![An isolator](media/isolator.png)", {"media/isolator.png": big})
    [problem] = load_curriculum(root).problems
    assert problem.message == "'media/isolator.png' is 10.0 MB: Telegram takes photos of at most 10 MB; make it smaller"


def test_a_picture_inside_text_or_a_check_is_an_error(tmp_path: Path) -> None:
    body = CARD.format(lesson_id="a", picture="See ![An isolator](media/isolator.png) here.").replace(
        "Who fits a lock on the isolator?", "Who fits a lock on the isolator?\n![A lock](media/isolator.png)"
    )
    root = tree_with(tmp_path, "")
    (root / "lessons/a.md").write_text(lesson("a", body=body), encoding="utf-8")
    problems = [f"{problem.line}: {problem.message}" for problem in load_curriculum(root).problems]
    assert problems == [
        f"{PICTURE_LINE}: a picture inside text, a list or a quote: "
        "put each picture on a line of its own, with a blank line before and after",
        f"{PICTURE_LINE + 4}: a picture inside a check: put it at the end of the card before the check",
    ]


def test_eleven_pictures_in_a_card_are_an_error_at_the_eleventh(tmp_path: Path) -> None:
    root = tree_with(tmp_path, "\n".join(["![An isolator](media/isolator.png)"] * 11))
    [problem] = load_curriculum(root).problems
    assert (problem.line, problem.message) == (
        PICTURE_LINE + 10,
        "the card has 11 pictures: a card shows at most 10 (Telegram's album); move the rest to another card",
    )


@pytest.mark.parametrize(
    ("size", "warning"),
    [
        (
            (400, 300),
            "'media/isolator.png' is only 400 pixels wide: on a phone it is shown blown up and blurred; "
            "draw or export it at least 600 pixels wide",
        ),
        (
            (1600, 400),
            "'media/isolator.png' is 1600x400 pixels, wider than 3 to 1: on a phone it shows only about 120 points tall, "
            "too small to read any words or detail in it; crop it or split it into two pictures",
        ),
        (
            (700, 2200),
            "'media/isolator.png' is 700x2200 pixels, taller than 1 to 3: chats cut it off until it is opened; "
            "crop it or split it into two pictures",
        ),
    ],
)
def test_a_picture_hard_to_read_on_a_phone_is_a_warning_and_the_content_still_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], size: tuple[int, int], warning: str
) -> None:
    root = tree_with(tmp_path, "![An isolator](media/isolator.png)", {"media/isolator.png": picture_bytes(size)})
    code, lines = said(root, capsys)
    assert code == 0
    assert lines == [
        f"lessons/a.md:{PICTURE_LINE}: warning: {warning}",
        f"{root}: OK. 2 lessons, 2 checks, 1 pictures, 1 pathways, 3 credentials, 0 roles. 1 warning(s) above.",
    ]


def test_preview_of_one_lesson_finds_the_media_of_its_content_folder(tmp_path: Path) -> None:
    root = tree_with(tmp_path, "![An isolator](media/isolator.png)", {"media/isolator.png": picture_bytes((400, 300))})
    found, problems = load_lesson(root / "lessons/a.md")
    assert found is not None and found.cards[0].pictures[0].width == 400
    assert [problem.message.split(":")[0] for problem in problems] == ["warning"]


def test_the_sample_curriculum_pictures_are_clean(capsys: pytest.CaptureFixture[str]) -> None:
    result = load_curriculum(Path("content"))
    assert result.problems == () and result.warnings == ()
