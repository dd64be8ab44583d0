"""Teams' HTTP endpoint in the project's one ASGI app: the Bot Connector posts activities to
/api/messages. The Teams SDK does its own routing through an `HttpServerAdapter` (its documented
way to plug into any web framework); this one registers the SDK's handler on a FastAPI router
that `serve` includes, so Teams shares the port, the process and the database with the rest.

Before the SDK sees a request, this reads at most MAX_BODY bytes and refuses with 401 one that
carries no bearer token at all; the SDK then validates the token (signature from the Bot
Connector's keys, issuer, audience = the app id, the serviceurl claim, expiry) and answers 401
when it fails. Nothing of a refused request is logged, written or sent anywhere."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from microsoft_teams.apps.http.adapter import HttpMethod, HttpRequest, HttpRouteHandler

from adapters.request_body import read_at_most

PATH = "/api/messages"
MAX_BODY = 256 * 1024  # an activity is a few KB; Teams' own limit for a message is about 100 KB


class RouterAdapter:
    """The SDK's HttpServerAdapter on a FastAPI router (the app itself is built by web/app.py)."""

    def __init__(self) -> None:
        self.router = APIRouter()

    def register_route(self, method: HttpMethod, path: str, handler: HttpRouteHandler) -> None:
        if method != "POST":
            raise ValueError(f"Teams: unsupported method {method}")

        async def endpoint(request: Request) -> Response:
            if not request.headers.get("authorization", "").startswith("Bearer "):
                return Response(status_code=401)
            raw = await read_at_most(request, MAX_BODY)
            if raw is None:
                return Response(status_code=413)
            try:
                body: Any = json.loads(raw)
            except (UnicodeDecodeError, ValueError, RecursionError):
                return Response(status_code=400)
            if not isinstance(body, dict):
                return Response(status_code=400)
            answer = await handler(HttpRequest(body=body, headers=dict(request.headers)))
            if answer.get("body") is None:
                return Response(status_code=answer["status"])
            return JSONResponse(answer["body"], status_code=answer["status"])

        self.router.add_api_route(path, endpoint, methods=["POST"], include_in_schema=False)

    def serve_static(self, path: str, directory: str) -> None:
        raise NotImplementedError("the web app serves its own static files")

    async def start(self, port: int) -> None:
        raise NotImplementedError("`serve` runs the web app")

    async def stop(self) -> None:
        return None
