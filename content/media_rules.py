"""The files behind lesson pictures: where they may live, what they are, and whether every
platform can show them and a learner can read them on a phone.

Errors (the content does not load): no alt text; a file outside the content folder's `media/`,
missing, or not PNG/JPEG (the types both a Telegram photo and a Slack image block take: Telegram
sends JPEG and PNG as photos; Slack's image block takes png, jpg, jpeg and gif); Telegram's photo
limits (at most 10 MB, width + height at most 10000, sides at most 20 to 1); more than 10 pictures
in a card (a Telegram album holds 10); an alt text over 2000 characters (Slack's alt_text and
title) or a caption over 1024 (Telegram's photo caption). Slack publishes no size limit for an
image block's picture, so Telegram's are the ones that bind.

Warnings (shown, the content still loads), for a phone about 360 points wide:
- narrower than 600 pixels: shown across a chat bubble it is blown up, blurred;
- wider than 3 to 1 (or taller than 1 to 3): on a phone it shows at most about 120 points tall
  (or is cut off in the chat until opened), so any words or detail in it are too small to read;
- over 1 MB: slow to open on mobile data (a flat drawing saved as PNG is far smaller).

Only the file's first bytes are read to learn its type and size in pixels, so `content check`
needs no image library."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from content.model import Card, Picture, Problem
from content.parsed import ParsedLesson

MEDIA_FOLDER = "media"
MEDIA_TYPES = {"image/png": (".png",), "image/jpeg": (".jpg", ".jpeg")}
MAX_BYTES = 10 * 1024 * 1024  # Telegram: a photo is at most 10 MB
MAX_SIDES_SUM = 10_000  # Telegram: width + height at most 10000
MAX_RATIO = 20.0  # Telegram: width and height ratio at most 20
MAX_PICTURES_PER_CARD = 10  # Telegram: an album holds 2 to 10 photos
MAX_ALT_CHARS = 2000  # Slack: an image block's alt_text
MAX_CAPTION_CHARS = 1024  # Telegram: a photo's caption
PHONE_MIN_WIDTH = 600
PHONE_MAX_RATIO = 3.0
PHONE_MAX_BYTES = 1024 * 1024
DIGEST_LENGTH = 12


@dataclass(frozen=True)
class MediaFile:
    media_type: str
    width: int
    height: int
    size: int
    digest: str  # sha256 of the bytes, first DIGEST_LENGTH hex digits


class NotAPicture(ValueError):
    """The bytes are not a PNG or JPEG whose size in pixels can be read."""


def media_path(root: Path, src: str) -> Path | None:
    """The file `src` names inside `root`/media, or None when it names anything else (an absolute
    path, a URL, `..`, a hidden file)."""
    if "\\" in src or ":" in src:
        return None
    parts = PurePosixPath(src).parts
    if len(parts) < 2 or parts[0] != MEDIA_FOLDER or any(part in ("", ".", "..") or part.startswith(".") for part in parts[1:]):
        return None
    return root.joinpath(*parts)


def sniff(data: bytes) -> tuple[str, int, int]:
    """(media type, width, height) from a PNG's or a JPEG's first bytes."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg", *_jpeg_size(data)
    raise NotAPicture("neither PNG nor JPEG")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            raise NotAPicture("a broken JPEG")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    raise NotAPicture("a JPEG without its size")


def read_media(path: Path) -> MediaFile:
    """The file's type, size in pixels and digest. OSError when it cannot be read, NotAPicture
    when it is no PNG or JPEG."""
    return measure(path.read_bytes())


def measure(data: bytes) -> MediaFile:
    """A picture's type, size in pixels and digest from its bytes (NotAPicture for no PNG or JPEG)."""
    media_type, width, height = sniff(data)
    return MediaFile(media_type, width, height, len(data), hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH])


@dataclass(frozen=True)
class Checked:
    picture: Picture  # with its file's type, size and digest when the file is usable
    errors: list[Problem]
    warnings: list[Problem]


def check_picture(picture: Picture, root: Path) -> Checked:
    """`picture` as written in a lesson, checked against its file under `root` (the content folder)."""
    path, line = picture.source.path, picture.source.line
    errors: list[Problem] = []
    if not picture.alt:
        errors.append(
            Problem(path, line, "the picture has no alt text: describe what it shows between the brackets, ![like this](media/file.png)")
        )
    elif len(picture.alt) > MAX_ALT_CHARS:
        errors.append(Problem(path, line, f"the alt text is {len(picture.alt)} characters long: keep it to {MAX_ALT_CHARS} or fewer"))
    if len(picture.caption) > MAX_CAPTION_CHARS:
        errors.append(
            Problem(path, line, f"the caption is {len(picture.caption)} characters long: keep it to {MAX_CAPTION_CHARS} or fewer")
        )
    file = media_path(root, picture.path)
    if file is None:
        errors.append(
            Problem(
                path,
                line,
                f"the picture '{picture.path}' is not a file in the content folder's {MEDIA_FOLDER}/: "
                f"put it there and write its path as {MEDIA_FOLDER}/<name>.png",
            )
        )
        return Checked(picture, errors, [])
    try:
        media = read_media(file)
    except OSError:
        errors.append(Problem(path, line, f"the picture '{picture.path}' does not exist (looked for {file}): check the name"))
        return Checked(picture, errors, [])
    except NotAPicture as error:
        errors.append(
            Problem(
                path,
                line,
                f"'{picture.path}' is not a PNG or JPEG picture ({error}): save it as PNG or JPEG "
                "(an SVG drawing must be rendered to PNG: see docs/authoring.md)",
            )
        )
        return Checked(picture, errors, [])
    errors += _platform_problems(picture, media)
    measured = Picture(
        path=picture.path,
        alt=picture.alt,
        caption=picture.caption,
        media_type=media.media_type,
        width=media.width,
        height=media.height,
        digest=media.digest,
        source=picture.source,
    )
    return Checked(measured, errors, _phone_warnings(picture, media))


