"""Reading a platform's request body without trusting its size: a webhook is public, and a body
is read into memory only up to a limit (the declared length is checked first, then the bytes as
they arrive, since a sender may lie about the length or send none)."""

from __future__ import annotations

from starlette.requests import Request


async def read_at_most(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is over `limit` bytes (nothing more is read then)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
