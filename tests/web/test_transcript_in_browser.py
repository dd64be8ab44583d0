"""The transcript and the printable PDF from a certificate's page, in a real headless Chromium
(Debian's /usr/bin/chromium driven by Playwright), served by uvicorn on 127.0.0.1: the links are
there (the transcript on a certificate only) and what they download is the signed CLR and the PDF."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.web.conftest import Earned
from tests.web.server import serving
from web.app import create_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TRANSCRIPT, PRINTABLE = "Download the transcript (CLR 2.0 JSON)", "Printable PDF"


async def downloaded(page: Any, link: str) -> tuple[str, bytes]:
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=link).click()
    download = await download_info.value
    return download.suggested_filename, await asyncio.to_thread(Path(await download.path()).read_bytes)


async def test_a_certificates_page_offers_its_transcript_and_a_printable_pdf(
    browser: Any,
    earned: Earned,
    curriculum: Curriculum,
    clock: ManualClock,
    issuer: IssuerIdentity,
    database_url: str,
):
    def make_app(server_store: SqlStore) -> Any:
        return create_app(store=server_store, curriculum=curriculum, issuer=issuer, clock=clock)

    certificate, badge = earned.certificate, earned.badge
    with serving(make_app, database_url) as base:
        page = await browser.new_page(accept_downloads=True, viewport={"width": 390, "height": 844})
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))

        await page.goto(f"{base}/credentials/{certificate.public_id}")
        assert await page.get_by_role("link", name=TRANSCRIPT).get_attribute("href") == f"/credentials/{certificate.public_id}/clr.json"
        name, content = await downloaded(page, TRANSCRIPT)
        assert name == f"mariner-{certificate.public_id}-clr.json"
        clr = json.loads(content)
        assert clr["type"] == ["VerifiableCredential", "ClrCredential"] and issuer.verify(clr).ok
        assert clr["credentialSubject"]["verifiableCredential"] == [certificate.credential, badge.credential]

        name, content = await downloaded(page, PRINTABLE)
        assert name == f"mariner-{certificate.public_id}.pdf" and content.startswith(b"%PDF-")

        # A badge stacks nothing: no transcript, but a printable page all the same.
        await page.goto(f"{base}/credentials/{badge.public_id}")
        assert await page.get_by_role("link", name=TRANSCRIPT).count() == 0
        name, content = await downloaded(page, PRINTABLE)
        assert name == f"deckhand-{badge.public_id}.pdf" and content.startswith(b"%PDF-")

        assert [url for url in requested if not url.startswith(base)] == [], "nothing loaded from elsewhere"
