"""Pages while the database is away (a proxy in front of PostgreSQL cuts it off): a 503 that
says so in plain words and comes back by itself, never a 500 with a traceback."""

from __future__ import annotations

import uuid

import httpx
import pytest

from bot.store.database import create_engine, create_sessionmaker
from bot.store.store import SqlStore
from tests.integration.test_issuing_on_award import issuer_for
from web.app import create_app

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]


async def test_pages_say_they_are_back_in_a_moment_and_come_back(outage, curriculum, clock, tmp_path):
    engine = create_engine(outage.url)
    app = create_app(store=SqlStore(create_sessionmaker(engine)), curriculum=curriculum, issuer=issuer_for(tmp_path), clock=clock)
    html = {"Accept": "text/html"}
    page = f"/credentials/{uuid.uuid4()}"
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://127.0.0.1:8000",
            cookies={"mb_session": "a-session"},
        ) as client:
            assert (await client.get(page, headers=html)).status_code == 404
            await outage.down()
            for path in (page, "/dashboard", "/dashboard/teams/1/export.csv"):
                response = await client.get(path, headers=html)
                assert response.status_code == 503, (path, response.text)
                assert "Back in a moment" in response.text and "Traceback" not in response.text
                assert str(outage.port) not in response.text and response.headers["retry-after"] == "30"
            api = await client.get(page, headers={"Accept": "application/ld+json"})
            assert (api.status_code, api.json()) == (503, {"detail": "temporarily unavailable: try again shortly"})
            await outage.up()
            assert (await client.get(page, headers=html)).status_code == 404, "back without a restart"
    finally:
        await engine.dispose()
