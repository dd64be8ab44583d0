"""The credential pages in a real headless Chromium (Debian's /usr/bin/chromium driven by
Playwright), served by uvicorn on 127.0.0.1: what a verifier sees for a valid, an expired and
a revoked credential. In CI a missing browser fails the run; elsewhere it skips with the reason."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.clock import ManualClock
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.web.conftest import Earned
from tests.web.server import serving
from tests.web.support import revoke
from web.app import create_app

SCREENSHOT = Path("/tmp/credential-page.png")
# Playwright cannot download browsers here, and one browser over SQLite is enough: the
# routes' database behaviour is covered on SQLite and PostgreSQL in test_credential_routes.py.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_valid_expired_and_revoked_credentials_read_right_in_a_browser(
    browser: Any,
    earned: Earned,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=curriculum, issuer=issuer, clock=clock)

    with serving(make_app, database_url) as base:
        page = await browser.new_page(accept_downloads=True, viewport={"width": 1000, "height": 900})
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))

        # A valid certificate: the status, the image, the LinkedIn link, the download.
        certificate = earned.certificate
        assert certificate.credential is not None and certificate.valid_until is not None, "signed, with an expiry date"
        await page.goto(f"{base}/credentials/{certificate.public_id}")
        assert await page.locator(".status-word").inner_text() == "Valid"
        assert "Mariner Certificate" in await page.locator("h1").inner_text()
        assert await page.locator("img.badge").evaluate("img => img.complete ? img.naturalWidth : 0") > 0
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

        linkedin = urlsplit(await page.get_by_role("link", name="Add to LinkedIn").get_attribute("href"))
        query = parse_qs(linkedin.query)
        assert (linkedin.scheme, linkedin.netloc, linkedin.path) == ("https", "www.linkedin.com", "/profile/add")
        assert query["startTask"] == ["CERTIFICATION_NAME"] and query["name"] == ["Mariner Certificate"]
        assert query["organizationName"] == ["Acme Plant Academy"]
        assert query["certUrl"] == [certificate.credential["id"]] and query["certId"] == [certificate.public_id]
        assert (query["issueYear"], query["issueMonth"]) == ([str(certificate.awarded_at.year)], [str(certificate.awarded_at.month)])
        assert query["expirationYear"] == [str(certificate.valid_until.year)]

        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="Download the signed credential (JSON)").click()
        download = await download_info.value
        assert download.suggested_filename == f"mariner-{certificate.public_id}.json"
        downloaded = json.loads(await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8"))
        assert downloaded == certificate.credential and issuer.verify(downloaded).ok

        # The same certificate a day past its validUntil.
        clock.set(certificate.valid_until + timedelta(days=1))
        await page.reload()
        assert await page.locator(".status-word").inner_text() == "Expired"
        assert f"expired on {certificate.valid_until.day} {certificate.valid_until:%B %Y}" in await page.locator(".status").inner_text()
        assert await page.get_by_role("link", name="Add to LinkedIn").count() == 0

        # A revoked badge: the date in plain words, never the reason.
        await revoke(store, earned.badge.public_id, at=clock.now(), reason="Issued to the wrong learner")
        await page.goto(f"{base}/credentials/{earned.badge.public_id}")
        assert await page.locator(".status-word").inner_text() == "Revoked"
        status = await page.locator(".status").inner_text()
        assert f"revoked this credential on {clock.now().day} {clock.now():%B %Y}" in status
        assert "wrong learner" not in await page.content()
        assert await page.locator("img.badge").evaluate("img => img.complete ? img.naturalWidth : 0") > 0

        # An unknown id: a friendly page, not a stack trace.
        response = await page.goto(f"{base}/credentials/00000000-0000-4000-8000-000000000000")
        assert response is not None and response.status == 404
        assert await page.locator(".status-word").inner_text() == "Not found"

        assert [url for url in requested if not url.startswith(base)] == [], "pages load nothing from elsewhere"
