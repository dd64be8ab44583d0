"""The fake Bot Connector keeps Microsoft's documented limits, so the adapter's tests meet what
production will: per bot per conversation 7 operations a second, 60 in 30 seconds, 1,800 an
hour; 50 requests a second per app per tenant. Its clock is held still by the tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from fakes.teams_connector import FakeConnector, running_fake_connector

APP_ID = "6f1c2a90-3b7e-4a51-9d0e-2c4b8e7f1a23"
PASSWORD = "fake-secret"


@pytest.fixture
def fake() -> Iterator[FakeConnector]:
    with running_fake_connector(app_id=APP_ID, app_password=PASSWORD) as fake:
        fake.now = 1000.0  # type: ignore[attr-defined]
        fake.rate_clock = lambda: fake.now  # type: ignore[attr-defined]
        yield fake


def token(fake: FakeConnector, secret: str = PASSWORD) -> httpx.Response:
    form = {
        "grant_type": "client_credentials",
        "client_id": APP_ID,
        "client_secret": secret,
        "scope": "https://api.botframework.com/.default",
    }
    return httpx.post(f"{fake.login_url}/botframework.com/oauth2/v2.0/token", data=form)


_HTTP = httpx.Client()  # kept-alive connections: the hour's test sends a few thousand requests


def send(fake: FakeConnector, bearer: str, conversation: str) -> httpx.Response:
    url = f"{fake.service_url}/v3/conversations/{conversation}/activities"
    return _HTTP.post(url, json={"type": "message", "text": "hi"}, headers={"Authorization": f"Bearer {bearer}"})


def test_a_wrong_secret_gets_no_token_and_no_token_sends_nothing(fake: FakeConnector):
    refused = token(fake, "wrong")
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert send(fake, "made-up", fake.personal("29:ana")).status_code == 401
    assert fake.activities(fake.personal("29:ana")) == []


def test_seven_operations_a_second_per_conversation_then_429_with_retry_after(fake: FakeConnector):
    bearer = token(fake).json()["access_token"]
    ana, ben = fake.personal("29:ana"), fake.personal("29:ben")
    assert [send(fake, bearer, ana).status_code for _ in range(7)] == [201] * 7
    refused = send(fake, bearer, ana)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert send(fake, bearer, ben).status_code == 201, "another conversation has its own budget"
    fake.now += 1.0  # type: ignore[attr-defined]
    assert send(fake, bearer, ana).status_code == 201
    assert fake.early_retries == 0


def test_sixty_in_thirty_seconds_and_1800_an_hour_per_conversation(fake: FakeConnector):
    bearer = token(fake).json()["access_token"]
    ana = fake.personal("29:ana")
    for _ in range(60):  # 6 a second for 10 seconds: under 7 a second
        assert send(fake, bearer, ana).status_code == 201
        fake.now += 1 / 6  # type: ignore[attr-defined]
    refused = send(fake, bearer, ana)
    assert refused.status_code == 429 and 19 <= int(refused.headers["Retry-After"]) <= 21, "until the first of the 60 is 30 s old"
    sent = 60
    while sent < 1800:  # then 2 a second (60 in 30 s), for 15 minutes
        fake.now += 0.5  # type: ignore[attr-defined]
        if send(fake, bearer, ana).status_code == 201:
            sent += 1
    fake.now += 0.5  # type: ignore[attr-defined]
    refused = send(fake, bearer, ana)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 60, "the hour's 1,800 are used up"


def test_fifty_requests_a_second_per_tenant(fake: FakeConnector):
    bearer = token(fake).json()["access_token"]
    statuses = [send(fake, bearer, fake.personal(f"29:u{n}")).status_code for n in range(51)]
    assert statuses == [201] * 50 + [429]


@pytest.mark.parametrize("status", [412, 429, 502, 504])
def test_injected_failures_answer_the_next_calls_and_execute_nothing(fake: FakeConnector, status: int):
    bearer = token(fake).json()["access_token"]
    fake.fail_next(status, retry_after=3)
    answer = send(fake, bearer, fake.personal("29:ana"))
    assert answer.status_code == status and (answer.headers.get("Retry-After") == "3") == (status == 429)
    assert fake.activities(fake.personal("29:ana")) == []
    assert send(fake, bearer, fake.personal("29:ana")).status_code == 201
