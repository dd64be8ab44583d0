"""Lesson pictures, for the platforms that fetch them by address (Slack's image block, Teams'
Adaptive Card Image): GET (and HEAD) /media/{name}.

Only PNG and JPEG files under the content folder's media/ are served (content/media_rules.py
decides what a media path may be: no `..`, no hidden files, no way out by a symlink); anything
else is 404, the same answer as for a missing file. The address adapters give carries the file's
digest (`?v=`, adapters/media.py): when it matches the file, the picture may be cached for good
(a redrawn picture gets another address); without it, or with an old one, for five minutes. An
ETag lets a cache ask again cheaply."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response

from content.media_rules import MEDIA_FOLDER, MediaFile, NotAPicture, measure, media_path

FOR_GOOD = "public, max-age=31536000, immutable"
FOR_A_WHILE = "public, max-age=300"
NOT_HERE = "No such picture."


def media_routes(*, content_dir: Path) -> APIRouter:
    router = APIRouter()
    media = (content_dir / MEDIA_FOLDER).resolve()

    def picture(name: str) -> tuple[bytes, MediaFile]:
        found = media_path(content_dir, f"{MEDIA_FOLDER}/{name}")
        if found is None or not found.resolve().is_relative_to(media) or not found.is_file():
            raise HTTPException(404, NOT_HERE)
        try:
            data = found.read_bytes()
            return data, measure(data)
        except (OSError, NotAPicture):
            raise HTTPException(404, NOT_HERE) from None

    # A plain function: FastAPI runs it in a thread, so reading the file never holds up the event loop.
    @router.api_route("/media/{name:path}", methods=["GET", "HEAD"], name="lesson_picture")
    def lesson_picture(name: str, request: Request) -> Response:
        data, file = picture(name)
        tag = f'"{file.digest}"'
        headers = {
            "ETag": tag,
            "Cache-Control": FOR_GOOD if request.query_params.get("v") == file.digest else FOR_A_WHILE,
            "Access-Control-Allow-Origin": "*",  # a picture in a lesson is no secret
        }
        if tag in [value.strip() for value in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers=headers)
        body = b"" if request.method == "HEAD" else data
        return Response(body, media_type=file.media_type, headers={**headers, "Content-Length": str(file.size)})

    return router
