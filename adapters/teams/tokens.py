"""The bot's own access token for the Bot Connector's REST API: OAuth 2.0 client credentials
(the app id and its client secret) at {login}/{tenant}/oauth2/v2.0/token, as Microsoft documents
for bots (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication).

The Teams SDK would ask MSAL for it; MSAL accepts only an https authority and checks unknown
hosts with login.microsoftonline.com, so it cannot be pointed at a Bot Connector on 127.0.0.1.
The SDK takes any token provider instead (AppOptions `token`), so the same few lines run in
production and against the tests' fake. A token is kept until five minutes before it expires;
the secret is sent only to the token endpoint and never logged."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

EARLY = 300.0  # seconds before expiry a token is renewed
BOT_TENANT = "botframework.com"  # a multi-tenant bot's tokens come from this tenant


class TokenRefused(Exception):
    """The token endpoint refused the app id and secret (its error code, never the secret)."""


class ClientCredentialsToken:
    def __init__(
        self,
        *,
        login_url: str,
        app_id: str,
        app_password: str,
        tenant_id: str | None,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = f"{login_url.rstrip('/')}/{tenant_id or BOT_TENANT}/oauth2/v2.0/token"
        self._app_id, self._password = app_id, app_password
        self._client = client or httpx.AsyncClient(timeout=30.0)
        self._clock = clock
        self._tokens: dict[str, tuple[str, float]] = {}  # scope -> (token, renew after)
        self._lock = asyncio.Lock()

    async def __call__(self, scope: str | list[str], tenant_id: str | None = None) -> str:
        """The SDK's BasicTokenProvider: (scope, tenant) -> a bearer token."""
        wanted = scope if isinstance(scope, str) else " ".join(scope)
        async with self._lock:  # one request for a new token, however many sends wait for it
            kept = self._tokens.get(wanted)
            if kept is not None and self._clock() < kept[1]:
                return kept[0]
            data = {"grant_type": "client_credentials", "client_id": self._app_id, "client_secret": self._password, "scope": wanted}
            response = await self._client.post(self._url, data=data)
            body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
            token = body.get("access_token") if isinstance(body, dict) else None
            if response.status_code != 200 or not isinstance(token, str):
                code = body.get("error") if isinstance(body, dict) else None
                raise TokenRefused(f"the token endpoint answered {response.status_code} ({code or 'no error code'})")
            life = float(body.get("expires_in") or 3600)
            self._tokens[wanted] = (token, self._clock() + max(life - EARLY, life / 2))
            return token

    async def aclose(self) -> None:
        await self._client.aclose()
