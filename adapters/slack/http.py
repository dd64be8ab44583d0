"""Slack's HTTP endpoint in the project's one ASGI app: events, interactivity and slash
commands all arrive at /slack/events.

Before bolt sees a request (bolt reads and parses the body before it checks the signature, and
its error handler gets that body), this endpoint reads at most MAX_BODY bytes, refuses with 401
anything not signed by Slack in the last 5 minutes, and with a 4xx a signed body it cannot read
(not UTF-8, not a JSON object, NaN, nested too deeply, too large). Nothing of a refused request
is logged, written or sent anywhere."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response
from slack_bolt.async_app import AsyncApp

from adapters.request_body import read_at_most
from adapters.slack.app import VERIFIED_BODY
from adapters.slack.inbound import MAX_BODY, Malformed, parse, verified

PATH = "/slack/events"


def events_router(app: AsyncApp, signing_secret: str) -> APIRouter:
    router = APIRouter()

    @router.post(PATH, include_in_schema=False)
    async def events(request: Request) -> Response:
        raw = await read_at_most(request, MAX_BODY)
        if raw is None:
            return Response(status_code=413)
        headers = request.headers
        if not verified(signing_secret, headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature"), raw):
            return Response(status_code=401)
        try:
            body = parse(raw, headers.get("content-type"))
        except Malformed as problem:
            return Response(status_code=problem.status)
        answer = await app.async_dispatch(to_async_bolt_request(request, raw, {VERIFIED_BODY: body}))
        return to_starlette_response(answer)

    return router
