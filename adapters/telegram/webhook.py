"""Telegram's webhook, mounted in the project's one ASGI app. A request without the secret
Telegram was given (X-Telegram-Bot-Api-Secret-Token) is refused before anything is read. The
200 is answered only once the update is in the delivery journal; when it cannot be journaled,
503 asks Telegram to deliver it again later."""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response

from adapters.inbox import JournalUnavailable
from adapters.request_body import read_at_most
from adapters.telegram.bot import TelegramBot

MAX_BODY = 1_000_000  # bytes; real updates are a few KB
MAX_UPDATE_ID = 2**63 - 1


class NotAnUpdate(ValueError):
    """The body, although it carries the secret, is not a Telegram update."""


def webhook_router(bot: TelegramBot, *, webhook_url: str, secret: str) -> APIRouter:
    router = APIRouter()
    path = urlsplit(webhook_url).path or "/telegram/webhook"

    @router.post(path, include_in_schema=False)
    async def receive(request: Request) -> Response:
        given = request.headers.get("x-telegram-bot-api-secret-token", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return Response("Forbidden", status_code=403)
        body = await read_at_most(request, MAX_BODY)
        if body is None:
            return Response("Too large", status_code=413)
        try:
            await bot.receive(_update(body))
        except ValueError:  # NotAnUpdate, or a shape PTB cannot read
            return Response("Not a Telegram update", status_code=400)
        except JournalUnavailable:
            return Response("Try again later", status_code=503)
        return Response(status_code=200)

    return router


def _update(body: bytes) -> dict[str, Any]:
    """The update in `body`: a JSON object with a whole, non-negative update_id. Anything else
    (not UTF-8, not an object, NaN, nesting too deep for the parser) is NotAnUpdate."""
    try:
        update = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise NotAnUpdate(type(error).__name__) from None
    update_id = update.get("update_id") if isinstance(update, dict) else None
    if type(update_id) is not int or not 0 <= update_id <= MAX_UPDATE_ID:
        raise NotAnUpdate("no update_id")
    return update


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")
