"""Web tests: real signed awards (the fixture curriculum's Deckhand badge and Mariner
certificate), an app around them, and an httpx client speaking ASGI to it."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bot.clock import ManualClock
from bot.core import Core
from bot.records import Award
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.integration.test_issuing_on_award import earn_deckhand, issuer_for
from web.app import create_app

PUBLIC_URL = "https://learn.example.com"
# Debian's Chromium, driven by Playwright (which cannot download browsers here).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass(frozen=True)
class Earned:
    badge: Award  # Deckhand, no expiry
    certificate: Award  # Mariner Certificate, valid for 365 days


@pytest.fixture
def issuer(tmp_path: Path) -> IssuerIdentity:
    return issuer_for(tmp_path, PUBLIC_URL)


@pytest.fixture
async def earned(store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity) -> Earned:
    badge, certificate = await earn_deckhand(Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer), clock, store)
    assert badge.credential is not None and certificate.credential is not None
    return Earned(badge, certificate)


@pytest.fixture
def app(store: SqlStore, curriculum: Curriculum, clock: ManualClock, issuer: IssuerIdentity) -> FastAPI:
    return create_app(store=store, curriculum=curriculum, issuer=issuer, clock=clock)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


def missing_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed: pip install -e '.[test]'"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: apt-get install -y chromium (as .ci/run does)"
    return None


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    problem = missing_browser()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {problem}")
        pytest.skip(problem)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
