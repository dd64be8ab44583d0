"""A fake Microsoft Bot Connector service for the Teams wire tests and the benchmark.

It speaks real HTTP on 127.0.0.1 so the real Teams SDK (microsoft-teams-apps: its JWT validation
through PyJWT's JWKS client, its httpx client, its activity models) is exercised end to end:

- its own token issuer: an RSA key, OpenID metadata at /v1/.well-known/openidconfiguration and the
  keys at /v1/.well-known/keys (where the SDK looks for them: the metadata URL with `/keys` for
  `/openidconfiguration`), and `signed(activity)` makes the Authorization header the Bot Connector
  sends with each activity it posts to a bot (RS256; iss https://api.botframework.com, aud the
  bot's app id, the `serviceurl` claim, a five-minute life);
- the token endpoint the bot asks for its outbound token, POST /{tenant}/oauth2/v2.0/token
  (OAuth 2.0 client credentials, the app id and password registered here);
- the REST API the bot calls back under `service_url`: /v3/conversations (create),
  .../{id}/activities (send), .../activities/{id} (POST: reply, PUT: update), which records
  what the bot sent and keeps each conversation's activities as they are now.

Microsoft's documented throttling is enforced (https://learn.microsoft.com/microsoftteams/platform/
bots/how-to/rate-limit): per bot per conversation 7 operations a second, 60 in 30 seconds, 1,800
an hour, and 50 requests a second per app per tenant; beyond a limit the answer is 429 with a
Retry-After (whole seconds). `fail_next` injects 412, 429, 502 or 504. The limits read
`rate_clock`, which a test may hold still so what it asserts does not depend on machine speed."""

from __future__ import annotations

import base64
import bisect
import itertools
import math
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fakes.serving import serving_in_thread

JSON = dict[str, Any]
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_SCOPE = "https://api.botframework.com/.default"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
KEY_ID = "fake-connector-key"
TOKEN_LIFE = 300  # seconds an inbound activity's token is valid
# (operations, seconds) per bot per conversation, and per app per tenant.
Limits = tuple[tuple[int, float], ...]
CONVERSATION_LIMITS: Limits = ((7, 1.0), (60, 30.0), (1800, 3600.0))
TENANT_LIMITS: Limits = ((50, 1.0),)


@dataclass(frozen=True)
class Call:
    """One request the bot made to the REST API, and the status it was answered with."""

    method: str
    path: str
    conversation: str | None
    body: JSON | None
    status: int
    at: float = 0.0  # time.monotonic() when it was answered (the benchmark's reply latency)


