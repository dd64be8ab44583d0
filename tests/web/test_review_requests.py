"""The L&D page (/dashboard/review) over HTTP on SQLite and PostgreSQL, after the simulated month
of 200 learners (tests/item_histories.py): an admin sees exactly the findings `content review`
prints, each at its file:line with the check's question and the options' shares, the table of
every check, a forgetting curve per skill (SVG with its figures as text), where learners stop,
and the nudges' section with the holdout; a manager and a learner are refused (403), nobody
signed in gets the dashboard's 401; the CSV is `content review --csv`'s table."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import logging
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from bot.clock import ManualClock
from bot.store.store import SqlStore
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from tests.item_histories import DECAYING, FAIL, MAGNET, NOW, planted_findings
from tests.web.dashboard_support import SESSION_COOKIE
from tests.web.review_support import PAGE, Organisation, sample_content, seed
from web.app import create_app


@pytest.fixture(scope="module")
def sample() -> Curriculum:
    return sample_content()


@pytest.fixture
def app(store: SqlStore, sample: Curriculum, clock: ManualClock, issuer: IssuerIdentity) -> FastAPI:
    clock.set(NOW)
    return create_app(store=store, curriculum=sample, issuer=issuer, clock=clock)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def organisation(store: SqlStore, sample: Curriculum) -> Organisation:
    return await seed(store, sample)


@pytest.fixture
async def people(store: SqlStore, sample: Curriculum) -> Organisation:
    """The three people without the month of answers: who may open the page does not depend on it."""
    return await seed(store, sample, simulate=False)


def as_(client: httpx.AsyncClient, session: str) -> httpx.AsyncClient:
    client.cookies.set(SESSION_COOKIE, session)
    return client


def text(fragment: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", fragment).split()))


def findings_on(page: str) -> list[str]:
    """Each finding as `content review` prints it: file:line: warning: message."""
    found = []
    for item in re.findall(r'<li class="finding".*?</table>|<li class="finding"(?:(?!</li>\s*</ul>).)*?</ul>', page, re.S):
        where = text(re.search(r'<p class="finding-where">(.*?)</p>', item, re.S).group(1))  # type: ignore[union-attr]
        messages = re.search(r'<ul class="finding-messages">(.*?)</ul>', item, re.S).group(1)  # type: ignore[union-attr]
        found += [f"{where}: {text(m)}" for m in re.findall(r"<li>(.*?)</li>", messages, re.S)]
    return found


async def test_an_admin_sees_the_findings_content_review_prints(client: httpx.AsyncClient, organisation: Organisation, sample: Curriculum):
    page = await as_(client, organisation.lee_session).get(PAGE)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert sorted(findings_on(page.text)) == sorted(planted_findings(sample))
    assert f'As of <time datetime="{NOW.isoformat()}">{NOW:%Y-%m-%d %H:%M} UTC</time>' in page.text

    fail = sample.find_check(FAIL)
    magnet = sample.find_check(MAGNET)
    assert fail is not None and magnet is not None
    flagged = re.search(rf'<li class="finding" data-check="{MAGNET}">(.*?)</table>', page.text, re.S)
    assert flagged, page.text
    assert text(re.search(r'<p class="finding-title">(.*?)</p>', flagged.group(1), re.S).group(1)) == magnet.question  # type: ignore[union-attr]
    shares = [text(row) for row in re.findall(r"<tr(?: class=\"right\")?><th scope=\"row\">(.*?)</tr>", flagged.group(1), re.S)]
    assert shares[0] == f"1. {magnet.options[0].text} 60%" and any(s.endswith("right answer 40%") for s in shares), shares

    checks = re.search(r'<table class="data cards checks" id="checks">(.*?)</table>', page.text, re.S)
    assert checks
    rows = {
        key: [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for key, row in re.findall(r'<tr data-check="([^"]+)">(.*?)</tr>', checks.group(1), re.S)
    }
    assert len(rows) == 30, "every check of the sample content in its current wording"
    _, learners, first = rows[FAIL][1:4]
    assert (learners, first) == ("200", "0%")
    assert rows[MAGNET][3] == "40%"
    assert 'id="earlier"' in page.text and "1 earlier wording is kept apart" in text(page.text)

    curve = re.search(rf'<section class="curve" id="curve-{DECAYING}".*?</section>', page.text, re.S)
    assert curve
    assert re.search(
        r'<svg class="curve-chart" role="img" aria-labelledby="curve-troubleshooting-title" aria-describedby="curve-troubleshooting-desc"',
        curve.group(0),
    )
    desc = text(re.search(r"<desc[^>]*>(.*?)</desc>", curve.group(0), re.S).group(1))  # type: ignore[union-attr]
    assert desc.startswith(f"Recall of {sample.skills[DECAYING].name} by days since the last review.") and "FSRS predicted" in desc
    assert "38% recalled about 7 days after the last review, FSRS predicted 85% (585 re-checks)" in text(curve.group(0))
    assert len(re.findall(r'<section class="curve"', page.text)) == len(sample.skills)

    lessons = re.search(r'<table class="data cards" id="lessons">(.*?)</table>', page.text, re.S)
    assert lessons and "5 at step 2" in text(lessons.group(1)), "the learners who stopped the last lesson after its first card"
    assert "Holdout 1 runs until 2026-04-22 09:00 UTC" in text(page.text)
    assert "nudges: daily offers against comparable days" in page.text

    download = await client.get(f"{PAGE}.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(download.text)))
    assert len(table) == 31, "30 checks in their current wording, and work-orders:1 in its earlier one"
    assert next(r for r in table if r["check"] == FAIL and r["current"] == "yes")["first_try_correct"] == "0.0"


async def test_only_admins_see_it(client: httpx.AsyncClient, people: Organisation):
    for url in (PAGE, f"{PAGE}.csv"):
        client.cookies.clear()
        nobody = await client.get(url)
        assert nobody.status_code == 401 and "You are not signed in." in nobody.text and 'id="ways-in"' in nobody.text, url
        for session in (people.maria_session, people.ana_session):
            refused = await as_(client, session).get(url)
            assert refused.status_code == 403, url
            assert "The review of the checks is for L&amp;D: admins only." in refused.text
            assert "finding" not in refused.text
    manager_dashboard = await as_(client, people.maria_session).get("/dashboard")
    assert manager_dashboard.status_code == 200 and 'href="/dashboard/review"' not in manager_dashboard.text, (
        "no link to a page she cannot open"
    )
    admin_dashboard = await as_(client, people.lee_session).get("/dashboard")
    assert '<a href="/dashboard/review">Review of the checks</a>' in admin_dashboard.text
    empty = await client.get(PAGE)
    assert empty.status_code == 200, "no answers yet: the page says so"
    for said in ("No warnings", "No answers yet.", "No re-checks yet", "No lesson opened yet.", "Holdout 1 runs"):
        assert said in empty.text, said


async def test_a_recomputation_under_way_at_shutdown_is_cancelled_before_the_store_closes(
    app: FastAPI, client: httpx.AsyncClient, organisation: Organisation, clock: ManualClock, caplog: pytest.LogCaptureFixture
):
    lee = as_(client, organisation.lee_session)
    assert (await lee.get(PAGE)).status_code == 200  # the first result
    clock.set(NOW + timedelta(minutes=6))
    assert (await lee.get(PAGE)).status_code == 200  # served the first result; a recomputation starts
    refreshing = [task for task in asyncio.all_tasks() if "_refresh" in repr(task.get_coro()) and not task.done()]
    assert len(refreshing) == 1
    for handler in app.router.on_shutdown:  # as uvicorn's lifespan runs them when serve stops
        await handler()
    assert refreshing[0].cancelled(), "cancelled, not left to fail against a closed database"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
