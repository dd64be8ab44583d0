"""The fake Bot Connector every Teams test talks to (a module may define its own `fake` with other
settings)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.teams_connector import FakeConnector, running_fake_connector
from tests.teams.test_teams_app import APP_ID, PASSWORD, TENANT


@pytest.fixture
def fake() -> Iterator[FakeConnector]:
    with running_fake_connector(app_id=APP_ID, app_password=PASSWORD, tenant_id=TENANT) as fake:
        yield fake
