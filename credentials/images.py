"""Badge images drawn from a definition, and baking: a credential carried inside its image.

Baking follows Open Badges 3.0 section 5.3 (Badge Baking): an SVG gets an
`<openbadges:credential>` element (namespace https://purl.imsglobal.org/ob/v3p0) holding the
signed JSON in CDATA; a PNG gets one uncompressed iTXt chunk with the keyword
`openbadgecredential`. Everything here is pure and deterministic: same input, same bytes.
"""

from __future__ import annotations

import io
import json
import math
import re
import struct
import textwrap
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from content.model import CredentialDefinition, CredentialKind

OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
PNG_KEYWORD = b"openbadgecredential"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIZE = 400
FONT = "'Helvetica Neue', Helvetica, Arial, sans-serif"


class BakingError(ValueError):
    """An image could not be baked or holds no baked credential."""


@dataclass(frozen=True)
class Style:
    label: str
    shape: str  # fill of the outer shape
    face: str  # fill of the inner face
    rim: str  # the ring between them, and the label
    ribbon: str | None  # certificates hang on two ribbon tails


STYLES = {
    CredentialKind.BADGE: Style("BADGE", shape="#134e5e", face="#1b7a8c", rim="#bfe6e0", ribbon=None),
    CredentialKind.CERTIFICATE: Style("CERTIFICATE", shape="#c9971c", face="#1f2a44", rim="#f3d27a", ribbon="#8c1c2b"),
}


# --- layout: shared by the SVG and the PNG -------------------------------------------------------
Points = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Layout:
    outline: Points  # the outer shape
    face: Points  # the inner face
    ribbons: tuple[Points, ...]
    lines: tuple[str, ...]
    font_size: int

    def baselines(self) -> list[float]:
        step = self.font_size * 1.18
        first = 222 - (len(self.lines) - 1) * step / 2 + self.font_size * 0.35
        return [round(first + i * step, 1) for i in range(len(self.lines))]


def _ring(points: int, radius: float, *, inner: float | None = None, turn: float = -90) -> Points:
    """A regular polygon (or, with `inner`, a star-like rosette) around the centre."""
    result = []
    for i in range(points):
        r = inner if inner is not None and i % 2 else radius
        angle = math.radians(turn + 360 * i / points)
        result.append((round(200 + r * math.cos(angle), 1), round(200 + r * math.sin(angle), 1)))
    return tuple(result)


def _wrap(title: str) -> tuple[tuple[str, ...], int]:
    """The largest font size at which the title fits the face in at most four lines."""
    for size in (40, 34, 30, 26, 22, 19):
        width = int(236 / (0.6 * size))
        lines = textwrap.wrap(title, width=width, break_long_words=False) or [""]
        if len(lines) <= 4 and max(len(line) for line in lines) <= width:
            return tuple(lines), size
    lines = textwrap.wrap(title, width=20, max_lines=4, placeholder="…")
    return tuple(lines), 19


def layout(definition: CredentialDefinition) -> Layout:
    lines, size = _wrap(definition.title.strip())
    if definition.kind is CredentialKind.CERTIFICATE:
        left = ((150, 290), (112, 388), (146, 372), (170, 398), (200, 300))
        right = tuple((400 - x, y) for x, y in left)
        return Layout(_ring(48, 176, inner=163), _ring(64, 140), (left, right), lines, size)
    return Layout(_ring(6, 190), _ring(6, 164), (), lines, size)


# --- SVG ----------------------------------------------------------------------------------------
def _points(shape: Points) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in shape)


