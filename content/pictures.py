"""Pictures in lesson cards: a Markdown image on a line of its own,
`![alt text](media/isolator.png "optional caption")`, with the file under the content folder's
`media/`. The parser takes such paragraphs out of the card's text (platforms send a picture as a
picture, not as Markdown) and reports images written anywhere else."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from markdown_it.token import Token

from content.blocks import Block


@dataclass(frozen=True)
class WrittenPicture:
    """An image as the author wrote it, before its file is looked at."""

    src: str
    alt: str
    caption: str
    offset: int  # lines after the block's first line


def picture_paragraph(block: Block) -> list[WrittenPicture] | None:
    """The pictures of a paragraph made of images only (one or more, each on its own line);
    None for any other block."""
    if block.type != "paragraph_open" or len(block.tokens) < 2:
        return None
    children = block.tokens[1].children or []
    pictures: list[WrittenPicture] = []
    offset = 0
    for child in children:
        if child.type == "image":
            pictures.append(_written(child, offset))
        elif child.type in ("softbreak", "hardbreak"):
            offset += 1
        elif not (child.type == "text" and not child.content.strip()):
            return None
    return pictures or None


def stray_images(block: Block) -> list[int]:
    """Offsets (lines after the block's first) of images inside text, a list or a quote: a
    picture must be a paragraph of its own, so platforms can send it as one."""
    found: list[int] = []
    for token in block.tokens:
        if token.type != "inline" or not token.children:
            continue
        first = (token.map[0] if token.map else block.start) - block.start
        breaks = 0
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                breaks += 1
            elif child.type == "image":
                found.append(first + breaks)
    return found


def _written(image: Token, offset: int) -> WrittenPicture:
    src = unquote(str(image.attrs.get("src", "")))
    title = image.attrs.get("title")
    return WrittenPicture(src=src, alt=" ".join(image.content.split()), caption=" ".join(str(title or "").split()), offset=offset)
