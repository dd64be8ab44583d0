"""`dashboard link PERSON`: a one-time dashboard sign-in link, for teams without Slack or Telegram."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from adapters.cli.shared import Outcome, opened_store
from bot import commands, team
from bot.config import Settings
from bot.people import PLATFORMS
from bot.ports import Store


async def print_link(settings: Settings, person: str) -> int:
    async with opened_store(settings) as store:
        outcome = await dashboard_link(store, person, base_url=settings.public_url or settings.local_url, now=datetime.now(UTC))
    print(outcome.message, file=sys.stderr if outcome.exit_code else sys.stdout)
    return outcome.exit_code


async def dashboard_link(store: Store, person: str, *, base_url: str, now: datetime) -> Outcome:
    """`dashboard link PERSON`: a one-time sign-in link for a manager or admin, for teams that
    do not use Slack or Telegram (where /team and /learn team give one)."""
    platform, _, user_id = person.strip().partition(":")
    platform = platform.lower()
    if platform not in PLATFORMS or not user_id or user_id.startswith("erased:"):
        return Outcome(
            f"PERSON is platform:user_id with platform {', '.join(PLATFORMS)} (e.g. telegram:4242, "
            f"slack:U0ANA or console:ana), not {person[:60]!r}.",
            2,
        )
    async with store.transaction() as tx:
        learner = await tx.learners.find(platform, user_id)
        if learner is None:
            return Outcome(f"Nobody is known as {platform}:{user_id}: managers and admins are added with `run_bot.py people import`.", 1)
        if not commands.TEAM.allows(learner.role):
            return Outcome(
                f"{platform}:{user_id} is a {learner.role}: the dashboard is for managers and admins "
                "(give the role with `run_bot.py people import`).",
                1,
            )
        link = await team.signin_link(tx, learner, base_url, now)
    minutes = int(team.SIGNIN_VALID.total_seconds() // 60)
    return Outcome(f"Dashboard sign-in link for {platform}:{user_id} ({learner.role}; works once, for {minutes} minutes): {link}")