def badge_svg(definition: CredentialDefinition) -> str:
    style, shape = STYLES[definition.kind], layout(definition)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}" '
        f'role="img" aria-label="{escape(definition.title, {chr(34): "&quot;"})}">',
        f"<title>{escape(definition.title)}</title>",
    ]
    parts += [f'<polygon points="{_points(r)}" fill="{style.ribbon}"/>' for r in shape.ribbons]
    parts.append(f'<polygon points="{_points(shape.outline)}" fill="{style.shape}"/>')
    parts.append(f'<polygon points="{_points(shape.face)}" fill="{style.face}" stroke="{style.rim}" stroke-width="4"/>')
    parts.append(
        f'<text x="200" y="128" text-anchor="middle" font-family="{FONT}" font-size="15" '
        f'font-weight="700" letter-spacing="3" fill="{style.rim}">{style.label}</text>'
    )
    for line, y in zip(shape.lines, shape.baselines(), strict=True):
        parts.append(
            f'<text x="200" y="{y:g}" text-anchor="middle" font-family="{FONT}" '
            f'font-size="{shape.font_size}" font-weight="700" fill="#ffffff">{escape(line)}</text>'
        )
    rule = shape.baselines()[-1] + 26
    parts.append(f'<line x1="170" y1="{rule:g}" x2="230" y2="{rule:g}" stroke="{style.rim}" stroke-width="3"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


_CREDENTIAL_ELEMENT = re.compile(r"<openbadges:credential\b.*?</openbadges:credential>\s*", re.DOTALL)
_SVG_START = re.compile(r"<svg\b[^>]*>")


def bake_svg(svg: str, credential: Mapping[str, Any]) -> str:
    """The SVG with the credential inside; a credential baked before is replaced."""
    svg = _CREDENTIAL_ELEMENT.sub("", svg)
    start = _SVG_START.search(svg)
    if start is None:
        raise BakingError("not an SVG image: no <svg> element")
    tag = start.group(0)
    if "xmlns:openbadges=" not in tag:
        tag = tag[:-1].rstrip("/") + f' xmlns:openbadges="{OB_NAMESPACE}">'
    # CDATA cannot hold "]]>": split it across two sections.
    data = json.dumps(credential, ensure_ascii=False).replace("]]>", "]]]]><![CDATA[>")
    element = f"<openbadges:credential><![CDATA[{data}]]></openbadges:credential>"
    return svg[: start.start()] + tag + "\n" + element + "\n" + svg[start.end() :].lstrip("\n")


def unbake_svg(svg: str) -> dict[str, Any]:
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise BakingError(f"not a well-formed SVG: {error}") from error
    element = root.find(f"{{{OB_NAMESPACE}}}credential")
    if element is None or not (element.text or "").strip():
        raise BakingError("the SVG holds no baked credential")
    return json.loads(element.text or "")


# --- PNG ----------------------------------------------------------------------------------------
def badge_png(definition: CredentialDefinition) -> bytes:
    """The same badge as the SVG, drawn at 2x and scaled down for smooth edges. Pillow is
    imported here: it comes with the web extra, and a console-only install signs did:key
    credentials with the SVG inside (credentials/issuing.py SelfContained) and never draws a PNG."""
    from PIL import Image, ImageDraw, ImageFont

    style, shape, k = STYLES[definition.kind], layout(definition), 2
    image = Image.new("RGBA", (SIZE * k, SIZE * k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def scaled(points: Points) -> list[tuple[float, float]]:
        return [(x * k, y * k) for x, y in points]

    for ribbon in shape.ribbons:
        draw.polygon(scaled(ribbon), fill=style.ribbon)
    draw.polygon(scaled(shape.outline), fill=style.shape)
    draw.polygon(scaled(shape.face), fill=style.face, outline=style.rim, width=4 * k)
    label = ImageFont.load_default(size=15 * k)
    draw.text((200 * k, 128 * k), " ".join(style.label), font=label, fill=style.rim, anchor="ms")
    font = ImageFont.load_default(size=shape.font_size * k)
    widest = max(font.getlength(line) for line in shape.lines)
    if widest > 250 * k:  # the bundled font runs wider than the SVG's
        font = ImageFont.load_default(size=int(shape.font_size * k * 250 * k / widest))
    for line, y in zip(shape.lines, shape.baselines(), strict=True):
        # a hairline stroke gives the regular bundled font the weight of the SVG's bold
        draw.text((200 * k, y * k), line, font=font, fill="#ffffff", anchor="ms", stroke_width=k // 2, stroke_fill="#ffffff")
    rule = (shape.baselines()[-1] + 26) * k
    draw.line([(170 * k, rule), (230 * k, rule)], fill=style.rim, width=3 * k)
    out = io.BytesIO()
    image.resize((SIZE, SIZE), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image")
    chunks, at = [], len(PNG_SIGNATURE)
    while at + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[at : at + 8])
        chunks.append((kind, png[at + 8 : at + 8 + length]))
        at += 12 + length
        if kind == b"IEND":
            return chunks
    raise BakingError("truncated PNG: no IEND chunk")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _is_credential(kind: bytes, data: bytes) -> bool:
    return kind == b"iTXt" and data.split(b"\0", 1)[0] == PNG_KEYWORD


def bake_png(png: bytes, credential: Mapping[str, Any]) -> bytes:
    """The PNG with one iTXt `openbadgecredential` chunk (uncompressed, no language tag)
    right after IHDR; a credential baked before is replaced. The pixels are not re-encoded."""
    text = json.dumps(credential, ensure_ascii=False).encode("utf-8")
    itxt = _chunk(b"iTXt", PNG_KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + text)
    out = [PNG_SIGNATURE]
    for kind, data in _chunks(png):
        if not _is_credential(kind, data):
            out.append(_chunk(kind, data))
        if kind == b"IHDR":
            out.append(itxt)
    return b"".join(out)


def unbake_png(png: bytes) -> dict[str, Any]:
    for kind, data in _chunks(png):
        if _is_credential(kind, data):
            # keyword\0, compression flag, method, language tag\0, translated keyword\0, text
            compressed = data[len(PNG_KEYWORD) + 1]
            _language, _translated, text = data[len(PNG_KEYWORD) + 3 :].split(b"\0", 2)
            return json.loads(zlib.decompress(text) if compressed else text)
    raise BakingError("the PNG holds no baked credential")