@dataclass
class Conversation:
    id: str
    tenant: str
    kind: str  # personal, channel, groupChat
    members: list[str] = field(default_factory=list)
    activities: dict[str, JSON] = field(default_factory=dict)  # id -> the activity as it is now, in order
    updates: dict[str, int] = field(default_factory=dict)  # id -> times it was updated


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class FakeConnector:
    """State and behaviour of the fake; guarded by one lock (the server runs in its own thread)."""

    def __init__(self, *, app_id: str, app_password: str, tenant_id: str = "tenant-1") -> None:
        self.app_id, self.app_password, self.tenant_id = app_id, app_password, tenant_id
        self.port: int | None = None
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._conversations: dict[str, Conversation] = {}
        self._calls: list[Call] = []
        self._tokens: set[str] = set()  # access tokens this fake issued to the bot
        self.token_requests = 0
        self._failures: deque[tuple[int, int]] = deque()  # (status, retry after) for the next calls
        self._windows: dict[str, list[float]] = {}
        self._refused_until: dict[str, float] = {}
        self.early_retries = 0  # requests in a conversation sent before its Retry-After ran out
        self.refusals: Counter[str] = Counter()  # 429s by the limit met: conversation, tenant
        self.enforce_limits = True
        self.rate_clock: Callable[[], float] = time.monotonic
        self.app = Starlette(
            routes=[
                Route("/v1/.well-known/openidconfiguration", self._openid),
                Route("/v1/.well-known/keys", self._keys),
                Route("/{tenant}/oauth2/v2.0/token", self._token, methods=["POST"]),
                Route("/teams/v3/conversations", self._create, methods=["POST"]),
                Route("/teams/v3/conversations/{cid}/activities", self._send, methods=["POST"]),
                Route("/teams/v3/conversations/{cid}/activities/{aid}", self._reply_or_update, methods=["POST", "PUT"]),
            ]
        )

    # --- addresses ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        """What activities carry as serviceUrl: the REST API's base."""
        return f"{self.base_url}/teams"

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    @property
    def login_url(self) -> str:
        """Where the token endpoint lives: {login_url}/{tenant}/oauth2/v2.0/token."""
        return self.base_url

    # --- inbound: what the Bot Connector posts to the bot ---------------------------------------
    def signed(
        self,
        activity: JSON,
        *,
        audience: str | None = None,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        lifetime: int = TOKEN_LIFE,
        service_url: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> dict[str, str]:
        """The headers the Bot Connector posts `activity` with: a JWT signed by this fake's key."""
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience or self.app_id,
            "serviceurl": service_url or activity.get("serviceUrl") or self.service_url,
            "nbf": now - 5,
            "iat": now - 5,
            "exp": now + lifetime,
        }
        token = jwt.encode(claims, key or self._key, algorithm="RS256", headers={"kid": KEY_ID})
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def personal(self, user_id: str, *, name: str = "", aad_id: str | None = None) -> str:
        """The 1:1 conversation of the bot with `user_id` (made on first use)."""
        cid = f"a:personal-{user_id}"
        with self._lock:
            if cid not in self._conversations:
                self._conversations[cid] = Conversation(cid, self.tenant_id, "personal", [user_id])
        return cid

    def channel(self, team: str = "General") -> str:
        cid = f"19:{team.lower()}@thread.tacv2"
        with self._lock:
            self._conversations.setdefault(cid, Conversation(cid, self.tenant_id, "channel"))
        return cid

    def activity(self, user_id: str, *, kind: str = "message", conversation: str | None = None, **fields: Any) -> JSON:
        """An activity from `user_id` as Teams sends it (personal chat unless `conversation`)."""
        cid = conversation or self.personal(user_id)
        conv = self._conversations[cid]
        body: JSON = {
            "type": kind,
            "id": f"in-{next(self._ids)}",
            "timestamp": "2026-12-07T09:00:00.000Z",
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": user_id, "name": fields.pop("name", user_id), "aadObjectId": f"aad-{user_id}"},
            "conversation": {"id": cid, "conversationType": conv.kind, "tenantId": self.tenant_id},
            "recipient": {"id": f"28:{self.app_id}", "name": "Microbadge"},
            "channelData": {"tenant": {"id": self.tenant_id}},
            "locale": fields.pop("locale", "en-US"),
        }
        body.update(fields)
        return body

    # --- what the bot sent ----------------------------------------------------------------------
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def activities(self, conversation: str) -> list[JSON]:
        """The conversation's activities sent by the bot, as they are now (updates applied)."""
        with self._lock:
            conv = self._conversations.get(conversation)
            return [dict(a) for a in conv.activities.values()] if conv else []

    def updates(self, conversation: str, activity_id: str) -> int:
        with self._lock:
            return self._conversations[conversation].updates.get(activity_id, 0)

    def throttled(self) -> int:
        with self._lock:
            return sum(1 for call in self._calls if call.status == 429)

    def fail_next(self, status: int = 429, times: int = 1, *, retry_after: int = 1) -> None:
        """The next `times` REST calls are answered `status` (412, 429, 502, 504), not executed."""
        with self._lock:
            self._failures.extend((status, retry_after) for _ in range(times))

    # --- endpoints ------------------------------------------------------------------------------
    async def _openid(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": BOT_FRAMEWORK_ISSUER,
                "authorization_endpoint": f"{self.base_url}/v1/authorize",
                "jwks_uri": f"{self.base_url}/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _keys(self, request: Request) -> Response:
        public = self._key.public_key().public_numbers()
        key = {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": KEY_ID,
            "n": _b64(public.n),
            "e": _b64(public.e),
            "endorsements": ["msteams"],
        }
        return JSONResponse({"keys": [key]})

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        with self._lock:
            self.token_requests += 1
        if form.get("grant_type") != "client_credentials" or form.get("scope") != BOT_SCOPE:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if form.get("client_id") != self.app_id or form.get("client_secret") != self.app_password:
            return JSONResponse({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret"}, status_code=401)
        now = int(time.time())
        claims = {
            "aud": BOT_FRAMEWORK_ISSUER,
            "iss": f"https://sts.windows.net/{self.tenant_id}/",
            "appid": self.app_id,
            "tid": self.tenant_id,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": KEY_ID})  # Entra's are JWTs; the SDK reads them
        with self._lock:
            self._tokens.add(token)
        return JSONResponse({"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": token})

    async def _create(self, request: Request) -> Response:
        body = await request.json()
        refused = self._refuse(request, None, body)
        if refused is not None:
            return refused
        members = [str(m.get("id")) for m in body.get("members") or []]
        if len(members) != 1:
            return self._record(request, None, body, JSONResponse({"error": {"code": "BadArgument"}}, status_code=400))
        cid = self.personal(members[0])
        return self._record(request, cid, body, JSONResponse({"id": cid}, status_code=201))

    async def _send(self, request: Request) -> Response:
        cid = request.path_params["cid"]
        body = await request.json()
        refused = self._refuse(request, cid, body)
        if refused is not None:
            return refused
        return self._store(request, cid, body, None)

    async def _reply_or_update(self, request: Request) -> Response:
        cid, aid = request.path_params["cid"], request.path_params["aid"]
        body = await request.json()
        refused = self._refuse(request, cid, body)
        if refused is not None:
            return refused
        if request.method == "POST":
            return self._store(request, cid, body, aid)
        with self._lock:
            conv = self._conversations.get(cid)
            if conv is None or aid not in conv.activities:
                return self._record(request, cid, body, JSONResponse({"error": {"code": "NotFound"}}, status_code=404))
            problem = _card_problem(body)
            if problem:
                return self._record(
                    request, cid, body, JSONResponse({"error": {"code": "BadArgument", "message": problem}}, status_code=400)
                )
            conv.activities[aid] = {**body, "id": aid}
            conv.updates[aid] = conv.updates.get(aid, 0) + 1
        return self._record(request, cid, body, JSONResponse({"id": aid}))

    def _store(self, request: Request, cid: str, body: JSON, reply_to: str | None) -> Response:
        problem = _card_problem(body)
        with self._lock:
            conv = self._conversations.get(cid)
            if conv is None:
                return self._record(request, cid, body, JSONResponse({"error": {"code": "ConversationNotFound"}}, status_code=404))
            if problem:
                return self._record(
                    request, cid, body, JSONResponse({"error": {"code": "BadArgument", "message": problem}}, status_code=400)
                )
            aid = f"1{next(self._ids):012d}"
            conv.activities[aid] = {**body, "id": aid, **({"replyToId": reply_to} if reply_to else {})}
        return self._record(request, cid, body, JSONResponse({"id": aid}, status_code=201))

    # --- authorization, injected failures and throttling ----------------------------------------
    def _refuse(self, request: Request, cid: str | None, body: JSON) -> Response | None:
        auth = request.headers.get("authorization", "")
        with self._lock:
            if not auth.startswith("Bearer ") or auth.removeprefix("Bearer ") not in self._tokens:
                return self._record(request, cid, body, JSONResponse({"error": {"code": "Unauthorized"}}, status_code=401))
            if self._failures:
                status, retry_after = self._failures.popleft()
                headers = {"Retry-After": str(retry_after)} if status == 429 else {}
                return self._record(request, cid, body, JSONResponse({"error": {"code": f"Injected{status}"}}, status, headers=headers))
            if not self.enforce_limits:
                return None
            now = self.rate_clock()
            keys: list[tuple[str, Limits]] = [(f"tenant:{self.tenant_id}", TENANT_LIMITS)]
            if cid is not None:
                keys.append((f"conversation:{cid}", CONVERSATION_LIMITS))
            if now < self._refused_until.get(cid or "", -math.inf):
                self.early_retries += 1  # this conversation was told to wait, and did not
            waits = {key: self._wait(key, limits, now) for key, limits in keys}
            wait = max(waits.values())
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                self._refused_until[cid or ""] = now + wait
                for key, key_wait in waits.items():
                    if key_wait > 0:
                        self.refusals[key.partition(":")[0]] += 1
                headers = {"Retry-After": str(retry_after)}
                return self._record(request, cid, body, JSONResponse({"error": {"code": "Throttled"}}, 429, headers=headers))
            for key, _ in keys:
                self._windows.setdefault(key, []).append(now)
        return None

    def _wait(self, key: str, limits: Limits, now: float) -> float:
        """Seconds until one more operation fits every window of `key` (0: it fits now)."""
        window = self._windows.setdefault(key, [])  # times of the operations it let through, in order
        longest = max(seconds for _, seconds in limits)
        if window and window[0] <= now - longest:
            del window[: bisect.bisect_right(window, now - longest)]
        wait = 0.0
        for count, seconds in limits:
            inside = len(window) - bisect.bisect_right(window, now - seconds)
            if inside >= count:
                wait = max(wait, window[len(window) - count] + seconds - now)
        return wait

    def _record(self, request: Request, cid: str | None, body: JSON | None, response: Response) -> Response:
        with self._lock:
            self._calls.append(Call(request.method, request.url.path, cid, body, response.status_code, time.monotonic()))
        return response


def _card_problem(activity: JSON) -> str | None:
    """What Teams would refuse in an activity's Adaptive Cards (the parts the bot uses)."""
    for attachment in activity.get("attachments") or []:
        if attachment.get("contentType") != ADAPTIVE_CARD:
            continue
        card = attachment.get("content") or {}
        if card.get("type") != "AdaptiveCard" or not isinstance(card.get("body"), list):
            return "not an AdaptiveCard with a body"
        for action in card.get("actions") or []:
            if action.get("type") not in ("Action.Submit", "Action.OpenUrl", "Action.Execute"):
                return f"unknown action {action.get('type')}"
            if action.get("type") == "Action.OpenUrl" and not str(action.get("url", "")).startswith(("https://", "http://")):
                return "Action.OpenUrl without a URL"
    return None


def card_of(activity: JSON) -> JSON | None:
    """The first Adaptive Card of an activity."""
    for attachment in activity.get("attachments") or []:
        if attachment.get("contentType") == ADAPTIVE_CARD:
            content: JSON = attachment["content"]
            return content
    return None


def text_of(activity: JSON) -> str:
    """What a person reads in an activity: its text and its card's text blocks, line by line."""
    parts = [str(activity["text"])] if activity.get("text") else []
    card = card_of(activity)
    if card is not None:
        parts.extend(_texts(card.get("body") or []))
    return "\n".join(parts)


def _texts(elements: list[JSON]) -> Iterator[str]:
    for element in elements:
        if element.get("type") == "TextBlock":
            yield str(element.get("text", ""))
        elif element.get("type") == "Input.ChoiceSet":
            yield from (str(choice.get("title", "")) for choice in element.get("choices") or [])
        for nested in ("items", "columns"):
            yield from _texts(element.get(nested) or [])


def actions_of(activity: JSON) -> list[JSON]:
    card = card_of(activity)
    return list(card.get("actions") or []) if card else []


@contextmanager
def running_fake_connector(*, app_id: str, app_password: str, tenant_id: str = "tenant-1") -> Iterator[FakeConnector]:
    """Serve a FakeConnector with uvicorn on 127.0.0.1 in a thread with its own event loop."""
    fake = FakeConnector(app_id=app_id, app_password=app_password, tenant_id=tenant_id)
    with serving_in_thread(fake.app, "fake-teams-connector") as port:
        fake.port = port
        yield fake
