"""The web app serves lesson pictures at /media/{name} for the platforms that fetch them (Slack's
image block, Teams' Adaptive Cards), over real HTTP on loopback: the picture with caching headers
that follow its digest, and nothing but PNG and JPEG files under the content folder's media/ (raw
request paths, as an attacker would send them, not normalised by a client)."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from content.media_rules import read_media
from content.model import Curriculum
from fakes.serving import serving_in_thread
from tests.integration.test_issuing_on_award import issuer_for
from tests.memory_store import MemoryStore
from tests.pictures import content_with_pictures, drawn
from tests.web.conftest import PUBLIC_URL
from web.app import create_app


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = content_with_pictures(tmp_path / "content")
    (tmp_path / "secret.png").write_bytes(drawn((800, 600)))  # beside the content folder: never served
    (root / "media" / "outside.png").symlink_to(tmp_path / "secret.png")
    (root / "media" / ".hidden.png").write_bytes(drawn((800, 600)))
    (root / "media" / "notes.txt").write_text("not a picture")
    (root / "media" / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (root / "media" / "album").mkdir()
    (root / "media" / "album" / "one.png").write_bytes(drawn((800, 600)))
    return root


@pytest.fixture
def port(content: Path, tmp_path: Path, clock: ManualClock, curriculum: Curriculum) -> Iterator[int]:
    issuer = issuer_for(tmp_path, PUBLIC_URL)
    app = create_app(store=MemoryStore(), curriculum=curriculum, issuer=issuer, clock=clock, content_dir=content)
    with serving_in_thread(app, "media-route") as port:
        yield port


def get(port: int, raw_path: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, raw_path, skip_accept_encoding=True)  # the path exactly as written
        for name, value in headers.items():
            connection.putheader(name.replace("_", "-"), value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_a_picture_with_its_digest_is_served_to_be_cached_for_good(port: int, content: Path) -> None:
    file = read_media(content / "media" / "tide-chart.png")
    status, headers, body = get(port, f"/media/tide-chart.png?v={file.digest}")
    assert status == 200
    assert body == (content / "media" / "tide-chart.png").read_bytes()
    assert headers["content-type"] == "image/png"
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["etag"] == f'"{file.digest}"'
    assert headers["x-content-type-options"] == "nosniff"
    status, headers, body = get(port, "/media/spring-tide.jpg")
    assert (status, headers["content-type"], headers["cache-control"]) == (200, "image/jpeg", "public, max-age=300")


def test_a_redrawn_picture_is_not_cached_for_good_under_its_old_digest(port: int, content: Path) -> None:
    old = read_media(content / "media" / "tide-chart.png").digest
    (content / "media" / "tide-chart.png").write_bytes(drawn((900, 600), colour=(0, 0, 0)))
    status, headers, body = get(port, f"/media/tide-chart.png?v={old}")
    assert status == 200 and body == (content / "media" / "tide-chart.png").read_bytes()
    assert headers["cache-control"] == "public, max-age=300"
    assert headers["etag"] != f'"{old}"'


def test_a_cache_asking_again_gets_not_modified_and_head_gets_no_body(port: int, content: Path) -> None:
    digest = read_media(content / "media" / "tide-chart.png").digest
    status, _, body = get(port, "/media/tide-chart.png", if_none_match=f'"{digest}"')
    assert (status, body) == (304, b"")
    status, headers, body = get(port, "/media/tide-chart.png", method="HEAD")
    assert (status, body, headers["content-length"]) == (200, b"", str((content / "media" / "tide-chart.png").stat().st_size))


def test_a_picture_in_a_folder_of_media_is_served(port: int) -> None:
    assert get(port, "/media/album/one.png")[0] == 200


@pytest.mark.parametrize(
    "raw_path",
    [
        "/media/../skills.yml",
        "/media/../lessons/tides.md",
        "/media/..%2Fskills.yml",
        "/media/%2e%2e/skills.yml",
        "/media/album/../../skills.yml",
        "/media//etc/passwd",
        "/media/%2Fetc%2Fpasswd",
        "/media/outside.png",  # a symlink out of media/
        "/media/.hidden.png",
        "/media/notes.txt",
        "/media/chart.svg",  # only PNG and JPEG: an SVG can carry scripts
        "/media/missing.png",
        "/media/",
        "/media/album",
    ],
)
def test_nothing_but_pictures_under_media_is_served(port: int, raw_path: str) -> None:
    status, headers, body = get(port, raw_path)
    assert (status, body) == (404, b'{"detail":"No such picture."}'), raw_path  # the same answer, whatever is there
    assert "cache-control" not in headers
