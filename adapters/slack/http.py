"""Slack's HTTP endpoint in the project's one ASGI app: events, interactivity and slash
commands all arrive at /slack/events (bolt verifies each request's signature and timestamp)."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp

PATH = "/slack/events"


def events_router(app: AsyncApp) -> APIRouter:
    handler = AsyncSlackRequestHandler(app)
    router = APIRouter()

    @router.post(PATH, include_in_schema=False)
    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return router