def _platform_problems(picture: Picture, media: MediaFile) -> list[Problem]:
    path, line, name = picture.source.path, picture.source.line, picture.path
    problems: list[str] = []
    if not name.lower().endswith(MEDIA_TYPES[media.media_type]):
        kind, suffix = media.media_type.removeprefix("image/").upper(), MEDIA_TYPES[media.media_type][0]
        problems.append(f"'{name}' is a {kind} picture but its name does not say so: name it {PurePosixPath(name).stem}{suffix}")
    if media.size > MAX_BYTES:
        problems.append(f"'{name}' is {media.size / 1024 / 1024:.1f} MB: Telegram takes photos of at most 10 MB; make it smaller")
    if media.width == 0 or media.height == 0:
        problems.append(f"'{name}' is {media.width}x{media.height} pixels: a picture needs a width and a height")
    else:
        if media.width + media.height > MAX_SIDES_SUM:
            problems.append(
                f"'{name}' is {media.width}x{media.height} pixels: Telegram takes photos whose width and height add up "
                f"to at most {MAX_SIDES_SUM}; scale it down"
            )
        ratio = max(media.width / media.height, media.height / media.width)
        if ratio > MAX_RATIO:
            problems.append(
                f"'{name}' is {media.width}x{media.height} pixels, {ratio:.0f} to 1: Telegram takes photos of at most "
                f"{MAX_RATIO:.0f} to 1; crop it"
            )
    return [Problem(path, line, problem) for problem in problems]


def _phone_warnings(picture: Picture, media: MediaFile) -> list[Problem]:
    path, line, name = picture.source.path, picture.source.line, picture.path
    warnings: list[str] = []
    if 0 < media.width < PHONE_MIN_WIDTH:
        warnings.append(
            f"'{name}' is only {media.width} pixels wide: on a phone it is shown blown up and blurred; "
            f"draw or export it at least {PHONE_MIN_WIDTH} pixels wide"
        )
    if media.width and media.height:
        if media.width / media.height > PHONE_MAX_RATIO:
            warnings.append(
                f"'{name}' is {media.width}x{media.height} pixels, wider than {PHONE_MAX_RATIO:.0f} to 1: on a phone it shows "
                "only about 120 points tall, too small to read any words or detail in it; crop it or split it into two pictures"
            )
        elif media.height / media.width > PHONE_MAX_RATIO:
            warnings.append(
                f"'{name}' is {media.width}x{media.height} pixels, taller than 1 to {PHONE_MAX_RATIO:.0f}: chats cut it off "
                "until it is opened; crop it or split it into two pictures"
            )
    if media.size > PHONE_MAX_BYTES:
        warnings.append(
            f"'{name}' is {media.size / 1024 / 1024:.1f} MB: slow to open on mobile data; keep a picture under 1 MB "
            "(a drawing saved as PNG with few colours, a photo as JPEG)"
        )
    return [Problem(path, line, f"warning: {warning}") for warning in warnings]


def card_problems(pictures: tuple[Picture, ...]) -> list[Problem]:
    """Rules over a card's pictures together."""
    if len(pictures) <= MAX_PICTURES_PER_CARD:
        return []
    extra = pictures[MAX_PICTURES_PER_CARD]
    return [
        Problem(
            extra.source.path,
            extra.source.line,
            f"the card has {len(pictures)} pictures: a card shows at most {MAX_PICTURES_PER_CARD} (Telegram's album); "
            "move the rest to another card",
        )
    ]


@dataclass(frozen=True)
class MeasuredLessons:
    lessons: tuple[ParsedLesson, ...]  # each card's pictures with their files' type, size and digest
    errors: list[Problem]
    warnings: list[Problem]


def measure_lessons(lessons: tuple[ParsedLesson, ...], root: Path) -> MeasuredLessons:
    """Every picture of `lessons` checked against its file under `root` (the content folder)."""
    measured: list[ParsedLesson] = []
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for parsed in lessons:
        steps = []
        for step in parsed.lesson.steps:
            if isinstance(step, Card) and step.pictures:
                checked = [check_picture(picture, root) for picture in step.pictures]
                errors += card_problems(step.pictures) + [error for one in checked for error in one.errors]
                warnings += [warning for one in checked for warning in one.warnings]
                step = replace(step, pictures=tuple(one.picture for one in checked))
            steps.append(step)
        measured.append(replace(parsed, lesson=replace(parsed.lesson, steps=tuple(steps))))
    return MeasuredLessons(tuple(measured), errors, warnings)


def content_root(lesson_path: Path) -> Path:
    """The content folder of a lesson file: the nearest folder above it with a skills.yml (else
    the lesson folder's parent, as in content/lessons/<id>.md)."""
    for folder in lesson_path.parents:
        if (folder / "skills.yml").is_file():
            return folder
    return lesson_path.parent.parent
