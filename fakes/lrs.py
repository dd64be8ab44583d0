"""A fake Learning Record Store for the forwarding tests, on real HTTP at 127.0.0.1. No rate
limit of its own (xAPI publishes none): its 429s are the ones a test asks for (`fail_next`).

It checks what a strict LRS checks on `POST /xapi/statements` (xAPI 1.0.3, Part Three): basic
auth (401 otherwise), the `X-Experience-API-Version` header (400 otherwise), a JSON array of
statements with ids. A batch is stored whole or not at all; a batch holding an id it already
has is answered 409 and stores nothing (the strictest answer the specification allows). It can
be told to fail the next requests (503), to ask for a pause (429 with Retry-After), to refuse
given statement ids (400), to answer slowly, or to hang until released."""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fakes.serving import serving_in_thread

Statement = dict[str, Any]


@dataclass
class Post:
    status: int
    ids: list[str]


@dataclass
class FakeLrs:
    username: str
    password: str
    base_url: str = ""
    stored: dict[str, Statement] = field(default_factory=dict)  # in the order stored
    posts: list[Post] = field(default_factory=list)  # every POST that was answered
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # the next answers to give instead
    refused: set[str] = field(default_factory=set)  # statement ids answered with 400
    refuse_everything: bool = False
    delay: float = 0.0  # seconds before each answer
    hanging: bool = False  # requests wait until this is cleared
    in_flight: int = 0  # well-formed requests with the right credentials, held by `hanging`
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/xapi/"

    def fail_next(self, count: int, status: int = 503, headers: dict[str, str] | None = None) -> None:
        with self.lock:
            self.failures += [(status, headers or {})] * count

    def accepted_ids(self) -> list[str]:
        """Every statement id in every batch the LRS answered 200 to, repeats included."""
        with self.lock:
            return [i for post in self.posts if post.status == 200 for i in post.ids]

    def stored_statements(self) -> list[Statement]:
        with self.lock:
            return list(self.stored.values())

    async def handle(self, request: Request) -> Response:
        try:
            status, body, headers, ids = await self._answer(request)
            with self.lock:
                self.posts.append(Post(status, ids))
        finally:
            if getattr(request.state, "counted", False):  # only now: a test sees the post recorded once it is 0
                with self.lock:
                    self.in_flight -= 1
        if status == 200:
            return JSONResponse(body, headers=headers)
        return Response(str(body), status_code=status, headers=headers, media_type="text/plain")

    async def _answer(self, request: Request) -> tuple[int, Any, dict[str, str], list[str]]:
        expected = "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return 401, "Unauthorized", {"WWW-Authenticate": 'Basic realm="LRS"'}, []
        if request.headers.get("x-experience-api-version") != "1.0.3":
            return 400, "X-Experience-API-Version header missing or not 1.0.3", {}, []
        try:
            statements = await request.json()
        except ValueError:
            return 400, "the body is not JSON", {}, []
        if not isinstance(statements, list) or not all(isinstance(s, dict) and s.get("id") for s in statements):
            return 400, "expected an array of statements with ids", {}, []
        ids = [s["id"] for s in statements]
        with self.lock:
            self.in_flight += 1
        request.state.counted = True
        # A flag polled, not an asyncio.Event: the test clears it from its own thread, and an
        # Event belongs to this server thread's loop.
        while self.hanging:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.failures:
                status, headers = self.failures.pop(0)
                return status, "try again later", headers, ids
            if self.refuse_everything or self.refused & set(ids):
                bad = next((i for i in ids if i in self.refused), ids[0])
                return 400, f"statement {bad} is invalid: result.extensions keys must be IRIs", {}, ids
            if any(i in self.stored for i in ids) or len(set(ids)) != len(ids):
                return 409, "a statement with this id is already stored", {}, ids
            for statement in statements:
                self.stored[statement["id"]] = statement
        return 200, ids, {}, ids


@contextmanager
def running_fake_lrs(username: str = "forwarder", password: str = "lrs-secret-pass-4711") -> Iterator[FakeLrs]:
    fake = FakeLrs(username=username, password=password)
    app = Starlette(routes=[Route("/xapi/statements", fake.handle, methods=["POST"])])

    def release() -> None:
        fake.hanging = False

    with serving_in_thread(app, "fake-lrs", before_stop=release) as port:
        fake.base_url = f"http://127.0.0.1:{port}"
        yield fake


async def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Poll until `condition` holds; fail (not hang) after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)
