"""Telegram's webhook, mounted in the project's one ASGI app. A request without the secret
Telegram was given (X-Telegram-Bot-Api-Secret-Token) is refused before anything is read. The
200 is answered only once the update is in the delivery journal; when it cannot be journaled,
503 asks Telegram to deliver it again later."""
from __future__ import annotations

import hmac
import json
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response

from adapters.inbox import JournalUnavailable
from adapters.telegram.bot import TelegramBot

MAX_BODY = 1_000_000  # bytes; real updates are a few KB


def webhook_router(bot: TelegramBot, *, webhook_url: str, secret: str) -> APIRouter:
    router = APIRouter()
    path = urlsplit(webhook_url).path or "/telegram/webhook"

    @router.post(path, include_in_schema=False)
    async def receive(request: Request) -> Response:
        given = request.headers.get("x-telegram-bot-api-secret-token", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return Response("Forbidden", status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response("Too large", status_code=413)
        try:
            update = json.loads(body)
            if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
                raise ValueError("not an update")
            await bot.receive(update)
        except (ValueError, TypeError, KeyError):
            return Response("Not a Telegram update", status_code=400)
        except JournalUnavailable:
            return Response("Try again later", status_code=503)
        return Response(status_code=200)

    return router
