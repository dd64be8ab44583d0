"""Badge images and OBv3 baking (credentials/images.py): pure functions, no web app."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from PIL import Image

from content.model import CredentialDefinition, CredentialKind
from credentials.images import (
    BakingError,
    badge_png,
    badge_svg,
    bake_png,
    bake_svg,
    layout,
    unbake_png,
    unbake_svg,
)

BADGE = CredentialDefinition(id="loto", kind=CredentialKind.BADGE, title="Lockout & <Tagout>", description="", criteria="")
CERTIFICATE = CredentialDefinition(
    id="ops", kind=CredentialKind.CERTIFICATE, title="Plant Operations Certificate", description="", criteria=""
)
CREDENTIAL = {"id": "urn:uuid:1", "name": "Ends with ]]> and é", "proof": {"proofValue": "z3x"}}


def test_images_are_deterministic():
    assert badge_svg(BADGE) == badge_svg(BADGE)
    assert badge_png(CERTIFICATE) == badge_png(CERTIFICATE)
    assert bake_png(badge_png(BADGE), CREDENTIAL) == bake_png(badge_png(BADGE), CREDENTIAL)


def test_badges_and_certificates_look_different():
    assert layout(BADGE).outline != layout(CERTIFICATE).outline and layout(CERTIFICATE).ribbons
    assert "BADGE" in badge_svg(BADGE) and "CERTIFICATE" in badge_svg(CERTIFICATE)
    assert badge_png(BADGE) != badge_png(replace(BADGE, kind=CredentialKind.CERTIFICATE))


def test_titles_are_escaped_in_the_svg():
    svg = badge_svg(BADGE)
    assert "Lockout &amp; &lt;Tagout&gt;" in svg and "<Tagout>" not in svg


@pytest.mark.parametrize("title", ["A", "Workplace Safety Foundations", "Supercalifragilisticexpialidocious Operations " * 4])
def test_long_titles_wrap_to_at_most_four_lines(title):
    shape = layout(CredentialDefinition(id="x", kind=CredentialKind.BADGE, title=title, description="", criteria=""))
    assert 1 <= len(shape.lines) <= 4 and all(len(line) <= 40 for line in shape.lines)


def test_baked_svg_round_trips_and_rebaking_replaces():
    baked = bake_svg(badge_svg(BADGE), CREDENTIAL)
    assert re.search(r'<svg [^>]*xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"', baked)
    assert baked.count("<openbadges:credential>") == 1
    assert unbake_svg(baked) == CREDENTIAL
    rebaked = bake_svg(baked, {"id": "urn:uuid:2"})
    assert rebaked.count("<openbadges:credential>") == 1 and unbake_svg(rebaked) == {"id": "urn:uuid:2"}


def test_baked_png_round_trips_keeps_its_pixels_and_rebaking_replaces():
    plain = badge_png(CERTIFICATE)
    baked = bake_png(plain, CREDENTIAL)
    assert b"iTXtopenbadgecredential\x00\x00\x00" in baked
    assert unbake_png(baked) == CREDENTIAL
    assert Image.open(io.BytesIO(baked)).tobytes() == Image.open(io.BytesIO(plain)).tobytes()
    rebaked = bake_png(baked, {"id": "urn:uuid:2"})
    assert rebaked.count(b"openbadgecredential") == 1 and unbake_png(rebaked) == {"id": "urn:uuid:2"}


def test_unbaking_what_holds_no_credential_says_so():
    with pytest.raises(BakingError, match="no baked credential"):
        unbake_svg(badge_svg(BADGE))
    with pytest.raises(BakingError, match="no baked credential"):
        unbake_png(badge_png(BADGE))
    with pytest.raises(BakingError, match="not a PNG"):
        bake_png(b"GIF89a", CREDENTIAL)
    with pytest.raises(BakingError, match="no <svg>"):
        bake_svg("<html></html>", CREDENTIAL)
