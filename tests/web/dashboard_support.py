"""Helpers for the dashboard tests: the sign-in link a manager gets from the bot, and signing
in with it in the browser as a person does (open the link, press Sign in)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.core import Core
from bot.events import Command, LearnerRef
from bot.store.database import create_engine
from tests.support import text_of

TOKEN = re.compile(r"/dashboard/signin\?token=([A-Za-z0-9_-]+)")
SESSION_COOKIE = "mb_session"
# What the "not signed in" page says about getting in, line by line.
WAYS_IN = [
    "Telegram: send /team to the bot in a private chat.",
    "Slack: type /learn team.",
    "The console: type /team in python run_bot.py console.",
    "An admin on the server: python run_bot.py dashboard link PERSON prints a link for that person.",
]


async def team_link(core: Core, who: LearnerRef, source_id: str) -> str:
    """`/team` sent to the bot by `who`: the path of the sign-in link in the answer."""
    [reply] = await core.handle(Command(learner=who, source_id=source_id, name="team"))
    found = TOKEN.search(text_of(reply))
    assert found, text_of(reply)
    return f"/dashboard/signin?token={found.group(1)}"


async def downloaded_lines(download_info: Any) -> list[str]:
    """The lines of the file a finished browser download saved, read off the event loop."""
    path = Path(await (await download_info.value).path())
    return (await asyncio.to_thread(path.read_text, encoding="utf-8")).splitlines()


async def sign_in(page: Any, base: str, link: str) -> None:
    """Open the link (a page with a button, which spends nothing) and press Sign in."""
    await page.goto(base + link)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{base}/dashboard")


async def session_cookie(page: Any) -> dict[str, Any] | None:
    return next((c for c in await page.context.cookies() if c["name"] == SESSION_COOKIE), None)


async def tokens_of(database_url: str, learner_id: int | None = None) -> int:
    """Sessions and sign-in links kept (of one learner, or of all), read straight from the database."""
    engine = create_engine(database_url)
    query = "SELECT count(*) FROM access_tokens" + ("" if learner_id is None else " WHERE learner_id = :id")
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(text(query), {"id": learner_id})).scalar_one())
    finally:
        await engine.dispose()
